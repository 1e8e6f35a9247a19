package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/taxii"
	"github.com/taxii-workstation/taxii-workstation/taxii/taxiitest"
)

func cursorOf(t *testing.T, ra *realApp, coll string) (time.Time, bool) {
	t.Helper()
	c, ok, err := ra.CursorOf(context.Background(), "hub", coll)
	if err != nil {
		t.Fatal(err)
	}
	return c.Label, ok
}

// lastPoll returns the last Poll_Request the server received.
func lastPoll(t *testing.T, srv *taxiitest.Server) *taxii.PollRequest {
	t.Helper()
	reqs := srv.Requests()
	for i := len(reqs) - 1; i >= 0; i-- {
		if pr, ok := reqs[i].Message.(*taxii.PollRequest); ok {
			return pr
		}
	}
	t.Fatal("the server received no poll request")
	return nil
}

func TestSyncMultiPartThenNothingNew(t *testing.T) {
	ctx := context.Background()
	ra := newRealApp(t, nil)
	srv := ra.serve(t, taxiitest.Options{}, taxiitest.Collection{Name: "feed", Blocks: 25, PartSize: 10})

	res, err := ra.Sync(ctx, app.SyncRequest{Server: "hub", Collection: "feed", Mode: app.SinceLast})
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 25 || res.Known != 0 || res.Parts != 3 || res.Blocks != 25 || res.Bytes == 0 {
		t.Errorf("first sync = %+v, want 25 new in 3 parts", res)
	}
	if res.RecordCount == nil || res.RecordCount.Count != 25 {
		t.Errorf("record count = %+v, want 25", res.RecordCount)
	}
	if !res.CursorMoved || !res.Cursor.Equal(label(24)) {
		t.Errorf("cursor = %v moved=%v, want %v (the last part's end)", res.Cursor, res.CursorMoved, label(24))
	}
	if got := count(t, ra, "hub", "feed"); got != 25 {
		t.Errorf("cached %d blocks, want 25", got)
	}
	if pr := lastPoll(t, srv); pr.ExclusiveBegin != nil {
		t.Errorf("first since-last sync sent begin %v, want none", pr.ExclusiveBegin)
	}

	res, err = ra.Sync(ctx, app.SyncRequest{Server: "hub", Collection: "feed", Mode: app.SinceLast})
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 0 || res.Blocks != 0 {
		t.Errorf("second sync = %+v, want nothing new", res)
	}
	if pr := lastPoll(t, srv); pr.ExclusiveBegin == nil || !pr.ExclusiveBegin.Time.Equal(label(24)) {
		t.Errorf("second sync began at %v, want the cursor %v", pr.ExclusiveBegin, label(24))
	}

	// The server grows: since-last asks from the cursor and gets only the new blocks.
	srv.AddCollection(taxiitest.Collection{Name: "feed", Blocks: 32, PartSize: 10})
	res, err = ra.Sync(ctx, app.SyncRequest{Server: "hub", Collection: "feed", Mode: app.SinceLast})
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 7 || res.Known != 0 || !res.Cursor.Equal(label(31)) {
		t.Errorf("third sync = %+v, want 7 new, cursor %v", res, label(31))
	}

	// Everything again: all known, nothing new (idempotent by content hash).
	res, err = ra.Sync(ctx, app.SyncRequest{Server: "hub", Collection: "feed", Mode: app.Everything})
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 0 || res.Known != 32 {
		t.Errorf("everything = %+v, want 32 known", res)
	}
	st, err := ra.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Blocks != 32 {
		t.Errorf("stats blocks = %d, want 32", st.Blocks)
	}
}

