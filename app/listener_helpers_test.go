package app_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"testing"
	"time"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/app/apptest"
	"github.com/taxii-workstation/taxii-workstation/storage"
)

// workstation is an App on its own in-memory cache with a running
// listener on 127.0.0.1:0.
type workstation struct {
	*app.App
	store *storage.Store
	l     *app.Listener
	log   *arrivals
}

// newWorkstation starts a workstation whose listener uses cfg (Addr
// defaults to 127.0.0.1:0).
func newWorkstation(t testing.TB, cfg app.ListenerConfig) *workstation {
	t.Helper()
	st, err := storage.OpenInMemory()
	if err != nil {
		t.Fatal(err)
	}
	return newWorkstationOn(t, st, cfg, "")
}

func newWorkstationOn(t testing.TB, st *storage.Store, cfg app.ListenerConfig, dir string) *workstation {
	t.Helper()
	t.Cleanup(func() { _ = st.Close() })
	a, err := app.New(app.Deps{Store: st, Secrets: apptest.NewSecrets()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	l, err := app.NewListener(a, app.ListenerOptions{Config: &cfg, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	w := &workstation{App: a, store: st, l: l, log: &arrivals{}}
	t.Cleanup(l.SubscribeListener(w.log.add))
	if err := l.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = l.Stop(ctx)
	})
	return w
}

// withAccount adds an account to cfg.
func withAccount(t testing.TB, cfg app.ListenerConfig, name, password string) app.ListenerConfig {
	t.Helper()
	cfg, err := cfg.WithAccount(name, password)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// received lists every received block in a state (0: all).
func (w *workstation) received(t testing.TB, state app.ReviewState) []app.ReviewItem {
	t.Helper()
	var out []app.ReviewItem
	page := app.PageRequest{Limit: 1000}
	for {
		p, err := w.ReceivedBlocks(context.Background(), state, page)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p.Items...)
		if p.Next == "" {
			return out
		}
		page.Token = p.Next
	}
}

// arrivals records listener events.
type arrivals struct {
	mu     sync.Mutex
	events []app.ListenerEvent
}

func (a *arrivals) add(ev app.ListenerEvent) {
	a.mu.Lock()
	a.events = append(a.events, ev)
	a.mu.Unlock()
}

func (a *arrivals) of(kind app.ListenerEventKind) []app.ListenerEvent {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []app.ListenerEvent
	for _, ev := range a.events {
		if ev.Kind == kind {
			out = append(out, ev)
		}
	}
	return out
}

func newMemStore() (*storage.Store, error) { return storage.OpenInMemory() }

func newSecrets() app.Secrets { return apptest.NewSecrets() }

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
