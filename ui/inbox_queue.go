package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/taxii-workstation/taxii-workstation/app"
)

// inboxQueueLimit is how many received blocks the review queue lists.
const inboxQueueLimit = 500

// The review queue's filter: which received blocks are listed.
var inboxStates = []struct {
	label string
	state app.ReviewState
}{
	{"Waiting for review", app.Unreviewed},
	{"Accepted", app.Accepted},
	{"Discarded", app.Discarded},
	{"All received", 0},
}

// inboxQueue is the review queue tab: received blocks with Accept,
// Discard and Open.
type inboxQueue struct {
	v       *inboxView
	content fyne.CanvasObject
	list    *widget.List
	filter  *widget.Select
	summary *widget.Label
	status  *statusLine
	items   []app.ReviewItem
	state   app.ReviewState
	gen     int // the reload whose result is shown
}

func newInboxQueue(v *inboxView) *inboxQueue {
	q := &inboxQueue{v: v, status: newStatusLine(v.env.win), state: app.Unreviewed}
	q.summary = widget.NewLabel("")
	var labels []string
	for _, s := range inboxStates {
		labels = append(labels, s.label)
	}
	q.filter = widget.NewSelect(labels, func(label string) {
		for _, s := range inboxStates {
			if s.label == label && s.state != q.state {
				q.state = s.state
				q.reload()
			}
		}
	})
	q.filter.SetSelected(inboxStates[0].label)
	q.list = widget.NewList(
		func() int { return len(q.items) },
		func() fyne.CanvasObject { return newQueueRow() },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(q.items) {
				o.(*queueRow).set(q, q.items[id])
			}
		},
	)
	header := newQueueColumns(boldLabel("Received (UTC)"), boldLabel("Sender"), boldLabel("Destination"), boldLabel("Title / binding"), boldLabelRight("Size"))
	top := container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel("Show"), q.summary,
			container.NewHBox(container.NewGridWrap(fyne.NewSize(220, q.filter.MinSize().Height), q.filter))),
		container.NewBorder(nil, nil, nil, queueButtonsWidth(), header),
	)
	q.content = container.NewBorder(top, q.status, nil, nil, q.list)
	return q
}

// queueButtonsWidth keeps the header's columns over the rows' columns.
func queueButtonsWidth() fyne.CanvasObject {
	r := newQueueRow()
	s := container.NewGridWrap(fyne.NewSize(r.buttons.MinSize().Width, 1))
	return s
}

// reload lists the received blocks in the chosen state, in the background.
func (q *inboxQueue) reload() {
	q.gen++
	gen, state := q.gen, q.state
	core := q.v.env.core
	runTask(&q.v.t, func() (app.Page[app.ReviewItem], error) {
		ctx, cancel := context.WithTimeout(context.Background(), inboxTimeout)
		defer cancel()
		return core.ReceivedBlocks(ctx, state, app.PageRequest{Limit: inboxQueueLimit})
	}, func(p app.Page[app.ReviewItem], err error) {
		if gen != q.gen {
			return
		}
		if err != nil {
			q.status.Error("The review queue could not be read", err)
			return
		}
		q.items = p.Items
		q.list.UnselectAll()
		q.list.Refresh()
		q.summary.SetText(q.summaryText(p.Next != ""))
	})
}

func (q *inboxQueue) summaryText(more bool) string {
	n := len(q.items)
	var s string
	switch {
	case n == 0 && q.state == app.Unreviewed:
		return "Nothing waits for review."
	case n == 0:
		return "Nothing here."
	case q.state == app.Unreviewed:
		s = fmt.Sprintf("%d block(s) wait for review", n)
	default:
		s = fmt.Sprintf("%d block(s)", n)
	}
	if more {
		s += fmt.Sprintf(" (the newest %d shown)", inboxQueueLimit)
	}
	return s
}

// Accept lists the item in its destination collection.
func (q *inboxQueue) Accept(it app.ReviewItem) {
	l := q.v.l
	runTask(&q.v.t, func() (struct{}, error) {
		ctx, cancel := context.WithTimeout(context.Background(), inboxTimeout)
		defer cancel()
		return struct{}{}, l.Accept(ctx, it.Ref)
	}, func(_ struct{}, err error) {
		if err != nil {
			q.status.Error("Not accepted", err)
			return
		}
		q.status.Info(fmt.Sprintf("Accepted %q into %s/%s; it is listed there in the Cache view.", itemTitle(it), it.Server, it.Collection))
		q.reload()
	})
}

