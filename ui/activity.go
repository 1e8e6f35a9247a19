package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/taxii-workstation/taxii-workstation/app"
)

// activityRedraw is the shortest time between two redraws of the activity
// panel for progress alone. A 10,000-block poll publishes an event per part;
// they are folded into at most ten redraws a second so the window keeps
// responding. Starts and ends are drawn at once.
const activityRedraw = 100 * time.Millisecond

// keepEnded bounds how many ended jobs the panel lists.
const keepEnded = 50

// activityPanel lists the polls running in the background and those that
// ended, newest first: progress (parts, blocks, bytes; a determinate bar
// when the server said how many records), the PENDING countdown, Cancel.
// It is a self-contained widget: the servers view puts it at its bottom,
// and the window could place it anywhere else.
type activityPanel struct {
	widget.BaseWidget
	env  *viewEnv
	work *viewTasks

	items []app.Job // newest first; touched only on the Fyne goroutine
	list  *widget.List
	empty *widget.Label
	clear *widget.Button

	// OnEnded runs when a job ends, after the row is drawn.
	OnEnded func(app.Job)

	now      func() time.Time
	lastDraw time.Time
	pending  bool // a coalesced redraw is scheduled
	redraws  int  // how many times the list was redrawn (for tests)
}

func newActivityPanel(env *viewEnv, t *viewTasks) *activityPanel {
	p := &activityPanel{env: env, work: t, now: time.Now}
	p.list = widget.NewList(
		func() int { return len(p.items) },
		p.createRow,
		func(id widget.ListItemID, o fyne.CanvasObject) { p.updateRow(p.items[id], o.(*activityRow)) },
	)
	p.empty = widget.NewLabel("No polls yet. Select a collection and press Poll now (F5); polls run in the background and are listed here.")
	p.empty.Wrapping = fyne.TextWrapWord
	p.empty.Importance = widget.LowImportance
	p.clear = widget.NewButtonWithIcon("Clear finished", theme.ContentClearIcon(), p.clearEnded)
	for _, j := range env.core.Jobs() { // jobs started before the window (scheduled)
		p.items = append([]app.Job{j}, p.items...)
	}
	p.ExtendBaseWidget(p)
	p.draw()
	return p
}

