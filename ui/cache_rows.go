package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/taxii-workstation/taxii-workstation/app"
)

// rowData is one row of the Cache view's list: a cached block as listed in
// a collection or found by search, or a push receipt.
type rowData struct {
	When    time.Time
	Binding string
	Title   string
	Size    int64
	// Where says where the row comes from when the list mixes places
	// (search results, receipts).
	Where   string
	ID      app.BlockID
	Entry   *app.Entry   // a block listed in a collection
	Hit     *app.Hit     // a search result
	Receipt *app.Receipt // a push receipt ("Shared by me")
}

// rowsPerPage is how many rows one read from the core brings; keptPages is how
// many of them a collection keeps in memory (the rest are read again when
// scrolled back to), so even a million-row collection costs a few pages.
const (
	rowsPerPage = 100
	keptPages   = 40
)

// timeLayout shows times in UTC, as TAXII servers stamp them.
const timeLayout = "2006-01-02 15:04:05"

func entryRow(e app.Entry) rowData {
	when := e.Sighting.TimestampLabel
	if when.IsZero() {
		when = e.Sighting.Received
	}
	return rowData{When: when, Binding: e.Block.Binding, Title: e.Block.Title, Size: e.Block.Size, ID: e.Block.ID, Entry: &e}
}

func hitRow(h app.Hit) rowData {
	r := rowData{When: h.Block.LastSeen, Binding: h.Block.Binding, Title: h.Block.Title, Size: h.Block.Size, ID: h.Block.ID, Hit: &h}
	var places []string
	for _, sg := range h.Seen {
		places = append(places, sightingPlace(sg))
	}
	r.Where = strings.Join(places, ", ")
	return r
}

func receiptRow(rc app.Receipt) rowData {
	r := rowData{When: rc.Sent, Binding: rc.Binding, Title: strings.Join(rc.Files, ", "), Receipt: &rc}
	if len(rc.Blocks) > 0 {
		r.ID = rc.Blocks[0]
	}
	r.Where = "→ " + rc.Server
	if len(rc.Collections) > 0 {
		r.Where += " / " + strings.Join(rc.Collections, ", ")
	}
	return r
}

func sightingPlace(sg app.Sighting) string {
	if sg.Kind == "listener" {
		if sg.Sender != "" {
			return "pushed by " + sg.Sender
		}
		return "pushed to this workstation"
	}
	return sg.Server + " / " + sg.Collection
}

// rowSource is what the list shows. row reports false when the row is not
// loaded yet; the source then loads it and calls its onChange.
type rowSource interface {
	length() int
	row(i int) (rowData, bool)
}

// fetchFunc reads one page of rows from the core (off the Fyne goroutine).
type fetchFunc func(ctx context.Context, page app.PageRequest) ([]rowData, string, error)

// pagedSource shows a long listing of known length without loading it:
// rows are read from the core a page at a time when the list draws them,
// continuing from the previous page's token when it is known and skipping
// by offset otherwise, and only the pages near the ones drawn are kept.
type pagedSource struct {
	t        *viewTasks
	fetch    fetchFunc
	total    int
	pages    map[int][]rowData
	tokens   map[int]string // token that starts page k, when known
	loading  map[int]bool
	last     int // page most recently asked for
	onChange func(err error)
	closed   bool
}

func newPagedSource(t *viewTasks, total int, fetch fetchFunc, onChange func(error)) *pagedSource {
	return &pagedSource{t: t, fetch: fetch, total: total, pages: map[int][]rowData{}, tokens: map[int]string{},
		loading: map[int]bool{}, onChange: onChange}
}

func (s *pagedSource) length() int { return s.total }

func (s *pagedSource) row(i int) (rowData, bool) {
	k := i / rowsPerPage
	s.last = k
	if p, ok := s.pages[k]; ok {
		if j := i % rowsPerPage; j < len(p) {
			return p[j], true
		}
		return rowData{}, false
	}
	s.load(k)
	return rowData{}, false
}

// loaded reports whether page k is in memory (tests and benchmarks).
func (s *pagedSource) loaded(k int) bool { _, ok := s.pages[k]; return ok }

func (s *pagedSource) load(k int) {
	if s.loading[k] || s.closed {
		return
	}
	s.loading[k] = true
	req := app.PageRequest{Limit: rowsPerPage}
	if tok, ok := s.tokens[k]; ok {
		req.Token = tok
	} else {
		req.Offset = k * rowsPerPage
	}
	type page struct {
		rows []rowData
		next string
	}
	runTask(s.t, func() (page, error) {
		rows, next, err := s.fetch(context.Background(), req)
		return page{rows, next}, err
	}, func(p page, err error) {
		delete(s.loading, k)
		if s.closed {
			return
		}
		if err != nil {
			s.onChange(err)
			return
		}
		s.pages[k] = p.rows
		if p.next != "" {
			s.tokens[k+1] = p.next
		}
		s.evict()
		s.onChange(nil)
	})
}

