package ui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/taxii-workstation/taxii-workstation/app"
)

// Window choices of the poll dialog.
const (
	pollSinceLast  = "Since the last poll"
	pollFromDate   = "From a date"
	pollEverything = "Everything"
)

// pollDialog asks what to poll from one collection: the window (since the
// last poll, from a date, or everything), the content bindings (offered
// from the collection's information) and whether to count only.
type pollDialog struct {
	server string
	col    app.CollectionView

	mode      *widget.RadioGroup
	cursor    *widget.Label
	from, to  *widget.Entry
	dates     *fyne.Container
	bindings  *widget.CheckGroup
	bindingID map[string]string // shown name → binding ID
	countOnly *widget.Check
	problem   *widget.Label
	start     *widget.Button
	cancel    *widget.Button
	content   fyne.CanvasObject

	// OnStart receives the request; OnCancel closes the dialog.
	OnStart  func(app.SyncRequest)
	OnCancel func()
}

// dateLayouts are what the date fields accept, in UTC.
var dateLayouts = []string{"2006-01-02", "2006-01-02 15:04", "2006-01-02 15:04:05", time.RFC3339}

func newPollDialog(server string, c app.CollectionView) *pollDialog {
	d := &pollDialog{server: server, col: c, from: widget.NewEntry(), to: widget.NewEntry(), bindingID: map[string]string{}}
	d.from.SetPlaceHolder("YYYY-MM-DD or YYYY-MM-DD HH:MM (UTC)")
	d.to.SetPlaceHolder("Empty: up to now")
	d.dates = container.New(widgetFormLayout(),
		widget.NewLabel("From (after)"), d.from,
		widget.NewLabel("Up to (including)"), d.to)
	d.cursor = widget.NewLabel(cursorText(c))
	d.cursor.Importance = widget.LowImportance
	d.mode = widget.NewRadioGroup([]string{pollSinceLast, pollFromDate, pollEverything}, func(s string) {
		showIf(d.dates, s == pollFromDate)
	})
	d.mode.Required = true
	d.mode.SetSelected(pollSinceLast)

	var names []string
	for _, id := range c.ContentBindings {
		n := bindingName(id)
		d.bindingID[n] = id
		names = append(names, n)
	}
	d.bindings = widget.NewCheckGroup(names, nil)
	d.bindings.SetSelected(names)
	bindNote := "Content bindings this collection offers; untick those you do not want."
	if len(names) == 0 {
		bindNote = "The collection does not list its content bindings: every kind of content is asked for."
	}
	d.countOnly = widget.NewCheck("Count only (ask how many records, store nothing)", nil)
	d.problem = widget.NewLabel("")
	d.problem.Importance = widget.DangerImportance
	d.problem.Wrapping = fyne.TextWrapWord
	d.problem.Hide()
	d.start = widget.NewButtonWithIcon("Start poll", theme.DownloadIcon(), d.submit)
	d.start.Importance = widget.HighImportance
	d.cancel = widget.NewButton("Cancel", func() {
		if d.OnCancel != nil {
			d.OnCancel()
		}
	})
	note := widget.NewLabel(bindNote)
	note.Wrapping = fyne.TextWrapWord
	note.Importance = widget.LowImportance
	d.content = container.NewVBox(
		heading("Window"), d.mode, d.cursor, d.dates,
		heading("Content bindings"), note, d.bindings,
		d.countOnly, d.problem,
		container.NewBorder(nil, nil, nil, container.NewHBox(d.cancel, d.start)),
	)
	return d
}

func cursorText(c app.CollectionView) string {
	if c.Cursor.IsZero() {
		return "Nothing polled yet: since the last poll means everything."
	}
	return "Cached up to " + utcStamp(c.Cursor) + "; the poll continues from there."
}

func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range dateLayouts {
		if t, err := time.ParseInLocation(l, s, time.UTC); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date like 2026-01-31 or 2026-01-31 14:00", s)
}

// request reads the dialog; the error says in words what to fix.
func (d *pollDialog) request() (app.SyncRequest, error) {
	r := app.SyncRequest{Server: d.server, Collection: d.col.Name, CountOnly: d.countOnly.Checked}
	switch d.mode.Selected {
	case pollSinceLast:
		r.Mode = app.SinceLast
	case pollEverything:
		r.Mode = app.Everything
	case pollFromDate:
		r.Mode = app.Window
		if strings.TrimSpace(d.from.Text) == "" {
			return r, errors.New("give the date to poll from, like 2026-01-31")
		}
		var err error
		if r.Begin, err = parseDate(d.from.Text); err != nil {
			return r, fmt.Errorf("from: %w", err)
		}
		if strings.TrimSpace(d.to.Text) != "" {
			if r.End, err = parseDate(d.to.Text); err != nil {
				return r, fmt.Errorf("up to: %w", err)
			}
			if !r.End.After(r.Begin) {
				return r, errors.New("the end of the window must be after its beginning")
			}
		}
	default:
		return r, errors.New("choose what to poll")
	}
	if len(d.bindings.Options) > 0 {
		if len(d.bindings.Selected) == 0 {
			return r, errors.New("tick at least one content binding")
		}
		if len(d.bindings.Selected) < len(d.bindings.Options) {
			for _, n := range d.bindings.Selected {
				r.Bindings = append(r.Bindings, d.bindingID[n])
			}
		}
	}
	return r, nil
}

func (d *pollDialog) submit() {
	r, err := d.request()
	if err != nil {
		d.fail(capitalize(err.Error()) + ".")
		return
	}
	d.problem.Hide()
	if d.OnStart != nil {
		d.OnStart(r)
	}
}

func (d *pollDialog) fail(msg string) {
	d.problem.SetText(msg)
	d.problem.Show()
}
