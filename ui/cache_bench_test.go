package ui

import (
	"context"
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/app/apptest"
	"github.com/taxii-workstation/taxii-workstation/storage"
	"github.com/taxii-workstation/taxii-workstation/taxii"
)

// benchCache opens a Cache view over an in-memory Badger cache holding n
// blocks in acme/big (the real store: its paging is what is measured).
func benchCache(b *testing.B, n int) *cacheView {
	b.Helper()
	test.NewTempApp(b)
	st, err := storage.OpenInMemory()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	ctx := context.Background()
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	const batch = 1000
	for i := 0; i < n; i += batch {
		blocks := make([]app.NewBlock, 0, batch)
		for j := i; j < min(i+batch, n); j++ {
			title := fmt.Sprintf("Indicator bulletin %d", j)
			blocks = append(blocks, app.NewBlock{Content: stixDoc(title, "<x>198.51.100.7</x>"), Binding: taxii.ContentSTIX12,
				Title: title, TimestampLabel: start.Add(time.Duration(j) * time.Second), MessageID: "m"})
		}
		if _, err := st.CommitPart(ctx, "acme", "big", blocks, time.Time{}); err != nil {
			b.Fatal(err)
		}
	}
	core, err := app.New(app.Deps{Store: st, Secrets: apptest.NewSecrets()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = core.Close() })
	hub := newEventHub(core)
	b.Cleanup(hub.Close)
	w := test.NewTempWindow(b, widget.NewLabel(""))
	env := &viewEnv{core: core, win: w, events: hub, picker: &fakePicker{}, dataDir: "/bench", notify: func(string, string) {}, show: func(string) bool { return true }}
	v := newCacheView(env)
	v.t.useManual()
	w.SetContent(v)
	w.Resize(fyne.NewSize(1100, 760))
	v.t.wait()
	return v
}

// BenchmarkCacheSelectCollection100k measures the time from selecting a
// collection of 100,000 cached blocks in the tree to its first rows drawn
// (count from the tree, first page read from Badger, rows updated).
func BenchmarkCacheSelectCollection100k(b *testing.B) {
	v := benchCache(b, 100_000)
	node := collectionNode("acme", "big")
	b.ResetTimer()
	for b.Loop() {
		v.tree.UnselectAll()
		v.tree.Select(node)
		v.t.wait()
	}
	b.StopTimer()
	if got := listTitles(v); len(got) == 0 || got[0] != "Indicator bulletin 99999" || v.list.Length() != 100_000 {
		b.Fatalf("after selecting: %d rows, first drawn %q", v.list.Length(), got)
	}
}

// BenchmarkCacheJumpToRow50k measures drawing rows in the middle of a
// 100,000-block collection (scrollbar dragged there): the page is read by
// offset, not by loading what comes before it.
func BenchmarkCacheJumpToRow50k(b *testing.B) {
	v := benchCache(b, 100_000)
	v.tree.Select(collectionNode("acme", "big"))
	v.t.wait()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		v.showPlace(v.at) // forget the pages read
		v.t.wait()
		b.StartTimer()
		v.list.ScrollTo(50_000)
		v.t.wait()
	}
	b.StopTimer()
	if ps := v.base.(*pagedSource); !ps.loaded(50_000 / rowsPerPage) {
		b.Fatalf("row 50,000 not loaded: pages %v", keys(ps.pages))
	}
}
