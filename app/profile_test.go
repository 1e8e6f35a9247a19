package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/app/apptest"
	"github.com/taxii-workstation/taxii-workstation/taxii"
	"github.com/taxii-workstation/taxii-workstation/taxii/taxiitest"
)

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAddProfileValidation(t *testing.T) {
	pki, err := taxiitest.NewPKI()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files, err := pki.WriteClientFiles(dir, "analyst", "pass phrase")
	if err != nil {
		t.Fatal(err)
	}
	garbage := writeFile(t, dir, "garbage.pem", []byte("this is not a certificate\n"))
	empty := writeFile(t, dir, "empty.pem", nil)
	missing := filepath.Join(dir, "missing.pem")
	const url = "https://taxii.example.org/discovery"

	for _, tc := range []struct {
		name  string
		p     app.Profile
		c     app.Credentials
		field string // "" = valid
		words string // part of the message
	}{
		{"no name", app.Profile{DiscoveryURL: url}, app.Credentials{}, app.FieldName, "name"},
		{"control character", app.Profile{Name: "a\tb", DiscoveryURL: url}, app.Credentials{}, app.FieldName, "control"},
		{"empty url", app.Profile{Name: "x"}, app.Credentials{}, app.FieldURL, "give the address"},
		{"ftp url", app.Profile{Name: "x", DiscoveryURL: "ftp://taxii.example.org/"}, app.Credentials{}, app.FieldURL, "https://"},
		{"no host", app.Profile{Name: "x", DiscoveryURL: "https:///discovery"}, app.Credentials{}, app.FieldURL, "no host"},
		{"not a url", app.Profile{Name: "x", DiscoveryURL: "taxii.example.org"}, app.Credentials{}, app.FieldURL, "https://"},
		{"bad version", app.Profile{Name: "x", DiscoveryURL: url, Version: "2.1"}, app.Credentials{}, app.FieldVersion, "2.1"},
		{"missing cert", app.Profile{Name: "x", DiscoveryURL: url, CertFile: missing, KeyFile: files.Key}, app.Credentials{}, app.FieldCertFile, "does not exist"},
		{"empty CA", app.Profile{Name: "x", DiscoveryURL: url, CAFile: empty}, app.Credentials{}, app.FieldCAFile, "empty"},
		{"CA without certificates", app.Profile{Name: "x", DiscoveryURL: url, CAFile: garbage}, app.Credentials{}, app.FieldCAFile, "no PEM certificate"},
		{"unreadable cert", app.Profile{Name: "x", DiscoveryURL: url, CertFile: garbage, KeyFile: files.Key}, app.Credentials{}, app.FieldCertFile, "client certificate"},
		{"key without cert", app.Profile{Name: "x", DiscoveryURL: url, KeyFile: files.Key}, app.Credentials{}, app.FieldCertFile, "without its certificate"},
		{"wrong passphrase", app.Profile{Name: "x", DiscoveryURL: url, CertFile: files.Cert, KeyFile: files.KeyPKCS8}, app.Credentials{KeyPassword: "wrong"}, app.FieldKeyPass, "client certificate"},
		{"missing passphrase", app.Profile{Name: "x", DiscoveryURL: url, CertFile: files.Cert, KeyFile: files.KeyLegacy}, app.Credentials{}, app.FieldKeyPass, "encrypted"},
		{"wrong PKCS#12 password", app.Profile{Name: "x", DiscoveryURL: url, PKCS12File: files.PKCS12}, app.Credentials{KeyPassword: "nope"}, app.FieldKeyPass, "PKCS#12"},
		{"both cert forms", app.Profile{Name: "x", DiscoveryURL: url, CertFile: files.Cert, KeyFile: files.Key, PKCS12File: files.PKCS12}, app.Credentials{}, app.FieldPKCS12File, "either"},
		{"bad header name", app.Profile{Name: "x", DiscoveryURL: url, Headers: []app.Header{{Name: "X Key", Value: "v"}}}, app.Credentials{}, app.FieldHeaders, "not valid"},
		{"duplicate header", app.Profile{Name: "x", DiscoveryURL: url, Headers: []app.Header{{Name: "X-Key", Value: "v"}, {Name: "x-key", Value: "w"}}}, app.Credentials{}, app.FieldHeaders, "twice"},
		{"bad proxy", app.Profile{Name: "x", DiscoveryURL: url, Proxy: "proxy:3128"}, app.Credentials{}, app.FieldProxy, "proxy"},
		{"bad override type", app.Profile{Name: "x", DiscoveryURL: url, ServiceAddresses: map[string]string{"FEED": url}}, app.Credentials{}, app.FieldServices, "not a TAXII service type"},
		{"bad override url", app.Profile{Name: "x", DiscoveryURL: url, ServiceAddresses: map[string]string{"POLL": "localhost:9000/poll"}}, app.Credentials{}, app.FieldServices, "POLL"},
		{"JWT without user", app.Profile{Name: "x", DiscoveryURL: url, JWTURL: url + "/auth"}, app.Credentials{}, app.FieldJWTURL, "user name"},
		{"bad precision", app.Profile{Name: "x", DiscoveryURL: url, TimestampPrecision: "minutes"}, app.Credentials{}, app.FieldPrecision, "minutes"},

		{"plain", app.Profile{Name: "plain", DiscoveryURL: url}, app.Credentials{}, "", ""},
		{"PEM key", app.Profile{Name: "pem", DiscoveryURL: url, CertFile: files.Cert, KeyFile: files.Key, CAFile: files.CA}, app.Credentials{}, "", ""},
		{"encrypted PKCS#8 key", app.Profile{Name: "p8", DiscoveryURL: url, CertFile: files.Cert, KeyFile: files.KeyPKCS8}, app.Credentials{KeyPassword: files.Password}, "", ""},
		{"legacy encrypted key", app.Profile{Name: "legacy", DiscoveryURL: url, CertFile: files.Cert, KeyFile: files.KeyLegacy}, app.Credentials{KeyPassword: files.Password}, "", ""},
		{"PKCS#12", app.Profile{Name: "p12", DiscoveryURL: url, PKCS12File: files.PKCS12}, app.Credentials{KeyPassword: files.Password}, "", ""},
		{"everything", app.Profile{Name: "all", DiscoveryURL: url, Version: app.Version11, Username: "u", JWTURL: url + "/auth", JWTUsername: "j",
			Headers: []app.Header{{Name: "X-API-Key", Secret: true}, {Name: "X-Team", Value: "blue"}}, Proxy: "http://proxy.example.org:3128",
			ServiceAddresses: map[string]string{"POLL": "https://taxii.example.org/poll"}, TimestampPrecision: app.PrecisionSeconds},
			app.Credentials{Password: "p", JWTPassword: "jp", Headers: map[string]string{"X-API-Key": "k"}}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, f := apptest.NewApp(t)
			err := a.AddProfile(context.Background(), tc.p, tc.c)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("AddProfile: %v", err)
				}
				if _, err := a.GetProfile(context.Background(), tc.p.Name); err != nil {
					t.Errorf("GetProfile after add: %v", err)
				}
				return
			}
			var ve *app.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want a *ValidationError", err)
			}
			if msg := ve.For(tc.field); !strings.Contains(msg, tc.words) {
				t.Errorf("problem for %s = %q, want it to mention %q (all: %v)", tc.field, msg, tc.words, ve.Problems)
			}
			if ps, _ := a.ListProfiles(context.Background()); len(ps) != 0 {
				t.Errorf("an invalid profile was stored: %+v", ps)
			}
			if made, _ := f.Client.Made(); len(made) != 0 {
				t.Errorf("a client was made for an invalid profile")
			}
			if len(f.Secrets.All()) != 0 {
				t.Errorf("secrets of an invalid profile were stored: %v", f.Secrets.All())
			}
		})
	}
}

