package ui

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/app/apptest"
	"github.com/taxii-workstation/taxii-workstation/taxii"
)

func TestServersEmptyStateSaysWhatToDoFirst(t *testing.T) {
	f := newSrvFixture(t)
	got := texts(f.v)
	for _, want := range []string{"No servers yet", "Add a server (Ctrl+N)", "[Add a server]", "No polls yet"} {
		if !strings.Contains(got, want) {
			t.Errorf("empty servers view lacks %q; it shows:\n%s", want, got)
		}
	}
	test.AssertRendersToMarkup(t, "servers_empty.xml", f.win.Canvas())
}

func TestAddServerKeepsSecretsInTheKeyringAndTestsIt(t *testing.T) {
	f := newSrvFixture(t)
	f.fakes.Client.AddCollection(taxii.Collection{Name: "indicators", Type: taxii.DataFeed})
	tapButton(t, f.v, "Add a server")
	form := f.v.form
	if form == nil {
		t.Fatal("Add a server opened no form")
	}
	test.Type(form.name, "Sector ISAC")
	test.Type(form.url, apptest.DiscoveryURL)
	test.Type(form.username, "analyst")
	test.Type(form.password, "pw-in-keyring")
	test.Type(form.secretHdr, "X-API-Key: key-in-keyring")
	test.Type(form.headers, "X-Org: acme")
	test.Tap(form.save)
	f.wait()

	if f.v.form != nil {
		t.Fatalf("form still open; it says %q", form.summary.Text)
	}
	ctx := context.Background()
	p, err := f.core.GetProfile(ctx, "Sector ISAC")
	if err != nil {
		t.Fatal(err)
	}
	if p.DiscoveryURL != apptest.DiscoveryURL || p.Username != "analyst" || len(p.Headers) != 2 {
		t.Errorf("stored profile = %+v", p)
	}
	secrets := f.fakes.Secrets.All()
	var vals []string
	for _, v := range secrets {
		vals = append(vals, v)
	}
	for _, want := range []string{"pw-in-keyring", "key-in-keyring"} {
		if !strings.Contains(strings.Join(vals, "\n"), want) {
			t.Errorf("secret %q did not reach the keyring (it holds %v)", want, vals)
		}
	}
	sp, err := f.fakes.Store.Profile(ctx, "Sector ISAC")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(sp)
	for _, secret := range []string{"pw-in-keyring", "key-in-keyring"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("secret %q was stored with the profile: %s", secret, raw)
		}
	}
	// A new server is tested at once and its collections listed.
	if len(f.v.profiles) != 1 || f.v.profiles[0].Status.State != app.Reachable {
		t.Errorf("status after adding = %+v", f.v.profiles)
	}
	pg := f.v.page
	if pg == nil || len(pg.services) != 4 || len(pg.cols) != 1 {
		t.Fatalf("page after adding: %+v", pg)
	}
	if got := pg.result.text.Text; !strings.Contains(got, "Connected") || !strings.Contains(got, "4 services") {
		t.Errorf("test result = %q", got)
	}
	if got := pg.status.Text; !strings.HasPrefix(got, "Reachable") {
		t.Errorf("status = %q", got)
	}
}

