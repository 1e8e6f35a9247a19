package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// settingsView shows and edits the user's settings.
type settingsView struct {
	widget.BaseWidget
	env     *viewEnv
	content fyne.CanvasObject
}

func newSettingsView(env *viewEnv) *settingsView {
	v := &settingsView{env: env}
	v.content = newEmptyState(theme.SettingsIcon(), "No settings yet",
		"Theme, poll schedules and retention will be set here. Data directory: "+env.dataDir)
	v.ExtendBaseWidget(v)
	return v
}

func (v *settingsView) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(v.content) }
