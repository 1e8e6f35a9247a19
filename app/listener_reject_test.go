package app_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/taxii"
	"github.com/taxii-workstation/taxii-workstation/taxii/taxiitest"
)

// endless is a body of 'a' bytes that counts what was taken from it.
type endless struct{ n atomic.Int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	e.n.Add(int64(len(p)))
	return len(p), nil
}

// trickle sends one byte every interval.
type trickle struct {
	left     int
	interval time.Duration
}

func (t *trickle) Read(p []byte) (int, error) {
	if t.left == 0 {
		return 0, io.EOF
	}
	time.Sleep(t.interval)
	p[0] = '<'
	t.left--
	return 1, nil
}

func clientCert(t *testing.T, pki *taxiitest.PKI, cn string) (tls.Certificate, string) {
	t.Helper()
	certPEM, keyPEM, err := pki.IssueClient(cn)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(certPEM)
	if _, err := x509.ParseCertificate(blk.Bytes); err != nil {
		t.Fatal(err)
	}
	return cert, taxii.Fingerprint(blk.Bytes)
}

// TestListenerRejects runs a table of bad pushes against a running HTTPS
// listener; each is refused with the right status and nothing is stored.
func TestListenerRejects(t *testing.T) {
	pki, err := taxiitest.NewPKI()
	if err != nil {
		t.Fatal(err)
	}
	partner, partnerFP := clientCert(t, pki, "partner")
	stranger, _ := clientCert(t, pki, "stranger")
	cfg := app.ListenerConfig{
		TLS: app.TLSSelfSigned, Collections: []string{"shared"}, Bindings: []string{taxii.ContentSTIX12},
		MaxBytes: 1 << 20, RatePerMinute: -1, ReadTimeout: time.Second, ReadHeaderTimeout: time.Second,
	}
	cfg = withAccount(t, cfg, "alice", "right").WithClientCert("partner", partnerFP)
	w := newWorkstation(t, cfg)
	inboxURL := w.l.Status().InboxURL

	good := func(dest string, binding string) []byte {
		m := &taxii.InboxMessage{MessageID: "m1", Version: taxii.V11, DestinationCollectionNames: []string{dest},
			ContentBlocks: []taxii.ContentBlock{{Binding: taxii.ContentBinding{ID: binding}, Content: taxiitest.STIXPackage(1, 512), ContentIsXML: true}}}
		b, err := taxii.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	doctype := []byte(`<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>` +
		`<taxii_11:Inbox_Message xmlns:taxii_11="http://taxii.mitre.org/messages/taxii_xml_binding-1.1" message_id="1">&b;</taxii_11:Inbox_Message>`)
	huge := &endless{}

	tests := []struct {
		name     string
		method   string
		body     io.Reader
		length   int64 // Content-Length; 0 means len of a bytes body
		header   map[string]string
		user, pw string
		cert     *tls.Certificate
		wantHTTP int
		want     taxii.StatusType
	}{
		{name: "no credentials", body: bytes.NewReader(good("shared", taxii.ContentSTIX12)), wantHTTP: 200, want: taxii.StatusUnauthorized},
		{name: "wrong password", user: "alice", pw: "wrong", body: bytes.NewReader(good("shared", taxii.ContentSTIX12)), wantHTTP: 200, want: taxii.StatusUnauthorized},
		{name: "unknown user", user: "mallory", pw: "right", body: bytes.NewReader(good("shared", taxii.ContentSTIX12)), wantHTTP: 200, want: taxii.StatusUnauthorized},
		{name: "unknown client certificate", cert: &stranger, body: bytes.NewReader(good("shared", taxii.ContentSTIX12)), wantHTTP: 200, want: taxii.StatusUnauthorized},
		{name: "right password, unknown certificate", user: "alice", pw: "right", cert: &stranger, body: bytes.NewReader(good("shared", taxii.ContentSTIX12)), wantHTTP: 200, want: taxii.StatusUnauthorized},
		{name: "wrong content type", user: "alice", pw: "right", header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, body: bytes.NewReader(good("shared", taxii.ContentSTIX12)), wantHTTP: 200, want: taxii.StatusUnsupportedMessage},
		{name: "JSON message binding", user: "alice", pw: "right", header: map[string]string{"X-TAXII-Content-Type": "urn:taxii.mitre.org:message:json:1.1"}, body: bytes.NewReader(good("shared", taxii.ContentSTIX12)), wantHTTP: 200, want: taxii.StatusUnsupportedMessage},
		{name: "not XML", user: "alice", pw: "right", body: strings.NewReader("hello, inbox"), wantHTTP: 200, want: taxii.StatusBadMessage},
		{name: "DOCTYPE with entities", user: "alice", pw: "right", body: bytes.NewReader(doctype), wantHTTP: 200, want: taxii.StatusBadMessage},
		{name: "1 GiB body", user: "alice", pw: "right", body: huge, length: 1 << 30, wantHTTP: 413, want: taxii.StatusBadMessage},
		{name: "unknown destination", user: "alice", pw: "right", body: bytes.NewReader(good("nowhere", taxii.ContentSTIX12)), wantHTTP: 200, want: taxii.StatusDestinationCollectionError},
		{name: "unsupported binding", user: "alice", pw: "right", body: bytes.NewReader(good("shared", taxii.ContentSTIX111)), wantHTTP: 200, want: taxii.StatusUnsupportedContent},
		{name: "GET", method: http.MethodGet, user: "alice", pw: "right", wantHTTP: 405, want: taxii.StatusBadMessage},
		{name: "slow sender", user: "alice", pw: "right", body: &trickle{left: 200, interval: 50 * time.Millisecond}, length: 200, wantHTTP: 400, want: taxii.StatusBadMessage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc := &tls.Config{InsecureSkipVerify: true}
			if tt.cert != nil {
				tc.Certificates = []tls.Certificate{*tt.cert}
			}
			hc := &http.Client{Transport: &http.Transport{TLSClientConfig: tc}, Timeout: 30 * time.Second}
			defer hc.CloseIdleConnections()
			method := tt.method
			if method == "" {
				method = http.MethodPost
			}
			req, err := http.NewRequestWithContext(context.Background(), method, inboxURL, tt.body)
			if err != nil {
				t.Fatal(err)
			}
			if tt.length != 0 {
				req.ContentLength = tt.length
			}
			req.Header.Set("Content-Type", "application/xml")
			req.Header.Set("X-TAXII-Content-Type", taxii.BindingXML11)
			req.Header.Set("X-TAXII-Services", taxii.ServicesV11)
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			if tt.user != "" {
				req.SetBasicAuth(tt.user, tt.pw)
			}
			start := time.Now()
			res, err := hc.Do(req)
			if err != nil {
				if tt.name == "slow sender" {
					return // cut off: the connection was closed, which is also right
				}
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != tt.wantHTTP {
				t.Errorf("HTTP %d, want %d\n%s", res.StatusCode, tt.wantHTTP, body)
			}
			m, err := taxii.Unmarshal(body)
			if err != nil {
				t.Fatalf("reply is not TAXII: %v\n%s", err, body)
			}
			sm, ok := m.(*taxii.StatusMessage)
			if !ok || sm.Type != tt.want {
				t.Errorf("reply %+v, want %s", m, tt.want)
			}
			if tt.name == "1 GiB body" {
				if n := huge.n.Load(); n >= 64<<20 {
					t.Errorf("the client got to send %d bytes of the 1 GiB body; it should be refused from its Content-Length", n)
				}
			}
			if tt.name == "slow sender" && time.Since(start) > 9*time.Second {
				t.Errorf("a sender trickling bytes held the request for %s", time.Since(start))
			}
		})
	}
	if got := w.received(t, 0); len(got) != 0 {
		t.Fatalf("refused pushes stored %d block(s)", len(got))
	}

	// The same listener accepts the registered certificate alone, and a password.
	for _, c := range []taxii.Auth{{Certificate: &partner}, {Username: "alice", Password: "right"}} {
		cl := &taxii.Client{Auth: c, TLS: taxii.TLSConfig{InsecureSkipVerify: true}}
		if _, err := cl.Push(context.Background(), inboxURL, &taxii.InboxMessage{DestinationCollectionNames: []string{"shared"},
			ContentBlocks: []taxii.ContentBlock{{Binding: taxii.ContentBinding{ID: taxii.ContentSTIX12}, Content: taxiitest.STIXPackage(7, 512), ContentIsXML: true}}}); err != nil {
			t.Errorf("push with %+v: %v", c.Username, err)
		}
	}
	got := w.received(t, 0)
	if len(got) != 2 || got[0].Sender == got[1].Sender {
		t.Errorf("after two good pushes: %+v", got)
	}
	for _, it := range got {
		if it.Sender != "alice" && it.Sender != "partner" {
			t.Errorf("sender %q, want alice or partner", it.Sender)
		}
	}
}
