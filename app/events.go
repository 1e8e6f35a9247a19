package app

// EventKind says what changed.
type EventKind int

// Event kinds.
const (
	ProfileAdded     EventKind = iota + 1 // Server: the profile added
	ProfileUpdated                        // Server: the profile changed (also its schedule or subscriptions)
	ProfileRemoved                        // Server: the profile removed
	ConnectionStatus                      // Server, Status: a connection test or request succeeded or failed
	ServerInfo                            // Server: new discovery or collection snapshot stored
	JobStarted                            // Job: a sync started
	JobProgress                           // Job: parts, blocks, bytes, PENDING countdown
	JobFinished                           // Job: a sync ended well (Job.Result)
	JobFailed                             // Job: a sync failed or was cancelled (Job.Err, Job.State)
	CacheChanged                          // Server, Collection: blocks or cursor changed; "" server means many
	PushDone                              // Server, Receipt: one file pushed (or refused); the receipt is stored
)

var eventNames = map[EventKind]string{
	ProfileAdded: "profile-added", ProfileUpdated: "profile-updated", ProfileRemoved: "profile-removed",
	ConnectionStatus: "connection-status", ServerInfo: "server-info",
	JobStarted: "job-started", JobProgress: "job-progress", JobFinished: "job-finished", JobFailed: "job-failed",
	CacheChanged: "cache-changed", PushDone: "push-done",
}

// String returns a short name such as "job-progress".
func (k EventKind) String() string {
	if s, ok := eventNames[k]; ok {
		return s
	}
	return "event"
}

// Event is one change published to subscribers. Fields not relevant to the
// kind are zero. Events are snapshots: subscribers may keep them.
type Event struct {
	Kind       EventKind
	Server     string
	Collection string
	Job        *Job        // job events
	Status     *ConnStatus // ConnectionStatus
	Receipt    *Receipt    // PushDone
}

// Subscribe registers fn for every event from now on and returns a function
// that unregisters it. fn runs on the goroutine that made the change (a
// sync job, a caller of Add...), never while the App holds a lock, so it may
// call back into the App; it must not block for long. A GUI wraps its work
// in fyne.Do. Events of one job arrive in order.
func (a *App) Subscribe(fn func(Event)) (cancel func()) {
	a.mu.Lock()
	id := a.nextSub
	a.nextSub++
	a.subs = append(a.subs, subscriber{id, fn})
	a.mu.Unlock()
	return func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		for i, s := range a.subs {
			if s.id == id {
				a.subs = append(a.subs[:i:i], a.subs[i+1:]...)
				return
			}
		}
	}
}

// publish delivers ev to every subscriber, outside the lock (STYLE §7.4).
func (a *App) publish(ev Event) {
	a.mu.Lock()
	subs := a.subs // never mutated in place: Subscribe and cancel copy
	a.mu.Unlock()
	for _, s := range subs {
		s.fn(ev)
	}
}

type subscriber struct {
	id int
	fn func(Event)
}
