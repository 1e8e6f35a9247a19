package ui

import (
	"context"
	"sync"
	"time"
)

// srvTasks counts the background work the servers views started and has not
// yet applied, so tests can wait for it instead of sleeping, and serializes
// the views' callbacks (see ui).
type srvTasks struct {
	wg sync.WaitGroup
	// ui serializes the views' callbacks. On the real driver they all run
	// on the Fyne goroutine and it is never contended; under Fyne's test
	// driver fyne.Do runs its function on the calling goroutine, so results
	// of background work and core events would otherwise be applied
	// concurrently.
	ui sync.Mutex
}

// srvTrack runs work through background (off the Fyne goroutine) and counts it
// until done has run on the Fyne goroutine. Work started from a done
// callback is counted before the outer one ends, so Wait covers chains.
func srvTrack[T any](t *srvTasks, work func() (T, error), done func(T, error)) {
	t.wg.Add(1)
	background(work, func(v T, err error) {
		defer t.wg.Done()
		t.ui.Lock()
		defer t.ui.Unlock()
		done(v, err)
	})
}

// later calls fn on the Fyne goroutine after d (a coalesced redraw).
func (t *srvTasks) later(d time.Duration, fn func()) {
	srvTrack(t, func() (struct{}, error) {
		time.Sleep(d)
		return struct{}{}, nil
	}, func(struct{}, error) { fn() })
}

// apply runs fn like a tracked callback (for core events).
func (t *srvTasks) apply(fn func()) {
	t.ui.Lock()
	defer t.ui.Unlock()
	fn()
}

// Wait blocks until every tracked task has been applied.
func (t *srvTasks) Wait() { t.wg.Wait() }

// Timeouts of calls the window makes on the user's behalf. The profile's own
// request timeout applies inside; these only stop a view from waiting forever.
const (
	srvNetTimeout  = 5 * time.Minute
	srvDiskTimeout = time.Minute
)

func srvNetCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), srvNetTimeout)
}

func srvDiskCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), srvDiskTimeout)
}
