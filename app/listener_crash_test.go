package app_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/app/apptest"
	"github.com/taxii-workstation/taxii-workstation/storage"
	"github.com/taxii-workstation/taxii-workstation/taxii"
)

const crashDirEnv = "TAXII_WORKSTATION_CRASH_CHILD_DIR"

// TestListenerCrashChild is the child process of TestListenerCrash: a
// listener over a cache on disk that runs until it is killed.
func TestListenerCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("run by TestListenerCrash")
	}
	ctx := context.Background()
	st, err := storage.Open(ctx, filepath.Join(dir, "cache"), storage.Options{Logf: func(string, ...any) {}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(app.Deps{Store: st, Secrets: apptest.NewSecrets()})
	if err != nil {
		t.Fatal(err)
	}
	l, err := app.NewListener(a, app.ListenerOptions{Config: &app.ListenerConfig{Addr: "127.0.0.1:0", Collections: []string{"c"}, RatePerMinute: -1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Start(ctx); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, "url.tmp")
	if err := os.WriteFile(tmp, []byte(l.Status().InboxURL), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "url")); err != nil {
		t.Fatal(err)
	}
	select {} // until SIGKILL
}

// crashBlocks is message m of pusher p: 5 blocks of about 16 KB.
func crashBlocks(p, m int) []taxii.ContentBlock {
	out := make([]taxii.ContentBlock, 5)
	for i := range out {
		out[i] = taxii.ContentBlock{Binding: taxii.ContentBinding{ID: taxii.ContentSTIX12}, ContentIsXML: true,
			Content: loadBlock(p, m*10+i, 16<<10)}
	}
	return out
}

// TestListenerCrash kills a listener process with SIGKILL while pushers
// are sending to it, then opens its cache: it is consistent, every message
// answered SUCCESS is there whole, and every stored message is whole (all
// of its blocks, each intact), never a part of one.
func TestListenerCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestListenerCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var inbox string
	for deadline := time.Now().Add(30 * time.Second); inbox == ""; {
		if b, err := os.ReadFile(filepath.Join(dir, "url")); err == nil {
			inbox = string(b)
		} else if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatal("the child listener did not start")
		} else {
			time.Sleep(20 * time.Millisecond)
		}
	}

	const pushers = 8
	var (
		mu      sync.Mutex
		success = map[[2]int]bool{} // (pusher, message) answered SUCCESS
		total   atomic.Int64
	)
	c := &taxii.Client{}
	var wg sync.WaitGroup
	for p := range pushers {
		wg.Go(func() {
			for m := 0; ; m++ {
				_, err := c.Push(context.Background(), inbox, &taxii.InboxMessage{DestinationCollectionNames: []string{"c"}, ContentBlocks: crashBlocks(p, m)})
				if err != nil {
					var se *taxii.StatusError
					if errors.As(err, &se) {
						t.Errorf("pusher %d message %d refused: %v", p, m, err)
					}
					return // the listener died
				}
				mu.Lock()
				success[[2]int{p, m}] = true
				mu.Unlock()
				total.Add(1)
			}
		})
	}
	for total.Load() < 200 {
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	wg.Wait()

	ctx := context.Background()
	st, err := storage.Open(ctx, filepath.Join(dir, "cache"), storage.Options{Logf: func(string, ...any) {}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Check(ctx); err != nil {
		t.Fatalf("cache after the crash: %v", err)
	}
	stored := map[app.BlockID]bool{}
	page := storage.PageRequest{Limit: 1000}
	for {
		p, err := st.ListReceived(ctx, 0, page)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Items {
			stored[r.Entry.Block.ID] = true
			content, err := st.Content(ctx, r.Entry.Block.ID)
			if err != nil || storage.IDOf(content) != r.Entry.Block.ID {
				t.Errorf("block %s is not whole: %v", r.Entry.Block.ID.Short(), err)
			}
		}
		if p.Next == "" {
			break
		}
		page.Token = p.Next
	}
	messages, partial := 0, 0
	for p := range pushers {
		for m := 0; ; m++ {
			blocks := crashBlocks(p, m)
			n := 0
			for _, b := range blocks {
				if stored[storage.IDOf(b.Content)] {
					n++
				}
			}
			mu.Lock()
			ok := success[[2]int{p, m}]
			mu.Unlock()
			if ok && n != len(blocks) {
				t.Errorf("message %d of pusher %d was answered SUCCESS but %d of %d blocks are stored", m, p, n, len(blocks))
			}
			if n > 0 && n < len(blocks) {
				partial++
			}
			if n == 0 && !ok {
				break // the pusher got no further
			}
			messages++
		}
	}
	if partial > 0 {
		t.Errorf("%d message(s) stored in part", partial)
	}
	if len(stored) != 5*messages {
		t.Errorf("%d blocks stored for %d whole messages", len(stored), messages)
	}
	t.Logf("killed after %d SUCCESS answers; %d messages stored whole", total.Load(), messages)
}