// evict drops the pages farthest from the one last drawn.
func (s *pagedSource) evict() {
	for len(s.pages) > keptPages {
		far, dist := -1, -1
		for k := range s.pages {
			d := k - s.last
			if d < 0 {
				d = -d
			}
			if d > dist {
				far, dist = k, d
			}
		}
		delete(s.pages, far)
	}
}

// close stops the source from applying results (the list moved on).
func (s *pagedSource) close() { s.closed = true }

// listSource is rows held in memory: search results, filter matches, receipts.
type listSource struct{ rows []rowData }

func (s *listSource) length() int { return len(s.rows) }

func (s *listSource) row(i int) (rowData, bool) {
	if i < 0 || i >= len(s.rows) {
		return rowData{}, false
	}
	return s.rows[i], true
}

// blockRow is one row of the list: a mark for export, then the columns.
type blockRow struct {
	widget.BaseWidget
	mark                    *widget.Check
	when, bind, title, size *widget.Label
	onMark                  func(bool)
}

func newBlockRow() *blockRow {
	r := &blockRow{when: widget.NewLabel("2006-01-02 15:04:05"), bind: widget.NewLabel("STIX 1.1.1"),
		title: widget.NewLabel("title"), size: widget.NewLabel("999.9 KB")}
	r.mark = widget.NewCheck("", func(on bool) {
		if r.onMark != nil {
			r.onMark(on)
		}
	})
	r.title.Truncation = fyne.TextTruncateEllipsis
	r.bind.Truncation = fyne.TextTruncateEllipsis
	r.size.Alignment = fyne.TextAlignTrailing
	r.ExtendBaseWidget(r)
	return r
}

func (r *blockRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(newColumns(r.mark, r.when, r.bind, r.title, r.size))
}

// set shows d (ok) or a placeholder while the row loads.
func (r *blockRow) set(d rowData, ok, marked bool, onMark func(bool)) {
	r.onMark = nil // SetChecked must not report the change back
	if !ok {
		r.mark.SetChecked(false)
		r.mark.Disable()
		r.when.SetText("…")
		r.bind.SetText("")
		r.title.SetText("")
		r.size.SetText("")
		return
	}
	r.mark.SetChecked(marked)
	if d.Receipt != nil && d.Entry == nil {
		r.mark.Disable()
	} else {
		r.mark.Enable()
	}
	r.when.SetText(d.When.UTC().Format(timeLayout))
	r.bind.SetText(shortBinding(d.Binding))
	title := d.Title
	if title == "" {
		title = "(untitled) " + d.ID.Short()
	}
	if d.Where != "" {
		title += "  ·  " + d.Where
	}
	r.title.SetText(title)
	if d.Receipt != nil {
		r.size.SetText(receiptStatus(d.Receipt.Status))
	} else {
		r.size.SetText(humanBytes(d.Size))
	}
	r.onMark = onMark
}

func receiptStatus(s string) string {
	switch s {
	case "SUCCESS":
		return "accepted"
	case app.PushUnknown:
		return "unknown"
	case "":
		return ""
	}
	return "refused"
}

// shortBinding names well-known content bindings briefly; others are shown as they are.
func shortBinding(b string) string {
	switch {
	case strings.HasPrefix(b, "urn:stix.mitre.org:xml:"):
		return "STIX " + strings.TrimPrefix(b, "urn:stix.mitre.org:xml:")
	case strings.HasPrefix(b, "urn:stix.mitre.org:json:"):
		return "STIX JSON " + strings.TrimPrefix(b, "urn:stix.mitre.org:json:")
	case strings.HasPrefix(b, "urn:cybox.mitre.org:xml:"):
		return "CybOX " + strings.TrimPrefix(b, "urn:cybox.mitre.org:xml:")
	}
	return b
}

func humanBytes(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f KB", float64(n)/1000)
	case n < 1000*1000*1000:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.1f GB", float64(n)/1e9)
}

// blockColumns lays out the block list's rows and header: the mark, time,
// binding and size have fixed widths; the title takes the rest.
var blockColumns = columnsLayout{widths: []float32{36, 160, 130, 0, 90}, minFlex: 60}

func newColumns(objs ...fyne.CanvasObject) *fyne.Container { return blockColumns.row(objs...) }
