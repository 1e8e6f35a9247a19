package cli

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/taxii/taxiitest"
)

const secretPW = "correct horse battery staple"

// assertNoSecretInStore fails when a secret appears in any stored profile.
func (h *harness) assertNoSecretInStore(t *testing.T, secrets ...string) {
	t.Helper()
	ps, err := h.store.Profiles(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(ps)
	for _, s := range secrets {
		if strings.Contains(string(b), s) {
			t.Errorf("the cache holds the secret %q: %s", s, b)
		}
	}
}

func TestProfiles(t *testing.T) {
	h := newHarness(t, taxiitest.Options{Auth: taxiitest.Auth{Username: "ana", Password: secretPW, Headers: map[string]string{"X-Api-Key": "k-123"}}})
	h.feed()
	h.env[PasswordEnv] = secretPW
	steps := []struct {
		name  string
		args  []string
		code  int
		inOut []string
		inErr []string
		after func(t *testing.T, r result)
	}{
		{name: "add", args: []string{"profiles", "add", "isac", "--url", "$DISCOVERY", "--username", "ana", "--header", "X-Api-Key: k-123", "--test"},
			code: ExitOK, inOut: []string{"Saved profile isac", "auth: basic + headers", "Connection works: TAXII 1.1, 4 services"},
			after: func(t *testing.T, r result) {
				for acct, want := range map[string]string{"isac/password": secretPW, "isac/header:X-Api-Key": "k-123"} {
					if got, err := keyring.Get(app.KeyringService, acct); err != nil || got != want {
						t.Errorf("keyring %s = %q, %v; want %q", acct, got, err, want)
					}
				}
				h.assertNoSecretInStore(t, secretPW, "k-123")
			}},
		{name: "add twice", args: []string{"profiles", "add", "isac", "--url", "$DISCOVERY"}, code: ExitUsage, inErr: []string{"exists already"}},
		{name: "add without url", args: []string{"profiles", "add", "x"}, code: ExitUsage, inErr: []string{"--url is required"}},
		{name: "list", args: []string{"profiles", "list"}, code: ExitOK, inOut: []string{"NAME", "isac", "basic + headers", "ok "}},
		{name: "list json", args: []string{"profiles", "list", "--json"}, code: ExitOK, after: func(t *testing.T, r result) {
			var ps []profileJSON
			r.decode(t, &ps)
			if len(ps) != 1 || ps[0].Name != "isac" || ps[0].Username != "ana" || len(ps[0].Secrets) != 2 {
				t.Errorf("list = %+v", ps)
			}
			if strings.Contains(r.stdout, secretPW) || strings.Contains(r.stdout, "k-123") {
				t.Errorf("list shows a secret: %s", r.stdout)
			}
		}},
		{name: "show", args: []string{"profiles", "show", "isac"}, code: ExitOK,
			inOut: []string{"url:", "username:", "ana", "headers:", "X-Api-Key", "secrets:", "password, header X-Api-Key"},
			after: func(t *testing.T, r result) {
				if strings.Contains(r.stdout, secretPW) || strings.Contains(r.stdout, "k-123") {
					t.Errorf("show shows a secret: %s", r.stdout)
				}
			}},
		{name: "poll with --server reads the keyring", args: []string{"poll", "--server", "isac", "--collection", "feed", "--count-only"},
			code: ExitOK, inOut: []string{"120 (count only"}},
		{name: "--server with --url", args: []string{"poll", "--server", "isac", "--url", "$DISCOVERY", "--collection", "feed"},
			code: ExitUsage, inErr: []string{"--url cannot be combined with --server"}},
		{name: "unknown server", args: []string{"discover", "--server", "nope"}, code: ExitFailure, inErr: []string{`no server profile named "nope"`}},
		{name: "remove", args: []string{"profiles", "remove", "isac"}, code: ExitOK, inOut: []string{"Removed profile isac"},
			after: func(t *testing.T, r result) {
				if _, err := keyring.Get(app.KeyringService, "isac/password"); !errors.Is(err, keyring.ErrNotFound) {
					t.Errorf("the password is still in the keyring: %v", err)
				}
			}},
		{name: "list empty", args: []string{"profiles", "list"}, code: ExitOK, inOut: []string{"No saved profiles"}},
		{name: "remove unknown", args: []string{"profiles", "remove", "isac"}, code: ExitFailure, inErr: []string{`no server profile named "isac"`}},
		{name: "bad sub-command", args: []string{"profiles", "rename"}, code: ExitUsage, inErr: []string{"unknown sub-command"}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			r := h.run(st.args...)
			r.check(t, st.code, st.inOut, st.inErr)
			if st.after != nil {
				st.after(t, r)
			}
		})
	}
}

