package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/taxii-workstation/taxii-workstation/app"
)

// Options configure the main window.
type Options struct {
	Meta    app.Metadata
	Icon    fyne.Resource // nil: Fyne's default
	DataDir string
	// Picker opens native file dialogs; nil uses NativePicker.
	Picker FilePicker
	// Listener is the inbox listener the Inbox view controls; nil hides it.
	Listener *app.Listener
}

// MainWindow is the workstation's one window: a sidebar of views beside the
// selected view, under the main menu.
type MainWindow struct {
	app      fyne.App
	win      fyne.Window
	meta     app.Metadata
	settings *app.Settings
	events   *eventHub
	views    *views
	entries  []view
	sidebar  *widget.List
	body     *fyne.Container
	current  int
}

// FyneMetadata converts the workstation's metadata for fyneapp.SetMetadata.
func FyneMetadata(m app.Metadata, icon fyne.Resource) fyne.AppMetadata {
	return fyne.AppMetadata{ID: m.ID, Name: m.Name, Version: m.Version, Build: m.Build, Icon: icon}
}

// NewMainWindow builds the main window of a over the core, sized and showing
// the view as the user last left them.
func NewMainWindow(a fyne.App, core *app.App, o Options) *MainWindow {
	if o.Picker == nil {
		o.Picker = NativePicker{}
	}
	m := &MainWindow{
		app:      a,
		win:      a.NewWindow(o.Meta.Name),
		meta:     o.Meta,
		settings: app.NewSettings(a.Preferences()),
		current:  -1,
	}
	m.events = newEventHub(core)
	env := &viewEnv{
		core: core, listener: o.Listener, win: m.win, events: m.events, picker: o.Picker, settings: m.settings, dataDir: o.DataDir,
		notify: func(title, content string) { a.SendNotification(fyne.NewNotification(title, content)) },
		show:   m.ShowView,
	}
	m.views = newViews(env)
	m.entries = m.views.sidebar()
	if o.Icon != nil {
		m.win.SetIcon(o.Icon)
	}
	m.body = container.NewStack()
	m.sidebar = widget.NewList(
		func() int { return len(m.entries) },
		func() fyne.CanvasObject {
			return container.NewHBox(widget.NewIcon(nil), widget.NewLabel("Settings"))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			row := o.(*fyne.Container)
			row.Objects[0].(*widget.Icon).SetResource(m.entries[id].icon)
			row.Objects[1].(*widget.Label).SetText(m.entries[id].name)
		},
	)
	m.sidebar.OnSelected = func(id widget.ListItemID) { m.show(id) }

	split := container.NewHSplit(m.sidebar, m.body)
	split.Offset = 0.16
	m.win.SetContent(split)
	m.win.SetMainMenu(m.mainMenu())
	m.addShortcuts()
	m.win.SetOnDropped(m.dropped)
	m.win.SetCloseIntercept(m.close)
	m.win.Resize(fyne.NewSize(m.settings.WindowSize()))

	first := 0
	if i := m.indexOf(m.settings.LastView()); i >= 0 {
		first = i
	}
	m.sidebar.Select(first)
	return m
}

// Window is the underlying Fyne window.
func (m *MainWindow) Window() fyne.Window { return m.win }

// QuitWhenDone quits the app when ctx is done (SIGINT or SIGTERM), so the
// core and the cache close cleanly.
func (m *MainWindow) QuitWhenDone(ctx context.Context) {
	go func() {
		<-ctx.Done()
		fyne.Do(m.quit)
	}()
}

// ShowAndRun shows the window and runs the app until it quits.
func (m *MainWindow) ShowAndRun() { m.win.ShowAndRun() }

// ShowView selects the view called name in the sidebar; it reports whether such a view exists.
func (m *MainWindow) ShowView(name string) bool {
	i := m.indexOf(name)
	if i < 0 {
		return false
	}
	m.sidebar.Select(i)
	return true
}

// CurrentView is the name of the view shown.
func (m *MainWindow) CurrentView() string {
	if m.current < 0 {
		return ""
	}
	return m.entries[m.current].name
}

func (m *MainWindow) indexOf(name string) int {
	for i, v := range m.entries {
		if v.name == name {
			return i
		}
	}
	return -1
}

func (m *MainWindow) show(i int) {
	if i == m.current {
		return
	}
	m.current = i
	m.body.Objects = []fyne.CanvasObject{m.entries[i].content}
	m.body.Refresh()
	m.settings.SetLastView(m.entries[i].name)
}

func (m *MainWindow) mainMenu() *fyne.MainMenu {
	share := fyne.NewMenuItem("Share files…", m.shareFiles)
	export := fyne.NewMenuItem("Export…", m.export)
	quit := fyne.NewMenuItem("Quit", m.quit)
	quit.IsQuit = true
	about := fyne.NewMenuItem("About", m.showAbout)
	return fyne.NewMainMenu(
		fyne.NewMenu("File", share, export, fyne.NewMenuItemSeparator(), quit),
		fyne.NewMenu("Help", about),
	)
}

// shortcut keys of the main window.
var (
	shortcutNewServer = &desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutSearch    = &desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutShare     = &desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierShortcutDefault}
)

func (m *MainWindow) addShortcuts() {
	c := m.win.Canvas()
	c.AddShortcut(shortcutNewServer, func(fyne.Shortcut) { m.ShowView(ViewServers); m.views.servers.NewServer() })
	c.AddShortcut(shortcutSearch, func(fyne.Shortcut) { m.ShowView(ViewCache); m.views.cache.FocusSearch() })
	c.AddShortcut(shortcutShare, func(fyne.Shortcut) { m.shareFiles() })
	prev := c.OnTypedKey()
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if ev.Name == fyne.KeyF5 {
			m.ShowView(ViewServers)
			m.views.servers.PollSelected()
			return
		}
		if prev != nil {
			prev(ev)
		}
	})
}

func (m *MainWindow) shareFiles() {
	m.ShowView(ViewShare)
	m.views.share.PickFiles()
}

func (m *MainWindow) export() {
	m.ShowView(ViewCache)
	m.views.cache.ExportSelected()
}

// dropped takes files dropped anywhere on the window to the Share view.
func (m *MainWindow) dropped(_ fyne.Position, uris []fyne.URI) {
	var paths []string
	for _, u := range uris {
		if u.Scheme() == "file" {
			paths = append(paths, u.Path())
		}
	}
	if len(paths) == 0 {
		return
	}
	m.ShowView(ViewShare)
	m.views.share.AddFiles(paths)
}

// close remembers the window's size before the window closes.
func (m *MainWindow) close() {
	m.saveGeometry()
	m.events.Close()
	m.win.Close()
}

func (m *MainWindow) quit() {
	m.saveGeometry()
	m.app.Quit()
}

func (m *MainWindow) saveGeometry() {
	s := m.win.Canvas().Size()
	if s.Width > 0 && s.Height > 0 {
		m.settings.SetWindowSize(s.Width, s.Height)
	}
}

func (m *MainWindow) showAbout() {
	text := fmt.Sprintf("%s %s\n\nExchange STIX threat intelligence over TAXII:\nbrowse and poll partner servers, review what you received offline,\nshare files to a partner's inbox.", m.meta.Name, m.meta)
	dialog.ShowInformation("About "+m.meta.Name, text, m.win)
}
