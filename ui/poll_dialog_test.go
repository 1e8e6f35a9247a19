package ui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/taxii"
)

func TestPollDialogRequest(t *testing.T) {
	test.NewTempApp(t)
	col := app.CollectionView{Collection: app.Collection{Name: "feed", ContentBindings: []string{taxii.ContentSTIX12, taxii.ContentSTIX111}}}
	jan := time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		mode     string
		from, to string
		bindings []string // shown names ticked; nil leaves all ticked
		count    bool
		want     app.SyncRequest
		err      string
	}{
		{name: "since last", mode: pollSinceLast, want: app.SyncRequest{Mode: app.SinceLast}},
		{name: "everything counted", mode: pollEverything, count: true, want: app.SyncRequest{Mode: app.Everything, CountOnly: true}},
		{name: "from a date", mode: pollFromDate, from: "2026-01-31", want: app.SyncRequest{Mode: app.Window, Begin: jan}},
		{name: "window with times", mode: pollFromDate, from: "2026-01-31 10:30", to: "2026-02-01T00:00:00Z",
			want: app.SyncRequest{Mode: app.Window, Begin: jan.Add(10*time.Hour + 30*time.Minute), End: jan.Add(24 * time.Hour)}},
		{name: "one binding", mode: pollSinceLast, bindings: []string{"STIX 1.1.1"}, want: app.SyncRequest{Mode: app.SinceLast, Bindings: []string{taxii.ContentSTIX111}}},
		{name: "no binding", mode: pollSinceLast, bindings: []string{}, err: "tick at least one content binding"},
		{name: "no date", mode: pollFromDate, err: "give the date to poll from"},
		{name: "bad date", mode: pollFromDate, from: "31/01/2026", err: "is not a date like 2026-01-31"},
		{name: "end before begin", mode: pollFromDate, from: "2026-01-31", to: "2026-01-30", err: "must be after its beginning"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newPollDialog("S", col)
			d.mode.SetSelected(tc.mode)
			d.from.SetText(tc.from)
			d.to.SetText(tc.to)
			if tc.bindings != nil {
				d.bindings.SetSelected(tc.bindings)
			}
			d.countOnly.SetChecked(tc.count)
			got, err := d.request()
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.want.Server, tc.want.Collection = "S", "feed"
			if got.Mode != tc.want.Mode || !got.Begin.Equal(tc.want.Begin) || !got.End.Equal(tc.want.End) ||
				got.CountOnly != tc.want.CountOnly || !slices.Equal(got.Bindings, tc.want.Bindings) ||
				got.Server != "S" || got.Collection != "feed" {
				t.Errorf("request = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestPollDialogShowsDatesOnlyForAWindow(t *testing.T) {
	test.NewTempApp(t)
	d := newPollDialog("S", app.CollectionView{Collection: app.Collection{Name: "feed"}, Cursor: time.Date(2026, 3, 4, 5, 6, 0, 0, time.UTC)})
	if d.dates.Visible() {
		t.Error("date fields shown for since last")
	}
	if !strings.Contains(d.cursor.Text, "Cached up to 2026-03-04 05:06 UTC") {
		t.Errorf("cursor text = %q", d.cursor.Text)
	}
	d.mode.SetSelected(pollFromDate)
	if !d.dates.Visible() {
		t.Error("date fields hidden for a window")
	}
	if len(d.bindings.Options) != 0 {
		t.Errorf("bindings offered for a collection that lists none: %v", d.bindings.Options)
	}
}
