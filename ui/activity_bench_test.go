package ui

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/app/apptest"
)

// uiLoop stands in for the real driver's Fyne goroutine, which the test
// driver does not have: one goroutine running queued functions in order.
type uiLoop struct {
	ch    chan func()
	worst time.Duration // longest single function; read on the loop
}

func newUILoop() *uiLoop {
	l := &uiLoop{ch: make(chan func(), 1<<20)}
	go func() {
		for fn := range l.ch {
			t0 := time.Now()
			fn()
			l.worst = max(l.worst, time.Since(t0))
		}
	}()
	return l
}

func (l *uiLoop) post(fn func()) { l.ch <- fn }

// drain waits until everything posted so far has run.
func (l *uiLoop) drain() {
	done := make(chan struct{})
	l.post(func() { close(done) })
	<-done
}

// pump stands in for the real driver's fyne.Do queue: the view's tasks run
// in manual mode and pump posts each queued result or event to the loop, in
// the order it was queued. settle waits until the loop has applied every
// result and event, and what they started; stop ends the pump.
func pump(t *viewTasks, l *uiLoop) (settle, stop func()) {
	done := make(chan struct{})
	go func() {
		for {
			select {
			case f := <-t.queue:
				l.post(func() {
					f()
					t.mu.Lock()
					t.pending--
					t.mu.Unlock()
				})
			case <-done:
				return
			}
		}
	}()
	settle = func() {
		for {
			l.drain()
			t.mu.Lock()
			n := t.pending
			t.mu.Unlock()
			if n == 0 {
				return
			}
			time.Sleep(time.Millisecond) // a result still being worked on
		}
	}
	return settle, func() { close(done) }
}

// BenchmarkUIDelayDuringPoll measures how long a user's input waits for the
// Fyne goroutine while a 10,000-block poll streams into the servers view:
// every millisecond a probe (standing for a key press or a click) is queued
// behind the poll's events and the activity panel's coalesced redraws, and
// the time until it runs is recorded. Reported: the worst and the 99th
// percentile wait, the longest the Fyne goroutine was busy with one event,
// how many progress events the poll published and how many redraws the
// activity panel made of them. Under the test driver nothing is painted, so
// the figures cover event handling and widget updates (text measuring
// included), not the GPU.
func BenchmarkUIDelayDuringPoll(b *testing.B) {
	for _, part := range []int{1, 100} {
		b.Run(fmt.Sprintf("blocks=10000/part=%d", part), func(b *testing.B) { benchPollDelay(b, 10000, part) })
	}
}

func benchPollDelay(b *testing.B, blocks, partSize int) {
	test.NewTempApp(b)
	core, fakes := apptest.NewApp(b)
	for i := range blocks {
		fakes.Client.Add("big", apptest.Block(fmt.Sprintf("Report %d", i), apptest.Start().Add(time.Duration(i+1)*time.Second)))
	}
	fakes.Client.PartSize = partSize
	if err := core.AddProfile(context.Background(), app.Profile{Name: "S", DiscoveryURL: apptest.DiscoveryURL}, app.Credentials{}); err != nil {
		b.Fatal(err)
	}
	loop := newUILoop()
	hub := newEventHub(core) // the view queues what it hears, for the pump
	b.Cleanup(hub.Close)
	win := test.NewTempWindow(b, nil)
	env := &viewEnv{core: core, win: win, events: hub, picker: &fakePicker{}, notify: func(string, string) {}, show: func(string) bool { return true }}
	var v *serversView
	loop.post(func() {
		v = newServersView(env)
		v.work.useManual()
	})
	loop.drain()
	v.work.wait() // the view's first load, started before the manual mode
	settle, stop := pump(v.work, loop)
	loop.post(func() {
		win.SetContent(v)
		win.Resize(fyne.NewSize(1200, 800))
	})
	defer stop()
	settle()
	loop.post(func() { loop.worst = 0 }) // not the view's construction

	var waits []time.Duration
	var progress int
	cancel := core.Subscribe(func(ev app.Event) {
		if ev.Kind == app.JobProgress {
			progress++ // published from the one job goroutine
		}
	})
	defer cancel()
	b.ResetTimer()
	for range b.N {
		id, err := core.StartSync(app.SyncRequest{Server: "S", Collection: "big", Mode: app.Everything})
		if err != nil {
			b.Fatal(err)
		}
		stop := make(chan struct{})
		var mu sync.Mutex
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { // the user, pressing a key every millisecond
			defer wg.Done()
			t := time.NewTicker(time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					queued := time.Now()
					loop.post(func() {
						mu.Lock()
						waits = append(waits, time.Since(queued))
						mu.Unlock()
					})
				}
			}
		}()
		j, err := core.WaitJob(context.Background(), id)
		if err != nil || j.State != app.StateDone || j.Progress.Blocks != blocks {
			b.Fatalf("job %+v, %v", j, err)
		}
		close(stop)
		wg.Wait()
		settle()
	}
	b.StopTimer()
	var worst time.Duration
	loop.post(func() { worst = loop.worst }) // the loop writes it after each function
	loop.drain()
	slices.Sort(waits)
	if len(waits) == 0 {
		b.Fatal("no probe ran")
	}
	b.ReportMetric(float64(waits[len(waits)-1].Microseconds())/1000, "worst-ms")
	b.ReportMetric(float64(waits[len(waits)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(worst.Microseconds())/1000, "worst-handler-ms")
	b.ReportMetric(float64(progress)/float64(b.N), "events/poll")
	b.ReportMetric(float64(v.activity.redraws), "redraws")
}
