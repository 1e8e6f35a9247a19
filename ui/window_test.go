package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/app/apptest"
)

var testMeta = app.Metadata{ID: "io.github.taxiiworkstation.test", Name: "TAXII Workstation", Version: "9.8.7", Build: 42}

func newTestWindow(t *testing.T, a fyne.App) *MainWindow {
	t.Helper()
	core, _ := apptest.NewApp(t)
	m := NewMainWindow(a, core, Options{Meta: testMeta, DataDir: "/data/for/test", Picker: &fakePicker{}})
	t.Cleanup(m.win.Close)
	return m
}

// visibleTexts collects the text of every label in the view shown.
func visibleTexts(m *MainWindow) string {
	var b strings.Builder
	for _, o := range test.LaidOutObjects(m.body) {
		if l, ok := o.(*widget.Label); ok && l.Visible() {
			b.WriteString(l.Text)
			b.WriteString("\n")
		}
	}
	return b.String()
}

func TestMainWindowTitleAndMenus(t *testing.T) {
	m := newTestWindow(t, test.NewTempApp(t))
	if got := m.win.Title(); got != "TAXII Workstation" {
		t.Errorf("title = %q", got)
	}
	menu := m.win.MainMenu()
	if menu == nil {
		t.Fatal("no main menu")
	}
	want := map[string][]string{"File": {"Share files…", "Export…", "", "Quit"}, "Help": {"About"}}
	for _, mm := range menu.Items {
		var labels []string
		for _, it := range mm.Items {
			labels = append(labels, it.Label)
		}
		if strings.Join(labels, ",") != strings.Join(want[mm.Label], ",") {
			t.Errorf("menu %s = %v, want %v", mm.Label, labels, want[mm.Label])
		}
		delete(want, mm.Label)
	}
	if len(want) > 0 {
		t.Errorf("missing menus %v", want)
	}
	if q := menu.Items[0].Items[3]; !q.IsQuit {
		t.Error("File → Quit is not marked as the quit item")
	}
}

func TestSidebarSwitchesViews(t *testing.T) {
	m := newTestWindow(t, test.NewTempApp(t))
	m.win.Resize(fyne.NewSize(1000, 700))
	if m.CurrentView() != ViewServers {
		t.Fatalf("first view = %q, want %q", m.CurrentView(), ViewServers)
	}
	wantHeading := map[string]string{
		ViewServers:  "No servers yet",
		ViewCache:    "The cache is empty",
		ViewShare:    "Nothing shared yet",
		ViewInbox:    "The inbox listener is off",
		ViewSettings: "No settings yet",
	}
	if n := m.sidebar.Length(); n != len(wantHeading) {
		t.Fatalf("sidebar has %d entries, want %d", n, len(wantHeading))
	}
	for _, name := range []string{ViewCache, ViewShare, ViewInbox, ViewSettings, ViewServers} {
		if !m.ShowView(name) {
			t.Fatalf("ShowView(%q) = false", name)
		}
		if m.CurrentView() != name {
			t.Errorf("after ShowView(%q) current = %q", name, m.CurrentView())
		}
		if texts := visibleTexts(m); !strings.Contains(texts, wantHeading[name]) {
			t.Errorf("view %s shows %q, want heading %q", name, texts, wantHeading[name])
		}
	}
	if m.ShowView("Nonexistent") {
		t.Error("ShowView of an unknown view reported success")
	}
	if !strings.Contains(func() string { m.ShowView(ViewCache); return visibleTexts(m) }(), "/data/for/test") {
		t.Error("Cache view does not say where data lives")
	}
}

func TestAboutShowsVersion(t *testing.T) {
	m := newTestWindow(t, test.NewTempApp(t))
	m.win.Resize(fyne.NewSize(1000, 700))
	m.win.MainMenu().Items[1].Items[0].Action()
	overlay := m.win.Canvas().Overlays().Top()
	if overlay == nil {
		t.Fatal("About opened no dialog")
	}
	var texts strings.Builder
	for _, o := range test.LaidOutObjects(overlay) {
		if l, ok := o.(*widget.Label); ok {
			texts.WriteString(l.Text + "\n")
		}
	}
	if !strings.Contains(texts.String(), "9.8.7 (build 42)") {
		t.Errorf("About says %q, want the version 9.8.7 (build 42)", texts.String())
	}
}

func TestWindowSizeAndViewRemembered(t *testing.T) {
	a := test.NewTempApp(t)
	core, _ := apptest.NewApp(t)
	m := NewMainWindow(a, core, Options{Meta: testMeta, DataDir: "/d", Picker: &fakePicker{}})
	m.ShowView(ViewInbox)
	m.win.Resize(fyne.NewSize(812, 633))
	m.close()

	again := newTestWindow(t, a)
	if got := again.win.Canvas().Size(); got.Width != 812 || got.Height != 633 {
		t.Errorf("reopened window size = %v, want 812x633", got)
	}
	if again.CurrentView() != ViewInbox {
		t.Errorf("reopened window shows %q, want %q", again.CurrentView(), ViewInbox)
	}
}
