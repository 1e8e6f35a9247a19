package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// emptyState is what a view shows when it has nothing to show yet: an icon,
// a heading and a sentence telling the user what comes here and what to do.
type emptyState struct {
	widget.BaseWidget
	icon    fyne.Resource
	heading string
	text    string
}

func newEmptyState(icon fyne.Resource, heading, text string) *emptyState {
	e := &emptyState{icon: icon, heading: heading, text: text}
	e.ExtendBaseWidget(e)
	return e
}

func (e *emptyState) CreateRenderer() fyne.WidgetRenderer {
	img := widget.NewIcon(theme.NewDisabledResource(e.icon))
	heading := widget.NewLabelWithStyle(e.heading, fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	heading.SizeName = theme.SizeNameSubHeadingText
	body := widget.NewLabelWithStyle(e.text, fyne.TextAlignCenter, fyne.TextStyle{})
	body.Wrapping = fyne.TextWrapWord
	iconBox := container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(64), img))
	col := container.NewVBox(iconBox, heading, body)
	// Keep the text to a readable width in the middle of the view.
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, nil, nil,
		container.NewVBox(layout.NewSpacer(), container.NewGridWithColumns(3, layout.NewSpacer(), col, layout.NewSpacer()), layout.NewSpacer())))
}
