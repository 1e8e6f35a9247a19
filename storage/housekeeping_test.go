package storage

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
)

func TestPrune(t *testing.T) {
	ctx := context.Background()
	s := newMem(t)
	at := func(blocks []NewBlock, when time.Time) []NewBlock {
		for i := range blocks {
			blocks[i].Received = when
		}
		return blocks
	}
	old, recent := label(0), label(1000)
	mustCommit := func(server, coll string, b []NewBlock) {
		t.Helper()
		if _, err := s.CommitPart(ctx, server, coll, b, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	mustCommit("srv", "feed1", at(feedBlocks(0, 0, 10), old))    // blocks 0-9, old
	mustCommit("srv", "feed12", at(feedBlocks(0, 0, 3), recent)) // blocks 0-2 also seen recently elsewhere
	mustCommit("srv", "feed1", at(feedBlocks(0, 8, 10), recent)) // blocks 8-9 re-polled: LastSeen moves
	mustCommit("srv", "feed2", at(feedBlocks(500, 0, 4), recent))
	if _, err := s.CommitReceived(ctx, "peer", "", at(feedBlocks(900, 0, 2), old)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CommitReceived(ctx, "peer", "", at(feedBlocks(0, 5, 6), old)); err != nil { // block 5 pushed too
		t.Fatal(err)
	}
	before, _ := s.Stats(ctx)

	res, err := s.Prune(ctx, label(500))
	if err != nil {
		t.Fatal(err)
	}
	// Removed sightings: feed1 blocks 0-7 (8) + 3 listener arrivals = 11.
	// Removed blocks: 3-7 (5, block 5 also only old) + listener 900, 901 = 7.
	if res.Sightings != 11 || res.Blocks != 7 {
		t.Errorf("Prune removed %d sightings and %d blocks; want 11 and 7", res.Sightings, res.Blocks)
	}
	after, _ := s.Stats(ctx)
	if after.Blocks != before.Blocks-7 || after.Sightings != before.Sightings-11 || after.ContentBytes != before.ContentBytes-res.Bytes {
		t.Errorf("stats before %+v after %+v, prune %+v", before, after, res)
	}
	counts := map[string]int{"feed1": 2, "feed12": 3, "feed2": 4}
	for coll, want := range counts {
		if got := len(allEntries(t, s, "srv", coll, 50)); got != want {
			t.Errorf("%s lists %d blocks after prune, want %d", coll, got, want)
		}
		if n, _ := s.CountBlocks(ctx, "srv", coll); n != int64(want) {
			t.Errorf("CountBlocks(%s) = %d, want %d", coll, n, want)
		}
	}
	if _, err := s.Content(ctx, IDOf(stixDoc(1))); err != nil {
		t.Errorf("block 1 is still seen in feed12 but was removed: %v", err)
	}
	if _, err := s.Content(ctx, IDOf(stixDoc(4))); !errors.Is(err, ErrNotFound) {
		t.Errorf("block 4 was only seen long ago but is still there: %v", err)
	}
	if p, _ := s.ListReceived(ctx, Unreviewed, PageRequest{}); len(p.Items) != 0 {
		t.Errorf("review queue still holds %d pruned arrivals", len(p.Items))
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if res, _ := s.Prune(ctx, label(500)); res != (PruneResult{}) {
		t.Errorf("second prune removed %+v", res)
	}
}

func vlogBytes(t *testing.T, dir string) int64 {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.vlog"))
	var n int64
	for _, f := range files {
		info, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		n += allocated(info)
	}
	return n
}

// TestGC stores blocks in the value log (a small value threshold), prunes
// them, and checks GC rewrites the log and gives the space back.
func TestGC(t *testing.T) {
	if testing.Short() {
		t.Skip("writes several MB")
	}
	ctx := context.Background()
	dir := t.TempDir()
	opts := Options{Logf: quiet, tune: func(o badger.Options) badger.Options {
		return o.WithValueThreshold(256).WithValueLogFileSize(1 << 20).WithMemTableSize(1 << 20).
			WithNumLevelZeroTables(1).WithCompactL0OnClose(true)
	}}
	s, err := Open(ctx, dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	for part := range 40 {
		b := feedBlocks(0, part*50, part*50+50)
		for i := range b {
			b[i].Received = label(0)
		}
		if _, err := s.CommitPart(ctx, "srv", "old", b, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.CommitPart(ctx, "srv", "keep", feedBlocks(9000, 0, 50), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Prune(ctx, label(10)); err != nil {
		t.Fatal(err)
	}
	// Flushing and compacting turn the deletions into the discard statistics
	// GC works from.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = Open(ctx, dir, opts); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Flatten(1); err != nil {
		t.Fatal(err)
	}
	before := vlogBytes(t, dir)
	n, err := s.GC(ctx)
	if err != nil {
		t.Fatal(err)
	}
	after := vlogBytes(t, dir)
	if n == 0 || after >= before {
		t.Errorf("GC rewrote %d files; value log %d -> %d bytes; want rewrites and less space", n, before, after)
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if got := len(allEntries(t, s, "srv", "keep", 100)); got != 50 {
		t.Errorf("kept collection lists %d blocks after GC, want 50", got)
	}

	// The background loop stops with its context.
	loopCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { s.RunGC(loopCtx, time.Millisecond); close(done) }()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("RunGC did not return after cancel")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestGCInMemory(t *testing.T) {
	s := newMem(t)
	if n, err := s.GC(context.Background()); err != nil || n != 0 {
		t.Errorf("GC in memory = %d, %v; want 0, nil", n, err)
	}
}

func TestCheckFindsDamage(t *testing.T) {
	ctx := context.Background()
	s := newMem(t)
	b := feedBlocks(0, 0, 3)
	if _, err := s.CommitPart(ctx, "srv", "feed", b, time.Time{}); err != nil {
		t.Fatal(err)
	}
	id := IDOf(b[1].Content)
	damage := []struct {
		name string
		do   func(txn *badger.Txn) error
		want string
	}{
		{"content changed", func(txn *badger.Txn) error { return txn.Set(contentKey(id), []byte("tampered")) }, "does not hash"},
		{"content lost", func(txn *badger.Txn) error { return txn.Delete(contentKey(id)) }, "no content"},
		{"sighting lost", func(txn *badger.Txn) error { return txn.Delete(seenPollKey(id, "srv", "feed")) }, "no sighting"},
	}
	for _, d := range damage {
		t.Run(d.name, func(t *testing.T) {
			txn := s.db.NewTransaction(true)
			defer txn.Discard()
			if err := d.do(txn); err != nil {
				t.Fatal(err)
			}
			// Check the damaged view without committing it, via a helper txn.
			if err := txn.Commit(); err != nil {
				t.Fatal(err)
			}
			err := s.Check(ctx)
			if err == nil || !strings.Contains(err.Error(), d.want) {
				t.Errorf("Check = %v; want a problem mentioning %q", err, d.want)
			}
			// Repair for the next case.
			if _, err := s.CommitPart(ctx, "srv", "feed", b, time.Time{}); err != nil {
				t.Fatal(err)
			}
			if d.name == "content changed" || d.name == "content lost" {
				if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(contentKey(id), b[1].Content) }); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
