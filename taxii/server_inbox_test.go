package taxii_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/taxii-workstation/taxii-workstation/taxii"
	"github.com/taxii-workstation/taxii-workstation/taxii/taxiitest"
)

// memReceiver is an in-memory Receiver: it keeps every message it is given
// and fails with err when err is set.
type memReceiver struct {
	mu  sync.Mutex
	got []*taxii.Received
	err error
}

func (m *memReceiver) Receive(_ context.Context, in *taxii.Received) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return m.err
	}
	m.got = append(m.got, in)
	return nil
}

func (m *memReceiver) received() []*taxii.Received {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.got)
}

// inboxClient pushes once, quickly, and trusts the test CA when given.
func inboxClient(caPEM []byte, auth taxii.Auth) *taxii.Client {
	c := &taxii.Client{Timeout: 30 * time.Second, Auth: auth, Retry: taxii.RetryPolicy{Attempts: 1}}
	c.TLS.CAPEM = caPEM
	return c
}

// startInbox serves h on 127.0.0.1, over TLS when cfg is set.
func startInbox(t testing.TB, h http.Handler, cfg *tls.Config) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ReadHeaderTimeout = 10 * time.Second
	if cfg != nil {
		srv.TLS = cfg
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv
}

func stixBlock(n int) taxii.ContentBlock {
	return taxii.ContentBlock{Binding: taxii.ContentBinding{ID: taxii.ContentSTIX12}, Content: taxiitest.STIXPackage(n, 2048), ContentIsXML: true}
}

