package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/taxii-workstation/taxii-workstation/taxii"
	"github.com/taxii-workstation/taxii-workstation/taxii/taxiitest"
)

func TestDiscoverAndCollections(t *testing.T) {
	h := newHarness(t, taxiitest.Options{}).feed()
	tests := []struct {
		name   string
		args   []string
		inOut  []string
		decode func(t *testing.T, r result)
	}{
		{"discover table", []string{"discover", "--url", "$DISCOVERY"},
			[]string{"TYPE", "ADDRESS", "POLL", "INBOX", "COLLECTION_MANAGEMENT", "/poll", "yes"}, nil},
		{"discover json", []string{"discover", "--url", "$DISCOVERY", "--json"}, nil, func(t *testing.T, r result) {
			var svcs []map[string]any
			r.decode(t, &svcs)
			if len(svcs) != 4 {
				t.Fatalf("%d services, want 4", len(svcs))
			}
			for _, k := range []string{"type", "address", "protocol_binding", "message_bindings", "available"} {
				if _, ok := svcs[0][k]; !ok {
					t.Errorf("service lacks %q: %v", k, svcs[0])
				}
			}
			if svcs[2]["type"] != "POLL" || svcs[2]["address"] != h.srv.PollURL() || svcs[2]["available"] != true {
				t.Errorf("third service = %v", svcs[2])
			}
		}},
		{"collections table", []string{"collections", "--url", "$DISCOVERY"},
			[]string{"NAME", "feed", "DATA_FEED", taxii.ContentSTIX12, "test feed"}, nil},
		{"collections json", []string{"collections", "--url", "$DISCOVERY", "--json"}, nil, func(t *testing.T, r result) {
			var cs []struct {
				Name            string   `json:"name"`
				Type            string   `json:"type"`
				Available       *bool    `json:"available"`
				ContentBindings []string `json:"content_bindings"`
			}
			r.decode(t, &cs)
			if len(cs) != 1 || cs[0].Name != "feed" || cs[0].Type != "DATA_FEED" || cs[0].Available == nil || !*cs[0].Available ||
				len(cs[0].ContentBindings) != 1 || cs[0].ContentBindings[0] != taxii.ContentSTIX12 {
				t.Errorf("collections = %+v", cs)
			}
		}},
		{"collections from the service's own address", []string{"collections", "--url", "$COLLECTIONS"}, []string{"feed"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.run(tt.args...)
			r.check(t, ExitOK, tt.inOut, nil)
			if tt.decode != nil {
				tt.decode(t, r)
			}
		})
	}
}

type pollOut struct {
	Server      string   `json:"server"`
	Blocks      int      `json:"blocks"`
	Parts       int      `json:"parts"`
	RecordCount *uint64  `json:"record_count"`
	New         int      `json:"new"`
	Known       int      `json:"known"`
	Cursor      string   `json:"cursor"`
	CursorMoved bool     `json:"cursor_moved"`
	Files       []string `json:"files"`
}

// TestPollSequence runs polls one after the other against one cache: each
// step depends on what the earlier ones stored.
func TestPollSequence(t *testing.T) {
	h := newHarness(t, taxiitest.Options{}).feed()
	out := t.TempDir()
	steps := []struct {
		name   string
		before func()
		args   []string
		want   pollOut
		files  int
	}{
		{name: "count only stores nothing", args: []string{"--count-only"},
			want: pollOut{Blocks: 0, Parts: 1, New: 0, Known: 0, RecordCount: ptr(uint64(120))}},
		{name: "full multi-part poll", args: []string{"--out", out},
			want: pollOut{Blocks: 120, Parts: 3, New: 120, Known: 0, RecordCount: ptr(uint64(120)), Cursor: "2026-01-01T00:01:59Z", CursorMoved: true}, files: 120},
		{name: "second poll finds 0 new", args: nil,
			want: pollOut{Blocks: 120, Parts: 3, New: 0, Known: 120, RecordCount: ptr(uint64(120)), Cursor: "2026-01-01T00:01:59Z"}},
		{name: "since-last with nothing new", args: []string{"--since-last"},
			want: pollOut{Blocks: 0, Parts: 1, New: 0, Known: 0, RecordCount: ptr(uint64(0)), Cursor: "2026-01-01T00:01:59Z"}},
		{name: "since-last after the server grew", args: []string{"--since-last", "--out", filepath.Join(out, "grown")},
			before: func() {
				h.srv.AddCollection(taxiitest.Collection{Name: "feed", Blocks: 130, PartSize: 50})
			},
			want: pollOut{Blocks: 10, Parts: 1, New: 10, Known: 0, RecordCount: ptr(uint64(10)), Cursor: "2026-01-01T00:02:09Z", CursorMoved: true}, files: 10},
		{name: "window", args: []string{"--begin", "2026-01-01T00:00:09", "--end", "2026-01-01T00:00:19Z"},
			want: pollOut{Blocks: 10, Parts: 1, New: 0, Known: 10, RecordCount: ptr(uint64(10)), Cursor: "2026-01-01T00:02:09Z"}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.before != nil {
				st.before()
			}
			args := append([]string{"poll", "--url", "$DISCOVERY", "--collection", "feed", "--json"}, st.args...)
			r := h.run(args...)
			r.check(t, ExitOK, nil, nil)
			var got pollOut
			r.decode(t, &got)
			if got.Server != strings.TrimPrefix(h.srv.URL, "http://") {
				t.Errorf("server = %q, want the URL's host", got.Server)
			}
			if got.Blocks != st.want.Blocks || got.Parts != st.want.Parts || got.New != st.want.New || got.Known != st.want.Known ||
				got.Cursor != st.want.Cursor || got.CursorMoved != st.want.CursorMoved || !eqPtr(got.RecordCount, st.want.RecordCount) {
				t.Errorf("poll = %+v (record count %v)\nwant %+v (record count %v)", got, deref(got.RecordCount), st.want, deref(st.want.RecordCount))
			}
			if len(got.Files) != st.files {
				t.Fatalf("%d files written, want %d", len(got.Files), st.files)
			}
			for _, f := range got.Files {
				b, err := os.ReadFile(f)
				if err != nil || !strings.Contains(string(b), "<stix:STIX_Package") || !strings.HasSuffix(f, ".xml") {
					t.Fatalf("written file %s: %v, %.60q", f, err, b)
				}
			}
		})
	}
}

