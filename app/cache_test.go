package app_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/taxii/taxiitest"
)

func TestCacheReviewAndExport(t *testing.T) {
	ctx := context.Background()
	ra := newRealApp(t, nil)
	srv := ra.serve(t, taxiitest.Options{}, taxiitest.Collection{Name: "a", Blocks: 7, PartSize: 3})
	srv.AddCollection(taxiitest.Collection{Name: "b", Blocks: 3}) // the same first 3 packages as "a"
	for _, c := range []string{"a", "b"} {
		if _, err := ra.Sync(ctx, app.SyncRequest{Server: "hub", Collection: c, Mode: app.SinceLast}); err != nil {
			t.Fatal(err)
		}
	}

	// Newest first, paged.
	p1, err := ra.ListBlocks(ctx, "hub", "a", app.PageRequest{Limit: 4})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := ra.ListBlocks(ctx, "hub", "a", app.PageRequest{Limit: 4, Token: p1.Next})
	if err != nil {
		t.Fatal(err)
	}
	if len(p1.Items) != 4 || len(p2.Items) != 3 || p1.Next == "" || p2.Next != "" {
		t.Fatalf("pages of %d and %d items (next %q, %q), want 4 and 3", len(p1.Items), len(p2.Items), p1.Next, p2.Next)
	}
	all := append(p1.Items, p2.Items...)
	for i, e := range all {
		if want := label(6 - i); !e.Sighting.TimestampLabel.Equal(want) {
			t.Errorf("row %d label %v, want %v (newest first)", i, e.Sighting.TimestampLabel, want)
		}
	}
	if all[0].Block.Title != "Package 6" {
		t.Errorf("title = %q, want the STIX header title", all[0].Block.Title)
	}

	// A block seen in both collections has two sightings.
	oldest := all[len(all)-1].Block.ID
	d, err := ra.GetBlock(ctx, oldest)
	if err != nil {
		t.Fatal(err)
	}
	if d.Provenance.Collections != 2 || d.Provenance.Servers != 1 || len(d.Provenance.Sightings) != 2 {
		t.Errorf("provenance = %+v, want 2 collections on 1 server", d.Provenance)
	}
	if sum := sha256.Sum256(d.Content); hex.EncodeToString(sum[:]) != oldest.String() {
		t.Error("content does not hash to its id")
	}

	cc, err := ra.CachedCollections(ctx)
	if err != nil || len(cc) != 2 || cc[0].Blocks != 7 || cc[1].Blocks != 3 {
		t.Errorf("cached collections = %+v, %v", cc, err)
	}
	st, err := ra.Stats(ctx)
	if err != nil || st.Blocks != 7 {
		t.Errorf("stats = %+v, %v; want 7 distinct blocks", st, err)
	}

	hits, err := ra.Search(ctx, "package 5", 10)
	if err != nil || len(hits) != 1 || hits[0].Block.Title != "Package 5" || len(hits[0].Seen) != 1 || hits[0].Seen[0].Collection != "a" {
		t.Errorf("search = %+v, %v", hits, err)
	}
	if _, err := ra.Search(ctx, "  ", 10); err == nil {
		t.Error("an empty search was accepted")
	}

	// Export writes the original bytes, one file per block, named by id.
	dir := filepath.Join(t.TempDir(), "out")
	paths, err := ra.ExportCollection(ctx, "hub", "a", dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 7 {
		t.Fatalf("exported %d files, want 7", len(paths))
	}
	for i, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		id := all[i].Block.ID
		if filepath.Base(p) != id.String()+".xml" {
			t.Errorf("file %s, want %s.xml", filepath.Base(p), id)
		}
		content, err := ra.GetBlock(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, content.Content) || !strings.Contains(string(b), "STIX_Package") {
			t.Errorf("%s does not hold the block's original bytes", p)
		}
	}
	// Exporting again into the same folder is harmless; other bytes under the name are not overwritten.
	if _, err := ra.ExportBlocks(ctx, []app.BlockID{all[0].Block.ID}, dir); err != nil {
		t.Errorf("re-export: %v", err)
	}
	if err := os.WriteFile(paths[1], []byte("changed"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ra.ExportBlocks(ctx, []app.BlockID{all[1].Block.ID}, dir); err == nil {
		t.Error("export overwrote a different file")
	}

	// Views combine the collection information with local state.
	if _, err := ra.RefreshCollections(ctx, "hub"); err != nil {
		t.Fatal(err)
	}
	if err := ra.SetSchedule(ctx, "hub", "b", time.Hour); err != nil {
		t.Fatal(err)
	}
	views, err := ra.CollectionViews(ctx, "hub")
	if err != nil {
		t.Fatal(err)
	}
	if len(views) != 2 || views[0].Name != "a" || views[0].Cached != 7 || !views[0].Cursor.Equal(label(6)) || views[1].Schedule != time.Hour || len(views[0].ContentBindings) != 1 {
		t.Errorf("views = %+v", views)
	}

	// Reset cursor: forgotten, and the next since-last asks for everything (all known).
	if err := ra.ResetCursor(ctx, "hub", "a"); err != nil {
		t.Fatal(err)
	}
	if _, ok := cursorOf(t, ra, "a"); ok {
		t.Error("cursor still set after reset")
	}
	res, err := ra.Sync(ctx, app.SyncRequest{Server: "hub", Collection: "a", Mode: app.SinceLast})
	if err != nil || res.Known != 7 || res.New != 0 {
		t.Errorf("sync after reset = %+v, %v; want 7 known", res, err)
	}
}

func TestPrune(t *testing.T) {
	ctx := context.Background()
	a, f := newFakeApp(t)
	f.Client.Add("old", blocks("o", 3)...)
	if _, err := a.Sync(ctx, app.SyncRequest{Server: "hub", Collection: "old", Mode: app.SinceLast}); err != nil {
		t.Fatal(err)
	}
	f.Clock.Advance(40 * 24 * time.Hour)
	f.Client.Add("new", blocks("n", 2)...)
	if _, err := a.Sync(ctx, app.SyncRequest{Server: "hub", Collection: "new", Mode: app.SinceLast}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Prune(ctx, 0); err == nil {
		t.Error("a zero retention was accepted")
	}
	r, err := a.Prune(ctx, 30*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if r.Blocks != 3 {
		t.Errorf("pruned %+v, want the 3 old blocks", r)
	}
	st, _ := a.Stats(ctx)
	if st.Blocks != 2 {
		t.Errorf("%d blocks left, want 2", st.Blocks)
	}
}
