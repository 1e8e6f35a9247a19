package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// MinScheduleInterval is the shortest schedule allowed, to spare servers.
const MinScheduleInterval = time.Minute

// Schedule is a collection synced since-last at a fixed interval while Run runs.
type Schedule struct {
	Server     string        `json:"server"`
	Collection string        `json:"collection"`
	Every      time.Duration `json:"every"`
}

// SetSchedule stores how often a collection of a saved profile is synced
// (since its cursor) while Run runs; zero removes the schedule. A running
// Run picks the change up at once.
func (a *App) SetSchedule(ctx context.Context, server, collection string, every time.Duration) error {
	if collection == "" {
		return errors.New("app: a schedule needs a collection name")
	}
	if every != 0 && every < MinScheduleInterval {
		return fmt.Errorf("app: a schedule of %s is too frequent; use at least %s", every, MinScheduleInterval)
	}
	if every < 0 {
		return fmt.Errorf("app: a schedule cannot be negative (%s)", every)
	}
	a.mu.Lock()
	_, isAdHoc := a.adhoc[server]
	a.mu.Unlock()
	if isAdHoc {
		return fmt.Errorf("app: %q is not a saved profile; save it first to schedule syncs", server)
	}
	err := a.editSettings(ctx, server, func(set map[string]string) {
		if every == 0 {
			delete(set, setSchedule+collection)
		} else {
			set[setSchedule+collection] = every.String()
		}
	})
	if err != nil {
		return err
	}
	a.mu.Lock()
	s := a.sched
	a.mu.Unlock()
	if s != nil {
		s.set(Schedule{Server: server, Collection: collection, Every: every})
	}
	a.publish(Event{Kind: ProfileUpdated, Server: server, Collection: collection})
	return nil
}

// Schedules lists every stored schedule, sorted by server and collection.
func (a *App) Schedules(ctx context.Context) ([]Schedule, error) {
	sps, err := a.store.Profiles(ctx)
	if err != nil {
		return nil, fmt.Errorf("app: read schedules: %w", err)
	}
	var out []Schedule
	for _, sp := range sps {
		for k, v := range sp.Settings {
			coll, ok := strings.CutPrefix(k, setSchedule)
			if !ok {
				continue
			}
			if d, err := time.ParseDuration(v); err == nil && d > 0 {
				out = append(out, Schedule{Server: sp.Name, Collection: coll, Every: d})
			}
		}
	}
	slices.SortFunc(out, func(x, y Schedule) int {
		if c := strings.Compare(x.Server, y.Server); c != 0 {
			return c
		}
		return strings.Compare(x.Collection, y.Collection)
	})
	return out, nil
}

// Run runs the scheduled syncs until ctx ends (or the App closes), then
// stops them and returns. Each schedule waits its interval, syncs since
// last, and waits again; a sync already running for the collection makes it
// skip that turn. Only one Run may run at a time.
func (a *App) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(a.ctx, cancel)
	defer stop()
	s := &scheduler{a: a, ctx: ctx, loops: map[pair]*loop{}}
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return ErrClosed
	}
	if a.sched != nil {
		a.mu.Unlock()
		return errors.New("app: Run is already running")
	}
	a.sched = s
	a.wg.Add(1) // Close waits for the loops to stop
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		a.sched = nil
		a.mu.Unlock()
		cancel()
		s.stopAll()
		a.wg.Done()
	}()
	scheds, err := a.Schedules(ctx)
	if err != nil {
		return err
	}
	for _, sc := range scheds {
		s.set(sc)
	}
	<-ctx.Done()
	return nil
}

type scheduler struct {
	a   *App
	ctx context.Context

	mu    sync.Mutex
	loops map[pair]*loop
	wg    sync.WaitGroup
}

type loop struct {
	every  time.Duration
	cancel context.CancelFunc
}

// set starts, restarts or (every == 0) stops the loop of one collection.
func (s *scheduler) set(sc Schedule) {
	key := pair{sc.Server, sc.Collection}
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.loops[key]; ok {
		if l.every == sc.Every {
			return
		}
		l.cancel()
		delete(s.loops, key)
	}
	if sc.Every <= 0 || s.ctx.Err() != nil {
		return
	}
	ctx, cancel := context.WithCancel(s.ctx)
	s.loops[key] = &loop{every: sc.Every, cancel: cancel}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.run(ctx, sc)
	}()
}

func (s *scheduler) run(ctx context.Context, sc Schedule) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.a.clock.After(sc.Every):
		}
		req := SyncRequest{Server: sc.Server, Collection: sc.Collection, Mode: SinceLast}
		j, jctx, err := s.a.register(ctx, req, true)
		if err != nil {
			s.a.log.Info("scheduled sync skipped", "server", sc.Server, "collection", sc.Collection, "reason", err)
			continue
		}
		if _, err := s.a.runJob(jctx, j); err != nil {
			s.a.log.Warn("scheduled sync failed", "server", sc.Server, "collection", sc.Collection, "error", err)
		}
	}
}

func (s *scheduler) stopAll() {
	s.mu.Lock()
	for k, l := range s.loops {
		l.cancel()
		delete(s.loops, k)
	}
	s.mu.Unlock()
	s.wg.Wait()
}
