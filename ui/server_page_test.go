package ui

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/app/apptest"
	"github.com/taxii-workstation/taxii-workstation/taxii"
)

func addBlocks(f *srvFixture, collection string, n int) {
	for i := range n {
		f.fakes.Client.Add(collection, apptest.Block("Report "+thousands(i), apptest.Start().Add(time.Duration(i+1)*time.Minute)))
	}
}

func TestServerPageListsServicesAndCollections(t *testing.T) {
	f := newSrvFixture(t)
	pg := f.seedServer()
	if len(pg.services) != 4 {
		t.Fatalf("services = %v", pg.services)
	}
	var types []string
	for i := range pg.services {
		types = append(types, serviceCell(pg.services[i], 0))
	}
	slices.Sort(types)
	if strings.Join(types, ",") != "COLLECTION_MANAGEMENT,DISCOVERY,INBOX,POLL" {
		t.Errorf("service types = %v", types)
	}
	if got := serviceCell(pg.services[1], 1); got != apptest.PollURL {
		t.Errorf("poll address = %q", got)
	}
	if len(pg.cols) != 2 {
		t.Fatalf("collections = %v", pg.cols)
	}
	want := [][]string{
		{"indicators", "data feed", "yes", "STIX 1.2, STIX 1.1", "120/day", "never polled", "—", "0", ""},
		{"reports", "data set", "—", "any", "—", "never polled", "—", "0", ""},
	}
	for r, row := range want {
		for c, w := range row {
			if got := collectionCell(pg.cols[r], c); got != w {
				t.Errorf("collection %d column %q = %q, want %q", r, collectionColumns[c].title, got, w)
			}
		}
	}
	for _, b := range pg.actions {
		if !b.Disabled() {
			t.Errorf("%q is enabled with no collection selected", b.Text)
		}
	}
	f.selectCollection(pg, "indicators")
	for _, b := range pg.actions {
		if b.Disabled() {
			t.Errorf("%q is disabled with a collection selected", b.Text)
		}
	}
	test.AssertRendersToMarkup(t, "server_page.xml", f.win.Canvas())
}

func TestPollNowShowsProgressThenDone(t *testing.T) {
	f := newSrvFixture(t)
	addBlocks(f, "indicators", 25)
	f.fakes.Client.PartSize = 10
	paused, release := make(chan struct{}), make(chan struct{})
	f.fakes.Client.BeforePart = func(_ context.Context, _ string, part int) error {
		if part == 3 {
			close(paused)
			<-release
		}
		return nil
	}
	pg := f.seedServer()
	f.selectCollection(pg, "indicators")
	f.v.PollSelected() // F5
	<-paused
	f.wait() // the coalesced redraw
	got := texts(f.v.activity)
	if !strings.Contains(got, "ISAC / indicators (since last)") || !strings.Contains(got, "2 parts · 20 blocks of 25") || !strings.Contains(got, "[Cancel]") {
		t.Errorf("activity during the poll shows:\n%s", got)
	}
	if bar := activityRows(f.v.activity)[0].bar; !bar.Visible() || bar.Value != 0.8 {
		t.Errorf("progress bar visible %v at %v, want a determinate bar at 0.8", bar.Visible(), bar.Value)
	}
	if !strings.Contains(pg.note.Text, "progress is shown under Activity") {
		t.Errorf("page note = %q", pg.note.Text)
	}
	if got := collectionCell(pg.cols[0], 8); got != "polling…" {
		t.Errorf("status column during the poll = %q", got)
	}
	close(release)
	j := f.waitEnded()
	if j.State != app.StateDone || j.Progress.New != 25 {
		t.Fatalf("job = %+v", j)
	}
	got = texts(f.v.activity)
	if !strings.Contains(got, "Done: 25 new, 0 already cached · 3 parts · 25 blocks of 25") || !strings.Contains(got, "[Dismiss]") {
		t.Errorf("activity after the poll shows:\n%s", got)
	}
	if n := f.notifications(); len(n) != 1 || n[0] != "Poll finished: ISAC / indicators: 25 new blocks" {
		t.Errorf("notifications = %q", n)
	}
	c := pg.cols[0]
	if c.Cached != 25 || c.Cursor.IsZero() || c.Running != "" {
		t.Errorf("collection after the poll = %+v", c)
	}
	tapButton(t, f.v.activity, "Dismiss")
	if len(f.v.activity.items) != 0 {
		t.Errorf("dismissed job still listed")
	}
}

