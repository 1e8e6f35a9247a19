package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/app/apptest"
)

// newTestPanel is an activity panel alone in a window, driven by events
// the test makes up, with a clock the test moves.
func newTestPanel(t *testing.T) (*activityPanel, *time.Time, *[]string) {
	p, now, notes, _ := newTestPanelWindow(t)
	return p, now, notes
}

func newTestPanelWindow(t *testing.T) (*activityPanel, *time.Time, *[]string, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	core, _ := apptest.NewApp(t)
	var notes []string
	env := &viewEnv{core: core, notify: func(title, content string) { notes = append(notes, title+": "+content) }}
	work := &viewTasks{}
	work.useManual()
	p := newActivityPanel(env, work)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p.now = func() time.Time { return now }
	w := test.NewTempWindow(t, p)
	w.Resize(fyne.NewSize(900, 400))
	return p, &now, &notes, w
}

func jobEvent(kind app.EventKind, j app.Job) app.Event {
	return app.Event{Kind: kind, Server: j.Request.Server, Collection: j.Request.Collection, Job: &j}
}

func TestActivityShowsPendingCountdown(t *testing.T) {
	p, _, _, w := newTestPanelWindow(t)
	j := app.Job{ID: "job-1", State: app.StateRunning, Request: app.SyncRequest{Server: "ISAC", Collection: "big", Mode: app.Everything}}
	p.handle(jobEvent(app.JobStarted, j))
	j.State = app.StateWaiting
	j.Progress = app.Progress{Waiting: true, Remaining: 272 * time.Second, WaitTotal: 300 * time.Second}
	p.handle(jobEvent(app.JobProgress, j))
	p.work.wait()
	got := texts(p)
	if !strings.Contains(got, "The server is preparing the result: asking again in 4:32 (of 5:00)") || !strings.Contains(got, "[Cancel]") {
		t.Errorf("waiting job shows:\n%s", got)
	}
	if r := activityRows(p)[0]; r.bar.Visible() || !r.spinner.Visible() {
		t.Error("a job without a record count shows a determinate bar")
	}
	test.AssertRendersToMarkup(t, "activity_pending.xml", w.Canvas())
}

func TestActivityCoalescesProgress(t *testing.T) {
	p, now, notes := newTestPanel(t)
	j := app.Job{ID: "job-1", State: app.StateRunning, Request: app.SyncRequest{Server: "ISAC", Collection: "big", Mode: app.SinceLast}}
	p.handle(jobEvent(app.JobStarted, j))
	before := p.redraws
	for i := 1; i <= 10000; i++ {
		j.Progress = app.Progress{Parts: i, Blocks: i, Bytes: int64(i) * 300, RecordCount: &app.RecordCount{Count: 10000}}
		p.handle(jobEvent(app.JobProgress, j))
		if i%1000 == 0 {
			*now = now.Add(10 * time.Millisecond) // 10,000 events in 100 ms
		}
	}
	p.work.wait()
	if n := p.redraws - before; n > 3 {
		t.Errorf("10,000 progress events caused %d redraws, want at most 3", n)
	}
	if got := texts(p); !strings.Contains(got, "10,000 parts · 10,000 blocks of 10,000 · 2.9 MiB") {
		t.Errorf("after the last redraw the panel shows:\n%s", got)
	}
	j.State = app.StateDone
	p.handle(jobEvent(app.JobFinished, j))
	if got := texts(p); !strings.Contains(got, "Done: ") {
		t.Errorf("the end is not drawn at once:\n%s", got)
	}
	if len(*notes) != 1 {
		t.Errorf("notifications = %q", *notes)
	}
}

func TestActivityKeepsRecentEndedJobsAndClears(t *testing.T) {
	p, _, _ := newTestPanel(t)
	running := app.Job{ID: "job-0", State: app.StateRunning, Request: app.SyncRequest{Server: "S", Collection: "c0", Mode: app.SinceLast}}
	p.handle(jobEvent(app.JobStarted, running))
	for i := 1; i <= keepEnded+5; i++ {
		j := app.Job{ID: "job-" + thousands(i), State: app.StateDone, Request: app.SyncRequest{Server: "S", Collection: "c", Mode: app.SinceLast}}
		p.handle(jobEvent(app.JobFinished, j))
	}
	if len(p.items) != keepEnded+1 {
		t.Errorf("listed %d jobs, want %d ended and the running one", len(p.items), keepEnded)
	}
	test.Tap(p.clear)
	if len(p.items) != 1 || p.items[0].ID != "job-0" {
		t.Errorf("after Clear finished: %v", p.items)
	}
}

