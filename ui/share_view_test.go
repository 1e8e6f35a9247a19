package ui

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/app/apptest"
	"github.com/taxii-workstation/taxii-workstation/taxii"
)

// newShareFixture has one server, "hub", whose collection information
// lists "inbound" (STIX 1.2 only) and "open" (any binding).
func newShareFixture(t *testing.T) (*viewFixture, *shareView) {
	t.Helper()
	fx := newViewFixture(t)
	ctx := context.Background()
	if err := fx.core.AddProfile(ctx, app.Profile{Name: "hub", DiscoveryURL: apptest.DiscoveryURL}, app.Credentials{}); err != nil {
		t.Fatal(err)
	}
	fx.fakes.Client.AddCollection(taxii.Collection{Name: "inbound", Type: taxii.DataFeed, ContentBindings: []taxii.ContentBinding{{ID: taxii.ContentSTIX12}}})
	fx.fakes.Client.AddCollection(taxii.Collection{Name: "open", Type: taxii.DataFeed})
	if _, err := fx.core.RefreshCollections(ctx, "hub"); err != nil {
		t.Fatal(err)
	}
	v := newShareView(fx.env)
	v.t.useManual()
	fx.show(v)
	v.t.wait()
	return fx, v
}

// writeFiles writes name → content into a new folder and returns the paths.
func writeFiles(t *testing.T, files map[string]string) (dir string, paths map[string]string) {
	t.Helper()
	dir = t.TempDir()
	paths = map[string]string{}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		paths[name] = p
	}
	return dir, paths
}

// fileInfo is what each file row says, by file name.
func fileInfo(v *shareView) map[string]string {
	out := map[string]string{}
	for i, f := range v.files {
		out[f.name()] = labelTexts(v.fileRows.Objects[i])
	}
	return out
}

func TestShareEmptyState(t *testing.T) {
	fx := newViewFixture(t)
	v := newShareView(fx.env)
	v.t.useManual()
	fx.show(v)
	v.t.wait()
	texts := labelTexts(v)
	for _, want := range []string{"Nothing shared yet", "Add file…", "drop them on this window", "Add a server in Servers first"} {
		if !strings.Contains(texts, want) {
			t.Errorf("empty Share view lacks %q:\n%s", want, texts)
		}
	}
	if !v.send.Disabled() {
		t.Error("Send is enabled with nothing to send")
	}
}

func TestShareChecksEachFileBeforeSending(t *testing.T) {
	fx, v := newShareFixture(t)
	if v.server.Selected != "hub" {
		t.Fatalf("the only server is not chosen: %q", v.server.Selected)
	}
	if want := []string{"inbound — accepts STIX 1.2", "open — accepts any binding"}; !slices.Equal(v.dests.Options, want) {
		t.Errorf("destinations %q, want %q", v.dests.Options, want)
	}
	_, paths := writeFiles(t, map[string]string{
		"good.xml":    string(stixDoc("Good", "")),
		"broken.xml":  `<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" version="1.2"><unclosed></stix:STIX_Package>`,
		"unknown.xml": `<recipe><title>Soup</title></recipe>`,
		"old.xml":     `<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" version="1.1.1"/>`,
	})
	fx.picker.files = []string{paths["good.xml"]}
	v.PickFiles()
	v.t.wait()
	v.AddFiles([]string{paths["broken.xml"], paths["unknown.xml"], paths["good.xml"]}) // dropped; good.xml again is ignored
	v.t.wait()
	if len(v.files) != 3 {
		t.Fatalf("%d files listed, want 3", len(v.files))
	}
	info := fileInfo(v)
	tests := []struct{ file, want string }{
		{"good.xml", "STIX 1.2 · ready to send"},
		{"broken.xml", "cannot be sent: it is not well-formed XML"},
		{"unknown.xml", "cannot be sent: "},
	}
	for _, tc := range tests {
		if !strings.Contains(info[tc.file], tc.want) {
			t.Errorf("%s says %q, want %q", tc.file, info[tc.file], tc.want)
		}
	}
	if !v.send.Disabled() || !strings.Contains(v.sendNote.Text, "2 files cannot be sent") {
		t.Errorf("with two bad files Send disabled=%v, note %q", v.send.Disabled(), v.sendNote.Text)
	}
	test.AssertRendersToMarkup(t, "share_checked.xml", v.env.win.Canvas())

	// The destination's accepted bindings are checked too.
	v.AddFiles([]string{paths["old.xml"]})
	v.dests.SetSelected([]string{"inbound — accepts STIX 1.2"})
	v.t.wait()
	if got := fileInfo(v)["old.xml"]; !strings.Contains(got, "collection inbound accepts urn:stix.mitre.org:xml:1.2, not urn:stix.mitre.org:xml:1.1.1") {
		t.Errorf("old.xml to inbound says %q", got)
	}
	for _, name := range []string{"broken.xml", "unknown.xml", "old.xml"} {
		tapRemove(t, v, name)
	}
	v.t.wait()
	if v.send.Disabled() {
		t.Fatalf("Send still disabled with one good file: %q", v.sendNote.Text)
	}
	if n := len(fx.fakes.Client.Pushed()); n != 0 {
		t.Errorf("%d messages were pushed by checking", n)
	}
}