func TestSyncWindow(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name        string
		before      int // blocks synced since-last first (sets the cursor to label(before-1))
		begin, end  time.Time
		wantNew     int
		wantMoved   bool
		wantCursor  time.Time
		wantHasCurs bool
	}{
		{name: "window ahead of a missing cursor leaves none", begin: label(9), end: label(14), wantNew: 5},
		{name: "gap after the cursor does not move it", before: 5, begin: label(9), end: label(14), wantNew: 5, wantCursor: label(4), wantHasCurs: true},
		{name: "contiguous window moves it", before: 5, begin: label(2), end: label(14), wantNew: 10, wantMoved: true, wantCursor: label(14), wantHasCurs: true},
		{name: "open begin moves it to the end", end: label(7), wantNew: 8, wantMoved: true, wantCursor: label(7), wantHasCurs: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ra := newRealApp(t, nil)
			srv := ra.serve(t, taxiitest.Options{}, taxiitest.Collection{Name: "feed", Blocks: 5, PartSize: 3})
			if tc.before > 0 {
				if _, err := ra.Sync(ctx, app.SyncRequest{Server: "hub", Collection: "feed", Mode: app.SinceLast}); err != nil {
					t.Fatal(err)
				}
			}
			srv.AddCollection(taxiitest.Collection{Name: "feed", Blocks: 30, PartSize: 3})
			res, err := ra.Sync(ctx, app.SyncRequest{Server: "hub", Collection: "feed", Mode: app.Window, Begin: tc.begin, End: tc.end})
			if err != nil {
				t.Fatal(err)
			}
			pr := lastPoll(t, srv)
			if !tc.begin.IsZero() && (pr.ExclusiveBegin == nil || !pr.ExclusiveBegin.Time.Equal(tc.begin)) {
				t.Errorf("begin sent = %v, want %v", pr.ExclusiveBegin, tc.begin)
			}
			if pr.InclusiveEnd == nil || !pr.InclusiveEnd.Time.Equal(tc.end) {
				t.Errorf("end sent = %v, want %v", pr.InclusiveEnd, tc.end)
			}
			if res.New != tc.wantNew || res.CursorMoved != tc.wantMoved {
				t.Errorf("result = %+v, want %d new, moved=%v", res, tc.wantNew, tc.wantMoved)
			}
			got, ok := cursorOf(t, ra, "feed")
			if ok != tc.wantHasCurs || !got.Equal(tc.wantCursor) {
				t.Errorf("cursor = %v (set %v), want %v (set %v)", got, ok, tc.wantCursor, tc.wantHasCurs)
			}
		})
	}
}

