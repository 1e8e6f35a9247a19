package ui

import (
	"slices"
	"sync"

	"fyne.io/fyne/v2"

	"github.com/taxii-workstation/taxii-workstation/app"
)

// This file is the one place where package ui hops onto the Fyne goroutine:
// background runs slow work off it and applies the result with fyne.Do, and
// eventHub delivers the core's events to views with fyne.Do. Views never
// call fyne.Do themselves; the main window's QuitWhenDone is the only other caller.

// background runs work in a new goroutine and then calls done with its
// result on the Fyne goroutine. Use it for every call into the core that may
// touch the network or the disk, and for native file dialogs.
func background[T any](work func() (T, error), done func(T, error)) {
	go func() {
		v, err := work()
		fyne.Do(func() { done(v, err) })
	}()
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
