package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/taxii-workstation/taxii-workstation/app"
)

// placeKind says what the Cache view's list shows.
type placeKind int

const (
	placeNone       placeKind = iota
	placeCollection           // one server's collection, paged from the core
	placeShared               // push receipts ("Shared by me")
	placeInbox                // content pushed to us, to review (a later issue)
	placeSearch               // search results across the whole cache
)

type place struct {
	kind               placeKind
	server, collection string
	query              string
}

// Tree node IDs: "s:"+server, "c:"+server+"\x00"+collection, and two fixed folders.
const (
	nodeShared = "shared"
	nodeInbox  = "inbox"
)

func serverNode(s string) string        { return "s:" + s }
func collectionNode(s, c string) string { return "c:" + s + "\x00" + c }

// searchLimit caps search results; receiptsLimit caps the receipts listed.
const (
	searchLimit   = 500
	receiptsLimit = 5000
)

// cacheView is the offline review of everything received, like a mail
// reader: a tree of server → collection (with "Shared by me" for push
// receipts), a virtualized list of blocks with a quick filter, a search
// across the whole cache, and a reading pane.
type cacheView struct {
	widget.BaseWidget
	env *viewEnv
	t   viewTasks
	// shareTo hands blocks to the Share view (set when the window wires
	// the views; nil hides nothing but tells the user it is not wired).
	shareTo func([]app.PushItem)

	tree     *widget.Tree
	servers  []string
	colls    map[string][]app.CollectionCount
	receipts int // receipts known when the tree loaded (capped at one page)
	treeBusy bool
	treeMore bool
	started  bool

	search   *widget.Entry
	filter   *cacheFilter
	heading  *widget.Label
	header   fyne.CanvasObject
	top      *fyne.Container // search, heading, filter and column headers
	list     *widget.List
	listArea *fyne.Container
	detail   *blockDetail
	status   *statusLine
	marked   *widget.Label
	content  fyne.CanvasObject

	at        place
	base      rowSource // the place's rows
	src       rowSource // what the list shows: base, or the filter's matches
	baseTotal int
	filterGen int
	selected  *rowData
	marks     map[app.BlockID]rowData
	bindings  []string // content bindings seen in the place, offered by the filter
}

func newCacheView(env *viewEnv) *cacheView {
	v := &cacheView{env: env, colls: map[string][]app.CollectionCount{}, marks: map[app.BlockID]rowData{}}
	v.status = newStatusLine(env.win)
	v.heading = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.heading.Truncation = fyne.TextTruncateEllipsis
	v.marked = widget.NewLabel("")
	v.search = widget.NewEntry()
	v.search.SetPlaceHolder("Search the whole cache (Ctrl+F): words in content, titles, bindings")
	v.search.OnSubmitted = v.Search
	v.filter = newCacheFilter(v)
	v.detail = newBlockDetail(v)
	v.buildTree()
	v.buildList()

	searchBar := container.NewBorder(nil, nil, nil,
		widget.NewButtonWithIcon("Search", theme.SearchIcon(), func() { v.Search(v.search.Text) }), v.search)
	actions := container.NewHBox(
		widget.NewButtonWithIcon("Export…", theme.DocumentSaveIcon(), v.ExportSelected),
		widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), v.CopySelected),
		widget.NewButtonWithIcon("Share to…", theme.MailSendIcon(), v.ShareSelected),
		v.marked,
	)
	v.header = newColumns(widget.NewLabel(""), boldLabel("Time (UTC)"), boldLabel("Binding"), boldLabel("Title"), boldLabelRight("Size"))
	v.top = container.NewVBox(searchBar, v.heading, v.filter.bar, v.header)
	listPane := container.NewBorder(v.top, container.NewVBox(actions, v.status), nil, nil, v.listArea)
	right := container.NewVSplit(listPane, v.detail)
	right.Offset = 0.55
	split := container.NewHSplit(v.tree, right)
	split.Offset = 0.24
	v.content = split
	v.showPlace(place{})
	v.ExtendBaseWidget(v)
	v.t.listen(env.events, v.onEvent)
	return v
}