// TestProfilesPasswordSources: flag, environment, terminal prompt.
func TestProfilesPasswordSources(t *testing.T) {
	h := newHarness(t, taxiitest.Options{})
	h.password = "from-the-prompt"
	h.run("profiles", "add", "p1", "--url", "$DISCOVERY", "--username", "u").check(t, ExitOK, nil, nil)
	h.env[PasswordEnv] = "from-the-env"
	h.run("profiles", "add", "p2", "--url", "$DISCOVERY", "--username", "u").check(t, ExitOK, nil, nil)
	h.run("profiles", "add", "p3", "--url", "$DISCOVERY", "--username", "u", "--password", "from-the-flag").check(t, ExitOK, nil, nil)
	for name, want := range map[string]string{"p1": "from-the-prompt", "p2": "from-the-env", "p3": "from-the-flag"} {
		if got, _ := keyring.Get(app.KeyringService, name+"/password"); got != want {
			t.Errorf("%s password = %q, want %q", name, got, want)
		}
	}
	if h.prompts != 1 {
		t.Errorf("prompted %d times, want 1", h.prompts)
	}
	h.password, h.env = "", map[string]string{}
	h.run("profiles", "add", "p4", "--url", "$DISCOVERY", "--username", "u").check(t, ExitOK, nil, []string{"no password for u", PasswordEnv})
}

// TestProfilesNoKeyring: without a keyring nothing is saved until the
// user opts into the file.
func TestProfilesNoKeyring(t *testing.T) {
	h := newHarness(t, taxiitest.Options{})
	keyring.MockInitWithError(errors.New("no D-Bus session"))
	defer keyring.MockInit()
	r := h.run("profiles", "add", "p", "--url", "$DISCOVERY", "--username", "u", "--password", secretPW)
	r.check(t, ExitFailure, nil, []string{"no OS keyring is reachable", "--secrets-file FILE", SecretsFileEnv, "Nothing was saved"})
	h.run("profiles", "list").check(t, ExitOK, []string{"No saved profiles"}, nil)

	file := filepath.Join(t.TempDir(), "secrets.json")
	r = h.run("profiles", "add", "p", "--url", "$DISCOVERY", "--username", "u", "--password", secretPW, "--secrets-file", file)
	r.check(t, ExitOK, []string{"Saved profile p"}, []string{file, "unencrypted"})
	b, err := os.ReadFile(file)
	if err != nil || !strings.Contains(string(b), secretPW) {
		t.Fatalf("secrets file: %v %s", err, b)
	}
	if st, _ := os.Stat(file); st.Mode().Perm() != 0o600 {
		t.Errorf("secrets file mode %v", st.Mode().Perm())
	}
	h.assertNoSecretInStore(t, secretPW)
	h.run("discover", "--server", "p").check(t, ExitFailure, nil, []string{"no OS keyring is reachable", "--secrets-file FILE or set " + SecretsFileEnv})
	h.env[SecretsFileEnv] = file
	h.run("discover", "--server", "p").check(t, ExitOK, []string{"POLL"}, nil)
}
