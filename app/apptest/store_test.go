package apptest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/app/apptest"
	"github.com/taxii-workstation/taxii-workstation/storage"
)

// TestStoreLikeStorage runs one scenario against the fake and the real
// store, so the fake keeps storage's rules: dedup by content, one listing
// per collection, cursors only forward, newest first, paging.
func TestStoreLikeStorage(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(t *testing.T) app.Store
	}{
		{"apptest", func(*testing.T) app.Store { return apptest.NewStore() }},
		{"storage", func(t *testing.T) app.Store {
			s, err := storage.OpenInMemory()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			return s
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s := tc.open(t)
			t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			blk := func(s string, i int) app.NewBlock {
				return app.NewBlock{Content: []byte(s), Binding: "urn:x", TimestampLabel: t0.Add(time.Duration(i) * time.Minute)}
			}
			r, err := s.CommitPart(ctx, "hub", "feed", []app.NewBlock{blk("a", 1), blk("b", 2), blk("a", 1)}, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			if r.New != 2 || r.Known != 1 || r.CursorMoved {
				t.Errorf("first commit = %+v, want 2 new, 1 known, no cursor", r)
			}
			if _, err := s.Cursor(ctx, "hub", "feed"); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("cursor before any: %v, want ErrNotFound", err)
			}
			r, err = s.CommitPart(ctx, "hub", "feed", []app.NewBlock{blk("c", 3)}, t0.Add(3*time.Minute))
			if err != nil || r.New != 1 || !r.CursorMoved {
				t.Errorf("second commit = %+v, %v", r, err)
			}
			r, err = s.CommitPart(ctx, "hub", "other", []app.NewBlock{blk("b", 2)}, t0.Add(time.Minute))
			if err != nil || r.Known != 1 || r.NewSightings != 1 {
				t.Errorf("other collection = %+v, %v", r, err)
			}
			// An older cursor never moves it back.
			if r, _ := s.CommitPart(ctx, "hub", "feed", nil, t0); r.CursorMoved {
				t.Error("the cursor moved back")
			}
			if c, err := s.Cursor(ctx, "hub", "feed"); err != nil || !c.Label.Equal(t0.Add(3*time.Minute)) {
				t.Errorf("cursor = %+v, %v", c, err)
			}
			p, err := s.ListBlocks(ctx, "hub", "feed", app.PageRequest{Limit: 2})
			if err != nil || len(p.Items) != 2 || p.Next == "" || string(mustContent(t, s, p.Items[0].Block.ID)) != "c" {
				t.Fatalf("first page = %+v, %v", p, err)
			}
			p2, err := s.ListBlocks(ctx, "hub", "feed", app.PageRequest{Limit: 2, Token: p.Next})
			if err != nil || len(p2.Items) != 1 || p2.Next != "" || string(mustContent(t, s, p2.Items[0].Block.ID)) != "a" {
				t.Errorf("second page = %+v, %v", p2, err)
			}
			prov, err := s.Provenance(ctx, storage.IDOf([]byte("b")))
			if err != nil || prov.Collections != 2 || prov.Servers != 1 {
				t.Errorf("provenance = %+v, %v", prov, err)
			}
			if n, _ := s.CountBlocks(ctx, "hub", "feed"); n != 3 {
				t.Errorf("count = %d, want 3", n)
			}
			if st, _ := s.Stats(ctx); st.Blocks != 3 || st.ContentBytes != 3 {
				t.Errorf("stats = %+v", st)
			}
			if hits, err := s.Search(ctx, "B", 10); err != nil || len(hits) != 1 || len(hits[0].Seen) != 2 {
				t.Errorf("search = %+v, %v", hits, err)
			}
			rc := &app.Receipt{Server: "hub", Status: "SUCCESS"}
			if err := s.PutReceipt(ctx, rc); err != nil || rc.ID == "" {
				t.Fatalf("receipt: %v (%+v)", err, rc)
			}
			rc.Status = "FAILURE"
			if err := s.PutReceipt(ctx, rc); err != nil {
				t.Fatal(err)
			}
			if rs, _ := s.Receipts(ctx, app.PageRequest{}); len(rs.Items) != 1 || rs.Items[0].Status != "FAILURE" {
				t.Errorf("receipts = %+v, want the one receipt, updated", rs.Items)
			}
		})
	}
}

func mustContent(t *testing.T, s app.Store, id app.BlockID) []byte {
	t.Helper()
	b, err := s.Content(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestClock(t *testing.T) {
	c := apptest.NewClock(apptest.Start())
	ch := c.After(time.Hour)
	if c.Waiters() != 1 {
		t.Fatalf("waiters = %d", c.Waiters())
	}
	c.Advance(59 * time.Minute)
	select {
	case <-ch:
		t.Fatal("fired early")
	default:
	}
	c.Advance(time.Minute)
	select {
	case got := <-ch:
		if !got.Equal(apptest.Start().Add(time.Hour)) {
			t.Errorf("fired at %v", got)
		}
	default:
		t.Fatal("did not fire")
	}
	if c.Waiters() != 0 {
		t.Errorf("waiters after firing = %d", c.Waiters())
	}
}
