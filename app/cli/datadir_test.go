package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/taxii/taxiitest"
)

// TestDataDir runs commands over a real data directory (Badger on disk,
// app.OpenDataDir) with the keyring mock: a profile saved by one command is
// used by the next, also with --debug, whose opener composes the core
// itself and must find the same keyring entries.
func TestDataDir(t *testing.T) {
	keyring.MockInit()
	srv := taxiitest.New(taxiitest.Options{Auth: taxiitest.Auth{Username: "u", Password: "pw-on-disk"}})
	defer srv.Close()
	srv.AddCollection(taxiitest.Collection{Name: "feed", Blocks: 30, PartSize: 10})
	dir := t.TempDir()
	run := func(args ...string) result {
		t.Helper()
		var out, errb bytes.Buffer
		env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" },
			Meta: app.Metadata{Name: "TAXII Workstation"}, DataDir: dir}
		code := Run(context.Background(), env, args)
		return result{code: code, stdout: out.String(), stderr: errb.String()}
	}
	run("profiles", "add", "disk", "--url", srv.DiscoveryURL(), "--username", "u", "--password", "pw-on-disk").check(t, ExitOK, []string{"Saved profile disk"}, nil)
	run("poll", "--server", "disk", "--collection", "feed").check(t, ExitOK, []string{"30 blocks in 3 parts", "new:", "30"}, nil)
	r := run("poll", "--server", "disk", "--collection", "feed", "--since-last", "--debug")
	r.check(t, ExitOK, []string{"0 blocks"}, []string{"--- exchange ---", "PollRequest", "REDACTED"})
	if strings.Contains(r.stderr, "pw-on-disk") {
		t.Errorf("--debug shows the password")
	}
	run("cache", "stats").check(t, ExitOK, []string{"30 (distinct content)"}, nil)
}