// CreateRenderer implements fyne.Widget.
func (p *activityPanel) CreateRenderer() fyne.WidgetRenderer {
	title := widget.NewLabelWithStyle("Activity", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	head := container.NewBorder(nil, nil, title, p.clear)
	return widget.NewSimpleRenderer(container.NewBorder(head, nil, nil, nil, container.NewStack(p.empty, p.list)))
}

// MinSize keeps room for about two rows.
func (p *activityPanel) MinSize() fyne.Size {
	return fyne.NewSize(200, 150)
}

// handle applies a core event; it runs on the Fyne goroutine.
func (p *activityPanel) handle(ev app.Event) {
	if ev.Job == nil {
		return
	}
	j := *ev.Job
	i := p.index(j.ID)
	if i < 0 {
		p.items = append([]app.Job{j}, p.items...)
		p.trim()
	} else {
		p.items[i] = j
	}
	switch ev.Kind {
	case app.JobProgress:
		p.drawSoon()
	case app.JobFinished, app.JobFailed:
		p.draw()
		if worthNotifying(j) {
			p.env.notify(jobNotification(j))
		}
		if p.OnEnded != nil {
			p.OnEnded(j)
		}
	default:
		p.draw()
	}
}

// worthNotifying is false for a scheduled poll that brought nothing new:
// a schedule every 15 minutes would otherwise notify all day long.
func worthNotifying(j app.Job) bool {
	return !j.Scheduled || j.State != app.StateDone || j.Progress.New > 0
}

func (p *activityPanel) index(id string) int {
	for i, j := range p.items {
		if j.ID == id {
			return i
		}
	}
	return -1
}

// trim drops the oldest ended jobs beyond keepEnded.
func (p *activityPanel) trim() {
	ended := 0
	kept := p.items[:0]
	for _, j := range p.items {
		if j.State.Final() {
			if ended++; ended > keepEnded {
				continue
			}
		}
		kept = append(kept, j)
	}
	p.items = kept
}

// drawSoon redraws now if the last redraw is old enough, else once when it is.
func (p *activityPanel) drawSoon() {
	if p.pending {
		return
	}
	wait := activityRedraw - p.now().Sub(p.lastDraw)
	if wait <= 0 {
		p.draw()
		return
	}
	p.pending = true
	p.work.later(wait, func() {
		p.pending = false
		p.draw()
	})
}

func (p *activityPanel) draw() {
	p.lastDraw = p.now()
	p.redraws++
	ended := false
	for _, j := range p.items {
		if j.State.Final() {
			ended = true
			break
		}
	}
	if ended == p.clear.Disabled() { // change buttons only when they must: each refresh measures text
		if ended {
			p.clear.Enable()
		} else {
			p.clear.Disable()
		}
	}
	showIf(p.empty, len(p.items) == 0)
	showIf(p.list, len(p.items) > 0)
	p.list.Refresh() // virtualized: only the visible rows are updated
}

func (p *activityPanel) clearEnded() {
	kept := p.items[:0]
	for _, j := range p.items {
		if !j.State.Final() {
			kept = append(kept, j)
		}
	}
	p.items = kept
	p.draw()
}

func (p *activityPanel) cancel(id string) {
	if err := p.env.core.CancelJob(id); err != nil {
		p.env.notify("Cannot cancel", app.Explain(err))
	}
}

func (p *activityPanel) dismiss(id string) {
	if i := p.index(id); i >= 0 && p.items[i].State.Final() {
		p.items = append(p.items[:i], p.items[i+1:]...)
		p.draw()
	}
}

// activityRow is one job in the list.
type activityRow struct {
	widget.BaseWidget
	title    *widget.Label
	status   *widget.Label
	bar      *widget.ProgressBar
	spinner  *widget.ProgressBarInfinite
	action   *widget.Button
	onAction func()
	details  *widget.Button // the raw error of a failed job
	onDetail func()
}

func (p *activityPanel) createRow() fyne.CanvasObject {
	r := &activityRow{
		title:   widget.NewLabelWithStyle("server / collection", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		status:  widget.NewLabel("status"),
		bar:     widget.NewProgressBar(),
		spinner: widget.NewProgressBarInfinite(),
	}
	r.title.Truncation = fyne.TextTruncateEllipsis
	// The status is not truncated but scrolls sideways: truncating measures
	// the text again on every change, which made a redraw four times slower.
	r.action = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() {
		if r.onAction != nil {
			r.onAction()
		}
	})
	r.details = widget.NewButtonWithIcon("Details", theme.InfoIcon(), func() {
		if r.onDetail != nil {
			r.onDetail()
		}
	})
	r.details.Hide()
	r.ExtendBaseWidget(r)
	return r
}

func (r *activityRow) CreateRenderer() fyne.WidgetRenderer {
	top := container.NewBorder(nil, nil, nil, container.NewHBox(r.details, r.action), r.title)
	return widget.NewSimpleRenderer(container.NewVBox(top, container.NewStack(r.bar, r.spinner), container.NewHScroll(r.status)))
}

func (p *activityPanel) updateRow(j app.Job, r *activityRow) {
	setText(r.title, jobTitle(j))
	status := widget.MediumImportance
	if j.State == app.StateFailed {
		status = widget.DangerImportance
	}
	if r.status.Importance != status {
		r.status.Importance = status
		r.status.Refresh()
	}
	setText(r.status, jobStatus(j))
	id := j.ID
	if j.State.Final() {
		showIf(r.bar, false)
		if r.spinner.Visible() {
			r.spinner.Stop()
			r.spinner.Hide()
		}
		setButton(r.action, "Dismiss", theme.ContentClearIcon())
		r.onAction = func() { p.dismiss(id) }
		failed := j.State == app.StateFailed && j.Err != nil
		showIf(r.details, failed)
		if failed {
			raw := j.Err.Error()
			r.onDetail = func() { p.showDetails(j.Error, raw) }
		}
		return
	}
	if f, ok := jobFraction(j); ok {
		if r.spinner.Visible() {
			r.spinner.Stop()
			r.spinner.Hide()
		}
		showIf(r.bar, true)
		if r.bar.Value != f {
			r.bar.SetValue(f)
		}
	} else {
		showIf(r.bar, false)
		if !r.spinner.Visible() {
			r.spinner.Show()
			r.spinner.Start()
		}
	}
	setButton(r.action, "Cancel", theme.CancelIcon())
	r.onAction = func() { p.cancel(id) }
	showIf(r.details, false)
}

// showDetails shows why a poll failed: the words, then the raw error.
func (p *activityPanel) showDetails(words, raw string) {
	text := widget.NewLabel(words)
	text.Wrapping = fyne.TextWrapWord
	rawText := widget.NewMultiLineEntry()
	rawText.SetText(raw)
	rawText.Wrapping = fyne.TextWrapWord
	rawText.TextStyle = fyne.TextStyle{Monospace: true}
	rawText.SetMinRowsVisible(6)
	d := dialog.NewCustom("Why the poll failed", "Close", container.NewVBox(text, rawText), p.env.win)
	d.Resize(fyne.NewSize(560, 0))
	d.Show()
}

// setText changes a label only when its text changes: every change
// measures and shapes the text again.
func setText(l *widget.Label, s string) {
	if l.Text != s {
		l.SetText(s)
	}
}

func setButton(b *widget.Button, text string, icon fyne.Resource) {
	if b.Text != text {
		b.Text, b.Icon = text, icon
		b.Refresh()
	}
}
