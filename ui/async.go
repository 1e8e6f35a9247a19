package ui

import (
	"slices"
	"sync"
	"time"

	"fyne.io/fyne/v2"

	"github.com/taxii-workstation/taxii-workstation/app"
)

// This file is the one place where package ui hops onto the Fyne goroutine:
// background runs slow work off it and applies the result with fyne.Do, and
// eventHub delivers the core's events to views with fyne.Do. Views start
// their work and take events through viewTasks, which sits on both; they
// never call fyne.Do themselves; the main window's QuitWhenDone is the only other caller.

// background runs work in a new goroutine and then calls done with its
// result on the Fyne goroutine. Use it for every call into the core that may
// touch the network or the disk, and for native file dialogs.
func background[T any](work func() (T, error), done func(T, error)) {
	go func() {
		v, err := work()
		fyne.Do(func() { done(v, err) })
	}()
}

// viewTasks runs a view's slow work in the background and applies each
// result on the Fyne goroutine, through background (the one place for
// fyne.Do). Every view starts all its slow work, and takes the core's events,
// through it.
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

// later calls fn on the Fyne goroutine after d (a coalesced redraw).
func (t *viewTasks) later(d time.Duration, fn func()) {
	runTask(t, func() (struct{}, error) {
		time.Sleep(d)
		return struct{}{}, nil
	}, func(struct{}, error) { fn() })
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

// eventSource is what the event hub needs of the application core.
type eventSource interface {
	Subscribe(fn func(app.Event)) (cancel func())
}

// eventHub subscribes once to the core and fans its events out to views, on
// the Fyne goroutine, in the order the core published them.
type eventHub struct {
	mu        sync.Mutex
	listeners []func(app.Event)
	cancel    func()
}

func newEventHub(src eventSource) *eventHub {
	h := &eventHub{}
	h.cancel = src.Subscribe(func(ev app.Event) {
		fyne.Do(func() { h.dispatch(ev) })
	})
	return h
}

// Listen registers fn; it is called on the Fyne goroutine for every event.
func (h *eventHub) Listen(fn func(app.Event)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.listeners = append(h.listeners, fn)
}

func (h *eventHub) dispatch(ev app.Event) {
	h.mu.Lock()
	ls := slices.Clone(h.listeners)
	h.mu.Unlock()
	for _, fn := range ls {
		fn(ev)
	}
}

// Close stops listening to the core.
func (h *eventHub) Close() { h.cancel() }
