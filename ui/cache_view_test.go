package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/app/apptest"
	"github.com/taxii-workstation/taxii-workstation/taxii"
)

// viewFixture is one view's environment over the core's fakes, in a test window.
type viewFixture struct {
	env    *viewEnv
	app    fyne.App
	core   *app.App
	fakes  *apptest.Fakes
	picker *fakePicker
	win    fyne.Window

	mu    sync.Mutex
	shown []string
}

func newViewFixture(t *testing.T) *viewFixture {
	t.Helper()
	a := test.NewTempApp(t)
	core, f := apptest.NewApp(t)
	fx := &viewFixture{app: a, core: core, fakes: f, picker: &fakePicker{}}
	fx.win = test.NewTempWindow(t, widget.NewLabel(""))
	hub := newEventHub(core)
	t.Cleanup(hub.Close)
	fx.env = &viewEnv{
		core: core, win: fx.win, events: hub, picker: fx.picker, settings: app.NewSettings(a.Preferences()),
		dataDir: "/data/for/test", notify: func(string, string) {},
		show: func(name string) bool {
			fx.mu.Lock()
			defer fx.mu.Unlock()
			fx.shown = append(fx.shown, name)
			return true
		},
	}
	return fx
}

// show puts a view in the window at a size where everything is laid out.
func (fx *viewFixture) show(o fyne.CanvasObject) {
	fx.win.SetContent(o)
	fx.win.Resize(fyne.NewSize(1100, 760))
}

// stixDoc is a small STIX 1.2 package.
func stixDoc(title, body string) []byte {
	return []byte(fmt.Sprintf(`<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" version="1.2"><stix:STIX_Header><stix:Title>%s</stix:Title></stix:STIX_Header>%s</stix:STIX_Package>`, title, body))
}

// seed stores n blocks "<prefix> i" in server/collection, block i labelled
// start + i hours (so the last is the newest).
func (fx *viewFixture) seed(t testing.TB, server, collection, prefix string, n int, start time.Time) {
	t.Helper()
	var blocks []app.NewBlock
	for i := range n {
		title := fmt.Sprintf("%s %d", prefix, i)
		blocks = append(blocks, app.NewBlock{
			Content: stixDoc(title, ""), Binding: taxii.ContentSTIX12, Title: title,
			TimestampLabel: start.Add(time.Duration(i) * time.Hour), MessageID: fmt.Sprintf("msg-%s-%d", collection, i),
		})
	}
	if _, err := fx.fakes.Store.CommitPart(context.Background(), server, collection, blocks, time.Time{}); err != nil {
		t.Fatal(err)
	}
}

var day1 = time.Date(2025, 11, 3, 8, 0, 0, 0, time.UTC)

func newCacheFixture(t *testing.T) (*viewFixture, *cacheView) {
	fx := newViewFixture(t)
	fx.seed(t, "acme", "feed-a", "Report", 3, day1)
	fx.seed(t, "acme", "feed-b", "Bulletin", 2, day1.AddDate(0, 0, 5))
	fx.seed(t, "beta", "indicators", "Indicator", 1, day1)
	v := newCacheView(fx.env)
	v.t.useManual()
	fx.show(v)
	v.t.wait()
	return fx, v
}

// listTitles are the titles of the rows the list has drawn, top to bottom.
func listTitles(v *cacheView) []string {
	type drawn struct {
		y     float32
		title string
	}
	var rows []drawn
	for _, o := range test.LaidOutObjects(v.list) {
		if r, ok := o.(*blockRow); ok && r.Visible() {
			rows = append(rows, drawn{fyne.CurrentApp().Driver().AbsolutePositionForObject(r).Y, r.title.Text})
		}
	}
	slices.SortFunc(rows, func(a, b drawn) int {
		switch {
		case a.y < b.y:
			return -1
		case a.y > b.y:
			return 1
		}
		return 0
	})
	var out []string
	for _, r := range rows {
		if r.title != "" {
			out = append(out, r.title)
		}
	}
	return out
}

// labelTexts joins the visible label texts under o.
func labelTexts(o fyne.CanvasObject) string {
	var b strings.Builder
	for _, x := range test.LaidOutObjects(o) {
		if l, ok := x.(*widget.Label); ok && l.Visible() {
			b.WriteString(l.Text + "\n")
		}
	}
	return b.String()
}

