package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// JobState is where a job is in its life.
type JobState string

// Job states. Done, Failed and Canceled are final.
const (
	StateRunning  JobState = "running"
	StateWaiting  JobState = "waiting" // the server answered PENDING; counting down
	StateDone     JobState = "done"
	StateFailed   JobState = "failed"
	StateCanceled JobState = "canceled"
)

// Final reports whether the job has ended.
func (s JobState) Final() bool { return s == StateDone || s == StateFailed || s == StateCanceled }

// Job is a snapshot of a sync job.
type Job struct {
	ID        string      `json:"id"`
	Request   SyncRequest `json:"request"`
	Scheduled bool        `json:"scheduled,omitempty"` // started by a collection's schedule
	State     JobState    `json:"state"`
	Started   time.Time   `json:"started"`
	Ended     time.Time   `json:"ended,omitzero"`
	Progress  Progress    `json:"progress"`
	// Result is set when the job ended (also on failure: what was stored).
	Result *SyncResult `json:"result,omitempty"`
	// Err is why the job failed; Error is the same in words (Explain).
	Err   error  `json:"-"`
	Error string `json:"error,omitempty"`
}

// keepFinished is how many ended jobs Jobs keeps listing.
const keepFinished = 100

type job struct {
	snap   Job
	cancel context.CancelFunc
	done   chan struct{}
}

// StartSync starts a sync in the background and returns its job id at
// once. Progress and the outcome arrive as events (JobStarted, JobProgress,
// JobFinished or JobFailed). Syncs of different collections run at the
// same time; a second sync of the same collection fails with ErrBusy.
func (a *App) StartSync(req SyncRequest) (string, error) {
	return a.startSync(a.ctx, req, false)
}

func (a *App) startSync(ctx context.Context, req SyncRequest, scheduled bool) (string, error) {
	j, ctx, err := a.register(ctx, req, scheduled)
	if err != nil {
		return "", err
	}
	go func() { _, _ = a.runJob(ctx, j) }()
	return j.snap.ID, nil
}

// Sync runs a sync on the calling goroutine and returns its result. It is a
// job like StartSync's (listed, cancellable, with events); cancelling ctx
// cancels it. The result is filled in also on error.
func (a *App) Sync(ctx context.Context, req SyncRequest) (SyncResult, error) {
	j, jctx, err := a.register(ctx, req, false)
	if err != nil {
		return SyncResult{Server: req.Server, Collection: req.Collection, Mode: req.Mode}, err
	}
	return a.runJob(jctx, j)
}

// register checks req and records a new running job for it.
func (a *App) register(parent context.Context, req SyncRequest, scheduled bool) (*job, context.Context, error) {
	if err := req.check(); err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithCancel(parent)
	stop := context.AfterFunc(a.ctx, cancel) // Close cancels every job
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		stop()
		cancel()
		return nil, nil, ErrClosed
	}
	key := pair{req.Server, req.Collection}
	if id, ok := a.busy[key]; ok {
		stop()
		cancel()
		return nil, nil, fmt.Errorf("app: sync %s/%s: job %s is running: %w", req.Server, req.Collection, id, ErrBusy)
	}
	a.jobSeq++
	j := &job{
		snap: Job{ID: "job-" + strconv.Itoa(a.jobSeq), Request: req, Scheduled: scheduled, State: StateRunning, Started: a.clock.Now().UTC()},
		cancel: func() {
			stop()
			cancel()
		},
		done: make(chan struct{}),
	}
	a.jobs[j.snap.ID] = j
	a.busy[key] = j.snap.ID
	a.wg.Add(1) // under a.mu with closed false, so never after Close's Wait began
	return j, ctx, nil
}