func TestSecretsNeverInStore(t *testing.T) {
	ctx := context.Background()
	ra := newRealApp(t, nil)
	p := app.Profile{Name: "isac", DiscoveryURL: "https://isac.example.org/discovery", Username: "analyst",
		JWTURL: "https://isac.example.org/auth", JWTUsername: "analyst",
		Headers: []app.Header{{Name: "X-API-Key", Secret: true}, {Name: "X-Team", Value: "blue-team"}}}
	c := app.Credentials{Password: "pw-0123456789", JWTPassword: "jwt-0123456789", Headers: map[string]string{"X-API-Key": "key-0123456789"}}
	if err := ra.AddProfile(ctx, p, c); err != nil {
		t.Fatal(err)
	}
	stored, err := ra.store.Profiles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(stored)
	for _, secret := range []string{"pw-0123456789", "jwt-0123456789", "key-0123456789"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("secret %q is in the stored profile: %s", secret, raw)
		}
	}
	if !strings.Contains(string(raw), "blue-team") {
		t.Errorf("the non-secret header value is missing from the store: %s", raw)
	}
	if got := ra.secrets.All(); len(got) != 3 {
		t.Errorf("keyring holds %v, want 3 secrets", got)
	}
	got, err := ra.GetProfile(ctx, "isac")
	if err != nil {
		t.Fatal(err)
	}
	if got.Headers[0].Value != "" || got.Headers[1].Value != "blue-team" || got.AuthSummary() != "basic + JWT + headers" {
		t.Errorf("profile read back = %+v (%s)", got, got.AuthSummary())
	}

	// Update with empty credentials keeps the secrets; dropping basic auth deletes its password.
	p.Username = ""
	if err := ra.UpdateProfile(ctx, p, app.Credentials{}); err != nil {
		t.Fatal(err)
	}
	sec := ra.secrets.All()
	if _, ok := sec[[2]string{"isac", "password"}]; ok || len(sec) != 2 || sec[[2]string{"isac", "header:X-API-Key"}] != "key-0123456789" {
		t.Errorf("after update the keyring holds %v, want the JWT password and API key only", sec)
	}

	// Remove deletes the profile and every secret.
	if err := ra.RemoveProfile(ctx, "isac"); err != nil {
		t.Fatal(err)
	}
	if len(ra.secrets.All()) != 0 {
		t.Errorf("secrets left after remove: %v", ra.secrets.All())
	}
	if _, err := ra.GetProfile(ctx, "isac"); !errors.Is(err, app.ErrNotFound) {
		t.Errorf("GetProfile after remove: %v, want ErrNotFound", err)
	}
}

