package ui

import (
	"errors"

	"github.com/sqweek/dialog"
)

// ErrPickCancelled is returned by a FilePicker when the user closes the dialog without choosing.
var ErrPickCancelled = errors.New("ui: no file chosen")

// FilePicker opens the operating system's file dialogs. Its methods block
// until the user chooses, so views call them through background and never on
// the Fyne goroutine. Tests use a fake so no native window ever opens.
type FilePicker interface {
	// OpenFile asks for one existing file. filterName and extensions (without
	// dots) restrict what is offered; no extensions means any file.
	OpenFile(title, filterName string, extensions ...string) (string, error)
	// OpenDir asks for a directory.
	OpenDir(title string) (string, error)
}

// NativePicker is the FilePicker of the real program, over sqweek/dialog
// (GTK 3 on Linux, the system dialogs on Windows and macOS).
type NativePicker struct{}

// OpenFile implements FilePicker. sqweek/dialog offers one file per dialog;
// views that take several files let the user pick again or drop files.
func (NativePicker) OpenFile(title, filterName string, extensions ...string) (string, error) {
	b := dialog.File().Title(title)
	if len(extensions) > 0 {
		b = b.Filter(filterName, extensions...)
	}
	path, err := b.Load()
	if errors.Is(err, dialog.ErrCancelled) {
		return "", ErrPickCancelled
	}
	return path, err
}

// OpenDir implements FilePicker.
func (NativePicker) OpenDir(title string) (string, error) {
	path, err := dialog.Directory().Title(title).Browse()
	if errors.Is(err, dialog.ErrCancelled) {
		return "", ErrPickCancelled
	}
	return path, err
}
