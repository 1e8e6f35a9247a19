package app_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/taxii"
)

func TestEventsInOrder(t *testing.T) {
	a, f := newFakeApp(t)
	f.Client.PartSize = 2
	f.Client.ServerTime = func() time.Time { return time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC) }
	f.Client.Add("feed", blocks("b", 5)...)
	log := newEventLog()
	defer a.Subscribe(log.add)()

	res, err := a.Sync(context.Background(), app.SyncRequest{Server: "hub", Collection: "feed", Mode: app.SinceLast})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Cursor.Equal(f.Client.ServerTime()) {
		t.Errorf("cursor = %v, want the server's end timestamp %v (not the newest label, not our clock)", res.Cursor, f.Client.ServerTime())
	}
	evs := log.all()
	want := "job-started server-info cache-changed job-progress cache-changed job-progress cache-changed job-progress connection-status job-finished"
	if got := strings.Join(kinds(evs), " "); got != want {
		t.Fatalf("events:\n got %s\nwant %s", got, want)
	}
	var parts, blocks []int
	for _, ev := range evs {
		if ev.Kind == app.JobProgress {
			parts = append(parts, ev.Job.Progress.Parts)
			blocks = append(blocks, ev.Job.Progress.Blocks)
		}
		if ev.Job != nil && (ev.Job.Request.Collection != "feed" || ev.Server != "hub") {
			t.Errorf("event %v names %s/%s", ev.Kind, ev.Server, ev.Job.Request.Collection)
		}
	}
	if !slices.Equal(parts, []int{1, 2, 3}) || !slices.Equal(blocks, []int{2, 4, 5}) {
		t.Errorf("progress parts %v blocks %v, want 1,2,3 and 2,4,5", parts, blocks)
	}
	last := evs[len(evs)-1].Job
	if last.State != app.StateDone || last.Result == nil || last.Result.New != 5 || last.Progress.New != 5 || last.Ended.IsZero() {
		t.Errorf("final job = %+v", last)
	}
}

func TestNewestLabelWhenNoEnd(t *testing.T) {
	a, f := newFakeApp(t)
	f.Client.PartSize = 2
	f.Client.Add("feed", blocks("b", 5)...) // ServerTime nil: the server sends no end timestamp
	f.Clock.Advance(1000 * time.Hour)       // our clock is far ahead; it must not be used
	res, err := a.Sync(context.Background(), app.SyncRequest{Server: "hub", Collection: "feed", Mode: app.SinceLast})
	if err != nil {
		t.Fatal(err)
	}
	if want := blocks("b", 5)[4].TimestampLabel.Time; !res.Cursor.Equal(want) {
		t.Errorf("cursor = %v, want the newest label %v", res.Cursor, want)
	}
}

