package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/taxii-workstation/taxii-workstation/app"
)

// RunStartupError shows, instead of the main window, why the workstation
// could not start (for instance, another copy has the data directory open),
// and runs until the user closes it.
func RunStartupError(a fyne.App, meta app.Metadata, err error) {
	w := a.NewWindow(meta.Name)
	msg := widget.NewLabel(meta.Name + " could not start.\n\n" + app.Explain(err))
	msg.Wrapping = fyne.TextWrapWord
	w.SetContent(container.NewBorder(nil, container.NewCenter(widget.NewButton("Quit", a.Quit)), nil, nil, msg))
	w.Resize(fyne.NewSize(560, 240))
	w.ShowAndRun()
}