func TestCacheTreeListsServersAndCollections(t *testing.T) {
	_, v := newCacheFixture(t)
	root := v.tree.ChildUIDs("")
	want := []string{serverNode("acme"), serverNode("beta"), nodeShared, nodeInbox}
	if !slices.Equal(root, want) {
		t.Fatalf("tree root = %q, want %q", root, want)
	}
	tests := []struct {
		server string
		want   []string
	}{
		{"acme", []string{"feed-a (3)", "feed-b (2)"}},
		{"beta", []string{"indicators (1)"}},
	}
	for _, tc := range tests {
		var got []string
		for _, id := range v.tree.ChildUIDs(serverNode(tc.server)) {
			got = append(got, v.nodeLabel(id))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: collections %q, want %q", tc.server, got, tc.want)
		}
	}
	if got := v.nodeLabel(nodeShared) + "|" + v.nodeLabel(nodeInbox); got != "Shared by me|Inbox (unreviewed)" {
		t.Errorf("folders = %q", got)
	}
	if texts := labelTexts(v); !strings.Contains(texts, "Choose a collection") {
		t.Errorf("with nothing chosen the view says %q", texts)
	}
}

func TestCacheEmptyStateTellsWhatToDo(t *testing.T) {
	fx := newViewFixture(t)
	v := newCacheView(fx.env)
	v.t.useManual()
	fx.show(v)
	v.t.wait()
	texts := labelTexts(v)
	for _, want := range []string{"The cache is empty", "Add a server in Servers and poll", "/data/for/test"} {
		if !strings.Contains(texts, want) {
			t.Errorf("empty cache view lacks %q: %q", want, texts)
		}
	}
	v.tree.Select(nodeInbox)
	v.t.wait()
	if texts := labelTexts(v); !strings.Contains(texts, "No pushed content to review") {
		t.Errorf("Inbox folder says %q", texts)
	}
	v.tree.Select(nodeShared)
	v.t.wait()
	if texts := labelTexts(v); !strings.Contains(texts, "Nothing shared yet") {
		t.Errorf("Shared by me with no receipts says %q", texts)
	}
}

func TestCacheSelectCollectionListsNewestFirst(t *testing.T) {
	_, v := newCacheFixture(t)
	v.tree.Select(collectionNode("acme", "feed-a"))
	v.t.wait()
	if got, want := listTitles(v), []string{"Report 2", "Report 1", "Report 0"}; !slices.Equal(got, want) {
		t.Errorf("rows = %q, want %q", got, want)
	}
	if !strings.Contains(v.heading.Text, "acme / feed-a · 3 blocks") {
		t.Errorf("heading = %q", v.heading.Text)
	}
	var first *blockRow
	for _, o := range test.LaidOutObjects(v.list) {
		if r, ok := o.(*blockRow); ok && r.title.Text == "Report 2" {
			first = r
		}
	}
	if first == nil {
		t.Fatal("row Report 2 not drawn")
	}
	if first.when.Text != "2025-11-03 10:00:00" || first.bind.Text != "STIX 1.2" || !strings.HasSuffix(first.size.Text, " B") {
		t.Errorf("row shows time %q, binding %q, size %q", first.when.Text, first.bind.Text, first.size.Text)
	}
	v.tree.Select(collectionNode("beta", "indicators"))
	v.t.wait()
	if got := listTitles(v); !slices.Equal(got, []string{"Indicator 0"}) {
		t.Errorf("after choosing beta/indicators rows = %q", got)
	}
}

func TestCacheListPagesOnDemand(t *testing.T) {
	fx := newViewFixture(t)
	fx.seed(t, "acme", "big", "Item", 1000, day1)
	v := newCacheView(fx.env)
	v.t.useManual()
	fx.show(v)
	v.t.wait()
	v.tree.Select(collectionNode("acme", "big"))
	v.t.wait()
	ps, ok := v.base.(*pagedSource)
	if !ok {
		t.Fatalf("a collection is listed from %T, want a pagedSource", v.base)
	}
	if v.list.Length() != 1000 {
		t.Errorf("list length = %d, want 1000", v.list.Length())
	}
	if !ps.loaded(0) || ps.loaded(5) || len(ps.pages) != 1 {
		t.Errorf("after opening: pages in memory %v, want only page 0", keys(ps.pages))
	}
	if got := listTitles(v); len(got) == 0 || got[0] != "Item 999" {
		t.Errorf("first rows %q, want Item 999 first", got)
	}
	v.list.ScrollToBottom()
	v.t.wait()
	v.list.Refresh()
	v.t.wait()
	if !ps.loaded(9) {
		t.Errorf("after scrolling to the end: pages %v, want page 9", keys(ps.pages))
	}
	if got := listTitles(v); len(got) == 0 || got[len(got)-1] != "Item 0" {
		t.Errorf("last rows %q, want Item 0 last", got)
	}
	if len(ps.pages) > keptPages {
		t.Errorf("%d pages kept, want at most %d", len(ps.pages), keptPages)
	}
}