func TestProfileLifecycleEvents(t *testing.T) {
	ctx := context.Background()
	a, _ := apptest.NewApp(t)
	var got []string
	cancel := a.Subscribe(func(ev app.Event) { got = append(got, ev.Kind.String()+":"+ev.Server) })
	p := app.Profile{Name: "hub", DiscoveryURL: "https://hub.example.org/d"}
	if err := a.AddProfile(ctx, p, app.Credentials{}); err != nil {
		t.Fatal(err)
	}
	if err := a.AddProfile(ctx, p, app.Credentials{}); err == nil {
		t.Error("adding a profile twice succeeded")
	}
	p.Proxy = "direct"
	if err := a.UpdateProfile(ctx, p, app.Credentials{}); err != nil {
		t.Fatal(err)
	}
	if err := a.UpdateProfile(ctx, app.Profile{Name: "ghost", DiscoveryURL: p.DiscoveryURL}, app.Credentials{}); !errors.Is(err, app.ErrNotFound) {
		t.Errorf("update of a missing profile: %v", err)
	}
	if err := a.RemoveProfile(ctx, "hub"); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := a.AddProfile(ctx, p, app.Credentials{}); err != nil {
		t.Fatal(err)
	}
	want := "profile-added:hub profile-updated:hub profile-removed:hub"
	if strings.Join(got, " ") != want {
		t.Errorf("events = %v, want %s (and none after cancel)", got, want)
	}
}

