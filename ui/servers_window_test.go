package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/taxii-workstation/taxii-workstation/app/apptest"
)

// The window's keys reach the Servers view: Ctrl+N opens the form, F5
// comes back to the view to poll. (F5 polling the selected collection is
// tested on the view itself: with a profile in the window, every view
// reloads at once, and under the test driver their callbacks run
// concurrently.)
func TestWindowShortcutsReachServers(t *testing.T) {
	a := test.NewTempApp(t)
	core, _ := apptest.NewApp(t)
	m := NewMainWindow(a, core, Options{Meta: testMeta, DataDir: "/d", Picker: &fakePicker{}})
	t.Cleanup(m.win.Close)
	m.win.Resize(fyne.NewSize(1200, 800))
	v := m.views.servers
	v.work.wait()

	m.ShowView(ViewCache)
	m.win.Canvas().(fyne.Shortcutable).TypedShortcut(shortcutNewServer)
	if m.CurrentView() != ViewServers || v.form == nil || v.form.editing {
		t.Fatalf("Ctrl+N: view %q, form %v", m.CurrentView(), v.form)
	}
	if m.win.Canvas().Focused() != v.form.name {
		t.Error("the new-server form does not start in the name field")
	}
	test.Tap(v.form.cancel)
	if v.form != nil || m.win.Canvas().Overlays().Top() != nil {
		t.Fatal("Cancel left the form open")
	}

	m.ShowView(ViewSettings)
	m.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyF5})
	if m.CurrentView() != ViewServers {
		t.Errorf("F5 shows %q", m.CurrentView())
	}
}