// runJob runs a registered job to its end on this goroutine.
func (a *App) runJob(ctx context.Context, j *job) (SyncResult, error) {
	defer a.wg.Done()
	defer j.cancel()
	a.publish(Event{Kind: JobStarted, Server: j.snap.Request.Server, Collection: j.snap.Request.Collection, Job: a.jobSnapshot(j, nil)})
	res, err := a.sync(ctx, j.snap.Request, func(p Progress) {
		snap := a.jobSnapshot(j, func(s *Job) {
			s.Progress = p
			s.State = StateRunning
			if p.Waiting {
				s.State = StateWaiting
			}
		})
		a.publish(Event{Kind: JobProgress, Server: snap.Request.Server, Collection: snap.Request.Collection, Job: snap})
	})
	kind := JobFinished
	snap := a.jobSnapshot(j, func(s *Job) {
		s.Ended = a.clock.Now().UTC()
		s.Result = &res
		s.Progress.Parts, s.Progress.Blocks, s.Progress.Bytes = res.Parts, res.Blocks, res.Bytes
		s.Progress.New, s.Progress.Known, s.Progress.RecordCount = res.New, res.Known, res.RecordCount
		s.Progress.Waiting, s.Progress.Remaining, s.Progress.WaitTotal = false, 0, 0
		switch {
		case err == nil:
			s.State = StateDone
		case errors.Is(err, context.Canceled):
			s.State, s.Err, s.Error = StateCanceled, err, Explain(err)
			kind = JobFailed
		default:
			s.State, s.Err, s.Error = StateFailed, err, Explain(err)
			kind = JobFailed
		}
	})
	a.mu.Lock()
	delete(a.busy, pair{j.snap.Request.Server, j.snap.Request.Collection})
	a.pruneJobsLocked()
	a.mu.Unlock()
	close(j.done)
	if err == nil || !errors.Is(err, context.Canceled) {
		a.recordStatus(a.ctx, j.snap.Request.Server, connError(err))
	}
	a.publish(Event{Kind: kind, Server: snap.Request.Server, Collection: snap.Request.Collection, Job: snap})
	return res, err
}

// connError keeps the errors that say something about the connection.
func connError(err error) error {
	var ve *ValidationError
	if err == nil || errors.Is(err, ErrNotFound) || errors.As(err, &ve) {
		return nil
	}
	return err
}

// jobSnapshot applies change to the job under the lock and returns a copy.
func (a *App) jobSnapshot(j *job, change func(*Job)) *Job {
	a.mu.Lock()
	defer a.mu.Unlock()
	if change != nil {
		change(&j.snap)
	}
	s := j.snap
	return &s
}

func (a *App) pruneJobsLocked() {
	var ended []*job
	for _, j := range a.jobs {
		if j.snap.State.Final() {
			ended = append(ended, j)
		}
	}
	if len(ended) <= keepFinished {
		return
	}
	slices.SortFunc(ended, func(x, y *job) int { return x.snap.Ended.Compare(y.snap.Ended) })
	for _, j := range ended[:len(ended)-keepFinished] {
		delete(a.jobs, j.snap.ID)
	}
}

// Jobs lists running and recently ended jobs, oldest first.
func (a *App) Jobs() []Job {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]Job, 0, len(a.jobs))
	for _, j := range a.jobs {
		out = append(out, j.snap)
	}
	slices.SortFunc(out, func(x, y Job) int {
		if c := x.Started.Compare(y.Started); c != 0 {
			return c
		}
		return jobNum(x.ID) - jobNum(y.ID)
	})
	return out
}

func jobNum(id string) int {
	n, _ := strconv.Atoi(id[len("job-"):])
	return n
}

// GetJob returns a job's snapshot.
func (a *App) GetJob(id string) (Job, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	j, ok := a.jobs[id]
	if !ok {
		return Job{}, fmt.Errorf("app: no job %q: %w", id, ErrNotFound)
	}
	return j.snap, nil
}

// CancelJob cancels a running job; it ends soon after as StateCanceled, with
// the cursor where the last completely stored result left it. Cancelling an
// ended job does nothing.
func (a *App) CancelJob(id string) error {
	a.mu.Lock()
	j, ok := a.jobs[id]
	a.mu.Unlock()
	if !ok {
		return fmt.Errorf("app: no job %q: %w", id, ErrNotFound)
	}
	j.cancel()
	return nil
}

// WaitJob waits until a job ends (or ctx does) and returns its final snapshot.
func (a *App) WaitJob(ctx context.Context, id string) (Job, error) {
	a.mu.Lock()
	j, ok := a.jobs[id]
	a.mu.Unlock()
	if !ok {
		return Job{}, fmt.Errorf("app: no job %q: %w", id, ErrNotFound)
	}
	select {
	case <-j.done:
		return *a.jobSnapshot(j, nil), nil
	case <-ctx.Done():
		return Job{}, ctx.Err()
	}
}
