package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/taxii-workstation/taxii-workstation/app"
)

// The Raw tab is a virtualized list of lines (one label holding a large
// document would freeze the window: measured, 5 minutes for 360 KB). It
// shows the first rawFirst bytes, all of them up to rawMax on "Show all",
// and offers Save for the rest. Lines are broken at rawColumns characters
// for display only; Copy and Save keep the original bytes.
const (
	rawFirst   = 64 << 10
	rawMax     = 64 << 20
	rawColumns = 160
)

// blockDetail is the reading pane: Summary, Raw and Provenance tabs for the
// block selected in the Cache view's list.
type blockDetail struct {
	widget.BaseWidget
	v       *cacheView
	tabs    *container.AppTabs
	summary *fyne.Container
	raw     *widget.List
	lines   []string
	rawNote *widget.Label
	more    *widget.Button
	save    *widget.Button
	prov    *fyne.Container
	stack   *fyne.Container
	none    fyne.CanvasObject

	row     rowData
	detail  *app.BlockDetail // loaded content of row, when it is cached
	limit   int
	showGen int
}

func newBlockDetail(v *cacheView) *blockDetail {
	d := &blockDetail{v: v, summary: container.New(layout.NewFormLayout()), prov: container.NewVBox()}
	d.raw = widget.NewList(func() int { return len(d.lines) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.TextStyle = fyne.TextStyle{Monospace: true}
			l.Selectable = true
			return l
		},
		func(id widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(d.lines[id]) })
	d.raw.HideSeparators = true
	d.rawNote = widget.NewLabel("")
	d.rawNote.Wrapping = fyne.TextWrapWord
	d.more = widget.NewButton("Show all", d.showAll)
	d.save = widget.NewButtonWithIcon("Save…", theme.DocumentSaveIcon(), func() {
		if d.row.ID != (app.BlockID{}) {
			v.exportIDs([]app.BlockID{d.row.ID})
		}
	})
	rawBar := container.NewBorder(nil, nil, nil, container.NewHBox(d.more, d.save), d.rawNote)
	d.tabs = container.NewAppTabs(
		container.NewTabItem("Summary", container.NewVScroll(d.summary)),
		container.NewTabItem("Raw", container.NewBorder(rawBar, nil, nil, nil, d.raw)),
		container.NewTabItem("Provenance", container.NewVScroll(d.prov)),
	)
	none := widget.NewLabelWithStyle("Select a block in the list to read it here.", fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
	d.none = container.NewCenter(none)
	d.stack = container.NewStack(d.none)
	d.ExtendBaseWidget(d)
	return d
}

func (d *blockDetail) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(d.stack) }

// show fills the pane from what the row knows, then loads the content and
// provenance in the background.
func (d *blockDetail) show(r rowData) {
	d.showGen++
	gen := d.showGen
	d.row, d.detail, d.limit = r, nil, rawFirst
	d.stack.Objects = []fyne.CanvasObject{d.tabs}
	d.stack.Refresh()
	d.setSummary(r, nil)
	d.setRaw("Loading…", "", false)
	d.prov.Objects = []fyne.CanvasObject{widget.NewLabel("Loading…")}
	d.prov.Refresh()
	if r.ID == (app.BlockID{}) {
		d.setRaw("", "The content of this push is not kept in the cache.", false)
		d.prov.Objects = nil
		d.prov.Refresh()
		return
	}
	core := d.v.env.core
	runTask(&d.v.t, func() (app.BlockDetail, error) {
		return core.GetBlock(context.Background(), r.ID)
	}, func(bd app.BlockDetail, err error) {
		if gen != d.showGen {
			return
		}
		if err != nil {
			if r.Receipt != nil && errors.Is(err, app.ErrNotFound) {
				d.setRaw("", "The content of this push is not kept in the cache (it was sent from a file: "+strings.Join(r.Receipt.Files, ", ")+").", false)
				d.prov.Objects = []fyne.CanvasObject{widget.NewLabel("This content was never received here; it was only sent.")}
				d.prov.Refresh()
				return
			}
			d.setRaw("", "", false)
			d.v.status.Error("Reading the block failed", err)
			return
		}
		d.detail = &bd
		d.setSummary(r, &bd)
		d.renderRaw()
		d.setProvenance(bd.Provenance)
	})
}

// clear empties the pane (nothing selected).
func (d *blockDetail) clear() {
	d.showGen++
	d.row, d.detail = rowData{}, nil
	d.stack.Objects = []fyne.CanvasObject{d.none}
	d.stack.Refresh()
}

