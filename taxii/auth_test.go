package taxii_test

import (
	"context"
	"crypto/x509"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/taxii-workstation/taxii-workstation/taxii"
	"github.com/taxii-workstation/taxii-workstation/taxii/taxiitest"
)

func TestBasicAndHeaderAuth(t *testing.T) {
	required := taxiitest.Auth{Username: "ann", Password: "pw", Headers: map[string]string{"X-Api-Key": "k"}}
	tests := []struct {
		name    string
		auth    taxii.Auth
		http401 bool
		wantErr bool
	}{
		{"all given", taxii.Auth{Username: "ann", Password: "pw", Headers: map[string]string{"X-Api-Key": "k"}}, false, false},
		{"wrong password", taxii.Auth{Username: "ann", Password: "no", Headers: map[string]string{"X-Api-Key": "k"}}, false, true},
		{"missing API key", taxii.Auth{Username: "ann", Password: "pw"}, false, true},
		{"none, server answers HTTP 401", taxii.Auth{}, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := required
			a.HTTP401 = tc.http401
			srv := newServer(t, taxiitest.Options{Auth: a})
			c := fastClient()
			c.Auth = tc.auth
			_, err := c.Discover(context.Background(), srv.DiscoveryURL())
			if !tc.wantErr {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var se *taxii.StatusError
			var he *taxii.HTTPError
			switch {
			case tc.http401 && errors.As(err, &he) && he.StatusCode == http.StatusUnauthorized:
				if !strings.Contains(he.Explain(), "password") {
					t.Errorf("explanation %q", he.Explain())
				}
			case !tc.http401 && errors.As(err, &se) && se.Type == taxii.StatusUnauthorized:
			default:
				t.Fatalf("error %v (%T)", err, err)
			}
			if n := srv.Count(""); n != 1 {
				t.Errorf("%d requests: an authentication failure must not be retried", n)
			}
		})
	}
}

