package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// inboxView controls the inbox listener and reviews what it received.
type inboxView struct {
	widget.BaseWidget
	env     *viewEnv
	content fyne.CanvasObject
}

func newInboxView(env *viewEnv) *inboxView {
	v := &inboxView{env: env}
	v.content = newEmptyState(theme.DownloadIcon(), "The inbox listener is off",
		"Partners and hubs will be able to push content to this workstation. "+
			"The listener is not available in this version yet.")
	v.ExtendBaseWidget(v)
	return v
}

func (v *inboxView) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(v.content) }