func TestCancelPollFromActivity(t *testing.T) {
	f := newSrvFixture(t)
	addBlocks(f, "indicators", 30)
	f.fakes.Client.PartSize = 10
	waiting := make(chan struct{})
	f.fakes.Client.BeforePart = func(ctx context.Context, _ string, part int) error {
		if part == 2 {
			close(waiting)
			<-ctx.Done()
			return ctx.Err()
		}
		return nil
	}
	pg := f.seedServer()
	f.selectCollection(pg, "indicators")
	tapButton(t, pg, actPollNow)
	<-waiting
	f.wait()
	tapButton(t, f.v.activity, "Cancel")
	j := f.waitEnded()
	if j.State != app.StateCanceled {
		t.Fatalf("job state = %s", j.State)
	}
	if got := texts(f.v.activity); !strings.Contains(got, "Cancelled after 10 new blocks") {
		t.Errorf("activity after cancel:\n%s", got)
	}
	if n := f.notifications(); len(n) != 1 || !strings.HasPrefix(n[0], "Poll cancelled") {
		t.Errorf("notifications = %q", n)
	}
	if !pg.cols[0].Cursor.IsZero() {
		t.Errorf("cursor moved by a cancelled poll: %v", pg.cols[0].Cursor)
	}
}

func TestCountOnlyStoresNothing(t *testing.T) {
	f := newSrvFixture(t)
	addBlocks(f, "indicators", 7)
	pg := f.seedServer()
	f.selectCollection(pg, "indicators")
	tapButton(t, pg, actCount)
	j := f.waitEnded()
	if j.State != app.StateDone || !j.Request.CountOnly {
		t.Fatalf("job = %+v", j)
	}
	if got := texts(f.v.activity); !strings.Contains(got, "(count only, since last)") || !strings.Contains(got, "Done: 7 records") {
		t.Errorf("activity:\n%s", got)
	}
	if n := f.notifications(); len(n) != 1 || n[0] != "Count finished: ISAC / indicators: 7 records" {
		t.Errorf("notifications = %q", n)
	}
	if c := pg.cols[0]; c.Cached != 0 || !c.Cursor.IsZero() {
		t.Errorf("count only stored or moved something: %+v", c)
	}
}

func TestPollFailureInWords(t *testing.T) {
	f := newSrvFixture(t)
	pg := f.seedServer()
	f.fakes.Client.BeforePart = func(context.Context, string, int) error {
		return &taxii.StatusError{Type: taxii.StatusUnauthorized, Message: "token expired"}
	}
	f.selectCollection(pg, "indicators")
	f.v.PollSelected()
	j := f.waitEnded()
	if j.State != app.StateFailed {
		t.Fatalf("state = %s", j.State)
	}
	if got := texts(f.v.activity); !strings.Contains(got, "Failed: "+j.Error) {
		t.Errorf("activity:\n%s", got)
	}
	if n := f.notifications(); len(n) != 1 || !strings.HasPrefix(n[0], "Poll failed: ISAC / indicators: ") {
		t.Errorf("notifications = %q", n)
	}
	tapButton(t, f.v.activity, "Details")
	top := f.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("Details opened nothing")
	}
	var raw string
	for _, o := range test.LaidOutObjects(top) {
		if e, ok := o.(*widget.Entry); ok {
			raw = e.Text
		}
	}
	if !strings.Contains(texts(top), j.Error) || !strings.Contains(raw, "token expired") {
		t.Errorf("details show %q and raw %q", texts(top), raw)
	}
}

func TestResetCursorAsksThenForgets(t *testing.T) {
	f := newSrvFixture(t)
	addBlocks(f, "indicators", 3)
	pg := f.seedServer()
	f.selectCollection(pg, "indicators")
	f.v.PollSelected()
	f.waitEnded()
	if pg.cols[0].Cursor.IsZero() {
		t.Fatal("no cursor after a poll")
	}
	tapButton(t, pg, actReset)
	if got := f.overlayTexts(); !strings.Contains(got, "Reset the cursor of indicators?") {
		t.Fatalf("confirmation = %q", got)
	}
	f.tapOverlayButton("Reset cursor")
	f.wait()
	if _, ok, err := f.core.CursorOf(context.Background(), "ISAC", "indicators"); ok || err != nil {
		t.Errorf("cursor still there (err %v)", err)
	}
	if got := collectionCell(pg.cols[0], 5); got != "never polled" {
		t.Errorf("cached up to = %q", got)
	}
	if pg.cols[0].Cached != 3 {
		t.Errorf("cached blocks after reset = %d, want them kept", pg.cols[0].Cached)
	}
}

