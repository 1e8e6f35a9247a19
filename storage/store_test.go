package storage

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
)

func TestOpenLockedDir(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir)
	defer s.Close()
	_, err := Open(context.Background(), dir, Options{Logf: quiet})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open of %s: err = %v, want ErrLocked", dir, err)
	}
	if !strings.Contains(err.Error(), "another TAXII Workstation") || !strings.Contains(err.Error(), dir) {
		t.Errorf("message %q should say another TAXII Workstation uses %s", err, dir)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := openDir(t, dir) // released on Close
	s2.Close()
}

func TestOpenNeedsDir(t *testing.T) {
	if _, err := Open(context.Background(), "", Options{}); err == nil {
		t.Fatal("Open with no directory succeeded")
	}
}

func TestDataSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openDir(t, dir)
	if _, err := s.CommitPart(ctx, "srv", "feed", feedBlocks(0, 0, 10), label(9)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openDir(t, dir)
	defer s.Close()
	n, err := s.CountBlocks(ctx, "srv", "feed")
	if err != nil || n != 10 {
		t.Fatalf("after reopen CountBlocks = %d, %v; want 10", n, err)
	}
	if c, err := s.Cursor(ctx, "srv", "feed"); err != nil || !c.Label.Equal(label(9)) {
		t.Fatalf("after reopen cursor = %v, %v; want %v", c.Label, err, label(9))
	}
	if v, err := s.SchemaVersion(ctx); err != nil || v != SchemaVersion {
		t.Fatalf("schema version = %d, %v; want %d", v, err, SchemaVersion)
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestMigrations(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openDir(t, dir)
	if err := s.PutProfile(ctx, Profile{Name: "old", DiscoveryURL: "https://x/discovery"}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	var ran []int
	step := func(from int, fail bool) migration {
		return migration{From: from, Apply: func(ctx context.Context, db *badger.DB) error {
			ran = append(ran, from)
			if fail {
				return errors.New("disk full")
			}
			// A real migration rewrites records; this one adds a marker.
			return db.Update(func(txn *badger.Txn) error {
				return txn.Set([]byte{pfxMeta, 'm', byte('0' + from)}, nil)
			})
		}}
	}
	tests := []struct {
		name      string
		schema    schema
		wantErr   error // nil, ErrSchemaTooNew, or errAny
		wantRan   []int
		wantAfter int
	}{
		{"fails midway, version stays at last good step", schema{3, []migration{step(2, true), step(1, false)}}, errAny, []int{1, 2}, 2},
		{"resumes from recorded version", schema{3, []migration{step(1, false), step(2, false)}}, nil, []int{2}, 3},
		{"older program refuses newer cache", schema{2, nil}, ErrSchemaTooNew, nil, 3},
		{"missing step is reported", schema{5, []migration{step(4, false)}}, errAny, nil, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ran = nil
			sc := tt.schema
			s, err := Open(ctx, dir, Options{Logf: quiet, schema: &sc})
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("Open: %v", err)
			case tt.wantErr == errAny && err == nil, tt.wantErr != nil && tt.wantErr != errAny && !errors.Is(err, tt.wantErr):
				t.Fatalf("Open: err = %v, want %v", err, tt.wantErr)
			}
			if err == nil {
				s.Close()
			}
			if !reflect.DeepEqual(ran, tt.wantRan) {
				t.Errorf("migrations ran %v, want %v", ran, tt.wantRan)
			}
			// Opening as a program of exactly wantAfter neither migrates nor fails.
			s, err = Open(ctx, dir, Options{Logf: quiet, schema: &schema{version: tt.wantAfter}})
			if err != nil {
				t.Fatalf("recorded version is not %d: %v", tt.wantAfter, err)
			}
			defer s.Close()
			if v, _ := s.SchemaVersion(ctx); v != tt.wantAfter {
				t.Errorf("schema version after = %d, want %d", v, tt.wantAfter)
			}
			if p, err := s.Profile(ctx, "old"); err != nil || p.DiscoveryURL != "https://x/discovery" {
				t.Errorf("profile after migration = %+v, %v", p, err)
			}
		})
	}
}

// errAny marks "some error" in tables.
var errAny = errors.New("any error")

func TestProfiles(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s, err := Open(ctx, "", Options{InMemory: true, Logf: quiet, Now: func() time.Time { clock = clock.Add(time.Minute); return clock }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p := Profile{
		Name: "partner", DiscoveryURL: "https://taxii.example/discovery", Version: "1.1", AuthKind: "basic",
		Username: "alice", HeaderNames: []string{"X-Api-Key"}, Settings: map[string]string{"poll_every": "1h"},
	}
	if err := s.PutProfile(ctx, p); err != nil {
		t.Fatal(err)
	}
	got, err := s.Profile(ctx, "partner")
	if err != nil {
		t.Fatal(err)
	}
	created := got.Created
	p.Created, p.Updated = got.Created, got.Updated
	if !reflect.DeepEqual(got, p) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, p)
	}
	p.Username = "bob"
	if err := s.PutProfile(ctx, p); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Profile(ctx, "partner")
	if got.Username != "bob" || !got.Created.Equal(created) || !got.Updated.After(created) {
		t.Errorf("edit: got %+v; want username bob, Created kept, Updated later", got)
	}
	if err := s.PutProfile(ctx, Profile{Name: "partner2"}); err != nil {
		t.Fatal(err)
	}
	all, err := s.Profiles(ctx)
	if err != nil || len(all) != 2 || all[0].Name != "partner" || all[1].Name != "partner2" {
		t.Fatalf("Profiles = %+v, %v", all, err)
	}
	if err := s.PutServices(ctx, ServicesSnapshot{Server: "partner", Services: []Service{{Type: "POLL", Address: "https://taxii.example/poll"}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutCollections(ctx, CollectionsSnapshot{Server: "partner", Collections: []Collection{{Name: "feed1"}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCursor(ctx, "partner", "feed1", label(1)); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCursor(ctx, "partner2", "feed1", label(1)); err != nil {
		t.Fatal(err)
	}
	svc, err := s.Services(ctx, "partner")
	if err != nil || len(svc.Services) != 1 || svc.Fetched.IsZero() {
		t.Fatalf("Services = %+v, %v", svc, err)
	}
	if err := s.DeleteProfile(ctx, "partner"); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"profile":     second(s.Profile(ctx, "partner")),
		"services":    second(s.Services(ctx, "partner")),
		"collections": second(s.Collections(ctx, "partner")),
		"cursor":      second(s.Cursor(ctx, "partner", "feed1")),
		"delete":      s.DeleteProfile(ctx, "partner"),
	} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s after DeleteProfile: err = %v, want ErrNotFound", name, err)
		}
	}
	if _, err := s.Cursor(ctx, "partner2", "feed1"); err != nil {
		t.Errorf("cursor of partner2 (feed1 prefix of nothing, partner prefix of partner2) was deleted: %v", err)
	}
	if err := s.PutProfile(ctx, Profile{Name: "bad\x00name"}); err == nil {
		t.Error("a name with NUL was accepted")
	}
}

func second[T any](_ T, err error) error { return err }

func TestCursor(t *testing.T) {
	ctx := context.Background()
	s := newMem(t)
	if _, err := s.Cursor(ctx, "srv", "feed1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("fresh cursor: err = %v, want ErrNotFound", err)
	}
	steps := []struct {
		cursor    time.Time
		wantMoved bool
		want      time.Time
	}{
		{label(10), true, label(10)},
		{time.Time{}, false, label(10)}, // zero: leave as is (window polls)
		{label(5), false, label(10)},    // never backwards during sync
		{label(20), true, label(20)},
	}
	for i, st := range steps {
		r, err := s.CommitPart(ctx, "srv", "feed1", nil, st.cursor)
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.Cursor(ctx, "srv", "feed1")
		if err != nil || r.CursorMoved != st.wantMoved || !c.Label.Equal(st.want) {
			t.Errorf("step %d: moved %v cursor %v (%v); want moved %v cursor %v", i, r.CursorMoved, c.Label, err, st.wantMoved, st.want)
		}
	}
	if _, err := s.Cursor(ctx, "srv", "feed12"); !errors.Is(err, ErrNotFound) {
		t.Errorf("feed12 shares feed1's cursor: %v", err)
	}
	if err := s.SetCursor(ctx, "srv", "feed1", label(3)); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.Cursor(ctx, "srv", "feed1"); !c.Label.Equal(label(3)) {
		t.Errorf("SetCursor backwards: %v", c.Label)
	}
	if err := s.ResetCursor(ctx, "srv", "feed1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Cursor(ctx, "srv", "feed1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("after reset: %v", err)
	}
}

func TestReceipts(t *testing.T) {
	ctx := context.Background()
	s := newMem(t)
	var ids []string
	for i := range 5 {
		r := &Receipt{Sent: label(i), Server: "srv", Inbox: "https://x/inbox", Collections: []string{"c"},
			Files: []string{"a.xml"}, Blocks: []BlockID{IDOf([]byte{byte(i)})}, Status: "PENDING"}
		if err := s.PutReceipt(ctx, r); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	r, err := s.Receipt(ctx, ids[2])
	if err != nil {
		t.Fatal(err)
	}
	r.Status, r.StatusMessage = "SUCCESS", "accepted"
	if err := s.PutReceipt(ctx, &r); err != nil {
		t.Fatal(err)
	}
	page, err := s.Receipts(ctx, PageRequest{Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 3 || page.Items[0].ID != ids[4] || page.Items[2].ID != ids[2] || page.Items[2].Status != "SUCCESS" || page.Next == "" {
		t.Fatalf("first page = %+v", page)
	}
	page, err = s.Receipts(ctx, PageRequest{Limit: 3, Token: page.Next})
	if err != nil || len(page.Items) != 2 || page.Items[1].ID != ids[0] || page.Next != "" {
		t.Fatalf("second page = %+v, %v", page, err)
	}
	if _, err := s.Receipt(ctx, "zz"); err == nil {
		t.Error("bad receipt id accepted")
	}
}

func TestCancelledContext(t *testing.T) {
	s := newMem(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.CommitPart(ctx, "srv", "feed", feedBlocks(0, 0, 3), label(2)); !errors.Is(err, context.Canceled) {
		t.Errorf("CommitPart: err = %v, want context.Canceled", err)
	}
	if _, err := s.Search(ctx, "phishing", 10); !errors.Is(err, context.Canceled) {
		t.Errorf("Search: err = %v, want context.Canceled", err)
	}
	if _, err := s.ListBlocks(ctx, "srv", "feed", PageRequest{}); !errors.Is(err, context.Canceled) {
		t.Errorf("ListBlocks: err = %v, want context.Canceled", err)
	}
	if _, err := s.Prune(ctx, label(100)); !errors.Is(err, context.Canceled) {
		t.Errorf("Prune: err = %v, want context.Canceled", err)
	}
	st, err := s.Stats(context.Background())
	if err != nil || st.Blocks != 0 {
		t.Errorf("a cancelled commit stored something: %+v, %v", st, err)
	}
}

func TestSync(t *testing.T) {
	ctx := context.Background()
	s := openDir(t, t.TempDir())
	if _, err := s.CommitPart(ctx, "srv", "feed", feedBlocks(0, 0, 3), label(2)); err != nil {
		t.Fatal(err)
	}
	if err := s.Sync(); err != nil {
		t.Errorf("Sync on disk: %v", err)
	}
	s.Close()
	if err := s.Sync(); err == nil {
		t.Error("Sync of a closed store succeeded")
	}
}

func TestSyncInMemory(t *testing.T) {
	s, err := OpenInMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.CommitPart(context.Background(), "srv", "feed", feedBlocks(0, 0, 3), label(2)); err != nil {
		t.Fatal(err)
	}
	if err := s.Sync(); err != nil {
		t.Errorf("Sync in memory: %v", err)
	}
}