func tapRemove(t *testing.T, v *shareView, name string) {
	t.Helper()
	for i, f := range v.files {
		if f.name() != name {
			continue
		}
		for _, o := range test.LaidOutObjects(v.fileRows.Objects[i]) {
			if b, ok := o.(*widget.Button); ok && b.Icon != nil && b.Icon.Name() == theme.DeleteIcon().Name() {
				test.Tap(b)
				return
			}
		}
	}
	t.Fatalf("no remove button for %s", name)
}

func TestShareSendsAndKeepsReceipts(t *testing.T) {
	fx, v := newShareFixture(t)
	dir, _ := writeFiles(t, map[string]string{
		"a.xml":     string(stixDoc("Alpha", "")),
		"b.xml":     string(stixDoc("Beta", "")),
		"notes.txt": "not STIX",
	})
	fx.picker.dirs = []string{dir}
	v.PickFolder()
	v.t.wait()
	if got := []string{v.files[0].name(), v.files[1].name()}; len(v.files) != 2 || !slices.Equal(got, []string{"a.xml", "b.xml"}) {
		t.Fatalf("folder added %d files", len(v.files))
	}
	v.dests.SetSelected([]string{"inbound — accepts STIX 1.2", "open — accepts any binding"})
	v.t.wait()
	test.Tap(v.send)
	v.t.wait()

	pushed := fx.fakes.Client.Pushed()
	if len(pushed) != 2 {
		t.Fatalf("%d messages pushed, want 2 (one per file)", len(pushed))
	}
	if got := pushed[0].DestinationCollectionNames; !slices.Equal(got, []string{"inbound", "open"}) {
		t.Errorf("destinations sent %q", got)
	}
	info := fileInfo(v)
	for i, name := range []string{"a.xml", "b.xml"} {
		want := "Receipt: accepted by hub · 2026-01-02 03:04:05 UTC · message id " + pushed[i].MessageID
		if !strings.Contains(info[name], want) {
			t.Errorf("%s says %q, want %q", name, info[name], want)
		}
	}
	if !strings.Contains(v.status.Text(), "Sent 2 files to hub: the server accepted all of them.") {
		t.Errorf("status %q", v.status.Text())
	}
	if !v.send.Disabled() || !strings.Contains(v.sendNote.Text, "Every file was sent") {
		t.Errorf("after sending everything Send disabled=%v, note %q", v.send.Disabled(), v.sendNote.Text)
	}
	if len(v.receipts) != 2 || !strings.Contains(historyLine(v.receipts[0]), "→ hub / inbound, open") {
		t.Errorf("history %v", v.receipts)
	}

	// A refusal is shown per file, in words, and kept in the history too.
	fx.fakes.Client.PushStatus = taxii.StatusFailure
	v.clearFiles()
	_, paths := writeFiles(t, map[string]string{"c.xml": string(stixDoc("Gamma", ""))})
	v.AddFiles([]string{paths["c.xml"]})
	v.t.wait()
	v.Send()
	v.t.wait()
	if got := fileInfo(v)["c.xml"]; !strings.Contains(got, "refused by hub (FAILURE)") {
		t.Errorf("refused file says %q", got)
	}
	if !strings.Contains(v.status.Text(), "0 accepted, 1 not") {
		t.Errorf("status after a refusal %q", v.status.Text())
	}
	if len(v.receipts) != 3 || !strings.Contains(historyLine(v.receipts[0]), "c.xml") {
		t.Errorf("history after a refusal has %d receipts", len(v.receipts))
	}
}

func TestShareRefreshesCollectionInformation(t *testing.T) {
	fx := newViewFixture(t)
	ctx := context.Background()
	for _, name := range []string{"alpha", "beta"} {
		if err := fx.core.AddProfile(ctx, app.Profile{Name: name, DiscoveryURL: apptest.DiscoveryURL}, app.Credentials{}); err != nil {
			t.Fatal(err)
		}
	}
	v := newShareView(fx.env)
	v.t.useManual()
	fx.show(v)
	v.t.wait()
	if v.server.Selected != "" || !slices.Equal(v.server.Options, []string{"alpha", "beta"}) {
		t.Fatalf("servers %q, chosen %q", v.server.Options, v.server.Selected)
	}
	v.server.SetSelected("beta")
	v.t.wait()
	if !strings.Contains(v.destNote.Text, "No collection information for beta yet") {
		t.Errorf("note %q", v.destNote.Text)
	}
	fx.fakes.Client.AddCollection(taxii.Collection{Name: "shared-feed", Type: taxii.DataFeed})
	test.Tap(v.refresh)
	v.t.wait()
	if !slices.Equal(v.dests.Options, []string{"shared-feed — accepts any binding"}) {
		t.Errorf("after refreshing, destinations %q", v.dests.Options)
	}
	if !slices.Contains(v.inbox.Options, apptest.InboxURL) {
		t.Errorf("inboxes offered %q, want the discovered %s", v.inbox.Options, apptest.InboxURL)
	}
}