func TestBadInputIsRejectedBeforeAnyRequest(t *testing.T) {
	missing := "/nonexistent/dir/client.pem"
	for _, tc := range []struct {
		name  string
		fill  func(*profileForm)
		field string
		want  string
	}{
		{"no name", func(f *profileForm) { f.url.SetText(apptest.DiscoveryURL) }, app.FieldName, "give the server a name"},
		{"url without scheme", func(f *profileForm) {
			f.name.SetText("A")
			f.url.SetText("taxii.example.org/discovery")
		}, app.FieldURL, "must start with https://"},
		{"empty url", func(f *profileForm) { f.name.SetText("A") }, app.FieldURL, "give the address"},
		{"missing certificate", func(f *profileForm) {
			f.name.SetText("A")
			f.url.SetText(apptest.DiscoveryURL)
			f.cert.entry.SetText(missing)
		}, app.FieldCertFile, "does not exist"},
		{"unreadable CA", func(f *profileForm) {
			f.name.SetText("A")
			f.url.SetText(apptest.DiscoveryURL)
			f.ca.entry.SetText(writeFile(t, "ca.pem", "not a certificate"))
		}, app.FieldCAFile, "holds no PEM certificate"},
		{"header line", func(f *profileForm) {
			f.name.SetText("A")
			f.url.SetText(apptest.DiscoveryURL)
			f.headers.SetText("X-Org acme")
		}, app.FieldHeaders, "is not “Name: value”"},
		{"bad proxy", func(f *profileForm) {
			f.name.SetText("A")
			f.url.SetText(apptest.DiscoveryURL)
			f.proxy.SetText("proxy:3128")
		}, app.FieldProxy, "is not a URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newSrvFixture(t)
			f.v.NewServer()
			form := f.v.form
			tc.fill(form)
			test.Tap(form.save)
			f.wait()
			if f.v.form != form {
				t.Fatal("the form closed on bad input")
			}
			if got := form.problem(tc.field); !strings.Contains(got, capitalize(tc.want)) && !strings.Contains(got, tc.want) {
				t.Errorf("problem under %s = %q, want %q (summary %q)", tc.field, got, tc.want, form.summary.Text)
			}
			if !strings.HasPrefix(form.summary.Text, "Not saved") {
				t.Errorf("summary = %q", form.summary.Text)
			}
			if made, _ := f.fakes.Client.Made(); len(made) != 0 {
				t.Errorf("a client was made for %d profiles: a request could have been sent", len(made))
			}
			if ps, _ := f.core.ListProfiles(context.Background()); len(ps) != 0 {
				t.Errorf("profiles stored: %v", ps)
			}
		})
	}
}

func TestFilePickerFillsCertificateAndWarnsWhenVerificationIsOff(t *testing.T) {
	f := newSrvFixture(t)
	f.picker.files = []string{"/picked/client.pem"}
	f.v.NewServer()
	form := f.v.form
	test.Tap(form.cert.choose)
	f.wait()
	if form.cert.entry.Text != "/picked/client.pem" {
		t.Errorf("certificate field = %q after picking", form.cert.entry.Text)
	}
	if len(f.picker.asked) != 1 || f.picker.asked[0] != "Client certificate" {
		t.Errorf("picker asked %v", f.picker.asked)
	}
	test.Tap(form.ca.choose) // cancelled: the field stays empty
	f.wait()
	if form.ca.entry.Text != "" {
		t.Errorf("cancelled pick set the CA field to %q", form.ca.entry.Text)
	}
	if form.insecureWarn.Visible() {
		t.Error("warning shown before verification is turned off")
	}
	test.Tap(form.insecure)
	if !form.insecureWarn.Visible() || !strings.Contains(form.insecureWarn.Text, "verification is off") {
		t.Errorf("no visible warning when verification is off")
	}
}

func TestEditServerKeepsStoredSecrets(t *testing.T) {
	f := newSrvFixture(t)
	f.addProfile(app.Profile{Name: "ISAC", DiscoveryURL: apptest.DiscoveryURL, Username: "analyst"}, app.Credentials{Password: "old-pw"})
	tapButton(t, f.v, "Edit")
	f.wait()
	form := f.v.form
	if form == nil {
		t.Fatal("Edit opened no form")
	}
	if form.url.Text != apptest.DiscoveryURL || form.username.Text != "analyst" || form.password.Text != "" {
		t.Errorf("form shows url %q user %q password %q", form.url.Text, form.username.Text, form.password.Text)
	}
	if !form.name.Disabled() {
		t.Error("the name can be edited, but the cache is keyed by it")
	}
	form.url.SetText("https://other.test/discovery")
	form.proxy.SetText("direct")
	test.Tap(form.save)
	f.wait()
	if f.v.form != nil {
		t.Fatalf("form still open: %q", form.summary.Text)
	}
	p, err := f.core.GetProfile(context.Background(), "ISAC")
	if err != nil {
		t.Fatal(err)
	}
	if p.DiscoveryURL != "https://other.test/discovery" || p.Proxy != "direct" {
		t.Errorf("updated profile = %+v", p)
	}
	if got := f.fakes.Secrets.All(); len(got) != 1 {
		t.Errorf("secrets after edit = %v, want the old password kept", got)
	} else {
		for _, v := range got {
			if v != "old-pw" {
				t.Errorf("password after edit = %q", v)
			}
		}
	}
	if f.v.page.address.Text != "https://other.test/discovery" {
		t.Errorf("page shows %q", f.v.page.address.Text)
	}
}

