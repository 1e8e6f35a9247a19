package ui

import (
	"context"
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

// Filtering a long collection reads it in chunks of scanChunk rows, each
// in its own background task, so the list fills in as matches are found
// and a new filter stops the old scan; at most maxMatches are kept.
const (
	scanChunk     = 2000
	maxMatches    = 10000
	filterDelay   = 300 * time.Millisecond
	anyBinding    = "Any binding"
	dateLayout    = "2006-01-02"
	dateHint      = "YYYY-MM-DD"
	filterTextTip = "Filter this list: text in the title, binding or place, or the start of a block id"
)

// criteria is what the filter box asks for.
type criteria struct {
	text     string // lower case
	binding  string // "" any
	from, to time.Time
}

func (c criteria) empty() bool {
	return c.text == "" && c.binding == "" && c.from.IsZero() && c.to.IsZero()
}

func (c criteria) match(r rowData) bool {
	if c.binding != "" && r.Binding != c.binding {
		return false
	}
	if !c.from.IsZero() && r.When.Before(c.from) {
		return false
	}
	if !c.to.IsZero() && !r.When.Before(c.to) {
		return false
	}
	if c.text == "" {
		return true
	}
	hay := strings.ToLower(r.Title + "\x00" + r.Binding + "\x00" + shortBinding(r.Binding) + "\x00" + r.Where)
	if strings.Contains(hay, c.text) {
		return true
	}
	// A block id is matched by its start (at least 4 hex digits), as shown
	// in names such as "block 1a2b3c4d5e6f".
	return len(c.text) >= 4 && strings.HasPrefix(r.ID.String(), c.text)
}

// cacheFilter is the quick filter above the list: text, binding and a date range.
type cacheFilter struct {
	v       *cacheView
	text    *widget.Entry
	binding *widget.Select
	from    *widget.Entry
	to      *widget.Entry
	bar     *fyne.Container
	bad     error
}

func newCacheFilter(v *cacheView) *cacheFilter {
	f := &cacheFilter{v: v, text: widget.NewEntry(), from: widget.NewEntry(), to: widget.NewEntry()}
	f.text.SetPlaceHolder(filterTextTip)
	f.from.SetPlaceHolder("From " + dateHint)
	f.to.SetPlaceHolder("To " + dateHint)
	f.binding = widget.NewSelect(nil, func(string) { v.applyFilter() })
	f.binding.PlaceHolder = anyBinding
	f.setBindings(nil)
	changed := func(string) { v.filterSoon() }
	f.text.OnChanged = changed
	f.from.OnChanged = changed
	f.to.OnChanged = changed
	clear := widget.NewButtonWithIcon("", theme.ContentClearIcon(), f.clear)
	dates := container.NewGridWithColumns(2, f.from, f.to)
	f.bar = container.NewBorder(nil, nil, nil, container.NewHBox(f.binding, container.NewGridWrap(fyne.NewSize(260, f.from.MinSize().Height), dates), clear), f.text)
	return f
}

// setBindings offers the bindings seen so far.
func (f *cacheFilter) setBindings(bs []string) {
	f.binding.Options = append([]string{anyBinding}, bs...)
	f.binding.Refresh()
}

func (f *cacheFilter) clear() {
	f.text.SetText("")
	f.from.SetText("")
	f.to.SetText("")
	f.binding.SetSelected(anyBinding)
	f.v.applyFilter()
}

// criteria reads the boxes; a date that does not parse is left out and
// remembered in bad.
func (f *cacheFilter) criteria() criteria {
	c := criteria{text: strings.ToLower(strings.TrimSpace(f.text.Text))}
	if b := f.binding.Selected; b != "" && b != anyBinding {
		c.binding = b
	}
	f.bad = nil
	parse := func(s, which string) time.Time {
		s = strings.TrimSpace(s)
		if s == "" {
			return time.Time{}
		}
		t, err := time.Parse(dateLayout, s)
		if err != nil {
			f.bad = errors.Join(f.bad, fmt.Errorf("the %s date %q is not a date like 2026-01-31", which, s))
			return time.Time{}
		}
		return t
	}
	c.from = parse(f.from.Text, "from")
	if c.to = parse(f.to.Text, "to"); !c.to.IsZero() {
		c.to = c.to.AddDate(0, 0, 1) // the whole "to" day
	}
	return c
}

// filterSoon applies the filter once typing pauses.
func (v *cacheView) filterSoon() {
	v.filterGen++
	gen := v.filterGen
	runTask(&v.t, func() (struct{}, error) {
		time.Sleep(filterDelay)
		return struct{}{}, nil
	}, func(struct{}, error) {
		if gen == v.filterGen {
			v.applyFilter()
		}
	})
}

// applyFilter shows the rows of the place that match the filter.
func (v *cacheView) applyFilter() {
	v.filterGen++
	if v.base == nil {
		return
	}
	c := v.filter.criteria()
	if v.filter.bad != nil {
		v.status.Error("The filter was not applied", v.filter.bad)
	} else {
		v.status.Info("")
	}
	v.list.UnselectAll()
	if c.empty() {
		v.src = v.base
		v.list.Refresh()
		return
	}
	matches := &listSource{}
	v.src = matches
	if ls, ok := v.base.(*listSource); ok {
		for _, r := range ls.rows {
			if c.match(r) {
				matches.rows = append(matches.rows, r)
			}
		}
		v.status.Info(fmt.Sprintf("%s of %s rows match the filter.", grouped(int64(len(matches.rows))), grouped(int64(len(ls.rows)))))
		v.list.Refresh()
		return
	}
	v.list.Refresh()
	v.scanFilter(v.filterGen, c, matches, "", 0)
}

type scanned struct {
	rows []rowData
	next string
	read int
	stop bool // older than the "from" date: the rest cannot match
}

// scanFilter reads the next chunk of the collection and keeps its matches.
func (v *cacheView) scanFilter(gen int, c criteria, matches *listSource, token string, read int) {
	at := v.at
	fetch := v.collectionFetch(at.server, at.collection)
	v.status.Info(fmt.Sprintf("Filtering… %s of %s rows read, %s match.", grouped(int64(read)), grouped(int64(v.baseTotal)), grouped(int64(len(matches.rows)))))
	runTask(&v.t, func() (scanned, error) {
		var s scanned
		page := app.PageRequest{Limit: 1000, Token: token}
		for s.read < scanChunk {
			rows, next, err := fetch(context.Background(), page)
			if err != nil {
				return s, err
			}
			s.read += len(rows)
			for _, r := range rows {
				if !c.from.IsZero() && r.When.Before(c.from) {
					s.stop = true // newest first: all further rows are older
					break
				}
				if c.match(r) {
					s.rows = append(s.rows, r)
				}
			}
			s.next = next
			if next == "" || s.stop {
				break
			}
			page.Token = next
		}
		return s, nil
	}, func(s scanned, err error) {
		if gen != v.filterGen || v.at != at {
			return
		}
		if err != nil {
			v.status.Error("Filtering failed", err)
			return
		}
		matches.rows = append(matches.rows, s.rows...)
		if len(matches.rows) > maxMatches {
			matches.rows = matches.rows[:maxMatches]
		}
		v.list.Refresh()
		read += s.read
		switch {
		case len(matches.rows) >= maxMatches:
			v.status.Info(fmt.Sprintf("Showing the first %s matches; narrow the filter to see the rest.", grouped(maxMatches)))
		case s.next == "" || s.stop:
			v.status.Info(fmt.Sprintf("%s of %s rows match the filter.", grouped(int64(len(matches.rows))), grouped(int64(v.baseTotal))))
		default:
			v.scanFilter(gen, c, matches, s.next, read)
		}
	})
}
