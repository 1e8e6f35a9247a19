package ui

import (
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/taxii-workstation/taxii-workstation/app"
)

// viewTasks runs a view's slow work in the background and applies each
// result on the Fyne goroutine, through background (the one place for
// fyne.Do). The Cache, Share and Settings views start all their slow work,
// and take the core's events, through it.
//
// Tests switch it to manual mode (useManual): results and events are then
// queued and applied by wait on the test's goroutine, one at a time, as the
// Fyne goroutine would, instead of on the goroutine that produced them
// (the test driver runs fyne.Do inline there).
type viewTasks struct {
	wg sync.WaitGroup // tasks started in the normal mode

	mu      sync.Mutex
	manual  bool
	pending int
	queue   chan func()
}

// runTask runs work in a goroutine and applies its result with done.
// done may start more tasks.
func runTask[T any](t *viewTasks, work func() (T, error), done func(T, error)) {
	if q := t.enqueue(); q != nil {
		go func() {
			v, err := work()
			q <- func() { done(v, err) }
		}()
		return
	}
	t.wg.Add(1)
	background(work, func(v T, err error) {
		defer t.wg.Done()
		done(v, err)
	})
}

// listen registers fn for the core's events.
func (t *viewTasks) listen(hub *eventHub, fn func(app.Event)) {
	hub.Listen(func(ev app.Event) {
		if q := t.enqueue(); q != nil {
			q <- func() { fn(ev) }
			return
		}
		fn(ev)
	})
}

// enqueue counts one more result to apply and returns the queue, in manual mode.
func (t *viewTasks) enqueue() chan func() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.manual {
		return nil
	}
	t.pending++
	return t.queue
}

// useManual queues results and events for wait (tests only).
func (t *viewTasks) useManual() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.manual = true
	t.queue = make(chan func(), 4096)
}

// wait applies results until no task is left, including those the results
// started (tests only: never call it on the Fyne goroutine).
func (t *viewTasks) wait() {
	t.wg.Wait()
	for {
		t.mu.Lock()
		n := t.pending
		t.mu.Unlock()
		if n == 0 {
			return
		}
		f := <-t.queue
		f()
		t.mu.Lock()
		t.pending--
		t.mu.Unlock()
	}
}

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
