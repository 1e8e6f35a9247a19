package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/storage"
	"github.com/taxii-workstation/taxii-workstation/taxii/taxiitest"
)

// harness runs commands against a fake TAXII server on 127.0.0.1, with the
// real TAXII client and a core over one in-memory cache shared by every
// command of the test (as one data directory would be), secrets in the
// keyring mock.
type harness struct {
	t       *testing.T
	srv     *taxiitest.Server
	store   *storage.Store
	env     map[string]string
	dataDir string
	// password answers the terminal prompt; "" means there is no terminal.
	password string
	prompts  int
}

func newHarness(t *testing.T, opts taxiitest.Options) *harness {
	t.Helper()
	keyring.MockInit()
	srv := taxiitest.New(opts)
	t.Cleanup(srv.Close)
	store, err := storage.OpenInMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return &harness{t: t, srv: srv, store: store, env: map[string]string{}, dataDir: t.TempDir()}
}

// feed adds the usual collection: 120 STIX blocks in parts of 50.
func (h *harness) feed() *harness {
	h.srv.AddCollection(taxiitest.Collection{Name: "feed", Description: "test feed", Blocks: 120, PartSize: 50})
	return h
}

type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return "exit " + itoa(r.code) + "\nstdout:\n" + r.stdout + "\nstderr:\n" + r.stderr
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// run runs one command line; "$URL" and "$POLL" etc. in args are replaced
// by the fake server's addresses.
func (h *harness) run(args ...string) result {
	h.t.Helper()
	repl := strings.NewReplacer("$DISCOVERY", h.srv.DiscoveryURL(), "$POLL", h.srv.PollURL(), "$INBOX", h.srv.InboxURL(),
		"$COLLECTIONS", h.srv.CollectionsURL(), "$LOGIN", h.srv.LoginURL(), "$BASE", h.srv.URL)
	for i, a := range args {
		args[i] = repl.Replace(a)
	}
	var out, errb bytes.Buffer
	env := &Env{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv:  func(k string) string { return h.env[k] },
		Meta:    app.Metadata{ID: "test.id", Name: "TAXII Workstation", Version: "9.8.7", Build: 42},
		DataDir: h.dataDir,
		OpenApp: func(ctx context.Context, o OpenConfig) (*app.App, func() error, error) {
			a, err := app.New(app.Deps{
				Store:     h.store,
				Secrets:   app.NewKeyringSecrets(storage.SecretsOptions{FallbackFile: o.SecretsFallbackFile}),
				NewClient: clientFactory(o.OnExchange),
				Logger:    o.Logger,
			})
			if err != nil {
				return nil, nil, err
			}
			return a, a.Close, nil
		},
	}
	if h.password != "" {
		env.ReadPassword = func(string) (string, error) { h.prompts++; return h.password, nil }
	}
	code := Run(context.Background(), env, args)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// check asserts the exit status and substrings of stdout and stderr.
func (r result) check(t *testing.T, code int, inOut, inErr []string) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit status %d, want %d\n%s", r.code, code, r)
	}
	for _, s := range inOut {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("stdout lacks %q\n%s", s, r)
		}
	}
	for _, s := range inErr {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("stderr lacks %q\n%s", s, r)
		}
	}
}

// decode parses stdout as JSON into v.
func (r result) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.stdout), v); err != nil {
		t.Fatalf("stdout is not the expected JSON: %v\n%s", err, r)
	}
}
