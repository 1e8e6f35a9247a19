package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// serversView lists the server profiles and shows the selected server.
type serversView struct {
	widget.BaseWidget
	env     *viewEnv
	content fyne.CanvasObject
}

func newServersView(env *viewEnv) *serversView {
	v := &serversView{env: env}
	v.content = newEmptyState(theme.ComputerIcon(), "No servers yet",
		"Partner TAXII servers will be listed here, with their services and collections. "+
			"Adding a server from the window is not available in this version yet.")
	v.ExtendBaseWidget(v)
	return v
}

func (v *serversView) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(v.content) }

// NewServer opens the form for a new server profile (Ctrl+N).
func (v *serversView) NewServer() {}

// PollSelected polls the selected collection since the last poll (F5).
func (v *serversView) PollSelected() {}
