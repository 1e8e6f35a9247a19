package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// shareView sends STIX files to a partner's inbox.
type shareView struct {
	widget.BaseWidget
	env     *viewEnv
	content fyne.CanvasObject
}

func newShareView(env *viewEnv) *shareView {
	v := &shareView{env: env}
	v.content = newEmptyState(theme.MailSendIcon(), "Nothing shared yet",
		"Share STIX files with a partner's inbox from here. "+
			"Sharing from the window is not available in this version yet.")
	v.ExtendBaseWidget(v)
	return v
}

func (v *shareView) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(v.content) }

// PickFiles opens the native file dialog to add files to share (Ctrl+S, File → Share files…).
func (v *shareView) PickFiles() {}

// AddFiles adds files dropped on the window.
func (v *shareView) AddFiles(paths []string) {}