// Discard takes the item out of the review queue; it is never listed in a collection.
func (q *inboxQueue) Discard(it app.ReviewItem) {
	l := q.v.l
	runTask(&q.v.t, func() (struct{}, error) {
		ctx, cancel := context.WithTimeout(context.Background(), inboxTimeout)
		defer cancel()
		return struct{}{}, l.Discard(ctx, it.Ref)
	}, func(_ struct{}, err error) {
		if err != nil {
			q.status.Error("Not discarded", err)
			return
		}
		q.status.Info(fmt.Sprintf("Discarded %q: it will not be listed in %s/%s.", itemTitle(it), it.Server, it.Collection))
		q.reload()
	})
}

// Open shows the item in the Cache view: its collection once accepted,
// else the cache's "Inbox (unreviewed)".
func (q *inboxQueue) Open(it app.ReviewItem) {
	if q.v.env.show != nil {
		q.v.env.show(ViewCache)
	}
	if it.State == app.Accepted && q.v.OpenInCache != nil {
		q.v.OpenInCache(it.Server, it.Collection)
	}
}

func itemTitle(it app.ReviewItem) string {
	if it.Block.Title != "" {
		return it.Block.Title
	}
	return shortBinding(it.Block.Binding)
}

// itemDestination says where accepting lists the item, and why.
func itemDestination(it app.ReviewItem) string {
	s := it.Server + "/" + it.Collection
	if it.Subscription != "" {
		s += " (subscription " + it.Subscription + ")"
	}
	return s
}

// queueRow is one received block with its actions.
type queueRow struct {
	widget.BaseWidget
	cols                    [5]*widget.Label
	accept, discard, openIt *widget.Button
	buttons                 *fyne.Container
	row                     fyne.CanvasObject
}

func newQueueRow() *queueRow {
	r := &queueRow{}
	objs := make([]fyne.CanvasObject, len(r.cols))
	for i := range r.cols {
		r.cols[i] = widget.NewLabel("")
		r.cols[i].Truncation = fyne.TextTruncateEllipsis
		objs[i] = r.cols[i]
	}
	r.cols[4].Alignment = fyne.TextAlignTrailing
	r.accept = widget.NewButtonWithIcon("Accept", theme.ConfirmIcon(), nil)
	r.discard = widget.NewButtonWithIcon("Discard", theme.DeleteIcon(), nil)
	r.openIt = widget.NewButtonWithIcon("Open", theme.VisibilityIcon(), nil)
	r.buttons = container.NewHBox(r.accept, r.discard, r.openIt)
	r.row = container.NewBorder(nil, nil, nil, r.buttons, newQueueColumns(objs...))
	r.ExtendBaseWidget(r)
	return r
}

func (r *queueRow) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.row) }

func (r *queueRow) set(q *inboxQueue, it app.ReviewItem) {
	r.cols[0].SetText(utcStamp(it.Received))
	r.cols[1].SetText(it.Sender)
	r.cols[2].SetText(itemDestination(it))
	title := itemTitle(it)
	if it.Block.Title != "" {
		title += " · " + shortBinding(it.Block.Binding)
	}
	if it.State != app.Unreviewed {
		title = "[" + strings.ToLower(it.State.String()) + "] " + title
	}
	r.cols[3].SetText(title)
	r.cols[4].SetText(humanBytes(it.Block.Size))
	r.accept.OnTapped = func() { q.Accept(it) }
	r.discard.OnTapped = func() { q.Discard(it) }
	r.openIt.OnTapped = func() { q.Open(it) }
	enableIf(r.accept, it.State == app.Unreviewed)
	enableIf(r.discard, it.State == app.Unreviewed)
}

// queueColumns lays out the queue's rows and header: time, sender,
// destination and size have fixed widths; the title takes the rest.
var queueColumns = columnsLayout{widths: []float32{172, 170, 200, 0, 80}, minFlex: 80}

func newQueueColumns(objs ...fyne.CanvasObject) *fyne.Container { return queueColumns.row(objs...) }