func TestJWTLoginAndReloginOnce(t *testing.T) {
	srv := newServer(t, taxiitest.Options{Auth: taxiitest.Auth{JWT: &taxiitest.JWT{Username: "bot", Password: "pw"}}})
	var mu sync.Mutex
	var exchanges []*taxii.Exchange
	c := fastClient()
	c.Auth.JWT = &taxii.JWTLogin{URL: srv.LoginURL(), Username: "bot", Password: "pw"}
	c.OnExchange = func(ex *taxii.Exchange) { mu.Lock(); exchanges = append(exchanges, ex); mu.Unlock() }
	ctx := context.Background()
	for range 3 {
		if _, err := c.Discover(ctx, srv.DiscoveryURL()); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.Logins(); n != 1 {
		t.Fatalf("%d logins for 3 requests, want 1 (token reused)", n)
	}
	srv.ExpireTokens()
	if _, err := c.Discover(ctx, srv.DiscoveryURL()); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
	if n := srv.Logins(); n != 2 {
		t.Fatalf("%d logins, want 2 (one re-login)", n)
	}
	for _, ex := range exchanges {
		if ex.Kind == "jwt-login" && strings.Contains(string(ex.RequestBody), "pw") {
			t.Errorf("login password in the exchange log: %q", ex.RequestBody)
		}
		if a := ex.RequestHeader.Get("Authorization"); a != "" && a != "Bearer "+taxii.Redacted {
			t.Errorf("token in the exchange log: %q", a)
		}
	}

	// A server that keeps refusing gets exactly one re-login, then the error.
	srv.Script(taxiitest.Step{Status: taxii.StatusUnauthorized}, taxiitest.Step{Status: taxii.StatusUnauthorized}, taxiitest.Step{Status: taxii.StatusUnauthorized})
	before := srv.Logins()
	_, err := c.Discover(ctx, srv.DiscoveryURL())
	var se *taxii.StatusError
	if !errors.As(err, &se) || se.Type != taxii.StatusUnauthorized {
		t.Fatalf("error %v, want UNAUTHORIZED", err)
	}
	if n := srv.Logins() - before; n != 1 {
		t.Fatalf("%d re-logins, want exactly 1", n)
	}
}

func TestJWTWrongPassword(t *testing.T) {
	srv := newServer(t, taxiitest.Options{Auth: taxiitest.Auth{JWT: &taxiitest.JWT{Username: "bot", Password: "pw"}}})
	c := fastClient()
	c.Auth.JWT = &taxii.JWTLogin{URL: srv.LoginURL(), Username: "bot", Password: "wrong"}
	_, err := c.Discover(context.Background(), srv.DiscoveryURL())
	if !errors.Is(err, taxii.ErrLogin) || srv.Count("DiscoveryRequest") != 0 {
		t.Fatalf("error %v; %d discovery requests sent", err, srv.Count("DiscoveryRequest"))
	}
	if n := srv.Count("login"); n != 1 {
		t.Errorf("%d login attempts with a wrong password, want 1", n)
	}
	if w := taxii.Explain(err); !strings.Contains(w, "token") {
		t.Errorf("explanation %q", w)
	}
}

type tlsFixture struct {
	pki   *taxiitest.PKI
	files taxiitest.ClientFiles
}

func newTLSFixture(t *testing.T) tlsFixture {
	t.Helper()
	pki, err := taxiitest.NewPKI()
	if err != nil {
		t.Fatal(err)
	}
	files, err := pki.WriteClientFiles(t.TempDir(), "analyst", "open sesame")
	if err != nil {
		t.Fatal(err)
	}
	return tlsFixture{pki, files}
}

func TestClientCertificates(t *testing.T) {
	fx := newTLSFixture(t)
	srv := newServer(t, taxiitest.Options{TLS: fx.pki.ServerTLS(false), Auth: taxiitest.Auth{ClientCert: true}})
	f := fx.files
	tests := []struct {
		name    string
		auth    taxii.Auth
		wantErr error // nil, taxii.ErrKeyPassword, or errUnauthorized
	}{
		{"PEM", taxii.Auth{CertFile: f.Cert, KeyFile: f.Key}, nil},
		{"legacy encrypted PEM", taxii.Auth{CertFile: f.Cert, KeyFile: f.KeyLegacy, KeyPassword: f.Password}, nil},
		{"encrypted PKCS#8", taxii.Auth{CertFile: f.Cert, KeyFile: f.KeyPKCS8, KeyPassword: f.Password}, nil},
		{"PKCS#12", taxii.Auth{PKCS12File: f.PKCS12, PKCS12Password: f.Password}, nil},
		{"legacy wrong password", taxii.Auth{CertFile: f.Cert, KeyFile: f.KeyLegacy, KeyPassword: "nope"}, taxii.ErrKeyPassword},
		{"PKCS#8 wrong password", taxii.Auth{CertFile: f.Cert, KeyFile: f.KeyPKCS8, KeyPassword: "nope"}, taxii.ErrKeyPassword},
		{"PKCS#8 no password", taxii.Auth{CertFile: f.Cert, KeyFile: f.KeyPKCS8}, taxii.ErrKeyPassword},
		{"PKCS#12 wrong password", taxii.Auth{PKCS12File: f.PKCS12, PKCS12Password: "nope"}, taxii.ErrKeyPassword},
		{"no certificate", taxii.Auth{}, errUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := fastClient()
			c.TLS.CAFile = f.CA
			c.Auth = tc.auth
			_, err := c.Discover(context.Background(), srv.DiscoveryURL())
			switch tc.wantErr {
			case nil:
				if err != nil {
					t.Fatal(err)
				}
			case errUnauthorized:
				var se *taxii.StatusError
				if !errors.As(err, &se) || se.Type != taxii.StatusUnauthorized {
					t.Fatalf("error %v, want UNAUTHORIZED", err)
				}
			default:
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("error %v, want %v", err, tc.wantErr)
				}
			}
		})
	}
}

var errUnauthorized = errors.New("unauthorized")

