package app_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/app/apptest"
	"github.com/taxii-workstation/taxii-workstation/storage"
	"github.com/taxii-workstation/taxii-workstation/taxii/taxiitest"
)

// realApp is an App on an in-memory Badger store and the real TAXII client.
type realApp struct {
	*app.App
	store   *storage.Store
	secrets *apptest.Secrets
	events  *eventLog
}

func newRealApp(t *testing.T, clock app.Clock) *realApp {
	t.Helper()
	st, err := storage.OpenInMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	sec := apptest.NewSecrets()
	a, err := app.New(app.Deps{Store: st, Secrets: sec, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	ra := &realApp{App: a, store: st, secrets: sec, events: newEventLog()}
	t.Cleanup(a.Subscribe(ra.events.add))
	return ra
}

// serve starts a fake TAXII server with the given collections and adds a
// profile "hub" for it.
func (ra *realApp) serve(t *testing.T, opts taxiitest.Options, cols ...taxiitest.Collection) *taxiitest.Server {
	t.Helper()
	srv := taxiitest.New(opts)
	t.Cleanup(srv.Close)
	for _, c := range cols {
		srv.AddCollection(c)
	}
	if err := ra.AddProfile(context.Background(), app.Profile{Name: "hub", DiscoveryURL: srv.DiscoveryURL()}, app.Credentials{}); err != nil {
		t.Fatal(err)
	}
	return srv
}

// eventLog records events and lets a test wait for one.
type eventLog struct {
	mu     sync.Mutex
	events []app.Event
	notify chan struct{}
}

func newEventLog() *eventLog { return &eventLog{notify: make(chan struct{})} }

func (l *eventLog) add(ev app.Event) {
	l.mu.Lock()
	l.events = append(l.events, ev)
	close(l.notify)
	l.notify = make(chan struct{})
	l.mu.Unlock()
}

func (l *eventLog) all() []app.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]app.Event(nil), l.events...)
}

// waitFor returns the first event from index from on that matches, failing
// the test after a generous deadline.
func (l *eventLog) waitFor(t *testing.T, from int, match func(app.Event) bool) (app.Event, int) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		l.mu.Lock()
		for i := from; i < len(l.events); i++ {
			if match(l.events[i]) {
				ev := l.events[i]
				l.mu.Unlock()
				return ev, i
			}
		}
		ch := l.notify
		l.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("event not seen in time; got %v", kinds(l.all()))
		}
	}
}

func kinds(evs []app.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Kind.String()
	}
	return out
}

func isJobEnd(id string) func(app.Event) bool {
	return func(ev app.Event) bool {
		return (ev.Kind == app.JobFinished || ev.Kind == app.JobFailed) && ev.Job != nil && (id == "" || ev.Job.ID == id)
	}
}

func count(t *testing.T, a interface {
	ListBlocks(context.Context, string, string, app.PageRequest) (app.Page[app.Entry], error)
}, server, collection string) int {
	t.Helper()
	n := 0
	page := app.PageRequest{Limit: 1000}
	for {
		p, err := a.ListBlocks(context.Background(), server, collection, page)
		if err != nil {
			t.Fatal(err)
		}
		n += len(p.Items)
		if p.Next == "" {
			return n
		}
		page.Token = p.Next
	}
}

func label(i int) time.Time { return taxiitest.DefaultStart.Add(time.Duration(i) * time.Second) }

// eventually waits until cond holds, for conditions no event announces (a
// request reaching the fake server); it fails the test after a generous deadline.
func eventually(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in time")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
