package cli

import (
	"net"
	"strings"
	"testing"

	"github.com/taxii-workstation/taxii-workstation/taxii"
	"github.com/taxii-workstation/taxii-workstation/taxii/taxiitest"
)

// deadURL is an address on 127.0.0.1 where nothing listens.
func deadURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/taxii-discovery-service"
}

func TestErrors(t *testing.T) {
	dead := deadURL(t)
	tests := []struct {
		name   string
		opts   taxiitest.Options
		script []taxiitest.Step
		args   []string
		code   int
		inErr  []string
		notErr []string
	}{
		{name: "refusal in words with type and details",
			script: []taxiitest.Step{{Kind: "PollRequest", Status: taxii.StatusUnauthorized, Message: "members only", Details: map[string][]string{"ITEM": {"feed"}}}},
			args:   []string{"poll", "--url", "$DISCOVERY", "--collection", "feed"}, code: ExitFailure,
			inErr: []string{"taxii-workstation poll: ", "members only", "details:", "UNAUTHORIZED", "ITEM=feed"}},
		{name: "not found", args: []string{"poll", "--url", "$DISCOVERY", "--collection", "nope"}, code: ExitFailure,
			inErr: []string{`"nope" does not exist`, "NOT_FOUND"}},
		{name: "HTML error page", script: []taxiitest.Step{{Kind: "CollectionInformationRequest", Fault: taxiitest.HTMLError, HTTPStatus: 404}},
			args: []string{"collections", "--url", "$DISCOVERY"}, code: ExitFailure, inErr: []string{"no TAXII service at this address", "HTTP 404", "web page"}, notErr: []string{"FAILURE"}},
		{name: "dead server", args: []string{"discover", "--url", dead, "--timeout", "2s"}, code: ExitFailure,
			inErr: []string{"cannot be reached", "connection refused"}},
		{name: "wrong password", opts: taxiitest.Options{Auth: taxiitest.Auth{Username: "u", Password: "right"}},
			args: []string{"discover", "--url", "$DISCOVERY", "--username", "u", "--password", "wrong"}, code: ExitFailure,
			inErr: []string{"UNAUTHORIZED"}},
		{name: "bad URL", args: []string{"discover", "--url", "taxii.example.org"}, code: ExitUsage,
			inErr: []string{"not an http:// or https:// URL", "usage: taxii-workstation discover"}},
		{name: "unknown flag", args: []string{"poll", "--url", "$DISCOVERY", "--colection", "feed"}, code: ExitUsage,
			inErr: []string{"flag provided but not defined: -colection", "usage: taxii-workstation poll"}},
		{name: "no server", args: []string{"collections"}, code: ExitUsage, inErr: []string{"--url URL (with auth flags) or --server NAME"}},
		{name: "bad time", args: []string{"poll", "--url", "$DISCOVERY", "--collection", "feed", "--begin", "yesterday"}, code: ExitUsage,
			inErr: []string{`--begin "yesterday" is not an RFC 3339 time`}},
		{name: "since-last with a window", args: []string{"poll", "--url", "$DISCOVERY", "--collection", "feed", "--since-last", "--end", "2026-01-02"},
			code: ExitUsage, inErr: []string{"cannot be combined with --begin or --end"}},
		{name: "end before begin", args: []string{"poll", "--url", "$DISCOVERY", "--collection", "feed", "--begin", "2026-01-02", "--end", "2026-01-01"},
			code: ExitUsage, inErr: []string{"--end must be after --begin"}},
		{name: "bad version", args: []string{"discover", "--url", "$DISCOVERY", "--taxii", "2.1"}, code: ExitUsage, inErr: []string{"--taxii must be 1.0 or 1.1"}},
		{name: "missing cert file", args: []string{"discover", "--url", "$DISCOVERY", "--cert", "/nonexistent/c.pem", "--key", "/nonexistent/k.pem"},
			code: ExitUsage, inErr: []string{"c.pem"}},
		{name: "bad header", args: []string{"discover", "--url", "$DISCOVERY", "--header", "no-colon"}, code: ExitUsage, inErr: []string{"not a header like"}},
		{name: "push without files", args: []string{"push", "--url", "$DISCOVERY", "--dest", "x"}, code: ExitUsage, inErr: []string{"at least one FILE"}},
		{name: "push without dest", args: []string{"push", "--url", "$DISCOVERY", "x.xml"}, code: ExitUsage, inErr: []string{"--dest is required"}},
		{name: "poll without collection", args: []string{"poll", "--url", "$DISCOVERY"}, code: ExitUsage, inErr: []string{"--collection is required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.opts).feed()
			h.srv.Script(tt.script...)
			r := h.run(tt.args...)
			r.check(t, tt.code, nil, tt.inErr)
			for _, s := range tt.notErr {
				if strings.Contains(r.stderr, s) {
					t.Errorf("stderr shows %q:\n%s", s, r)
				}
			}
			if r.stdout != "" && r.code != ExitOK {
				t.Errorf("a failure printed to stdout:\n%s", r)
			}
			if tt.code == ExitUsage && h.srv.Count("") != 0 {
				t.Errorf("a usage error sent %d requests", h.srv.Count(""))
			}
		})
	}
}