func TestTestConnection(t *testing.T) {
	ctx := context.Background()
	ra := newRealApp(t, nil)
	srv := ra.serve(t, taxiitest.Options{Auth: taxiitest.Auth{Username: "analyst", Password: "right", Headers: map[string]string{"X-API-Key": "k1"}}},
		taxiitest.Collection{Name: "feed", Blocks: 1})
	p := app.Profile{Name: "hub", DiscoveryURL: srv.DiscoveryURL(), Username: "analyst", Headers: []app.Header{{Name: "X-API-Key", Secret: true}}}

	// Wrong password: failing, in words, recorded.
	if err := ra.UpdateProfile(ctx, p, app.Credentials{Password: "wrong", Headers: map[string]string{"X-API-Key": "k1"}}); err != nil {
		t.Fatal(err)
	}
	rep, err := ra.TestConnection(ctx, "hub")
	var se *taxii.StatusError
	if !errors.As(err, &se) || se.Type != taxii.StatusUnauthorized {
		t.Fatalf("err = %v, want UNAUTHORIZED", err)
	}
	if rep.Problem == "" || rep.Problem != app.Explain(err) {
		t.Errorf("problem = %q", rep.Problem)
	}
	got, _ := ra.GetProfile(ctx, "hub")
	if got.Status.State != app.Failing || got.Status.Message == "" || got.Status.At.IsZero() {
		t.Errorf("status after failure = %+v", got.Status)
	}

	// Right password: reachable, services found and stored.
	if err := ra.UpdateProfile(ctx, p, app.Credentials{Password: "right"}); err != nil {
		t.Fatal(err)
	}
	rep, err = ra.TestConnection(ctx, "hub")
	if err != nil {
		t.Fatalf("TestConnection: %v (%s)", err, app.Explain(err))
	}
	if rep.Version != "1.1" || len(rep.Services) != 4 || rep.Problem != "" || len(rep.Collections) != 1 || rep.Collections[0].Name != "feed" {
		t.Errorf("report = %+v, want 4 services in 1.1 and the collection", rep)
	}
	got, _ = ra.GetProfile(ctx, "hub")
	if got.Status.State != app.Reachable || got.Status.Message != "" {
		t.Errorf("status after success = %+v", got.Status)
	}
	snap, err := ra.Services(ctx, "hub")
	if err != nil || len(snap.Services) != 4 {
		t.Errorf("stored services = %+v, %v", snap, err)
	}
	var statuses []app.ConnState
	for _, ev := range ra.events.all() {
		if ev.Kind == app.ConnectionStatus {
			statuses = append(statuses, ev.Status.State)
		}
	}
	if len(statuses) != 2 || statuses[0] != app.Failing || statuses[1] != app.Reachable {
		t.Errorf("connection events = %v, want failing then reachable", statuses)
	}
}

func TestClientCertificateProfile(t *testing.T) {
	ctx := context.Background()
	pki, err := taxiitest.NewPKI()
	if err != nil {
		t.Fatal(err)
	}
	files, err := pki.WriteClientFiles(t.TempDir(), "analyst", "pass phrase")
	if err != nil {
		t.Fatal(err)
	}
	ra := newRealApp(t, nil)
	srv := taxiitest.New(taxiitest.Options{TLS: pki.ServerTLS(false), Auth: taxiitest.Auth{ClientCert: true}})
	t.Cleanup(srv.Close)
	srv.AddCollection(taxiitest.Collection{Name: "isac", Blocks: 3})
	p := app.Profile{Name: "isac", DiscoveryURL: srv.DiscoveryURL(), CertFile: files.Cert, KeyFile: files.KeyPKCS8, CAFile: files.CA}
	if err := ra.AddProfile(ctx, p, app.Credentials{KeyPassword: files.Password}); err != nil {
		t.Fatal(err)
	}
	res, err := ra.Sync(ctx, app.SyncRequest{Server: "isac", Collection: "isac", Mode: app.SinceLast})
	if err != nil {
		t.Fatalf("sync with a client certificate: %v", err)
	}
	if res.New != 3 {
		t.Errorf("new = %d, want 3", res.New)
	}
}