func TestJobStatusWords(t *testing.T) {
	rc := &app.RecordCount{Count: 1200}
	for _, tc := range []struct {
		name string
		job  app.Job
		want string
	}{
		{"asking", app.Job{State: app.StateRunning}, "Asking the server…"},
		{"one part", app.Job{State: app.StateRunning, Progress: app.Progress{Parts: 1, Blocks: 3, Bytes: 2048}}, "1 part · 3 blocks · 2.0 KiB"},
		{"partial count", app.Job{State: app.StateRunning, Progress: app.Progress{Parts: 2, Blocks: 200, Bytes: 10, RecordCount: &app.RecordCount{Count: 5000, Partial: true}}}, "2 parts · 200 blocks of at least 5,000 · 10 B"},
		{"done", app.Job{State: app.StateDone, Progress: app.Progress{Parts: 3, Blocks: 1200, Bytes: 3 << 20, New: 1000, Known: 200, RecordCount: rc},
			Result: &app.SyncResult{CursorMoved: true, Cursor: time.Date(2026, 2, 3, 4, 5, 0, 0, time.UTC)}},
			"Done: 1,000 new, 200 already cached · 3 parts · 1,200 blocks of 1,200 · 3.0 MiB · cached up to 2026-02-03 04:05 UTC"},
		{"count", app.Job{State: app.StateDone, Request: app.SyncRequest{CountOnly: true}, Progress: app.Progress{RecordCount: &app.RecordCount{Count: 1}}}, "Done: 1 record"},
		{"count unknown", app.Job{State: app.StateDone, Request: app.SyncRequest{CountOnly: true}}, "Done: the server did not say how many records there are"},
		{"failed", app.Job{State: app.StateFailed, Error: "The server refused the request."}, "Failed: The server refused the request."},
	} {
		if got := jobStatus(tc.job); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestJobFraction(t *testing.T) {
	for _, tc := range []struct {
		job  app.Job
		f    float64
		ok   bool
		name string
	}{
		{app.Job{State: app.StateRunning}, 0, false, "no count"},
		{app.Job{State: app.StateRunning, Progress: app.Progress{Blocks: 25, RecordCount: &app.RecordCount{Count: 100}}}, 0.25, true, "quarter"},
		{app.Job{State: app.StateRunning, Progress: app.Progress{Blocks: 25, RecordCount: &app.RecordCount{Count: 100, Partial: true}}}, 0, false, "lower bound"},
		{app.Job{State: app.StateRunning, Progress: app.Progress{Blocks: 250, RecordCount: &app.RecordCount{Count: 100}}}, 1, true, "more than said"},
		{app.Job{State: app.StateDone}, 1, true, "ended"},
	} {
		if f, ok := jobFraction(tc.job); f != tc.f || ok != tc.ok {
			t.Errorf("%s: %v %v, want %v %v", tc.name, f, ok, tc.f, tc.ok)
		}
	}
}

func TestScheduledPollsNotifyOnlyWhenSomethingHappened(t *testing.T) {
	for _, tc := range []struct {
		name string
		job  app.Job
		want bool
	}{
		{"by hand, nothing new", app.Job{State: app.StateDone}, true},
		{"scheduled, nothing new", app.Job{Scheduled: true, State: app.StateDone}, false},
		{"scheduled, new blocks", app.Job{Scheduled: true, State: app.StateDone, Progress: app.Progress{New: 3}}, true},
		{"scheduled, failed", app.Job{Scheduled: true, State: app.StateFailed}, true},
	} {
		if got := worthNotifying(tc.job); got != tc.want {
			t.Errorf("%s: notify = %v", tc.name, got)
		}
	}
}
