package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/taxii-workstation/taxii-workstation/app"
)

// statusLine says in words how the user's last action went, where they
// acted, with a "Details" button for the full error when it failed.
type statusLine struct {
	widget.BaseWidget
	win     fyne.Window
	icon    *widget.Icon
	text    *widget.Label
	details *widget.Button
	err     error
}

func newStatusLine(win fyne.Window) *statusLine {
	s := &statusLine{win: win, icon: widget.NewIcon(nil), text: widget.NewLabel("")}
	s.text.Wrapping = fyne.TextWrapWord
	s.details = widget.NewButton("Details", s.showDetails)
	s.details.Importance = widget.LowImportance
	s.icon.Hide()
	s.details.Hide()
	s.ExtendBaseWidget(s)
	return s
}

func (s *statusLine) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, s.icon, s.details, s.text))
}

// Info shows a plain message ("" clears the line).
func (s *statusLine) Info(msg string) {
	s.err = nil
	s.text.SetText(msg)
	s.details.Hide()
	if msg == "" {
		s.icon.Hide()
		return
	}
	s.icon.SetResource(theme.InfoIcon())
	s.icon.Show()
}

// Error shows what failed in words (prefix, then app.Explain) and keeps the
// full error for the Details button.
func (s *statusLine) Error(prefix string, err error) {
	s.err = err
	msg := app.Explain(err)
	if prefix != "" {
		msg = prefix + ": " + msg
	}
	s.text.SetText(msg)
	s.icon.SetResource(theme.ErrorIcon())
	s.icon.Show()
	s.details.Show()
}

// Text is what the line says.
func (s *statusLine) Text() string { return s.text.Text }

func (s *statusLine) showDetails() {
	if s.err == nil {
		return
	}
	body := widget.NewLabel(s.err.Error())
	body.Wrapping = fyne.TextWrapWord
	body.Selectable = true
	d := dialog.NewCustom("Details", "Close", container.NewVScroll(body), s.win)
	d.Resize(fyne.NewSize(560, 320))
	d.Show()
}
