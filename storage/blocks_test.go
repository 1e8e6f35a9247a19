package storage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
)

func ids(entries []Entry) []BlockID {
	var out []BlockID
	for _, e := range entries {
		out = append(out, e.Block.ID)
	}
	return out
}

// allEntries pages through a collection with the given page size.
func allEntries(t testing.TB, s *Store, server, coll string, size int) []Entry {
	t.Helper()
	var out []Entry
	req := PageRequest{Limit: size}
	for {
		p, err := s.ListBlocks(context.Background(), server, coll, req)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p.Items...)
		if p.Next == "" {
			return out
		}
		if len(p.Items) != size {
			t.Fatalf("page of %d items has a Next token; want %d per page", len(p.Items), size)
		}
		req.Token = p.Next
	}
}

func TestCommitAndList(t *testing.T) {
	ctx := context.Background()
	s := newMem(t)
	blocks := feedBlocks(0, 0, 23)
	// Commit out of label order: listing order must not depend on it.
	slices.Reverse(blocks)
	r, err := s.CommitPart(ctx, "srv", "feed1", blocks, label(22))
	if err != nil {
		t.Fatal(err)
	}
	if r.New != 23 || r.Known != 0 || r.NewSightings != 23 || !r.CursorMoved || r.Transactions != 1 || len(r.NewIDs) != 23 {
		t.Fatalf("first commit: %+v", r)
	}
	if _, err := s.CommitPart(ctx, "srv", "feed12", feedBlocks(1000, 0, 4), label(3)); err != nil {
		t.Fatal(err)
	}
	want := make([]BlockID, 0, 23)
	for i := 22; i >= 0; i-- {
		want = append(want, IDOf(stixDoc(i)))
	}
	for _, size := range []int{1, 5, 23, 50} {
		t.Run(fmt.Sprintf("page=%d", size), func(t *testing.T) {
			if got := ids(allEntries(t, s, "srv", "feed1", size)); !slices.Equal(got, want) {
				t.Errorf("newest-first listing of feed1 (feed12 must not leak in):\n got %v\nwant %v", got, want)
			}
		})
	}
	offsets := []struct{ offset, limit, first, n int }{{0, 5, 22, 5}, {20, 5, 2, 3}, {23, 5, 0, 0}}
	for _, o := range offsets {
		p, err := s.ListBlocks(ctx, "srv", "feed1", PageRequest{Offset: o.offset, Limit: o.limit})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) != o.n || (o.n > 0 && p.Items[0].Block.ID != IDOf(stixDoc(o.first))) {
			t.Errorf("offset %d: %d items; want %d starting at block %d", o.offset, len(p.Items), o.n, o.first)
		}
	}
	e := allEntries(t, s, "srv", "feed1", 50)[0]
	if e.Sighting.Server != "srv" || e.Sighting.Collection != "feed1" || !e.Sighting.TimestampLabel.Equal(label(22)) ||
		e.Sighting.MessageID != "msg-0" || e.Block.Size != int64(len(stixDoc(22))) || e.Block.Binding != "urn:stix.mitre.org:xml:1.1.1" {
		t.Errorf("entry fields: %+v", e)
	}
	content, err := s.Content(ctx, e.Block.ID)
	if err != nil || string(content) != string(stixDoc(22)) {
		t.Errorf("Content returned %d bytes, %v; want the original", len(content), err)
	}
	if _, err := s.Content(ctx, IDOf([]byte("nope"))); !errors.Is(err, ErrNotFound) {
		t.Errorf("Content of unknown block: %v", err)
	}
	counts, err := s.CachedCollections(ctx)
	wantCounts := []CollectionCount{{"srv", "feed1", 23}, {"srv", "feed12", 4}}
	if err != nil || !slices.Equal(counts, wantCounts) {
		t.Errorf("CachedCollections = %v, %v; want %v", counts, err, wantCounts)
	}
	if _, err := s.ListBlocks(ctx, "srv", "feed1", PageRequest{Token: "garbage"}); err == nil {
		t.Error("a bad page token was accepted")
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestBlocksWithoutLabelKeepPlace(t *testing.T) {
	ctx := context.Background()
	s := newMem(t)
	b := []NewBlock{{Content: []byte("<a/>"), Received: label(1)}, {Content: []byte("<b/>"), Received: label(2)}}
	for range 2 { // a re-poll of label-less blocks must not duplicate them
		if _, err := s.CommitPart(ctx, "srv", "feed", b, time.Time{}); err != nil {
			t.Fatal(err)
		}
		b[0].Received, b[1].Received = label(5), label(6)
	}
	got := allEntries(t, s, "srv", "feed", 10)
	if len(got) != 2 || got[0].Block.ID != IDOf([]byte("<b/>")) || !got[0].Sighting.LastSeen.Equal(label(6)) || !got[0].Sighting.Received.Equal(label(2)) {
		t.Fatalf("label-less blocks: %+v", got)
	}
}

func TestDedupAndProvenance(t *testing.T) {
	ctx := context.Background()
	s := newMem(t)
	shared := feedBlocks(0, 0, 10)
	commits := []struct {
		server, coll         string
		blocks               []NewBlock
		wantNew, wantKnown   int
		wantSightings        int
		wantBlocks, wantSeen int64
	}{
		{"alpha", "feed1", shared, 10, 0, 10, 10, 10},
		{"alpha", "feed1", shared, 0, 10, 0, 10, 10},                                 // re-poll: idempotent
		{"alpha", "feed12", shared[:5], 0, 5, 5, 10, 15},                             // same content, another collection
		{"beta", "feed1", append(feedBlocks(100, 0, 2), shared[0]), 2, 1, 3, 12, 18}, // another server
		{"beta", "dup", []NewBlock{shared[1], shared[1]}, 0, 2, 1, 12, 19},           // duplicate inside one part
	}
	for i, c := range commits {
		r, err := s.CommitPart(ctx, c.server, c.coll, c.blocks, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		st, err := s.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if r.New != c.wantNew || r.Known != c.wantKnown || r.NewSightings != c.wantSightings || st.Blocks != c.wantBlocks || st.Sightings != c.wantSeen {
			t.Errorf("commit %d to %s/%s: new %d known %d sightings %d, stats %+v; want %d %d %d, blocks %d sightings %d",
				i, c.server, c.coll, r.New, r.Known, r.NewSightings, st, c.wantNew, c.wantKnown, c.wantSightings, c.wantBlocks, c.wantSeen)
		}
	}
	tests := []struct {
		block                         []byte
		servers, collections, senders int
	}{
		{shared[0].Content, 2, 3, 0}, // alpha/feed1, alpha/feed12, beta/feed1
		{shared[1].Content, 2, 3, 0}, // alpha/feed1, alpha/feed12, beta/dup
		{shared[7].Content, 1, 1, 0},
	}
	for i, tt := range tests {
		p, err := s.Provenance(ctx, IDOf(tt.block))
		if err != nil {
			t.Fatal(err)
		}
		if p.Servers != tt.servers || p.Collections != tt.collections || p.Senders != tt.senders || len(p.Sightings) != tt.collections+tt.senders {
			t.Errorf("block %d: seen on %d servers in %d collections (%d senders, %d sightings); want %d, %d, %d",
				i, p.Servers, p.Collections, p.Senders, len(p.Sightings), tt.servers, tt.collections, tt.senders)
		}
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestListenerReview(t *testing.T) {
	ctx := context.Background()
	s := newMem(t)
	blocks := feedBlocks(0, 0, 4)
	for i := range blocks {
		blocks[i].Received = label(i)
	}
	if _, err := s.CommitPart(ctx, "srv", "feed", blocks[:1], time.Time{}); err != nil {
		t.Fatal(err)
	}
	r, err := s.CommitReceived(ctx, "10.0.0.7 (CN=partner)", "inbox-a", blocks)
	if err != nil || r.New != 3 || r.Known != 1 || r.NewSightings != 4 {
		t.Fatalf("CommitReceived = %+v, %v", r, err)
	}
	all, err := s.ListReceived(ctx, 0, PageRequest{})
	if err != nil || len(all.Items) != 4 || all.Items[0].Entry.Block.ID != IDOf(blocks[3].Content) || all.Items[0].Review != Unreviewed ||
		all.Items[0].Entry.Sighting.Sender != "10.0.0.7 (CN=partner)" || all.Items[0].Entry.Sighting.Collection != "inbox-a" {
		t.Fatalf("ListReceived = %+v, %v", all, err)
	}
	if err := s.SetReview(ctx, all.Items[0].Ref, Accepted); err != nil {
		t.Fatal(err)
	}
	if err := s.SetReview(ctx, all.Items[1].Ref, Discarded); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		state ReviewState
		want  []BlockID
	}{
		{Unreviewed, []BlockID{IDOf(blocks[1].Content), IDOf(blocks[0].Content)}},
		{Accepted, []BlockID{IDOf(blocks[3].Content)}},
		{Discarded, []BlockID{IDOf(blocks[2].Content)}},
	}
	for _, tt := range tests {
		p, err := s.ListReceived(ctx, tt.state, PageRequest{})
		if err != nil {
			t.Fatal(err)
		}
		var got []BlockID
		for _, it := range p.Items {
			got = append(got, it.Entry.Block.ID)
			if it.Review != tt.state {
				t.Errorf("%v queue holds an item in state %v", tt.state, it.Review)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%v queue = %v, want %v", tt.state, got, tt.want)
		}
	}
	p, _ := s.Provenance(ctx, IDOf(blocks[0].Content))
	if p.Servers != 1 || p.Collections != 1 || p.Senders != 1 {
		t.Errorf("provenance of a polled and pushed block: %+v", p)
	}
	if err := s.SetReview(ctx, "00", Accepted); err == nil {
		t.Error("bad ref accepted")
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestSearch(t *testing.T) {
	ctx := context.Background()
	s := newMem(t)
	blocks := []NewBlock{
		{Content: []byte(`<Indicator><Title>Evil Domain</Title><Value>BAD.example.COM</Value></Indicator>`), Received: label(1)},
		{Content: []byte(`<Indicator><Value>192.0.2.1</Value></Indicator>`), Received: label(2), Title: "Scanner at Ünïcode Hall"},
		{Content: []byte(`<Report>nothing here</Report>`), Received: label(3), Binding: "urn:stix.mitre.org:xml:1.2"},
		{Content: []byte(`<x>Ärger über bad.example.com</x>`), Received: label(4)},
	}
	if _, err := s.CommitPart(ctx, "srv", "feed", blocks, time.Time{}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		query string
		limit int
		want  []int // indexes into blocks, most recently seen first
	}{
		{"bad.example.com", 10, []int{3, 0}},
		{"evil domain", 10, []int{0}},
		{"ünïcode", 10, []int{1}},        // title, non-ASCII fold
		{"ÄRGER", 10, []int{3}},          // content, non-ASCII fold
		{"stix.mitre.org", 10, []int{2}}, // binding label
		{"<report>", 10, []int{2}},       // bytes JSON escapes: no raw-metadata shortcut
		{"first_seen", 10, nil},          // in every raw metadata record, in no label
		{"absent", 10, nil},
		{"bad.example.com", 1, nil}, // limit: one of the two (scan order), checked by count below
	}
	for _, tt := range tests {
		hits, err := s.Search(ctx, tt.query, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		if tt.limit == 1 {
			if len(hits) != 1 {
				t.Errorf("Search(%q, 1) returned %d hits", tt.query, len(hits))
			}
			continue
		}
		var got []int
		for _, h := range hits {
			got = append(got, slices.IndexFunc(blocks, func(b NewBlock) bool { return IDOf(b.Content) == h.Block.ID }))
			if len(h.Seen) != 1 || h.Seen[0].Collection != "feed" || h.Seen[0].Server != "srv" {
				t.Errorf("hit %s: seen %+v", h.Block.ID.Short(), h.Seen)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Search(%q) = blocks %v, want %v", tt.query, got, tt.want)
		}
	}
	if _, err := s.Search(ctx, "  ", 10); err == nil {
		t.Error("empty query accepted")
	}
	if err := s.SetTitle(ctx, IDOf(blocks[2].Content), "Quarterly report"); err != nil {
		t.Fatal(err)
	}
	if hits, _ := s.Search(ctx, "quarterly", 10); len(hits) != 1 {
		t.Errorf("search by a title set later: %d hits", len(hits))
	}
}

// TestCommitSplitsBigParts commits a part too big for one transaction: it
// must be split with each block whole and the cursor in the last transaction.
func TestCommitSplitsBigParts(t *testing.T) {
	ctx := context.Background()
	small := func(o badger.Options) badger.Options {
		return o.WithMemTableSize(1 << 20).WithValueThreshold(64 << 10) // max txn ~150 KB
	}
	s, err := Open(ctx, "", Options{InMemory: true, Logf: quiet, tune: small})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	blocks := feedBlocks(0, 0, 300) // ~650 KB
	r, err := s.CommitPart(ctx, "srv", "feed", blocks, label(299))
	if err != nil {
		t.Fatal(err)
	}
	if r.Transactions < 4 || r.New != 300 || !r.CursorMoved {
		t.Fatalf("split commit: %+v; want >= 4 transactions, 300 new, cursor moved", r)
	}
	if n, _ := s.CountBlocks(ctx, "srv", "feed"); n != 300 {
		t.Errorf("CountBlocks = %d, want 300", n)
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestNames(t *testing.T) {
	ctx := context.Background()
	s := newMem(t)
	for _, c := range []struct{ server, coll string }{{"", "x"}, {"x", ""}, {"a\x00b", "x"}} {
		if _, err := s.CommitPart(ctx, c.server, c.coll, feedBlocks(0, 0, 1), time.Time{}); err == nil {
			t.Errorf("CommitPart(%q, %q) accepted", c.server, c.coll)
		}
	}
	// "a"+"bc" and "ab"+"c" must stay apart thanks to the terminator.
	if _, err := s.CommitPart(ctx, "a", "bc", feedBlocks(0, 0, 2), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountBlocks(ctx, "ab", "c"); n != 0 {
		t.Errorf("ab/c sees a/bc's blocks: %d", n)
	}
	if p, _ := s.ListBlocks(ctx, "ab", "c", PageRequest{}); len(p.Items) != 0 {
		t.Errorf("ab/c lists a/bc's blocks")
	}
}

// TestConcurrentCommits runs syncs of overlapping feeds at once: they race
// on the shared counters and on known blocks, so transactions conflict and
// retry; the result must be exact.
func TestConcurrentCommits(t *testing.T) {
	ctx := context.Background()
	s := newMem(t)
	const workers, parts, size = 4, 10, 20
	errs := make(chan error, workers)
	for w := range workers {
		go func() {
			var err error
			for p := 0; p < parts && err == nil; p++ {
				// Worker w's feed starts at w*100: neighbours share 100 blocks.
				b := feedBlocks(w*100, p*size, p*size+size)
				_, err = s.CommitPart(ctx, "srv", fmt.Sprintf("feed%d", w), b, b[len(b)-1].TimestampLabel)
			}
			errs <- err
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Content seeds cover [0, 100*(workers-1)+parts*size) = [0, 500).
	if want := int64(100*(workers-1) + parts*size); st.Blocks != want || st.Sightings != workers*parts*size {
		t.Errorf("stats %+v; want %d blocks and %d sightings", st, want, workers*parts*size)
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
}