// TestAuth connects with each kind of credentials the flags offer.
func TestAuth(t *testing.T) {
	pki, err := taxiitest.NewPKI()
	if err != nil {
		t.Fatal(err)
	}
	files, err := pki.WriteClientFiles(t.TempDir(), "analyst", "key-pass")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		opts  taxiitest.Options
		args  []string
		env   map[string]string
		inErr []string
		v10   bool // every request in TAXII 1.0
	}{
		{name: "basic from the environment", opts: taxiitest.Options{Auth: taxiitest.Auth{Username: "u", Password: "pw"}},
			args: []string{"--username", "u"}, env: map[string]string{PasswordEnv: "pw"}},
		{name: "API key header", opts: taxiitest.Options{Auth: taxiitest.Auth{Headers: map[string]string{"X-Api-Key": "k1"}}},
			args: []string{"--header", "X-Api-Key: k1"}},
		{name: "JWT login", opts: taxiitest.Options{Auth: taxiitest.Auth{JWT: &taxiitest.JWT{Username: "j", Password: "jpw"}}},
			args: []string{"--jwt-auth", "$LOGIN", "--username", "j", "--password", "jpw"}},
		{name: "client certificate with an encrypted key and a private CA",
			opts: taxiitest.Options{TLS: pki.ServerTLS(false), Auth: taxiitest.Auth{ClientCert: true}},
			args: []string{"--cert", files.Cert, "--key", files.KeyPKCS8, "--ca-cert", files.CA}, env: map[string]string{KeyPasswordEnv: "key-pass"}},
		{name: "PKCS#12 bundle", opts: taxiitest.Options{TLS: pki.ServerTLS(false), Auth: taxiitest.Auth{ClientCert: true}},
			args: []string{"--cert", files.PKCS12, "--key-password", "key-pass", "--ca-cert", files.CA}},
		{name: "TAXII 1.0 forced", args: []string{"--taxii", "1.0"}, v10: true},
		{name: "insecure is warned about", opts: taxiitest.Options{TLS: pki.ServerTLS(false)},
			args: []string{"--insecure"}, inErr: []string{"warning: certificate verification is OFF"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.opts).feed()
			h.env = tt.env
			if h.env == nil {
				h.env = map[string]string{}
			}
			r := h.run(append([]string{"collections", "--url", "$DISCOVERY"}, tt.args...)...)
			r.check(t, ExitOK, []string{"feed"}, tt.inErr)
			for _, q := range h.srv.Requests() {
				if q.Kind != "login" && (q.Version == taxii.V10) != tt.v10 {
					t.Errorf("%s sent in TAXII %s", q.Kind, q.Version)
				}
			}
		})
	}
}

// TestHelpShowsFlags: `help COMMAND` lists each command's flags.
func TestHelpShowsFlags(t *testing.T) {
	want := map[string][]string{
		"discover":    {"-url URL", "-server NAME", "-username", "-insecure", "-jwt-auth", "-header", "-proxy", "-taxii", "-timeout", "-debug", "-json"},
		"collections": {"-url URL", "-json"},
		"poll":        {"-collection", "-begin", "-end", "-bindings", "-count-only", "-subscription-id", "-since-last", "-out", "-json"},
		"push":        {"-dest", "-binding", "-json", "FILE..."},
		"subscribe":   {"-collection", "-action", "-id", "-inbox", "-json"},
		"profiles":    {"add NAME", "list", "show", "remove", "-secrets-file", "keyring", SecretsFileEnv},
		"cache":       {"stats", "collections", "search", "export", "prune", "-older-than", "-out", "-collection"},
	}
	for cmd, subs := range want {
		t.Run(cmd, func(t *testing.T) {
			env, out, errb := testEnv()
			if st := Run(t.Context(), env, []string{"help", cmd}); st != ExitOK {
				t.Fatalf("help %s: exit %d, %s", cmd, st, errb)
			}
			for _, s := range subs {
				if !strings.Contains(out.String(), s) {
					t.Errorf("help %s lacks %q:\n%s", cmd, s, out)
				}
			}
			if n := strings.Count(out.String(), "usage: taxii-workstation "+cmd); n != 1 {
				t.Errorf("help %s prints the usage %d times", cmd, n)
			}
		})
	}
}
