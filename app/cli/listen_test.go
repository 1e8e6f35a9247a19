package cli

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/storage"
	"github.com/taxii-workstation/taxii-workstation/taxii"
	"github.com/taxii-workstation/taxii-workstation/taxii/taxiitest"
)

// syncBuffer is a bytes.Buffer safe for the listener's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startListen runs `listen args...` until the returned stop is called; it
// waits for the discovery URL the command prints.
func startListen(t *testing.T, h *harness, args ...string) (discovery string, out *syncBuffer, stop func() result) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errb := &syncBuffer{}, &syncBuffer{}
	env := &Env{
		Stdin: strings.NewReader(""), Stdout: out, Stderr: errb,
		Getenv:  func(k string) string { return h.env[k] },
		DataDir: t.TempDir(),
		OpenApp: func(ctx context.Context, o OpenConfig) (*app.App, func() error, error) {
			a, err := app.New(app.Deps{Store: h.store, Secrets: app.NewKeyringSecrets(storage.SecretsOptions{}), Logger: o.Logger})
			if err != nil {
				return nil, nil, err
			}
			return a, a.Close, nil
		},
	}
	done := make(chan int, 1)
	go func() { done <- Run(ctx, env, append([]string{"listen"}, args...)) }()
	re := regexp.MustCompile(`Discovery: (\S+)`)
	deadline := time.After(20 * time.Second)
	for discovery == "" {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			discovery = m[1]
			break
		}
		select {
		case code := <-done:
			cancel()
			t.Fatalf("listen exited with %d before serving\nstdout:\n%s\nstderr:\n%s", code, out, errb)
		case <-deadline:
			cancel()
			t.Fatalf("listen printed no discovery URL\nstdout:\n%s\nstderr:\n%s", out, errb)
		case <-time.After(10 * time.Millisecond):
		}
	}
	stop = func() result {
		cancel()
		code := <-done
		return result{code: code, stdout: out.String(), stderr: errb.String()}
	}
	return discovery, out, stop
}

// TestListen: the listener on 127.0.0.1:0 prints its URL, takes a push
// made with the project's client (through the push command), logs it, and
// stores the block where `cache search` finds it; cancelling the context
// stops it.
func TestListen(t *testing.T) {
	h := newHarness(t, taxiitest.Options{})
	h.env[ListenerPasswordEnv] = "s3cret"
	discovery, out, stop := startListen(t, h, "--addr", "127.0.0.1:0", "--user", "bob", "--collection", "shared", "--auto-accept")
	if !strings.HasPrefix(discovery, "http://127.0.0.1:") || strings.HasSuffix(discovery, ":0/services/discovery") {
		t.Fatalf("discovery URL %q is not the bound address", discovery)
	}

	file := writeFile(t, "share.xml", taxiitest.STIXPackage(4242, 1024))
	h.env[PasswordEnv] = "s3cret"
	r := h.run("push", "--url", discovery, "--username", "bob", "--dest", "shared", file)
	r.check(t, ExitOK, []string{"SUCCESS"}, nil)

	h.env[PasswordEnv] = "wrong"
	r = h.run("push", "--url", discovery, "--username", "bob", "--dest", "shared", file)
	if r.code == ExitOK {
		t.Errorf("push with a wrong password succeeded\n%s", r)
	}

	r = h.run("cache", "search", "Package 4242")
	r.check(t, ExitOK, []string{"Package 4242", "shared"}, nil)

	res := stop()
	if res.code != ExitOK {
		t.Errorf("listen exited %d\n%s", res.code, res)
	}
	log := out.String()
	for _, want := range []string{
		"discovery bob@127.0.0.1:", "inbox bob@127.0.0.1:", "SUCCESS 1 block(s) to shared",
		"received 1 block(s) (1 new) from bob", "accepted into " + app.LocalServer + "/shared",
		"UNAUTHORIZED", "Stopped: 1 message(s), 1 block(s) stored.",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "s3cret") || strings.Contains(res.stderr, "s3cret") {
		t.Error("the password appears in the output")
	}
}

// TestListenUsage: refusals before anything is bound.
func TestListenUsage(t *testing.T) {
	h := newHarness(t, taxiitest.Options{})
	tests := []struct {
		name  string
		args  []string
		inErr string
	}{
		{"network address without access", []string{"--addr", "0.0.0.0:0"}, "add an account or a client certificate"},
		{"user without password", []string{"--user", "bob"}, "needs a password"},
		{"both TLS modes", []string{"--self-signed", "--tls-cert", "c.pem", "--tls-key", "k.pem"}, "either --self-signed"},
		{"cert without key", []string{"--tls-cert", "c.pem"}, "go together"},
		{"bad size", []string{"--max-size", "0"}, "must be positive"},
		{"stray argument", []string{"now"}, "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.run(append([]string{"listen"}, tt.args...)...)
			r.check(t, ExitUsage, nil, []string{tt.inErr})
		})
	}
}

// TestListenSelfSigned prints the fingerprint a client sees.
func TestListenSelfSigned(t *testing.T) {
	h := newHarness(t, taxiitest.Options{})
	discovery, out, stop := startListen(t, h, "--addr", "127.0.0.1:0", "--self-signed")
	defer stop()
	c := &taxii.Client{TLS: taxii.TLSConfig{InsecureSkipVerify: true}}
	info, err := c.FetchCertificate(context.Background(), discovery)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "fingerprint (partners pin this): "+info.Fingerprint) {
		t.Errorf("the printed fingerprint is not %s:\n%s", info.Fingerprint, out)
	}
}