func TestScheduleRejectsTooOftenThenSaves(t *testing.T) {
	f := newSrvFixture(t)
	pg := f.seedServer()
	f.selectCollection(pg, "indicators")
	tapButton(t, pg, actSchedule)
	for _, tc := range []struct{ text, problem string }{
		{"10s", "Poll at most once a minute"},
		{"soon", "is not an interval like 30m"},
	} {
		pg.schedEntry.SetText(tc.text)
		test.Tap(pg.schedSave)
		f.wait()
		if !pg.schedProblem.Visible() || !strings.Contains(pg.schedProblem.Text, tc.problem) {
			t.Errorf("schedule %q: problem = %q", tc.text, pg.schedProblem.Text)
		}
	}
	pg.schedEntry.SetText("1h")
	test.Tap(pg.schedSave)
	f.wait()
	s, err := f.core.Schedules(context.Background())
	if err != nil || len(s) != 1 || s[0].Every != time.Hour || s[0].Collection != "indicators" {
		t.Fatalf("schedules = %v, %v", s, err)
	}
	if got := collectionCell(pg.cols[0], 6); got != "every 1h" {
		t.Errorf("schedule column = %q", got)
	}
	if f.win.Canvas().Overlays().Top() != nil {
		t.Error("schedule dialog still open")
	}
}

func TestPollWindowDialogSendsTheWindowAndBindings(t *testing.T) {
	f := newSrvFixture(t)
	pg := f.seedServer()
	addBlocks(f, "indicators", 3)
	f.selectCollection(pg, "indicators")
	tapButton(t, pg, actWindow)
	d := pg.pollDlg
	if d == nil {
		t.Fatal("no poll dialog")
	}
	if !slices.Equal(d.bindings.Options, []string{"STIX 1.2", "STIX 1.1"}) {
		t.Errorf("bindings offered = %v", d.bindings.Options)
	}
	test.AssertRendersToMarkup(t, "poll_dialog.xml", f.win.Canvas())
	d.mode.SetSelected(pollFromDate)
	test.Tap(d.start)
	if !strings.Contains(d.problem.Text, "Give the date to poll from") {
		t.Errorf("problem without a date = %q", d.problem.Text)
	}
	test.Type(d.from, "2026-01-01")
	d.bindings.SetSelected([]string{"STIX 1.2"})
	test.Tap(d.start)
	j := f.waitEnded()
	if j.State != app.StateDone || j.Request.Mode != app.Window {
		t.Fatalf("job = %+v", j)
	}
	polls := f.fakes.Client.Polls()
	last := polls[len(polls)-1]
	if last.ExclusiveBegin == nil || !last.ExclusiveBegin.Time.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("begin sent = %v", last.ExclusiveBegin)
	}
	if last.Parameters == nil || len(last.Parameters.ContentBindings) != 1 || last.Parameters.ContentBindings[0].ID != taxii.ContentSTIX12 {
		t.Errorf("bindings sent = %+v", last.Parameters)
	}
}

func TestOpenInCacheAndPollWithoutSelection(t *testing.T) {
	f := newSrvFixture(t)
	pg := f.seedServer()
	f.v.PollSelected()
	if !strings.Contains(pg.note.Text, "Select a collection first") {
		t.Errorf("F5 without a collection says %q", pg.note.Text)
	}
	f.selectCollection(pg, "reports")
	tapButton(t, pg, actOpenCache)
	f.mu.Lock()
	shown := slices.Clone(f.shown)
	f.mu.Unlock()
	if !slices.Equal(shown, []string{ViewCache}) {
		t.Errorf("views shown = %v", shown)
	}
	var opened []string
	f.v.OpenInCache = func(server, collection string) { opened = append(opened, server+"/"+collection) }
	tapButton(t, pg, actOpenCache)
	if !slices.Equal(opened, []string{"ISAC/reports"}) {
		t.Errorf("opened in cache: %v", opened)
	}
}

func TestSecondPollOfSameCollectionSaysBusy(t *testing.T) {
	f := newSrvFixture(t)
	addBlocks(f, "indicators", 20)
	f.fakes.Client.PartSize = 10
	hold, release := make(chan struct{}), make(chan struct{})
	f.fakes.Client.BeforePart = func(_ context.Context, _ string, part int) error {
		if part == 2 {
			close(hold)
			<-release
		}
		return nil
	}
	pg := f.seedServer()
	f.selectCollection(pg, "indicators")
	f.v.PollSelected()
	<-hold
	f.wait()
	f.v.PollSelected()
	if !strings.Contains(pg.note.Text, app.Explain(app.ErrBusy)) || pg.note.Importance != widget.DangerImportance {
		t.Errorf("second poll says %q", pg.note.Text)
	}
	close(release)
	f.waitEnded()
}