func TestTimestampPrecision(t *testing.T) {
	ctx := context.Background()
	a, f := newFakeAppWithPrecision(t, app.PrecisionSeconds)
	f.Client.Add("feed", blockAt("x", time.Date(2026, 3, 1, 10, 0, 0, 750_000_000, time.UTC)))
	if _, err := a.Sync(ctx, app.SyncRequest{Server: "hub", Collection: "feed", Mode: app.SinceLast}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Sync(ctx, app.SyncRequest{Server: "hub", Collection: "feed", Mode: app.SinceLast}); err != nil {
		t.Fatal(err)
	}
	polls := f.Client.Polls()
	if got := polls[1].ExclusiveBegin; got == nil || !got.Time.Equal(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("begin sent = %v, want the cursor rounded down to the second", got)
	}
}

func TestConcurrentSyncs(t *testing.T) {
	ctx := context.Background()
	a, f := newFakeApp(t)
	f.Client.Add("slow", blocks("s", 3)...)
	f.Client.Add("fast", blocks("f", 4)...)
	release := make(chan struct{})
	entered := make(chan struct{})
	f.Client.BeforePart = func(ctx context.Context, coll string, part int) error {
		if coll != "slow" {
			return nil
		}
		close(entered)
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	slow, err := a.StartSync(app.SyncRequest{Server: "hub", Collection: "slow", Mode: app.SinceLast})
	if err != nil {
		t.Fatal(err)
	}
	<-entered // the slow sync is in flight
	if _, err := a.StartSync(app.SyncRequest{Server: "hub", Collection: "slow", Mode: app.SinceLast}); !errors.Is(err, app.ErrBusy) {
		t.Errorf("second sync of slow: %v, want ErrBusy", err)
	}
	// Another collection syncs to the end while slow is still running.
	res, err := a.Sync(ctx, app.SyncRequest{Server: "hub", Collection: "fast", Mode: app.SinceLast})
	if err != nil || res.New != 4 {
		t.Fatalf("fast = %+v, %v", res, err)
	}
	running := 0
	for _, j := range a.Jobs() {
		if j.State == app.StateRunning {
			running++
			if j.Request.Collection != "slow" {
				t.Errorf("running job %+v", j)
			}
		}
	}
	if running != 1 {
		t.Errorf("%d running jobs, want slow only: %+v", running, a.Jobs())
	}
	close(release)
	j, err := a.WaitJob(ctx, slow)
	if err != nil {
		t.Fatal(err)
	}
	if j.State != app.StateDone || j.Result.New != 3 {
		t.Errorf("slow job = %+v", j)
	}
	if js := a.Jobs(); len(js) != 2 || js[0].ID != slow {
		t.Errorf("jobs = %+v, want slow then fast", js)
	}
}

func TestCloseCancelsJobs(t *testing.T) {
	a, f := newFakeApp(t)
	f.Client.Add("feed", blocks("b", 2)...)
	entered := make(chan struct{})
	f.Client.BeforePart = func(ctx context.Context, _ string, _ int) error {
		close(entered)
		<-ctx.Done()
		return ctx.Err()
	}
	id, err := a.StartSync(app.SyncRequest{Server: "hub", Collection: "feed", Mode: app.SinceLast})
	if err != nil {
		t.Fatal(err)
	}
	<-entered
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	j, err := a.GetJob(id)
	if err != nil || j.State != app.StateCanceled {
		t.Errorf("job after Close = %+v, %v", j, err)
	}
	if _, err := a.StartSync(app.SyncRequest{Server: "hub", Collection: "feed", Mode: app.SinceLast}); !errors.Is(err, app.ErrClosed) {
		t.Errorf("StartSync after Close: %v", err)
	}
}

func TestStoreFailureKeepsCursor(t *testing.T) {
	a, f := newFakeApp(t)
	f.Client.PartSize = 2
	f.Client.Add("feed", blocks("b", 5)...)
	commits := 0
	f.Store.CommitHook = func(_, _ string, _ []app.NewBlock, _ time.Time) error {
		if commits++; commits == 3 {
			return errors.New("disk full")
		}
		return nil
	}
	_, err := a.Sync(context.Background(), app.SyncRequest{Server: "hub", Collection: "feed", Mode: app.SinceLast})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err = %v, want the store's failure", err)
	}
	if _, ok, _ := a.CursorOf(context.Background(), "hub", "feed"); ok {
		t.Error("the cursor moved although the final part was not stored")
	}
	if n := count(t, a, "hub", "feed"); n != 4 {
		t.Errorf("%d blocks stored, want the first two parts' 4", n)
	}
}

func TestScheduledSync(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, f := newFakeApp(t)
	f.Client.Add("feed", blocks("b", 2)...)
	log := newEventLog()
	defer a.Subscribe(log.add)()

	if err := a.SetSchedule(ctx, "hub", "feed", time.Second); err == nil {
		t.Error("a one-second schedule was accepted")
	}
	if err := a.SetSchedule(ctx, "hub", "feed", time.Hour); err != nil {
		t.Fatal(err)
	}
	runErr := make(chan error, 1)
	go func() { runErr <- a.Run(ctx) }()

	if err := f.Clock.WaitForWaiters(ctx, 1); err != nil {
		t.Fatal(err)
	}
	f.Clock.Advance(time.Hour)
	ev, i := log.waitFor(t, 0, isJobEnd(""))
	if ev.Kind != app.JobFinished || !ev.Job.Scheduled || ev.Job.Result.New != 2 {
		t.Fatalf("first scheduled sync = %+v", ev.Job)
	}

	// The loop waits again; new content arrives; the next turn fetches only it.
	f.Client.Add("feed", blockAt("late", startTime().Add(time.Hour)))
	if err := f.Clock.WaitForWaiters(ctx, 1); err != nil {
		t.Fatal(err)
	}
	f.Clock.Advance(time.Hour)
	ev, i = log.waitFor(t, i+1, isJobEnd(""))
	if ev.Kind != app.JobFinished || ev.Job.Result.New != 1 || ev.Job.Result.Known != 0 {
		t.Fatalf("second scheduled sync = %+v", ev.Job.Result)
	}

	// Changing the schedule while Run runs restarts the loop; zero removes it.
	if err := a.SetSchedule(ctx, "hub", "feed", 0); err != nil {
		t.Fatal(err)
	}
	if s, _ := a.Schedules(ctx); len(s) != 0 {
		t.Errorf("schedules after removal = %+v", s)
	}
	if err := a.SetSchedule(ctx, "hub", "feed", 2*time.Hour); err != nil {
		t.Fatal(err)
	}
	// The stopped loop's timer stays registered with the fake clock (as a
	// dropped time.After does); the new loop adds a second one.
	if err := f.Clock.WaitForWaiters(ctx, 2); err != nil {
		t.Fatal(err)
	}
	f.Clock.Advance(2 * time.Hour)
	ev, _ = log.waitFor(t, i+1, isJobEnd(""))
	if ev.Kind != app.JobFinished || !ev.Job.Scheduled {
		t.Fatalf("third scheduled sync = %+v", ev.Job)
	}

	cancel()
	if err := <-runErr; err != nil {
		t.Errorf("Run returned %v", err)
	}
	if n := len(f.Client.Polls()); n != 3 {
		t.Errorf("%d polls, want 3", n)
	}
}

func TestSubscriptions(t *testing.T) {
	ctx := context.Background()
	a, f := newFakeApp(t)
	f.Client.Add("feed")
	rec, err := a.SubscribeCollection(ctx, "hub", "feed", app.SubscribeOptions{InboxAddress: "https://me.example.org/inbox"})
	if err != nil {
		t.Fatal(err)
	}
	if rec.ID == "" || rec.Status != string(taxii.SubscriptionActive) || rec.InboxAddress != "https://me.example.org/inbox" {
		t.Errorf("subscribe = %+v", rec)
	}
	if rec, err = a.PauseSubscription(ctx, "hub", "feed", rec.ID); err != nil || rec.Status != string(taxii.SubscriptionPaused) {
		t.Errorf("pause = %+v, %v", rec, err)
	}
	recs, err := a.Subscriptions(ctx, "hub")
	if err != nil || len(recs) != 1 || recs[0].Status != string(taxii.SubscriptionPaused) || recs[0].InboxAddress == "" {
		t.Errorf("recorded = %+v, %v", recs, err)
	}
	if rec, err = a.ResumeSubscription(ctx, "hub", "feed", rec.ID); err != nil || rec.Status != string(taxii.SubscriptionActive) {
		t.Errorf("resume = %+v, %v", rec, err)
	}
	st, err := a.SubscriptionStatus(ctx, "hub", "feed", "")
	if err != nil || len(st) != 1 || st[0].ID != rec.ID {
		t.Errorf("status = %+v, %v", st, err)
	}
	if rec, err = a.Unsubscribe(ctx, "hub", "feed", rec.ID); err != nil || rec.Status != string(taxii.SubscriptionUnsubscribed) {
		t.Errorf("unsubscribe = %+v, %v", rec, err)
	}
	if _, err := a.PauseSubscription(ctx, "hub", "feed", "nope"); err == nil {
		t.Error("pausing an unknown subscription succeeded")
	}
	recs, _ = a.Subscriptions(ctx, "hub")
	if len(recs) != 1 || recs[0].Status != string(taxii.SubscriptionUnsubscribed) {
		t.Errorf("recorded after unsubscribe = %+v", recs)
	}
}

func TestPendingCountdownProgress(t *testing.T) {
	a, f := newFakeApp(t)
	f.Client.Add("feed", blocks("b", 1)...)
	f.Client.Countdown = []time.Duration{3 * time.Second, 2 * time.Second, time.Second}
	log := newEventLog()
	defer a.Subscribe(log.add)()
	if _, err := a.Sync(context.Background(), app.SyncRequest{Server: "hub", Collection: "feed", Mode: app.SinceLast}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range log.all() {
		if ev.Kind == app.JobProgress {
			p := ev.Job.Progress
			got = append(got, fmt.Sprintf("%s:%v/%v", ev.Job.State, p.Remaining, p.WaitTotal))
		}
	}
	want := "waiting:3s/3s waiting:2s/3s waiting:1s/3s running:0s/0s"
	if strings.Join(got, " ") != want {
		t.Errorf("progress = %v, want %s", got, want)
	}
}
