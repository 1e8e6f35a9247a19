package app_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/taxii"
	"github.com/taxii-workstation/taxii-workstation/taxii/taxiitest"
)

// TestListenerTwoWorkstations: A shares to B's listener and B to A's with
// the ordinary push flow (a profile on the other's discovery URL); each
// accepts what arrived into its local collection, where the cache listing
// and search find it.
func TestListenerTwoWorkstations(t *testing.T) {
	ctx := context.Background()
	a := newWorkstation(t, withAccount(t, app.ListenerConfig{Collections: []string{"from-b"}}, "bob", "pw-of-bob"))
	b := newWorkstation(t, withAccount(t, app.ListenerConfig{Collections: []string{"shared"}}, "alice", "pw-of-alice"))

	tests := []struct {
		name           string
		from, to       *workstation
		user, password string
		dest           string
		content        []byte
		search         string
	}{
		{"A to B", a, b, "alice", "pw-of-alice", "shared", taxiitest.STIXPackage(101, 2048), "Package 101"},
		{"B to A", b, a, "bob", "pw-of-bob", "from-b", taxiitest.STIXPackage(202, 2048), "Package 202"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := app.Profile{Name: "peer", DiscoveryURL: tt.to.l.Status().URL, Username: tt.user}
			if err := tt.from.AddProfile(ctx, p, app.Credentials{Password: tt.password}); err != nil {
				t.Fatal(err)
			}
			outs, err := tt.from.Push(ctx, app.PushRequest{Server: "peer", Collections: []string{tt.dest},
				Items: []app.PushItem{{Name: "share.xml", Content: tt.content}}})
			if err != nil || len(outs) != 1 || !outs[0].OK {
				t.Fatalf("push: %v %+v", err, outs)
			}
			queue := tt.to.received(t, app.Unreviewed)
			if len(queue) != 1 {
				t.Fatalf("review queue has %d items, want 1", len(queue))
			}
			it := queue[0]
			if it.Sender != tt.user || it.Server != app.LocalServer || it.Collection != tt.dest || it.Block.ID != taxii11ID(tt.content) {
				t.Errorf("queued %+v, want sender %s into %s/%s", it, tt.user, app.LocalServer, tt.dest)
			}
			if n := count(t, tt.to, app.LocalServer, tt.dest); n != 0 {
				t.Errorf("%d blocks listed before accepting, want 0", n)
			}
			if err := tt.to.l.Accept(ctx, it.Ref); err != nil {
				t.Fatal(err)
			}
			if n := count(t, tt.to, app.LocalServer, tt.dest); n != 1 {
				t.Errorf("%d blocks listed after accepting, want 1", n)
			}
			if q := tt.to.received(t, app.Unreviewed); len(q) != 0 {
				t.Errorf("review queue still has %d items", len(q))
			}
			hits, err := tt.to.Search(ctx, tt.search, 10)
			if err != nil || len(hits) != 1 {
				t.Errorf("search %q: %d hits, %v", tt.search, len(hits), err)
			}
			arr := tt.to.log.of(app.ContentArrived)
			if len(arr) != 1 || arr[0].Arrival.Sender != tt.user || arr[0].Arrival.Blocks != 1 {
				t.Errorf("content-arrived events: %+v", arr)
			}
		})
	}
}

func taxii11ID(content []byte) app.BlockID {
	id, _ := app.ParseBlockID(sha256Hex(content))
	return id
}

