package ui

import (
	"fyne.io/fyne/v2"

	"github.com/taxii-workstation/taxii-workstation/app"
)

// viewEnv is what every view is built from: the core, the window (for
// dialogs), the core's events on the Fyne goroutine, the native file picker
// and the user's settings.
type viewEnv struct {
	core     *app.App
	listener *app.Listener // nil when the window runs without one (tests)
	win      fyne.Window
	events   *eventHub
	picker   FilePicker
	settings *app.Settings
	dataDir  string
	// notify shows a desktop notification (a poll ended, content arrived).
	notify func(title, content string)
	// show switches the main window to the named view.
	show func(name string) bool
}
