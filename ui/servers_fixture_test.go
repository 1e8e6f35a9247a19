package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/app/apptest"
	"github.com/taxii-workstation/taxii-workstation/taxii"
)

// srvFixture is a servers view in a test window over a core on fakes.
//
// Under Fyne's test driver fyne.Do runs its function at once on the calling
// goroutine, so the view's tasks run in manual mode: results and events are
// applied by wait on the test's goroutine (after a job's end was heard, in
// waitEnded) before the test looks at the widgets.
type srvFixture struct {
	t      *testing.T
	core   *app.App
	fakes  *apptest.Fakes
	win    fyne.Window
	v      *serversView
	picker *fakePicker
	ended  chan app.Job // jobs that ended, after the view handled the event

	mu    sync.Mutex
	notes []string // notifications sent, "title: content"
	shown []string // views switched to
}

func newSrvFixture(t *testing.T) *srvFixture {
	t.Helper()
	test.NewTempApp(t)
	core, fakes := apptest.NewApp(t)
	f := &srvFixture{t: t, core: core, fakes: fakes, picker: &fakePicker{}, ended: make(chan app.Job, 100)}
	hub := newEventHub(core)
	t.Cleanup(hub.Close)
	// Registered after the hub, so it hears an event after the view did.
	cancel := core.Subscribe(func(ev app.Event) {
		if ev.Kind == app.JobFinished || ev.Kind == app.JobFailed {
			f.ended <- *ev.Job
		}
	})
	t.Cleanup(cancel)
	f.win = test.NewTempWindow(t, nil)
	env := &viewEnv{
		core: core, win: f.win, events: hub, picker: f.picker, settings: app.NewSettings(fyne.CurrentApp().Preferences()),
		dataDir: "/data/for/test",
		notify: func(title, content string) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.notes = append(f.notes, title+": "+content)
		},
		show: func(name string) bool {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.shown = append(f.shown, name)
			return true
		},
	}
	f.v = newServersView(env)
	f.v.work.useManual()
	f.win.SetContent(f.v)
	f.win.Resize(fyne.NewSize(1200, 800))
	f.wait()
	return f
}

// wait applies every background result and event the view has, and what
// they started.
func (f *srvFixture) wait() { f.v.work.wait() }

// waitEnded waits for the next job to end and for what the view started
// in response.
func (f *srvFixture) waitEnded() app.Job {
	f.t.Helper()
	select {
	case j := <-f.ended:
		f.wait()
		return j
	case <-time.After(20 * time.Second):
		f.t.Fatal("no job ended")
		return app.Job{}
	}
}

func (f *srvFixture) notifications() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.notes...)
}

// addProfile stores a profile directly through the core.
func (f *srvFixture) addProfile(p app.Profile, c app.Credentials) {
	f.t.Helper()
	if err := f.core.AddProfile(context.Background(), p, c); err != nil {
		f.t.Fatal(err)
	}
	f.wait()
}

// seedServer adds a reachable server with two collections, tested and
// listed, and shows its page.
func (f *srvFixture) seedServer() *serverPage {
	f.t.Helper()
	yes := true
	vol := uint64(120)
	f.fakes.Client.AddCollection(taxii.Collection{Name: "indicators", Type: taxii.DataFeed, Available: &yes, Volume: &vol,
		ContentBindings: []taxii.ContentBinding{{ID: taxii.ContentSTIX12}, {ID: taxii.ContentSTIX11}}})
	f.fakes.Client.AddCollection(taxii.Collection{Name: "reports", Type: taxii.DataSet})
	f.addProfile(app.Profile{Name: "ISAC", DiscoveryURL: apptest.DiscoveryURL}, app.Credentials{})
	pg := f.v.page
	if pg == nil || pg.name != "ISAC" {
		f.t.Fatalf("page after adding = %v", pg)
	}
	pg.testConnection()
	f.wait()
	return pg
}

// selectCollection selects a collection row by name.
func (f *srvFixture) selectCollection(pg *serverPage, name string) {
	f.t.Helper()
	for i, c := range pg.cols {
		if c.Name == name {
			pg.colTable.Select(widget.TableCellID{Row: i, Col: 0})
			return
		}
	}
	f.t.Fatalf("no collection %q in %v", name, pg.cols)
}

// texts returns the text of every visible label and button under o.
func texts(o fyne.CanvasObject) string {
	var b strings.Builder
	for _, c := range test.LaidOutObjects(o) {
		switch w := c.(type) {
		case *widget.Label:
			if w.Visible() {
				b.WriteString(w.Text + "\n")
			}
		case *widget.Button:
			if w.Visible() {
				b.WriteString("[" + w.Text + "]\n")
			}
		}
	}
	return b.String()
}

// overlayTexts returns the texts of the topmost dialog.
func (f *srvFixture) overlayTexts() string {
	top := f.win.Canvas().Overlays().Top()
	if top == nil {
		return ""
	}
	return texts(top)
}

// tapButton taps the visible button labelled text under o.
func tapButton(t *testing.T, o fyne.CanvasObject, text string) {
	t.Helper()
	for _, c := range test.LaidOutObjects(o) {
		if b, ok := c.(*widget.Button); ok && b.Visible() && b.Text == text {
			test.Tap(b)
			return
		}
	}
	t.Fatalf("no button %q in %q", text, texts(o))
}

// tapOverlayButton taps a button of the topmost dialog.
func (f *srvFixture) tapOverlayButton(text string) {
	f.t.Helper()
	top := f.win.Canvas().Overlays().Top()
	if top == nil {
		f.t.Fatalf("no dialog open to tap %q in", text)
	}
	tapButton(f.t, top, text)
}

// writeFile writes a file in a temporary folder and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// activityRows returns the rows the activity list shows.
func activityRows(p *activityPanel) []*activityRow {
	var rows []*activityRow
	for _, o := range test.LaidOutObjects(p.list) {
		if r, ok := o.(*activityRow); ok && r.Visible() {
			rows = append(rows, r)
		}
	}
	return rows
}