func TestInboxPushIsStoredAndAnsweredSuccess(t *testing.T) {
	for _, v := range []taxii.Version{taxii.V11, taxii.V10} {
		t.Run(v.String(), func(t *testing.T) {
			recv := &memReceiver{}
			var events []taxii.ServerEvent
			var mu sync.Mutex
			h := &taxii.InboxHandler{
				Receiver:        recv,
				Destinations:    []string{"partner-feed", "other"},
				ContentBindings: []taxii.ContentBinding{{ID: taxii.ContentSTIX12}, {ID: taxii.ContentSTIX111}},
				OnEvent:         func(e taxii.ServerEvent) { mu.Lock(); events = append(events, e); mu.Unlock() },
			}
			srv := startInbox(t, h, nil)
			c := inboxClient(nil, taxii.Auth{})
			c.Version = v
			m := &taxii.InboxMessage{ContentBlocks: []taxii.ContentBlock{stixBlock(1), stixBlock(2)}}
			if v == taxii.V11 {
				m.DestinationCollectionNames = []string{"partner-feed"}
				m.Message = "two packages"
			}
			rc, err := c.Push(context.Background(), srv.URL+taxii.DefaultInboxPath, m)
			if err != nil {
				t.Fatal(err)
			}
			if !rc.OK() || rc.InResponseTo != m.MessageID {
				t.Fatalf("receipt %+v, want SUCCESS in response to %s", rc, m.MessageID)
			}
			got := recv.received()
			if len(got) != 1 {
				t.Fatalf("receiver called %d times, want 1", len(got))
			}
			in := got[0]
			if in.MessageID != m.MessageID || in.Version != v || len(in.Blocks) != 2 {
				t.Fatalf("received id %s version %s %d blocks, want %s %s 2", in.MessageID, in.Version, len(in.Blocks), m.MessageID, v)
			}
			for i, b := range in.Blocks {
				if !bytes.Equal(b.Content, m.ContentBlocks[i].Content) || b.Binding.ID != taxii.ContentSTIX12 {
					t.Errorf("block %d differs from what was pushed", i)
				}
			}
			if v == taxii.V11 && (!slices.Equal(in.Destinations, []string{"partner-feed"}) || in.Note != "two packages") {
				t.Errorf("destinations %q note %q", in.Destinations, in.Note)
			}
			if in.Identity != "" || in.RemoteAddr == "" || in.Bytes == 0 {
				t.Errorf("sender %+v bytes %d: want anonymous with a remote address and a size", in.Sender, in.Bytes)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(events) != 1 || events[0].Status != taxii.StatusSuccess || events[0].Blocks != 2 || events[0].MessageID != m.MessageID {
				t.Errorf("events %+v, want one SUCCESS event with 2 blocks", events)
			}
		})
	}
}

// pki makes a CA, a registered client certificate and an unknown one (from
// the same CA: being signed is not enough, the fingerprint must be known).
type inboxPKI struct {
	pki              *taxiitest.PKI
	known, unknown   tls.Certificate
	knownFingerprint string
}

func newInboxPKI(t testing.TB) inboxPKI {
	t.Helper()
	p, err := taxiitest.NewPKI()
	if err != nil {
		t.Fatal(err)
	}
	issue := func(cn string) tls.Certificate {
		certPEM, keyPEM, err := p.IssueClient(cn)
		if err != nil {
			t.Fatal(err)
		}
		c, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	fx := inboxPKI{pki: p, known: issue("registered partner"), unknown: issue("stranger")}
	fx.knownFingerprint = taxii.Fingerprint(fx.known.Certificate[0])
	return fx
}

// serverTLS asks for (but does not require) client certificates, as the
// listener does when certificate accounts are configured.
func (fx inboxPKI) serverTLS() *tls.Config {
	cfg := fx.pki.ServerTLS(false)
	cfg.ClientAuth = tls.RequestClientCert
	return cfg
}

// auth accepts alice/secret and the registered certificate as "partner".
func (fx inboxPKI) auth() taxii.CredentialAuth {
	return taxii.CredentialAuth{
		Password: func(user, pass string) bool { return user == "alice" && pass == "secret" },
		Certificate: func(fp string) (string, bool) {
			return "partner", fp == fx.knownFingerprint
		},
	}
}

func TestInboxAuthenticatesPasswordsAndCertificates(t *testing.T) {
	fx := newInboxPKI(t)
	recv := &memReceiver{}
	srv := startInbox(t, &taxii.InboxHandler{Receiver: recv, Authenticator: fx.auth()}, fx.serverTLS())
	tests := []struct {
		name         string
		auth         taxii.Auth
		wantIdentity string // "" means refused with UNAUTHORIZED
	}{
		{"password", taxii.Auth{Username: "alice", Password: "secret"}, "alice"},
		{"registered certificate", taxii.Auth{Certificate: &fx.known}, "partner"},
		{"both", taxii.Auth{Username: "alice", Password: "secret", Certificate: &fx.known}, "alice"},
		{"no credentials", taxii.Auth{}, ""},
		{"wrong password", taxii.Auth{Username: "alice", Password: "guess"}, ""},
		{"unknown user", taxii.Auth{Username: "mallory", Password: "secret"}, ""},
		{"unknown certificate", taxii.Auth{Certificate: &fx.unknown}, ""},
		{"good password, unknown certificate", taxii.Auth{Username: "alice", Password: "secret", Certificate: &fx.unknown}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := len(recv.received())
			c := inboxClient(fx.pki.CAPEM, tc.auth)
			_, err := c.Push(context.Background(), srv.URL, &taxii.InboxMessage{ContentBlocks: []taxii.ContentBlock{stixBlock(1)}})
			got := recv.received()
			if tc.wantIdentity == "" {
				var se *taxii.StatusError
				if !errors.As(err, &se) || se.Type != taxii.StatusUnauthorized {
					t.Fatalf("push: %v, want UNAUTHORIZED", err)
				}
				if len(got) != before {
					t.Fatal("receiver was called for a refused push")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			in := got[len(got)-1]
			if in.Identity != tc.wantIdentity {
				t.Errorf("identity %q, want %q", in.Identity, tc.wantIdentity)
			}
			if tc.auth.Certificate != nil && in.CertFingerprint != fx.knownFingerprint {
				t.Errorf("fingerprint %q, want %q (the client's pinning format)", in.CertFingerprint, fx.knownFingerprint)
			}
		})
	}
}

func TestClientCertFingerprintIsTheClientPinFormat(t *testing.T) {
	fx := newInboxPKI(t)
	var got string
	srv := startInbox(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = taxii.ClientCertFingerprint(r) }), fx.serverTLS())
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(fx.pki.CAPEM)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{fx.known}}}}
	res, err := hc.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	// openssl x509 -fingerprint -sha256 prints 32 uppercase hex pairs
	// joined by colons; the client pins with the same format.
	sum := sha256.Sum256(fx.known.Certificate[0])
	pairs := make([]string, len(sum))
	for i, b := range sum {
		pairs[i] = fmt.Sprintf("%02X", b)
	}
	if want := strings.Join(pairs, ":"); got != want || got != taxii.Fingerprint(fx.known.Certificate[0]) {
		t.Fatalf("fingerprint %q, want %q", got, want)
	}
}