// TestListenerAutoAccept: a sender on the auto-accept list goes straight
// into the collection; others wait for review; a discarded block is never
// listed.
func TestListenerAutoAccept(t *testing.T) {
	ctx := context.Background()
	cfg := withAccount(t, app.ListenerConfig{Collections: []string{"shared"}, AutoAcceptSenders: []string{"trusted"}}, "trusted", "pw1")
	cfg = withAccount(t, cfg, "other", "pw2")
	w := newWorkstation(t, cfg)
	push := func(user, pw string, n int) {
		t.Helper()
		c := &taxii.Client{Auth: taxii.Auth{Username: user, Password: pw}}
		m := &taxii.InboxMessage{DestinationCollectionNames: []string{"shared"},
			ContentBlocks: []taxii.ContentBlock{{Binding: taxii.ContentBinding{ID: taxii.ContentSTIX12}, Content: taxiitest.STIXPackage(n, 512), ContentIsXML: true}}}
		if _, err := c.Push(ctx, w.l.Status().InboxURL, m); err != nil {
			t.Fatal(err)
		}
	}
	push("trusted", "pw1", 1)
	push("other", "pw2", 2)
	push("other", "pw2", 3)
	if n := count(t, w, app.LocalServer, "shared"); n != 1 {
		t.Errorf("%d listed, want 1 (auto-accepted)", n)
	}
	queue := w.received(t, app.Unreviewed)
	if len(queue) != 2 {
		t.Fatalf("queue %d, want 2", len(queue))
	}
	if err := w.l.Discard(ctx, queue[0].Ref); err != nil {
		t.Fatal(err)
	}
	if err := w.l.Accept(ctx, queue[1].Ref); err != nil {
		t.Fatal(err)
	}
	if n := count(t, w, app.LocalServer, "shared"); n != 2 {
		t.Errorf("%d listed, want 2", n)
	}
	if d := w.received(t, app.Discarded); len(d) != 1 || d[0].Ref != queue[0].Ref {
		t.Errorf("discarded: %+v", d)
	}
	if acc := w.received(t, app.Accepted); len(acc) != 2 {
		t.Errorf("accepted: %d, want 2", len(acc))
	}
}

