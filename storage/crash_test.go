package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// The crash test re-executes the test binary as a child that syncs feeds
// into a directory, part by part, resuming from the cursors, and kills it
// with SIGKILL at random moments. After every kill the parent opens the
// store and checks it; a last, unkilled run must end with exactly the feeds'
// blocks.
//
//	STORAGE_CRASH_LOOPS  number of kills (default 40)
//	STORAGE_CRASH_SEED   random seed (default: time)
const (
	crashChildEnv = "STORAGE_CRASH_CHILD" // data dir; set only in the child
	crashFeedLen  = 2000                  // blocks per feed
)

// crashFeeds overlap: alpha/feed12 carries blocks 1000-2999 of the same
// generator as feed1 (so half of it is known), and beta/feed1 repeats
// alpha/feed1 on another server. feed1/feed12 also tests the terminator.
var crashFeeds = []struct {
	server, coll string
	seed         int
}{{"alpha", "feed1", 0}, {"alpha", "feed12", 1000}, {"beta", "feed1", 0}}

func TestCrashRecovery(t *testing.T) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		if err := crashChild(dir); err != nil {
			fmt.Fprintln(os.Stderr, "crash child:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	if testing.Short() {
		t.Skip("crash test re-runs the binary many times")
	}
	loops := envInt(t, "STORAGE_CRASH_LOOPS", 40)
	seed := uint64(envInt(t, "STORAGE_CRASH_SEED", int(time.Now().UnixNano()%1e9)))
	t.Logf("%d kills, seed %d (STORAGE_CRASH_SEED to replay)", loops, seed)
	r := rand.New(rand.NewPCG(seed, 1))
	dir := t.TempDir()
	ctx := context.Background()

	midSync, lastTotal := 0, -1
	for i := range loops {
		cmd, out := crashCmd(dir, r.Uint64())
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(20+r.IntN(400)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		var exit *exec.ExitError
		if err != nil && !(errors.As(err, &exit) && exit.Sys().(syscall.WaitStatus).Signaled()) {
			t.Fatalf("kill %d: child failed on its own: %v\n%s", i, err, out)
		}
		total := verifyCrashStore(t, ctx, dir, false)
		if err != nil && total != lastTotal && total < len(crashFeeds)*crashFeedLen {
			midSync++
		}
		lastTotal = total
		if total == len(crashFeeds)*crashFeedLen {
			// Finished before the kill: start over so later kills land mid-sync.
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
			lastTotal = -1
		}
	}
	cmd, out := crashCmd(dir, r.Uint64())
	if err := cmd.Run(); err != nil {
		t.Fatalf("final run: %v\n%s", err, out)
	}
	verifyCrashStore(t, ctx, dir, true)
	t.Logf("%d of %d kills landed mid-sync with progress since the previous one", midSync, loops)
	if midSync < loops/4 {
		t.Errorf("only %d of %d kills interrupted a sync that made progress; the test is not exercising crashes", midSync, loops)
	}
}

func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, v, err)
	}
	return n
}

func crashCmd(dir string, seed uint64) (*exec.Cmd, *bytes.Buffer) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashRecovery$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir, "STORAGE_CRASH_CHILD_SEED="+strconv.FormatUint(seed, 10))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	return cmd, &out
}

// crashChild syncs every feed to its end, in parts of random size, resuming
// from the cursor; some parts re-send a few blocks already stored, as servers
// do. Each part's cursor is its last block's timestamp label.
func crashChild(dir string) error {
	seed, _ := strconv.ParseUint(os.Getenv("STORAGE_CRASH_CHILD_SEED"), 10, 64)
	r := rand.New(rand.NewPCG(seed, 2))
	ctx := context.Background()
	s, err := Open(ctx, dir, Options{Logf: quiet})
	if err != nil {
		return err
	}
	defer s.Close()
	for done := false; !done; {
		done = true
		for _, f := range crashFeeds {
			next := 0
			c, err := s.Cursor(ctx, f.server, f.coll)
			switch {
			case err == nil:
				next = int(c.Label.Sub(base)/time.Second) + 1
			case !errors.Is(err, ErrNotFound):
				return err
			}
			if next >= crashFeedLen {
				continue
			}
			done = false
			from := max(0, next-r.IntN(4))
			to := min(crashFeedLen, next+1+r.IntN(50))
			if _, err := s.CommitPart(ctx, f.server, f.coll, feedBlocks(f.seed, from, to), label(to-1)); err != nil {
				return err
			}
		}
	}
	return nil
}

// verifyCrashStore opens dir and checks: the store is consistent (Check:
// every content hashes to its key, no half-written block, counters right);
// each feed holds exactly blocks 0..cursor, so the cursor is never ahead of
// the data; and, when complete, every feed is whole. It returns the number of
// listed entries.
func verifyCrashStore(t *testing.T, ctx context.Context, dir string, complete bool) int {
	t.Helper()
	s, err := Open(ctx, dir, Options{Logf: quiet})
	if err != nil {
		t.Fatalf("open after kill: %v", err)
	}
	defer s.Close()
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
	total := 0
	distinct := map[BlockID]bool{}
	for _, f := range crashFeeds {
		last := -1
		if c, err := s.Cursor(ctx, f.server, f.coll); err == nil {
			last = int(c.Label.Sub(base) / time.Second)
		} else if !errors.Is(err, ErrNotFound) {
			t.Fatal(err)
		}
		if complete && last != crashFeedLen-1 {
			t.Errorf("%s/%s: cursor at block %d after a complete sync", f.server, f.coll, last)
		}
		var want []BlockID
		for i := last; i >= 0; i-- {
			want = append(want, IDOf(stixDoc(f.seed+i)))
		}
		got := ids(allEntries(t, s, f.server, f.coll, 500))
		if !slices.Equal(got, want) {
			t.Fatalf("%s/%s: cursor at block %d but %d blocks listed; want exactly blocks 0..%d", f.server, f.coll, last, len(got), last)
		}
		for _, id := range got {
			distinct[id] = true
		}
		total += len(got)
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Blocks != int64(len(distinct)) || st.Sightings != int64(total) {
		t.Errorf("stats %+v; want %d blocks and %d sightings", st, len(distinct), total)
	}
	if complete && len(distinct) != 3000 {
		t.Errorf("complete sync holds %d distinct blocks, want 3000", len(distinct))
	}
	return total
}