func TestAdHocProfile(t *testing.T) {
	ctx := context.Background()
	ra := newRealApp(t, nil)
	srv := taxiitest.New(taxiitest.Options{Auth: taxiitest.Auth{Username: "u", Password: "p"}})
	t.Cleanup(srv.Close)
	srv.AddCollection(taxiitest.Collection{Name: "feed", Blocks: 2})
	if _, err := ra.UseAdHoc(app.Profile{DiscoveryURL: "not a url"}, app.Credentials{}); err == nil {
		t.Error("an ad-hoc profile with a bad URL was accepted")
	}
	name, err := ra.UseAdHoc(app.Profile{DiscoveryURL: srv.DiscoveryURL(), Username: "u"}, app.Credentials{Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(name, "127.0.0.1:") {
		t.Errorf("ad-hoc name = %q, want the URL's host", name)
	}
	res, err := ra.Sync(ctx, app.SyncRequest{Server: name, Collection: "feed", Mode: app.SinceLast})
	if err != nil || res.New != 2 {
		t.Fatalf("ad-hoc sync = %+v, %v", res, err)
	}
	if ps, _ := ra.ListProfiles(ctx); len(ps) != 0 {
		t.Errorf("an ad-hoc profile was stored: %+v", ps)
	}
	if len(ra.secrets.All()) != 0 {
		t.Errorf("ad-hoc secrets reached the keyring: %v", ra.secrets.All())
	}
	if p, err := ra.GetProfile(ctx, name); err != nil || !p.AdHoc {
		t.Errorf("GetProfile(ad hoc) = %+v, %v", p, err)
	}
}

func TestDetectedVersionRemembered(t *testing.T) {
	ctx := context.Background()
	a, f := newFakeApp(t)
	d, _ := f.Client.Discover(ctx, apptest.DiscoveryURL)
	for i := range d.Services {
		d.Services[i].Version = taxii.V10
	}
	f.Client.Discovery = d
	if _, err := a.Discover(ctx, "hub"); err != nil {
		t.Fatal(err)
	}
	// A new App over the same store (the next start of the program).
	b, err := app.New(app.Deps{Store: f.Store, Secrets: f.Secrets, NewClient: f.Client.Factory(), Clock: f.Clock})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := b.RefreshCollections(ctx, "hub"); err != nil {
		t.Fatal(err)
	}
	made, _ := f.Client.Made()
	if got := made[len(made)-1].DetectedVersion; got != app.Version10 {
		t.Errorf("client made with detected version %q, want 1.0", got)
	}
}

func TestNoKeyring(t *testing.T) {
	ctx := context.Background()
	a, f := apptest.NewApp(t)
	f.Secrets.Err = errors.New("no OS keyring is reachable")
	// A profile without secrets needs no keyring, to add or to remove.
	if err := a.AddProfile(ctx, app.Profile{Name: "open", DiscoveryURL: "https://open.example.org/d"}, app.Credentials{}); err != nil {
		t.Fatalf("add without secrets: %v", err)
	}
	if err := a.RemoveProfile(ctx, "open"); err != nil {
		t.Fatalf("remove without secrets: %v", err)
	}
	// One with a password is refused, and nothing is stored.
	err := a.AddProfile(ctx, app.Profile{Name: "basic", DiscoveryURL: "https://b.example.org/d", Username: "u"}, app.Credentials{Password: "p"})
	if err == nil || !strings.Contains(err.Error(), "keyring") {
		t.Fatalf("add with a password and no keyring: %v", err)
	}
	if ps, _ := a.ListProfiles(ctx); len(ps) != 0 {
		t.Errorf("profiles = %+v, want none", ps)
	}
}