func TestPollTable(t *testing.T) {
	h := newHarness(t, taxiitest.Options{}).feed()
	r := h.run("poll", "--url", "$POLL", "--collection", "feed")
	r.check(t, ExitOK, []string{"received:", "120 blocks in 3 parts", "new:", "120", "known:", "0 (already cached)", "record count:", "cursor:", "2026-01-01T00:01:59Z (moved)"}, nil)
	r = h.run("poll", "--url", "$POLL", "--collection", "feed", "--count-only")
	r.check(t, ExitOK, []string{"record count:", "120 (count only: nothing was stored)"}, nil)
	if n := h.srv.Count("DiscoveryRequest"); n == 0 {
		t.Errorf("no discovery request was sent")
	}
}

// TestPollPending: an asynchronous result is waited for, and the wait is
// announced on stderr.
func TestPollPending(t *testing.T) {
	h := newHarness(t, taxiitest.Options{})
	h.srv.AddCollection(taxiitest.Collection{Name: "slow", Blocks: 5, Pending: 1, EstimatedWait: 1})
	r := h.run("poll", "--url", "$DISCOVERY", "--collection", "slow")
	r.check(t, ExitOK, []string{"5 blocks in 1 part "}, []string{"PENDING"})
}

func TestPollDebug(t *testing.T) {
	h := newHarness(t, taxiitest.Options{Auth: taxiitest.Auth{Username: "ana", Password: "s3cret-pw"}})
	h.feed()
	r := h.run("poll", "--url", "$DISCOVERY", "--collection", "feed", "--username", "ana", "--password", "s3cret-pw", "--count-only", "--debug")
	r.check(t, ExitOK, []string{"120"}, []string{"--- exchange ---", "> POST " + h.srv.DiscoveryURL(), "PollRequest", "< HTTP 200", "REDACTED"})
	if strings.Contains(r.stderr, "s3cret-pw") || strings.Contains(r.stderr, "YW5hOnMzY3JldC1wdw") {
		t.Errorf("--debug output shows the password:\n%s", r.stderr)
	}
}

func ptr[T any](v T) *T { return &v }

func eqPtr[T comparable](a, b *T) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestServiceURL: a --url that refuses discovery is the service itself.
func TestServiceURL(t *testing.T) {
	h := newHarness(t, taxiitest.Options{}).feed()
	refuse := taxiitest.Step{Kind: "DiscoveryRequest", Status: taxii.StatusUnsupportedMessage, Message: "this is the poll service"}
	h.srv.Script(refuse, refuse)
	r := h.run("poll", "--url", "$POLL", "--collection", "feed", "--count-only")
	r.check(t, ExitOK, []string{"120 (count only"}, nil)
	if n := h.srv.Count("PollRequest"); n != 1 {
		t.Errorf("%d poll requests, want 1", n)
	}
	if last := h.srv.Requests(); last[len(last)-1].Path != taxiitest.PathPoll {
		t.Errorf("poll went to %s", last[len(last)-1].Path)
	}
}
