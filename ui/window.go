package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/taxii-workstation/taxii-workstation/app"
)

// MainWindow is the workstation's one window: a sidebar of views beside the
// selected view, under the main menu.
type MainWindow struct {
	app      fyne.App
	win      fyne.Window
	meta     app.Metadata
	settings *app.Settings
	views    []view
	sidebar  *widget.List
	body     *fyne.Container
	current  int
}

// FyneMetadata converts the workstation's metadata for fyneapp.SetMetadata.
func FyneMetadata(m app.Metadata, icon fyne.Resource) fyne.AppMetadata {
	return fyne.AppMetadata{ID: m.ID, Name: m.Name, Version: m.Version, Build: m.Build, Icon: icon}
}

// NewMainWindow builds the main window of a, sized and showing the view as the
// user last left them.
func NewMainWindow(a fyne.App, meta app.Metadata, icon fyne.Resource, dataDir string) *MainWindow {
	m := &MainWindow{
		app:      a,
		win:      a.NewWindow(meta.Name),
		meta:     meta,
		settings: app.NewSettings(a.Preferences()),
		views:    defaultViews(dataDir),
		current:  -1,
	}
	if icon != nil {
		m.win.SetIcon(icon)
	}
	m.body = container.NewStack()
	m.sidebar = widget.NewList(
		func() int { return len(m.views) },
		func() fyne.CanvasObject {
			return container.NewHBox(widget.NewIcon(nil), widget.NewLabel("Settings"))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			row := o.(*fyne.Container)
			row.Objects[0].(*widget.Icon).SetResource(m.views[id].icon)
			row.Objects[1].(*widget.Label).SetText(m.views[id].name)
		},
	)
	m.sidebar.OnSelected = func(id widget.ListItemID) { m.show(id) }

	split := container.NewHSplit(m.sidebar, m.body)
	split.Offset = 0.16
	m.win.SetContent(split)
	m.win.SetMainMenu(m.mainMenu())
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
	return m.views[m.current].name
}

func (m *MainWindow) indexOf(name string) int {
	for i, v := range m.views {
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
	m.body.Objects = []fyne.CanvasObject{m.views[i].content}
	m.body.Refresh()
	m.settings.SetLastView(m.views[i].name)
}

func (m *MainWindow) mainMenu() *fyne.MainMenu {
	quit := fyne.NewMenuItem("Quit", m.quit)
	quit.IsQuit = true
	about := fyne.NewMenuItem("About", m.showAbout)
	return fyne.NewMainMenu(
		fyne.NewMenu("File", quit),
		fyne.NewMenu("Help", about),
	)
}

// close remembers the window's size before the window closes.
func (m *MainWindow) close() {
	m.saveGeometry()
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