func (d *blockDetail) setSummary(r rowData, bd *app.BlockDetail) {
	var rows [][2]string
	add := func(k, v string) {
		if v != "" {
			rows = append(rows, [2]string{k, v})
		}
	}
	if rc := r.Receipt; rc != nil {
		add("Sent", utcTime(rc.Sent))
		add("Server", rc.Server)
		add("Inbox", rc.Inbox)
		add("Collections", strings.Join(rc.Collections, ", "))
		add("Files", strings.Join(rc.Files, ", "))
		add("Binding", rc.Binding)
		add("Status", rc.Status)
		add("Server said", rc.StatusMessage)
		add("Message ID", rc.MessageID)
	}
	meta := app.BlockMeta{ID: r.ID, Title: r.Title, Binding: r.Binding, Size: r.Size}
	if bd != nil {
		meta = bd.Meta
	} else if r.Entry != nil {
		meta = r.Entry.Block
	} else if r.Hit != nil {
		meta = r.Hit.Block
	}
	if r.Receipt == nil || bd != nil {
		add("Title", meta.Title)
		add("Block ID", meta.ID.String())
		b := meta.Binding
		if meta.Subtype != "" {
			b += " (" + meta.Subtype + ")"
		}
		add("Content binding", b)
		if meta.Size > 0 {
			add("Size", fmt.Sprintf("%s (%s bytes)", humanBytes(meta.Size), grouped(meta.Size)))
		}
		if e := r.Entry; e != nil {
			add("Timestamp label", utcTime(e.Sighting.TimestampLabel))
			add("Received here", utcTime(e.Sighting.Received))
			add("Message ID", e.Sighting.MessageID)
		}
		add("First seen", utcTime(meta.FirstSeen))
		add("Last seen", utcTime(meta.LastSeen))
		if bd != nil {
			p := bd.Provenance
			add("Seen in", fmt.Sprintf("%s on %s", nOf(p.Collections, "collection"), nOf(p.Servers, "server")))
		}
	}
	objs := make([]fyne.CanvasObject, 0, 2*len(rows))
	for _, kv := range rows {
		val := widget.NewLabel(kv[1])
		val.Wrapping = fyne.TextWrapWord
		val.Selectable = true
		objs = append(objs, boldLabel(kv[0]), val)
	}
	d.summary.Objects = objs
	d.summary.Refresh()
}

func utcTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout) + " UTC"
}

func nOf(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func (d *blockDetail) setRaw(text, note string, more bool) {
	d.setLines(strings.Split(text, "\n"), note, more)
}

func (d *blockDetail) setLines(lines []string, note string, more bool) {
	if len(lines) == 1 && lines[0] == "" {
		lines = nil
	}
	d.lines = lines
	d.raw.Refresh()
	d.raw.ScrollToTop()
	d.rawNote.SetText(note)
	if more {
		d.more.Show()
	} else {
		d.more.Hide()
	}
	if d.detail != nil {
		d.save.Show()
	} else {
		d.save.Hide()
	}
}

func (d *blockDetail) showAll() {
	d.limit = rawMax
	d.renderRaw()
}

// renderRaw prepares the shown part of the content off the Fyne goroutine.
func (d *blockDetail) renderRaw() {
	if d.detail == nil {
		return
	}
	content, limit, gen := d.detail.Content, d.limit, d.showGen
	runTask(&d.v.t, func() ([]string, error) {
		return rawLines(content, limit), nil
	}, func(s []string, _ error) {
		if gen != d.showGen {
			return
		}
		n := len(content)
		switch {
		case n <= limit:
			d.setLines(s, "", false)
		case limit >= rawMax:
			d.setLines(s, fmt.Sprintf("Showing the first %s of %s. Save the block to read all of it.", humanBytes(int64(limit)), humanBytes(int64(n))), false)
		default:
			d.setLines(s, fmt.Sprintf("Showing the first %s of %s.", humanBytes(int64(limit)), humanBytes(int64(n))), true)
		}
	})
}

// rawLines is content's first limit bytes as lines of text, invalid UTF-8
// replaced and long lines broken every rawColumns characters.
func rawLines(content []byte, limit int) []string {
	b := content[:min(len(content), limit)]
	lines := make([]string, 0, len(b)/rawColumns+1)
	var sb strings.Builder
	col := 0
	flush := func() {
		lines = append(lines, sb.String())
		sb.Reset()
		col = 0
	}
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		b = b[size:]
		switch {
		case r == '\n':
			flush()
			continue
		case r == '\r':
			continue
		case col == rawColumns:
			flush()
		}
		sb.WriteRune(r)
		col++
	}
	if sb.Len() > 0 || len(lines) == 0 {
		flush()
	}
	return lines
}

func (d *blockDetail) setProvenance(p app.Provenance) {
	var objs []fyne.CanvasObject
	objs = append(objs, widget.NewLabel(fmt.Sprintf("Seen %s: in %s on %s.",
		nOf(len(p.Sightings), "time"), nOf(p.Collections, "collection"), nOf(p.Servers, "server"))))
	for _, sg := range p.Sightings {
		head := boldLabel(sightingPlace(sg))
		var parts []string
		parts = append(parts, "first received "+utcTime(sg.Received))
		if !sg.LastSeen.Equal(sg.Received) {
			parts = append(parts, "last seen "+utcTime(sg.LastSeen))
		}
		if !sg.TimestampLabel.IsZero() {
			parts = append(parts, "timestamp label "+utcTime(sg.TimestampLabel))
		}
		if sg.MessageID != "" {
			parts = append(parts, "message "+sg.MessageID)
		}
		if sg.Binding != "" {
			parts = append(parts, "binding "+sg.Binding)
		}
		body := widget.NewLabel(strings.Join(parts, "; "))
		body.Wrapping = fyne.TextWrapWord
		body.Selectable = true
		objs = append(objs, head, body)
	}
	d.prov.Objects = objs
	d.prov.Refresh()
}
