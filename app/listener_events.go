package app

import (
	"time"

	"github.com/taxii-workstation/taxii-workstation/taxii"
)

// ListenerEventKind says what happened at the listener.
type ListenerEventKind int

// Listener event kinds.
const (
	ListenerStarted ListenerEventKind = iota + 1 // Status: the listener is serving
	ListenerStopped                              // Status: the listener stopped (Err: it did not stop cleanly)
	ListenerFailed                               // Err: a start failed or the server died
	ListenerRequest                              // Request: one request answered, accepted or not (the live log)
	ContentArrived                               // Arrival: content was stored (the "content arrived" notification)
	ContentReviewed                              // Refs, Review: blocks accepted or discarded
)

var listenerEventNames = map[ListenerEventKind]string{
	ListenerStarted: "listener-started", ListenerStopped: "listener-stopped", ListenerFailed: "listener-failed",
	ListenerRequest: "listener-request", ContentArrived: "content-arrived", ContentReviewed: "content-reviewed",
}

// String returns a short name such as "content-arrived".
func (k ListenerEventKind) String() string {
	if s, ok := listenerEventNames[k]; ok {
		return s
	}
	return "listener-event"
}

// ListenerEvent is one thing that happened at the listener. Fields not
// relevant to the kind are zero; events are snapshots subscribers may keep.
type ListenerEvent struct {
	Kind    ListenerEventKind
	Time    time.Time
	Status  *ListenerStatus
	Request *taxii.ServerEvent // ListenerRequest; passwords never reach it
	Arrival *Arrival           // ContentArrived
	Refs    []string           // ContentReviewed
	Review  ReviewState        // ContentReviewed
	Err     error
}

// Arrival describes one stored Inbox message.
type Arrival struct {
	Sender       string    `json:"sender"`  // identity (account or certificate name), or anonymous@host
	Address      string    `json:"address"` // the sender's host:port
	Time         time.Time `json:"time"`
	MessageID    string    `json:"message_id"`
	Destinations []string  `json:"destinations,omitempty"`
	// Subscription is the subscription id the message fulfils, with the
	// server profile it belongs to ("" when unknown).
	Subscription string `json:"subscription,omitempty"`
	Server       string `json:"server"`     // where accepted content is listed
	Collection   string `json:"collection"` // (server/collection of the cache)
	Blocks       int    `json:"blocks"`
	New          int    `json:"new"` // blocks whose content was not cached before
	Refs         []string
	AutoAccepted bool `json:"auto_accepted"`
}

// SubscribeListener registers fn for every listener event from now on and
// returns a function that unregisters it. fn runs on the goroutine of the
// event (a request's, for arrivals and the log), never under a lock, and
// must be fast: a GUI hands the event to fyne.Do.
func (l *Listener) SubscribeListener(fn func(ListenerEvent)) (cancel func()) {
	l.mu.Lock()
	id := l.nextSub
	l.nextSub++
	l.subs = append(l.subs, listenerSub{id, fn})
	l.mu.Unlock()
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		for i, s := range l.subs {
			if s.id == id {
				l.subs = append(l.subs[:i:i], l.subs[i+1:]...)
				return
			}
		}
	}
}

type listenerSub struct {
	id int
	fn func(ListenerEvent)
}

func (l *Listener) emit(ev ListenerEvent) {
	if ev.Time.IsZero() {
		ev.Time = l.app.clock.Now()
	}
	l.mu.Lock()
	subs := l.subs
	l.mu.Unlock()
	for _, s := range subs {
		s.fn(ev)
	}
}

// onRequest is the handlers' OnEvent: every request goes to the live log.
func (l *Listener) onRequest(ev taxii.ServerEvent) {
	if ev.Err != nil && ev.Status != taxii.StatusSuccess {
		l.app.log.Info("listener: refused", "service", ev.Service, "sender", ev.Sender.String(), "status", ev.Status, "err", ev.Err)
	}
	l.emit(ListenerEvent{Kind: ListenerRequest, Time: ev.Time, Request: &ev})
}