func TestTLSVerification(t *testing.T) {
	fx := newTLSFixture(t)
	srv := newServer(t, taxiitest.Options{TLS: fx.pki.ServerTLS(false)})
	ctx := context.Background()

	// Verification is on by default: a private CA is unknown.
	_, err := fastClient().Discover(ctx, srv.DiscoveryURL())
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Fatalf("default client: error %v, want an unknown-authority error", err)
	}
	if w := taxii.Explain(err); !strings.Contains(w, "CA certificate") {
		t.Errorf("explanation %q", w)
	}
	if n := srv.Count(""); n != 0 {
		t.Errorf("%d requests reached the server through an untrusted connection", n)
	}

	// With the CA file it works, over HTTPS headers, and the fingerprint is seen.
	var seen *taxii.TLSInfo
	c := fastClient()
	c.TLS.CAFile = fx.files.CA
	c.OnExchange = func(ex *taxii.Exchange) { seen = ex.TLS }
	if _, err := c.Discover(ctx, srv.DiscoveryURL()); err != nil {
		t.Fatal(err)
	}
	want := taxii.Fingerprint(fx.pki.Server.Certificate[0])
	if seen == nil || seen.Fingerprint != want || !seen.Verified {
		t.Fatalf("TLS info %+v, want fingerprint %s verified", seen, want)
	}
	if p := srv.Requests()[len(srv.Requests())-1].Header.Get("X-TAXII-Protocol"); p != taxii.ProtocolHTTPS {
		t.Errorf("X-TAXII-Protocol %q over TLS", p)
	}
	got, err := c.FetchCertificate(ctx, srv.URL)
	if err != nil || got.Fingerprint != want {
		t.Fatalf("FetchCertificate: %v, %+v", err, got)
	}

	// Pinning: the right pin passes (in any spelling), a wrong one fails.
	for _, tc := range []struct {
		pin string
		ok  bool
	}{
		{strings.ToLower(strings.ReplaceAll(want, ":", "")), true},
		{strings.Repeat("AB:", 31) + "AB", false},
	} {
		c := fastClient()
		c.TLS.CAFile, c.TLS.PinSHA256 = fx.files.CA, tc.pin
		_, err := c.Discover(ctx, srv.DiscoveryURL())
		if (err == nil) != tc.ok {
			t.Errorf("pin %s: error %v", tc.pin, err)
		}
		if !tc.ok && !errors.Is(err, taxii.ErrPinMismatch) {
			t.Errorf("pin mismatch error %v", err)
		}
	}

	// Switching verification off is explicit and warned on every request.
	var warnings []string
	insecure := fastClient()
	insecure.TLS.InsecureSkipVerify = true
	insecure.Warn = func(m string) { warnings = append(warnings, m) }
	for range 2 {
		if _, err := insecure.Discover(ctx, srv.DiscoveryURL()); err != nil {
			t.Fatal(err)
		}
	}
	if len(warnings) != 2 || !strings.Contains(warnings[0], "verification is OFF") {
		t.Fatalf("warnings %q, want one per request", warnings)
	}
}

func TestBadCAFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := fastClient()
	c.TLS.CAFile = path
	_, err := c.Discover(context.Background(), "https://127.0.0.1:1/")
	if err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Fatalf("error %v", err)
	}
}

func TestProxySetting(t *testing.T) {
	// The proxy is a fake TAXII server itself: requests for another host reach it.
	proxy := newServer(t, taxiitest.Options{})
	c := fastClient()
	c.Proxy = proxy.URL
	if _, err := c.Discover(context.Background(), "http://taxii.invalid/taxii-discovery-service"); err != nil {
		t.Fatal(err)
	}
	if n := proxy.Count("DiscoveryRequest"); n != 1 {
		t.Fatalf("proxy saw %d requests", n)
	}
	bad := fastClient()
	bad.Proxy = "::not a url"
	if _, err := bad.Discover(context.Background(), proxy.DiscoveryURL()); err == nil || !strings.Contains(err.Error(), "proxy") {
		t.Fatalf("bad proxy: %v", err)
	}
}