func TestRemoveServerAsksFirst(t *testing.T) {
	f := newSrvFixture(t)
	f.addProfile(app.Profile{Name: "ISAC", DiscoveryURL: apptest.DiscoveryURL, Username: "u"}, app.Credentials{Password: "pw"})
	tapButton(t, f.v, "Remove")
	if got := f.overlayTexts(); !strings.Contains(got, "Remove ISAC?") || !strings.Contains(got, "Blocks already in the cache stay") {
		t.Fatalf("confirmation says %q", got)
	}
	f.tapOverlayButton("Cancel")
	f.wait()
	if ps, _ := f.core.ListProfiles(context.Background()); len(ps) != 1 {
		t.Fatal("cancelled removal removed the server")
	}
	tapButton(t, f.v, "Remove")
	f.tapOverlayButton("Remove")
	f.wait()
	if ps, _ := f.core.ListProfiles(context.Background()); len(ps) != 0 {
		t.Errorf("profiles after removal: %v", ps)
	}
	if s := f.fakes.Secrets.All(); len(s) != 0 {
		t.Errorf("secrets after removal: %v", s)
	}
	if got := texts(f.v); !strings.Contains(got, "No servers yet") {
		t.Errorf("after removing the only server the view shows %q", got)
	}
}

func TestTestConnectionFailureInWords(t *testing.T) {
	f := newSrvFixture(t)
	herr := &taxii.HTTPError{URL: apptest.DiscoveryURL, StatusCode: 401, ContentType: "text/html", Body: []byte("<html>Login required</html>"), Reason: "HTML page instead of a TAXII message"}
	f.fakes.Client.Errs = map[string]error{"Discover": herr}
	f.addProfile(app.Profile{Name: "ISAC", DiscoveryURL: apptest.DiscoveryURL}, app.Credentials{})
	pg := f.v.page
	tapButton(t, pg, "Test connection")
	f.wait()
	want := herr.Explain()
	if got := pg.result.text.Text; !strings.Contains(got, "The connection failed: ") || !strings.Contains(got, want) {
		t.Errorf("result = %q, want the failure in words %q", got, want)
	}
	if !pg.result.disc.Visible() || !strings.Contains(pg.result.details.Text, "401") {
		t.Errorf("details = %q (shown %v), want the raw error", pg.result.details.Text, pg.result.disc.Visible())
	}
	if f.v.profiles[0].Status.State != app.Failing || !strings.HasPrefix(pg.status.Text, "Failing") {
		t.Errorf("status = %+v / %q", f.v.profiles[0].Status, pg.status.Text)
	}
	if c := statusColor(app.Failing); c == statusColor(app.Reachable) || c == statusColor(app.NeverTried) {
		t.Error("the failing dot has the colour of another state")
	}
}

func TestAddServerFormShowsEveryField(t *testing.T) {
	f := newSrvFixture(t)
	f.v.NewServer()
	var labels []string
	for _, it := range f.v.form.sections.Items {
		labels = append(labels, "§"+it.Title)
		for _, fi := range it.Detail.(*widget.Form).Items {
			labels = append(labels, fi.Text)
		}
	}
	want := []string{
		"§Server", "Name", "Discovery URL", "TAXII version",
		"§Authentication (any combination)", "User name", "Password", "Client certificate", "Client key",
		"Or PKCS#12 bundle", "Key passphrase", "JWT login URL", "JWT user", "JWT password", "Extra headers", "Secret headers",
		"§Security (TLS)", "CA file", "",
		"§Network (proxy, timestamps, service addresses)", "Proxy", "Timestamps sent", "Request timeout",
		"Discovery address", "Collection management address", "Poll address", "Inbox address",
	}
	if !slices.Equal(labels, want) {
		t.Errorf("form fields:\n%q\nwant\n%q", labels, want)
	}
	test.AssertRendersToMarkup(t, "servers_add_form.xml", f.win.Canvas())
}