func TestInboxReceiverErrorIsFailure(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want taxii.StatusType
	}{
		{"storage error", errors.New("disk full"), taxii.StatusFailure},
		{"wrapped refusal", fmtErr(&taxii.Refusal{Type: taxii.StatusDenied, Message: "review queue full"}), taxii.StatusDenied},
		{"refusal claiming success", &taxii.Refusal{Type: taxii.StatusSuccess}, taxii.StatusFailure},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ev taxii.ServerEvent
			h := &taxii.InboxHandler{Receiver: &memReceiver{err: tc.err}, OnEvent: func(e taxii.ServerEvent) { ev = e }}
			srv := startInbox(t, h, nil)
			rc, err := inboxClient(nil, taxii.Auth{}).Push(context.Background(), srv.URL, &taxii.InboxMessage{ContentBlocks: []taxii.ContentBlock{stixBlock(1)}})
			var se *taxii.StatusError
			if !errors.As(err, &se) || se.Type != tc.want || rc == nil || rc.OK() {
				t.Fatalf("push: %v (receipt %+v), want %s", err, rc, tc.want)
			}
			if strings.Contains(se.Message, "disk full") {
				t.Errorf("the receiver's internal error leaked to the sender: %q", se.Message)
			}
			if !errors.Is(ev.Err, tc.err) {
				t.Errorf("event error %v, want the receiver's error %v for the local log", ev.Err, tc.err)
			}
		})
	}
}

func fmtErr(err error) error { return errors.Join(errors.New("store"), err) }

// limiterFunc adapts a function to RateLimiter.
type limiterFunc func(taxii.Sender) (bool, time.Duration)

func (f limiterFunc) Allow(s taxii.Sender) (bool, time.Duration) { return f(s) }

func TestInboxRateLimitAnswersRetry(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	limit := limiterFunc(func(s taxii.Sender) (bool, time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		seen[s.Key()]++
		return seen[s.Key()] <= 2, 1500 * time.Millisecond
	})
	recv := &memReceiver{}
	srv := startInbox(t, &taxii.InboxHandler{Receiver: recv, RateLimiter: limit}, nil)
	c := inboxClient(nil, taxii.Auth{})
	var errs []error
	for range 3 {
		_, err := c.Push(context.Background(), srv.URL, &taxii.InboxMessage{ContentBlocks: []taxii.ContentBlock{stixBlock(1)}})
		errs = append(errs, err)
	}
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("first two pushes: %v, %v", errs[0], errs[1])
	}
	var se *taxii.StatusError
	if !errors.As(errs[2], &se) || se.Type != taxii.StatusRetry {
		t.Fatalf("third push: %v, want RETRY", errs[2])
	}
	if n, ok := se.Status.EstimatedWait(); !ok || n != 2 {
		t.Errorf("ESTIMATED_WAIT %d %v, want 2 (1.5 s rounded up)", n, ok)
	}
	if len(recv.received()) != 2 || seen["127.0.0.1"] != 3 {
		t.Errorf("stored %d, limiter saw %v: want 2 stored, 3 requests from 127.0.0.1", len(recv.received()), seen)
	}
}