func TestSyncCountOnly(t *testing.T) {
	ctx := context.Background()
	ra := newRealApp(t, nil)
	srv := ra.serve(t, taxiitest.Options{}, taxiitest.Collection{Name: "feed", Blocks: 42, PartSize: 10})
	res, err := ra.Sync(ctx, app.SyncRequest{Server: "hub", Collection: "feed", Mode: app.SinceLast, CountOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.RecordCount == nil || res.RecordCount.Count != 42 || res.New != 0 || res.Blocks != 0 || res.CursorMoved {
		t.Errorf("count only = %+v (record count %+v), want 42 records and nothing stored", res, res.RecordCount)
	}
	if pr := lastPoll(t, srv); pr.Parameters == nil || pr.Parameters.ResponseType != taxii.ResponseCountOnly {
		t.Errorf("request parameters = %+v, want COUNT_ONLY", pr.Parameters)
	}
	if _, ok := cursorOf(t, ra, "feed"); ok {
		t.Error("COUNT_ONLY set a cursor")
	}
	if n := count(t, ra, "hub", "feed"); n != 0 {
		t.Errorf("COUNT_ONLY cached %d blocks", n)
	}
}

func TestSyncPending(t *testing.T) {
	ctx := context.Background()
	ra := newRealApp(t, nil)
	ra.serve(t, taxiitest.Options{}, taxiitest.Collection{Name: "slow", Blocks: 4, Pending: 1, EstimatedWait: 1})
	res, err := ra.Sync(ctx, app.SyncRequest{Server: "hub", Collection: "slow", Mode: app.SinceLast})
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 4 || !res.Cursor.Equal(label(3)) {
		t.Errorf("result = %+v, want 4 new and cursor %v", res, label(3))
	}
	var waited bool
	for _, ev := range ra.events.all() {
		if ev.Kind == app.JobProgress && ev.Job.State == app.StateWaiting && ev.Job.Progress.Waiting && ev.Job.Progress.WaitTotal == time.Second {
			waited = true
		}
	}
	if !waited {
		t.Errorf("no waiting progress event with a 1s countdown; events %v", kinds(ra.events.all()))
	}
}

func TestCancelMidSyncLeavesCursor(t *testing.T) {
	ctx := context.Background()
	ra := newRealApp(t, nil)
	srv := ra.serve(t, taxiitest.Options{}, taxiitest.Collection{Name: "feed", Blocks: 30, PartSize: 10})
	srv.Script(taxiitest.Step{Kind: "PollFulfillmentRequest", Fault: taxiitest.Stall})

	id, err := ra.StartSync(app.SyncRequest{Server: "hub", Collection: "feed", Mode: app.SinceLast})
	if err != nil {
		t.Fatal(err)
	}
	// Cancel once the first part is stored and the request for the second
	// one (which stalls) reached the server.
	ra.events.waitFor(t, 0, func(ev app.Event) bool {
		return ev.Kind == app.JobProgress && ev.Job.ID == id && ev.Job.Progress.Parts == 1
	})
	eventually(t, func() bool { return srv.Count("PollFulfillmentRequest") == 1 })
	if err := ra.CancelJob(id); err != nil {
		t.Fatal(err)
	}
	j, err := ra.WaitJob(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if j.State != app.StateCanceled || !errors.Is(j.Err, context.Canceled) {
		t.Errorf("job = %s (%v), want canceled", j.State, j.Err)
	}
	if _, ok := cursorOf(t, ra, "feed"); ok {
		t.Error("a cancelled sync moved the cursor")
	}
	if n := count(t, ra, "hub", "feed"); n != 10 {
		t.Errorf("cached %d blocks after cancel, want the first part's 10", n)
	}

	// Resume: the next sync asks from the old (no) cursor; the first part is known.
	res, err := ra.Sync(ctx, app.SyncRequest{Server: "hub", Collection: "feed", Mode: app.SinceLast})
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 20 || res.Known != 10 || !res.Cursor.Equal(label(29)) {
		t.Errorf("resumed sync = %+v, want 20 new, 10 known, cursor %v", res, label(29))
	}
}

func TestSyncLoopingServerKeepsCursor(t *testing.T) {
	ctx := context.Background()
	ra := newRealApp(t, nil)
	ra.serve(t, taxiitest.Options{}, taxiitest.Collection{Name: "loop", Blocks: 20, PartSize: 5, Misbehave: taxiitest.RepeatPartContent})
	_, err := ra.Sync(ctx, app.SyncRequest{Server: "hub", Collection: "loop", Mode: app.SinceLast})
	if !errors.Is(err, taxii.ErrPollLoop) {
		t.Fatalf("err = %v, want ErrPollLoop", err)
	}
	if _, ok := cursorOf(t, ra, "loop"); ok {
		t.Error("an unfinished result moved the cursor")
	}
	if app.Explain(err) == "" {
		t.Error("no words for the loop")
	}
}

func TestSyncBusyAndUnknown(t *testing.T) {
	ra := newRealApp(t, nil)
	srv := ra.serve(t, taxiitest.Options{}, taxiitest.Collection{Name: "feed", Blocks: 3})
	srv.Script(taxiitest.Step{Kind: "PollRequest", Fault: taxiitest.Stall})
	id, err := ra.StartSync(app.SyncRequest{Server: "hub", Collection: "feed", Mode: app.SinceLast})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, func() bool { return srv.Pending() == 0 }) // the stalled poll is in flight
	if _, err := ra.StartSync(app.SyncRequest{Server: "hub", Collection: "feed", Mode: app.Everything}); !errors.Is(err, app.ErrBusy) {
		t.Errorf("second sync of a busy collection: err = %v, want ErrBusy", err)
	}
	if err := ra.CancelJob(id); err != nil {
		t.Fatal(err)
	}
	if _, err := ra.WaitJob(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if _, err := ra.StartSync(app.SyncRequest{Server: "nobody", Collection: "feed", Mode: app.SinceLast}); err != nil {
		t.Fatal(err) // accepted; it fails in the job
	}
	ev, _ := ra.events.waitFor(t, 0, func(ev app.Event) bool {
		return ev.Kind == app.JobFailed && ev.Server == "nobody"
	})
	if !errors.Is(ev.Job.Err, app.ErrNotFound) {
		t.Errorf("unknown server: %v, want ErrNotFound", ev.Job.Err)
	}
	for _, bad := range []app.SyncRequest{
		{Server: "hub", Mode: app.SinceLast},
		{Server: "hub", Collection: "feed", Mode: "sometimes"},
		{Server: "hub", Collection: "feed", Mode: app.Window, Begin: label(5), End: label(1)},
		{Server: "hub", Collection: "feed", Mode: app.SinceLast, Begin: label(5)},
	} {
		if _, err := ra.StartSync(bad); err == nil {
			t.Errorf("StartSync(%+v) accepted", bad)
		}
	}
}

func TestCancelDuringPending(t *testing.T) {
	ra := newRealApp(t, nil)
	ra.serve(t, taxiitest.Options{}, taxiitest.Collection{Name: "slow", Blocks: 4, Pending: 1, EstimatedWait: 300})
	id, err := ra.StartSync(app.SyncRequest{Server: "hub", Collection: "slow", Mode: app.SinceLast})
	if err != nil {
		t.Fatal(err)
	}
	ev, _ := ra.events.waitFor(t, 0, func(ev app.Event) bool {
		return ev.Kind == app.JobProgress && ev.Job.ID == id && ev.Job.State == app.StateWaiting
	})
	if ev.Job.Progress.WaitTotal != 300*time.Second || ev.Job.Progress.Remaining <= 0 {
		t.Errorf("countdown = %v of %v, want 300s total", ev.Job.Progress.Remaining, ev.Job.Progress.WaitTotal)
	}
	if err := ra.CancelJob(id); err != nil {
		t.Fatal(err)
	}
	j, err := ra.WaitJob(context.Background(), id)
	if err != nil || j.State != app.StateCanceled {
		t.Fatalf("job = %+v, %v", j, err)
	}
	if _, ok := cursorOf(t, ra, "slow"); ok || count(t, ra, "hub", "slow") != 0 {
		t.Error("a sync cancelled while pending stored something or moved the cursor")
	}
}