func keys(m map[int][]rowData) []int {
	var out []int
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestCacheFilterNarrowsTheList(t *testing.T) {
	fx := newViewFixture(t)
	fx.seed(t, "acme", "feed", "Report", 30, day1) // Report i labelled day1 + i hours
	other := app.NewBlock{Content: []byte(`<cybox:Observables xmlns:cybox="http://cybox.mitre.org/cybox-2"/>`),
		Binding: "urn:cybox.mitre.org:xml:2.1", Title: "Observed", TimestampLabel: day1.Add(90 * time.Minute)}
	if _, err := fx.fakes.Store.CommitPart(context.Background(), "acme", "feed", []app.NewBlock{other}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	v := newCacheView(fx.env)
	v.t.useManual()
	fx.show(v)
	v.t.wait()
	v.tree.Select(collectionNode("acme", "feed"))
	v.t.wait()

	tests := []struct {
		name                    string
		text, binding, from, to string
		want                    []string
	}{
		{"text", "REPORT 2", "", "", "", []string{"Report 29", "Report 28", "Report 27", "Report 26", "Report 25", "Report 24", "Report 23", "Report 22", "Report 21", "Report 20", "Report 2"}},
		{"block id", reportID(7)[:10], "", "", "", []string{"Report 7"}},
		{"binding", "", "urn:cybox.mitre.org:xml:2.1", "", "", []string{"Observed"}},
		{"date range", "", "", "2025-11-04", "2025-11-04", []string{"Report 29", "Report 28", "Report 27", "Report 26", "Report 25", "Report 24", "Report 23", "Report 22", "Report 21", "Report 20", "Report 19", "Report 18", "Report 17", "Report 16"}},
		{"text and binding", "report", "urn:cybox.mitre.org:xml:2.1", "", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v.filter.clear()
			v.t.wait()
			if tc.binding != "" {
				if !slices.Contains(v.filter.binding.Options, tc.binding) {
					t.Fatalf("binding filter offers %q, want %q among them", v.filter.binding.Options, tc.binding)
				}
				v.filter.binding.SetSelected(tc.binding)
			}
			test.Type(v.filter.from, tc.from)
			test.Type(v.filter.to, tc.to)
			test.Type(v.filter.text, tc.text)
			v.t.wait()
			var got []string
			for i := range v.src.length() {
				r, _ := v.src.row(i)
				got = append(got, r.Title)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("filtered rows = %q, want %q", got, tc.want)
			}
			if drawn := listTitles(v); len(tc.want) > 0 && (len(drawn) == 0 || drawn[0] != tc.want[0]) {
				t.Errorf("drawn rows %q, want %q first", drawn, tc.want[0])
			}
		})
	}
	v.filter.clear()
	v.t.wait()
	if v.src.length() != 31 {
		t.Errorf("after clearing the filter %d rows, want 31", v.src.length())
	}
	test.Type(v.filter.from, "3 Nov")
	v.t.wait()
	if !strings.Contains(v.status.Text(), "not a date like") {
		t.Errorf("bad date: status %q", v.status.Text())
	}
}

func TestCacheSearchFindsAcrossTheCache(t *testing.T) {
	fx, v := newCacheFixture(t)
	needle := app.NewBlock{Content: stixDoc("Phishing wave", "<x>evil.example.com</x>"), Binding: taxii.ContentSTIX12, Title: "Phishing wave", TimestampLabel: day1}
	for _, where := range [][2]string{{"acme", "feed-b"}, {"beta", "indicators"}} {
		if _, err := fx.fakes.Store.CommitPart(context.Background(), where[0], where[1], []app.NewBlock{needle}, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	v.FocusSearch()
	if fx.win.Canvas().Focused() != v.search {
		t.Error("FocusSearch did not focus the search box")
	}
	test.Type(v.search, "EVIL.example")
	v.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	v.t.wait()
	if v.src == nil || v.src.length() != 1 {
		t.Fatalf("search rows = %v, want 1", v.src)
	}
	r, _ := v.src.row(0)
	if r.Title != "Phishing wave" || !strings.Contains(r.Where, "acme / feed-b") || !strings.Contains(r.Where, "beta / indicators") {
		t.Errorf("hit = %q seen %q", r.Title, r.Where)
	}
	if !strings.Contains(v.heading.Text, "1 blocks found") && !strings.Contains(v.heading.Text, "1 block") {
		t.Errorf("heading = %q", v.heading.Text)
	}
	v.Search("nowhere-to-be-found")
	v.t.wait()
	if texts := labelTexts(v); !strings.Contains(texts, "Nothing found") {
		t.Errorf("a search without hits says %q", texts)
	}
}

func TestCacheDetailTabs(t *testing.T) {
	fx, v := newCacheFixture(t)
	// The same content seen in a second collection: two sightings.
	again := app.NewBlock{Content: stixDoc("Report 1", ""), Binding: taxii.ContentSTIX12, Title: "Report 1", TimestampLabel: day1, MessageID: "msg-beta"}
	if _, err := fx.fakes.Store.CommitPart(context.Background(), "beta", "indicators", []app.NewBlock{again}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	v.tree.Select(collectionNode("acme", "feed-a"))
	v.t.wait()
	v.list.Select(1) // Report 1
	v.t.wait()
	id := v.selected.ID

	summary := labelTexts(v.detail.summary)
	for _, want := range []string{"Title", "Report 1", id.String(), "urn:stix.mitre.org:xml:1.2", "2025-11-03 09:00:00 UTC", "msg-feed-a-1", "2 collections on 2 servers"} {
		if !strings.Contains(summary, want) {
			t.Errorf("Summary lacks %q:\n%s", want, summary)
		}
	}
	v.detail.tabs.SelectIndex(1)
	if got := strings.Join(v.detail.lines, ""); got != string(stixDoc("Report 1", "")) {
		t.Errorf("Raw = %q", got)
	}
	var drawn []string
	for _, o := range test.LaidOutObjects(v.detail.raw) {
		if l, ok := o.(*widget.Label); ok && l.Visible() && l.Text != "" {
			drawn = append(drawn, l.Text)
			if !l.Selectable || !l.TextStyle.Monospace {
				t.Errorf("Raw line %q is not monospace and selectable", l.Text)
			}
		}
	}
	if len(drawn) == 0 || !strings.HasPrefix(drawn[0], "<stix:STIX_Package") {
		t.Errorf("Raw draws %q", drawn)
	}
	v.detail.tabs.SelectIndex(2)
	prov := labelTexts(v.detail.prov)
	for _, want := range []string{"Seen 2 times: in 2 collections on 2 servers", "acme / feed-a", "beta / indicators", "msg-beta"} {
		if !strings.Contains(prov, want) {
			t.Errorf("Provenance lacks %q:\n%s", want, prov)
		}
	}
}

func TestCacheRawCapsLargeDocuments(t *testing.T) {
	fx := newViewFixture(t)
	big := stixDoc("Big", strings.Repeat("<x>0123456789</x>\n", 20000)) // ~360 KB
	if _, err := fx.fakes.Store.CommitPart(context.Background(), "acme", "feed", []app.NewBlock{{Content: big, Binding: taxii.ContentSTIX12, Title: "Big", TimestampLabel: day1}}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	v := newCacheView(fx.env)
	v.t.useManual()
	fx.show(v)
	v.t.wait()
	v.tree.Select(collectionNode("acme", "feed"))
	v.t.wait()
	v.list.Select(0)
	v.t.wait()
	shown := func() int { return len(strings.Join(v.detail.lines, "\n")) }
	if n := shown(); n > rawFirst+rawFirst/rawColumns+1 || n < rawFirst/2 {
		t.Errorf("Raw holds %d characters of a %d-byte document, want about %d", n, len(big), rawFirst)
	}
	if !strings.Contains(v.detail.rawNote.Text, "Showing the first 65.5 KB of 360.2 KB") || !v.detail.more.Visible() || !v.detail.save.Visible() {
		t.Errorf("note %q, show all visible %v", v.detail.rawNote.Text, v.detail.more.Visible())
	}
	test.Tap(v.detail.more)
	v.t.wait()
	if got := strings.Join(v.detail.lines, ""); got != strings.ReplaceAll(string(big), "\n", "") || v.detail.more.Visible() || v.detail.rawNote.Text != "" {
		t.Errorf("after Show all: %d characters, more visible %v, note %q", len(got), v.detail.more.Visible(), v.detail.rawNote.Text)
	}
}

func TestRawTextBreaksLongLines(t *testing.T) {
	tests := []struct {
		in    string
		limit int
		want  string
	}{
		{"a\r\nb", 10, "a\nb"},
		{"a\n\nb\n", 10, "a\n\nb"},
		{strings.Repeat("x", rawColumns+3), 1000, strings.Repeat("x", rawColumns) + "\nxxx"},
		{"héllo", 2, "h\uFFFD"}, // cut inside a rune: replaced, not split
		{"\xff ok", 10, "\uFFFD ok"},
	}
	for _, tc := range tests {
		if got := strings.Join(rawLines([]byte(tc.in), tc.limit), "\n"); got != tc.want {
			t.Errorf("rawLines(%q, %d) = %q, want %q", tc.in, tc.limit, got, tc.want)
		}
	}
}

func TestCacheSharedByMeListsReceipts(t *testing.T) {
	fx, v := newCacheFixture(t)
	ctx := context.Background()
	if err := fx.core.AddProfile(ctx, app.Profile{Name: "hub", DiscoveryURL: apptest.DiscoveryURL}, app.Credentials{}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "report.xml")
	if err := os.WriteFile(file, stixDoc("Shared", ""), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.core.Push(ctx, app.PushRequest{Server: "hub", Collections: []string{"inbound"}, Files: []string{file}}); err != nil {
		t.Fatal(err)
	}
	v.t.wait()
	v.tree.Select(nodeShared)
	v.t.wait()
	if v.src == nil || v.src.length() != 1 {
		t.Fatalf("Shared by me lists %v rows, want 1", v.src)
	}
	if got := listTitles(v); len(got) != 1 || !strings.Contains(got[0], "report.xml") || !strings.Contains(got[0], "→ hub / inbound") {
		t.Errorf("receipt row %q", got)
	}
	v.list.Select(0)
	v.t.wait()
	summary := labelTexts(v.detail.summary)
	for _, want := range []string{"SUCCESS", "hub", "inbound", apptest.InboxURL} {
		if !strings.Contains(summary, want) {
			t.Errorf("receipt summary lacks %q:\n%s", want, summary)
		}
	}
	if !strings.Contains(v.detail.rawNote.Text, "not kept in the cache") {
		t.Errorf("Raw of a receipt says %q", v.detail.rawNote.Text)
	}
}

func TestCacheFollowsCacheChanges(t *testing.T) {
	fx, v := newCacheFixture(t)
	ctx := context.Background()
	if err := fx.core.AddProfile(ctx, app.Profile{Name: "acme", DiscoveryURL: apptest.DiscoveryURL}, app.Credentials{}); err != nil {
		t.Fatal(err)
	}
	v.tree.Select(collectionNode("acme", "feed-a"))
	v.t.wait()
	v.list.Select(0)
	v.t.wait()
	fx.fakes.Client.Add("feed-a", apptest.Block("Fresh news", day1.AddDate(0, 1, 0)))
	if _, err := fx.core.Sync(ctx, app.SyncRequest{Server: "acme", Collection: "feed-a", Mode: app.SinceLast}); err != nil {
		t.Fatal(err)
	}
	v.t.wait()
	if got := v.nodeLabel(collectionNode("acme", "feed-a")); got != "feed-a (4)" {
		t.Errorf("tree says %q after a sync, want feed-a (4)", got)
	}
	if got := listTitles(v); len(got) != 4 || got[0] != "Fresh news" {
		t.Errorf("rows after a sync %q, want Fresh news first of 4", got)
	}
	if v.detail.row.Title != "Report 2" || v.selected == nil || v.selected.Title != "Report 2" {
		t.Errorf("the block being read changed to %q during a sync", v.detail.row.Title)
	}
}

func TestCacheViewMarkup(t *testing.T) {
	_, v := newCacheFixture(t)
	v.tree.Select(collectionNode("acme", "feed-a"))
	v.t.wait()
	v.list.Select(0)
	v.t.wait()
	test.AssertRendersToMarkup(t, "cache_collection.xml", v.env.win.Canvas())
}