func boldLabel(s string) *widget.Label {
	return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

func boldLabelRight(s string) *widget.Label {
	return widget.NewLabelWithStyle(s, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
}

// CreateRenderer also reads the cache, the first time the view is shown.
func (v *cacheView) CreateRenderer() fyne.WidgetRenderer {
	if !v.started {
		v.started = true
		v.reloadTree()
	}
	return widget.NewSimpleRenderer(v.content)
}

func (v *cacheView) buildTree() {
	v.tree = widget.NewTree(
		func(id widget.TreeNodeID) []widget.TreeNodeID {
			switch {
			case id == "":
				var out []string
				for _, s := range v.servers {
					out = append(out, serverNode(s))
				}
				return append(out, nodeShared, nodeInbox)
			case strings.HasPrefix(id, "s:"):
				s := strings.TrimPrefix(id, "s:")
				var out []string
				for _, c := range v.colls[s] {
					out = append(out, collectionNode(s, c.Collection))
				}
				return out
			}
			return nil
		},
		func(id widget.TreeNodeID) bool { return id == "" || strings.HasPrefix(id, "s:") },
		func(bool) fyne.CanvasObject {
			l := widget.NewLabel("collection name")
			l.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, widget.NewIcon(nil), nil, l)
		},
		func(id widget.TreeNodeID, _ bool, o fyne.CanvasObject) {
			c := o.(*fyne.Container)
			c.Objects[0].(*widget.Label).SetText(v.nodeLabel(id))
			c.Objects[1].(*widget.Icon).SetResource(nodeIcon(id))
		},
	)
	v.tree.OnSelected = func(id widget.TreeNodeID) {
		switch {
		case id == nodeShared:
			v.showPlace(place{kind: placeShared})
		case id == nodeInbox:
			v.showPlace(place{kind: placeInbox})
		case strings.HasPrefix(id, "c:"):
			s, c, _ := strings.Cut(strings.TrimPrefix(id, "c:"), "\x00")
			v.showPlace(place{kind: placeCollection, server: s, collection: c})
		case strings.HasPrefix(id, "s:"):
			v.tree.OpenBranch(id)
		}
	}
}

func nodeIcon(id string) fyne.Resource {
	switch {
	case id == nodeShared:
		return theme.MailSendIcon()
	case id == nodeInbox:
		return theme.DownloadIcon()
	case strings.HasPrefix(id, "s:"):
		return theme.ComputerIcon()
	}
	return theme.FolderIcon()
}

func (v *cacheView) nodeLabel(id string) string {
	switch {
	case id == nodeShared:
		return "Shared by me"
	case id == nodeInbox:
		return "Inbox (unreviewed)"
	case strings.HasPrefix(id, "s:"):
		return strings.TrimPrefix(id, "s:")
	case strings.HasPrefix(id, "c:"):
		s, c, _ := strings.Cut(strings.TrimPrefix(id, "c:"), "\x00")
		return fmt.Sprintf("%s (%s)", c, grouped(v.countOf(s, c)))
	}
	return id
}

func (v *cacheView) countOf(server, collection string) int64 {
	for _, c := range v.colls[server] {
		if c.Collection == collection {
			return c.Blocks
		}
	}
	return 0
}

// count writes n with thousands separators.
func grouped(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

type treeData struct {
	profiles []app.Profile
	counts   []app.CollectionCount
	receipts int
}

// reloadTree reads servers, cached collections and whether anything was
// shared, in the background; calls while one runs coalesce into one more.
func (v *cacheView) reloadTree() {
	if v.treeBusy {
		v.treeMore = true
		return
	}
	v.treeBusy = true
	core := v.env.core
	runTask(&v.t, func() (treeData, error) {
		ctx := context.Background()
		var d treeData
		var err error
		if d.profiles, err = core.ListProfiles(ctx); err != nil {
			return d, err
		}
		if d.counts, err = core.CachedCollections(ctx); err != nil {
			return d, err
		}
		p, err := core.Receipts(ctx, app.PageRequest{Limit: 1})
		d.receipts = len(p.Items)
		return d, err
	}, func(d treeData, err error) {
		v.treeBusy = false
		if err != nil {
			v.status.Error("Reading the cache failed", err)
		} else {
			v.applyTree(d)
		}
		if v.treeMore {
			v.treeMore = false
			v.reloadTree()
		}
	})
}

func (v *cacheView) applyTree(d treeData) {
	colls := map[string][]app.CollectionCount{}
	var servers []string
	for _, p := range d.profiles {
		servers = append(servers, p.Name)
	}
	for _, c := range d.counts {
		colls[c.Server] = append(colls[c.Server], c)
		if !slices.Contains(servers, c.Server) {
			servers = append(servers, c.Server)
		}
	}
	slices.Sort(servers)
	changed := !slices.Equal(servers, v.servers) || d.receipts != v.receipts || !sameCounts(colls, v.colls)
	if !changed {
		return
	}
	wasEmpty := v.cacheEmpty()
	v.servers, v.colls, v.receipts = servers, colls, d.receipts
	v.tree.Refresh()
	for _, s := range servers {
		v.tree.OpenBranch(serverNode(s))
	}
	switch {
	case v.at.kind == placeNone && wasEmpty != v.cacheEmpty():
		v.showPlace(v.at)
	case v.at.kind == placeCollection && int(v.countOf(v.at.server, v.at.collection)) != v.baseTotal:
		v.relist() // new blocks arrived (or were pruned)
	}
}

func sameCounts(a, b map[string][]app.CollectionCount) bool {
	if len(a) != len(b) {
		return false
	}
	for k, x := range a {
		if !slices.Equal(x, b[k]) {
			return false
		}
	}
	return true
}

func (v *cacheView) cacheEmpty() bool { return len(v.colls) == 0 && v.receipts == 0 }

func (v *cacheView) onEvent(ev app.Event) {
	switch ev.Kind {
	case app.CacheChanged, app.ProfileAdded, app.ProfileRemoved:
		v.reloadTree()
	case app.PushDone:
		v.reloadTree()
		if v.at.kind == placeShared {
			v.showPlace(v.at)
		}
	}
}

// showPlace lists what p names (also to list it again after a change).
func (v *cacheView) showPlace(p place) {
	if ps, ok := v.base.(*pagedSource); ok {
		ps.close()
	}
	v.at = p
	v.base, v.src, v.baseTotal = nil, nil, 0
	v.filterGen++
	v.list.UnselectAll()
	v.selected = nil
	v.detail.clear()
	v.bindings = nil
	v.filter.setBindings(nil)
	v.status.Info("")
	switch p.kind {
	case placeNone:
		if v.cacheEmpty() {
			v.showEmpty(newEmptyState(theme.StorageIcon(), "The cache is empty",
				"Content blocks polled from your servers are kept here for offline review. "+
					"Add a server in Servers and poll one of its collections: what arrives is listed here, also without a network. "+
					"Data directory: "+v.env.dataDir))
		} else {
			v.showEmpty(newEmptyState(theme.StorageIcon(), "Choose a collection",
				"Pick a collection on the left to list its blocks, newest first, or search the whole cache (Ctrl+F)."))
		}
	case placeInbox:
		v.showEmpty(newEmptyState(theme.DownloadIcon(), "No pushed content to review",
			"Content that partners push to this workstation's inbox will be listed here for review. "+
				"The inbox listener is not available in this version yet."))
	case placeCollection:
		n := int(v.countOf(p.server, p.collection))
		v.heading.SetText(collectionHeading(p, n))
		v.baseTotal = n
		v.setSource(newPagedSource(&v.t, n, v.collectionFetch(p.server, p.collection), v.sourceChanged))
	case placeShared:
		v.heading.SetText("Shared by me · loading receipts…")
		v.loadReceipts()
	case placeSearch:
		v.heading.SetText(fmt.Sprintf("Search “%s” · searching the whole cache…", p.query))
		v.runSearch(p.query)
	}
}

func collectionHeading(p place, n int) string {
	return fmt.Sprintf("%s / %s · %s blocks, newest first", p.server, p.collection, grouped(int64(n)))
}

// relist reads the shown collection again after its blocks changed (a poll
// is storing parts), keeping the scroll position and the block being read.
func (v *cacheView) relist() {
	if ps, ok := v.base.(*pagedSource); ok {
		ps.close()
	}
	p := v.at
	n := int(v.countOf(p.server, p.collection))
	v.baseTotal = n
	v.heading.SetText(collectionHeading(p, n))
	v.base = newPagedSource(&v.t, n, v.collectionFetch(p.server, p.collection), v.sourceChanged)
	v.src = v.base
	v.list.UnselectAll() // rows moved; the reading pane keeps its block
	if !v.filter.criteria().empty() {
		v.applyFilter()
		return
	}
	v.list.Refresh()
}

func (v *cacheView) showEmpty(e *emptyState) {
	v.heading.SetText("")
	v.filter.bar.Hide()
	v.header.Hide()
	v.top.Refresh()
	// In a scroll, so a long text never pushes the reading pane's divider.
	v.listArea.Objects = []fyne.CanvasObject{container.NewVScroll(e)}
	v.listArea.Refresh()
}

// setSource shows base rows (through the filter when one is set).
func (v *cacheView) setSource(base rowSource) {
	v.base = base
	v.src = base
	if ls, ok := base.(*listSource); ok {
		v.noteBindings(ls.rows)
	}
	v.filter.bar.Show()
	v.header.Show()
	v.top.Refresh() // lay out what was hidden
	v.listArea.Objects = []fyne.CanvasObject{v.list}
	v.listArea.Refresh()
	v.list.ScrollToTop()
	v.list.Refresh()
	if !v.filter.criteria().empty() {
		v.applyFilter()
	}
}

func (v *cacheView) sourceChanged(err error) {
	if err != nil {
		v.status.Error("Reading the cache failed", err)
		return
	}
	if ps, ok := v.base.(*pagedSource); ok {
		for _, p := range ps.pages {
			v.noteBindings(p)
		}
	}
	v.list.Refresh()
}

// noteBindings offers the content bindings seen in rows in the filter.
func (v *cacheView) noteBindings(rows []rowData) {
	added := false
	for _, r := range rows {
		if r.Binding != "" && !slices.Contains(v.bindings, r.Binding) {
			v.bindings = append(v.bindings, r.Binding)
			added = true
		}
	}
	if added {
		slices.Sort(v.bindings)
		v.filter.setBindings(v.bindings)
	}
}

func (v *cacheView) collectionFetch(server, collection string) fetchFunc {
	core := v.env.core
	return func(ctx context.Context, page app.PageRequest) ([]rowData, string, error) {
		p, err := core.ListBlocks(ctx, server, collection, page)
		rows := make([]rowData, len(p.Items))
		for i, e := range p.Items {
			rows[i] = entryRow(e)
		}
		return rows, p.Next, err
	}
}

func (v *cacheView) buildList() {
	v.list = widget.NewList(
		func() int {
			if v.src == nil {
				return 0
			}
			return v.src.length()
		},
		func() fyne.CanvasObject { return newBlockRow() },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			d, ok := v.src.row(id)
			_, marked := v.marks[d.ID]
			o.(*blockRow).set(d, ok, ok && marked, func(on bool) { v.setMark(d, on) })
		},
	)
	v.list.OnSelected = func(id widget.ListItemID) {
		d, ok := v.src.row(id)
		if !ok {
			return
		}
		v.selected = &d
		v.detail.show(d)
	}
	v.listArea = container.NewStack(v.list)
}

func (v *cacheView) setMark(d rowData, on bool) {
	if on {
		v.marks[d.ID] = d
	} else {
		delete(v.marks, d.ID)
	}
	switch n := len(v.marks); n {
	case 0:
		v.marked.SetText("")
	case 1:
		v.marked.SetText("1 block marked")
	default:
		v.marked.SetText(fmt.Sprintf("%d blocks marked", n))
	}
}