// TestListenerNonLoopbackNeedsAccess: binding anything but loopback is
// refused until an account or a client certificate exists.
func TestListenerNonLoopbackNeedsAccess(t *testing.T) {
	tests := []struct {
		name    string
		cfg     app.ListenerConfig
		wantErr string
	}{
		{"all interfaces, no access", app.ListenerConfig{Addr: "0.0.0.0:0"}, "add an account or a client certificate"},
		{"empty host, no access", app.ListenerConfig{Addr: ":0"}, "add an account or a client certificate"},
		{"certificate without TLS", app.ListenerConfig{Addr: "0.0.0.0:0", ClientCerts: []app.ListenerCert{{Name: "p", Fingerprint: strings.Repeat("AB:", 31) + "AB"}}}, "need HTTPS"},
		{"bad fingerprint", app.ListenerConfig{Addr: "127.0.0.1:0", TLS: app.TLSSelfSigned, ClientCerts: []app.ListenerCert{{Name: "p", Fingerprint: "12:34"}}}, "not a SHA-256 fingerprint"},
		{"loopback, no access", app.ListenerConfig{Addr: "127.0.0.1:0"}, ""},
		{"localhost", app.ListenerConfig{Addr: "localhost:0"}, ""},
		{"all interfaces with an account", withAccount(t, app.ListenerConfig{Addr: "0.0.0.0:0"}, "u", "p"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Check()
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("Check() = %v, want %q", err, tt.wantErr)
			}
		})
	}
	// Start refuses too, and nothing is bound.
	st, err := newMemStore()
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, err := app.New(app.Deps{Store: st, Secrets: newSecrets()})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	l, err := app.NewListener(a, app.ListenerOptions{Config: &app.ListenerConfig{Addr: "0.0.0.0:0"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Start(context.Background()); err == nil || l.Status().Running {
		t.Fatalf("Start on 0.0.0.0 without access control = %v, running %v", err, l.Status().Running)
	}
}

// TestListenerSelfSignedFingerprint: the fingerprint the listener shows is
// the one a client sees (and can pin), and it survives a restart because
// the certificate is kept in the data directory with a 0600 key.
func TestListenerSelfSignedFingerprint(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := newMemStore()
	if err != nil {
		t.Fatal(err)
	}
	w := newWorkstationOn(t, st, app.ListenerConfig{TLS: app.TLSSelfSigned, Collections: []string{"c"}}, dir)
	status := w.l.Status()
	if status.Fingerprint == "" || !strings.HasPrefix(status.URL, "https://") {
		t.Fatalf("status %+v", status)
	}
	c := &taxii.Client{TLS: taxii.TLSConfig{InsecureSkipVerify: true}}
	info, err := c.FetchCertificate(ctx, status.URL)
	if err != nil {
		t.Fatal(err)
	}
	if info.Fingerprint != status.Fingerprint {
		t.Errorf("client sees %s, listener shows %s", info.Fingerprint, status.Fingerprint)
	}
	pinned := &taxii.Client{TLS: taxii.TLSConfig{InsecureSkipVerify: true, PinSHA256: status.Fingerprint}}
	if _, err := pinned.Discover(ctx, status.URL); err != nil {
		t.Errorf("discover with the pin: %v", err)
	}
	wrong := &taxii.Client{TLS: taxii.TLSConfig{InsecureSkipVerify: true, PinSHA256: strings.Repeat("00:", 31) + "00"}}
	if _, err := wrong.Discover(ctx, status.URL); !errors.Is(err, taxii.ErrPinMismatch) {
		t.Errorf("discover with a wrong pin: %v, want ErrPinMismatch", err)
	}
	fi, err := os.Stat(filepath.Join(dir, "listener-key.pem"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v, mode %v", err, fi.Mode())
	}
	if err := w.l.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if again := w.l.Status().Fingerprint; again != status.Fingerprint {
		t.Errorf("fingerprint changed over a restart: %s → %s", status.Fingerprint, again)
	}
}

// TestListenerPersistsOnOff: a listener the user left on starts again on
// Resume; one turned off does not.
func TestListenerPersistsOnOff(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := newMemStore()
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, err := app.New(app.Deps{Store: st, Secrets: newSecrets()})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	open := func() *app.Listener {
		l, err := app.NewListener(a, app.ListenerOptions{DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	l := open()
	cfg := withAccount(t, app.ListenerConfig{Addr: "127.0.0.1:0", Collections: []string{"x"}}, "u", "secret-pw")
	if err := l.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	if err := l.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(ctx); err != nil { // app exit: stays on
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "listener.json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "secret-pw") || !strings.Contains(string(raw), "$2a$") {
		t.Errorf("settings hold the password, or no bcrypt hash:\n%s", raw)
	}
	if fi, _ := os.Stat(filepath.Join(dir, "listener.json")); fi.Mode().Perm() != 0o600 {
		t.Errorf("settings mode %v, want 0600", fi.Mode().Perm())
	}
	l2 := open()
	if err := l2.Resume(ctx); err != nil || !l2.Status().Running {
		t.Fatalf("resume: %v, running %v", err, l2.Status().Running)
	}
	if err := l2.Stop(ctx); err != nil { // the user turns it off
		t.Fatal(err)
	}
	l3 := open()
	if err := l3.Resume(ctx); err != nil || l3.Status().Running {
		t.Fatalf("resume after stop: %v, running %v", err, l3.Status().Running)
	}
	if got := l3.Config(); len(got.Accounts) != 1 || got.Collections[0] != "x" {
		t.Errorf("settings not kept: %+v", got)
	}
}

// TestSavedListenerInboxURL: what `subscribe --inbox` defaults to.
func TestSavedListenerInboxURL(t *testing.T) {
	tests := []struct {
		name string
		cfg  *app.ListenerConfig
		want string
	}{
		{"none", nil, ""},
		{"address", &app.ListenerConfig{Addr: "127.0.0.1:9555"}, "http://127.0.0.1:9555/services/inbox"},
		{"https", &app.ListenerConfig{Addr: "127.0.0.1:9555", TLS: app.TLSSelfSigned}, "https://127.0.0.1:9555/services/inbox"},
		{"advertised", &app.ListenerConfig{Addr: "0.0.0.0:9555", AdvertiseURL: "https://ws.example.org:443/services/discovery"}, "https://ws.example.org:443/services/inbox"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.cfg != nil {
				st, err := newMemStore()
				if err != nil {
					t.Fatal(err)
				}
				defer st.Close()
				a, err := app.New(app.Deps{Store: st, Secrets: newSecrets()})
				if err != nil {
					t.Fatal(err)
				}
				defer a.Close()
				l, err := app.NewListener(a, app.ListenerOptions{DataDir: dir})
				if err != nil {
					t.Fatal(err)
				}
				cfg := *tt.cfg
				if !app.IsLoopback(cfg.Addr) {
					cfg = withAccount(t, cfg, "u", "p")
				}
				if err := l.SetConfig(cfg); err != nil {
					t.Fatal(err)
				}
			}
			if got := app.SavedListenerInboxURL(dir); got != tt.want {
				t.Errorf("SavedListenerInboxURL = %q, want %q", got, tt.want)
			}
		})
	}
}
