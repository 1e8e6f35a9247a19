package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/taxii-workstation/taxii-workstation/app"
)

// autoInbox lets the core pick the inbox (profile override, the first
// destination's receiving inbox, or discovery).
const autoInbox = "Automatic (from the collection or discovery)"

// historyLimit is how many receipts the history lists (the Cache view's
// "Shared by me" lists more).
const historyLimit = 200

const noServers = "Add a server in Servers first: files are shared to a partner server's inbox."

// shareView sends STIX files to a partner's inbox: files are added (picked
// or dropped, or handed over from the Cache view), checked one by one,
// then sent to the chosen server, inbox and collections, each with a receipt.
type shareView struct {
	widget.BaseWidget
	env *viewEnv
	t   viewTasks

	files       []*shareFile
	fileRows    *fyne.Container
	filesScroll fyne.CanvasObject
	filesArea   *fyne.Container
	checkGen    int
	sending     bool

	profiles   []app.Profile
	server     *widget.Select
	inbox      *widget.Select
	dests      *widget.CheckGroup
	destNote   *widget.Label
	refresh    *widget.Button
	snap       *app.CollectionsSnapshot
	destGen    int
	dest       *fyne.Container
	destScroll *container.Scroll

	send     *widget.Button
	sendNote *widget.Label
	status   *statusLine

	receipts    []app.Receipt
	history     *widget.List
	historyArea *fyne.Container
	histBusy    bool
	histMore    bool

	content fyne.CanvasObject
	started bool
}

func newShareView(env *viewEnv) *shareView {
	v := &shareView{env: env, status: newStatusLine(env.win)}
	v.fileRows = container.NewVBox()
	v.filesScroll = container.NewVScroll(v.fileRows)
	v.filesArea = container.NewStack()

	v.server = widget.NewSelect(nil, func(string) { v.serverChosen() })
	v.server.PlaceHolder = "Choose a server"
	v.inbox = widget.NewSelect([]string{autoInbox}, func(string) { v.recheck() })
	v.inbox.Selected = autoInbox
	v.dests = widget.NewCheckGroup(nil, func([]string) { v.recheck() })
	v.destNote = widget.NewLabel(noServers)
	v.destNote.Wrapping = fyne.TextWrapWord
	v.refresh = widget.NewButtonWithIcon("Refresh collections", theme.ViewRefreshIcon(), v.refreshCollections)
	v.refresh.Hide()
	v.send = widget.NewButtonWithIcon("Send", theme.MailSendIcon(), v.Send)
	v.send.Importance = widget.HighImportance
	v.send.Disable()
	v.sendNote = widget.NewLabel("")
	v.sendNote.Wrapping = fyne.TextWrapWord

	toolbar := container.NewHBox(
		widget.NewButtonWithIcon("Add file…", theme.FileIcon(), v.PickFiles),
		widget.NewButtonWithIcon("Add folder…", theme.FolderOpenIcon(), v.PickFolder),
		widget.NewButtonWithIcon("Clear", theme.ContentClearIcon(), v.clearFiles),
		widget.NewLabel("or drop files on the window"),
	)
	filesPane := container.NewBorder(container.NewVBox(boldLabel("Files to share"), toolbar), nil, nil, nil, v.filesArea)
	v.dest = container.NewVBox(
		boldLabel("Destination"),
		widget.NewLabel("Server"), v.server,
		widget.NewLabel("Inbox"), v.inbox,
		widget.NewLabel("Collections"), v.destNote, v.dests, v.refresh,
	)
	v.destScroll = container.NewVScroll(v.dest)
	destPane := container.NewBorder(nil, container.NewVBox(v.sendNote, v.send, v.status), nil, nil, v.destScroll)
	top := container.NewHSplit(filesPane, destPane)
	top.Offset = 0.55

	v.history = widget.NewList(func() int { return len(v.receipts) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("history row")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(historyLine(v.receipts[id]))
		})
	v.history.OnSelected = func(id widget.ListItemID) {
		rc := v.receipts[id]
		v.status.Info(historyLine(rc) + ". " + rc.StatusMessage)
		v.history.UnselectAll()
	}
	v.historyArea = container.NewStack(widget.NewLabel("No pushes yet: what you send is listed here with the server's answer."))
	historyPane := container.NewBorder(boldLabel("History"), nil, nil, nil, v.historyArea)
	split := container.NewVSplit(top, historyPane)
	split.Offset = 0.65
	v.content = split
	v.refreshFiles()
	v.ExtendBaseWidget(v)
	v.t.listen(env.events, v.onEvent)
	return v
}

// CreateRenderer also reads the servers and the history, the first time
// the view is shown.
func (v *shareView) CreateRenderer() fyne.WidgetRenderer {
	if !v.started {
		v.started = true
		v.loadProfiles()
		v.reloadHistory()
	}
	return widget.NewSimpleRenderer(v.content)
}

func (v *shareView) emptyFiles() fyne.CanvasObject {
	heading := "No files chosen"
	if len(v.receipts) == 0 {
		heading = "Nothing shared yet"
	}
	return newEmptyState(theme.MailSendIcon(), heading,
		"Add STIX files with Add file… (Ctrl+S) or Add folder…, or drop them on this window. "+
			"Each file is checked (well-formed, content binding, size) before anything is sent; "+
			"then choose the server and collections and press Send. Every file gets a receipt.")
}

func (v *shareView) onEvent(ev app.Event) {
	switch ev.Kind {
	case app.ProfileAdded, app.ProfileRemoved, app.ProfileUpdated:
		v.loadProfiles()
	case app.ServerInfo:
		if ev.Server == v.server.Selected {
			v.serverChosen()
		}
	case app.PushDone:
		v.reloadHistory()
	}
}

func (v *shareView) loadProfiles() {
	core := v.env.core
	runTask(&v.t, func() ([]app.Profile, error) {
		return core.ListProfiles(context.Background())
	}, func(ps []app.Profile, err error) {
		if err != nil {
			v.status.Error("Reading the servers failed", err)
			return
		}
		names := make([]string, 0, len(ps))
		for _, p := range ps {
			if !p.AdHoc {
				names = append(names, p.Name)
			}
		}
		if slices.Equal(names, v.server.Options) {
			return
		}
		v.profiles = ps
		v.server.Options = names
		v.server.Refresh()
		switch {
		case len(names) == 0:
			v.server.ClearSelected()
			v.destNote.SetText(noServers)
		case v.server.Selected != "" && !slices.Contains(names, v.server.Selected):
			v.server.ClearSelected()
		case len(names) == 1 && v.server.Selected == "":
			v.server.SetSelected(names[0])
		case v.server.Selected == "":
			v.destNote.SetText("Choose the server to share with; its collections are listed here.")
		}
	})
}

type destInfo struct {
	snap     *app.CollectionsSnapshot
	services []app.Service
}

// serverChosen reads the server's stored collection information and
// services (offline) to offer its inboxes and destination collections.
func (v *shareView) serverChosen() {
	v.destGen++
	gen := v.destGen
	server := v.server.Selected
	v.snap = nil
	v.dests.Options = nil
	v.dests.Selected = nil
	v.dests.Refresh()
	v.refresh.Hide()
	if server == "" {
		v.recheck()
		return
	}
	v.destNote.SetText("Reading " + server + "'s collection information…")
	core := v.env.core
	runTask(&v.t, func() (destInfo, error) {
		ctx := context.Background()
		var d destInfo
		if snap, err := core.Collections(ctx, server); err == nil {
			d.snap = &snap
		} else if !errors.Is(err, app.ErrNotFound) {
			return d, err
		}
		if s, err := core.Services(ctx, server); err == nil {
			d.services = s.Services
		}
		return d, nil
	}, func(d destInfo, err error) {
		if gen != v.destGen {
			return
		}
		v.applyDest(server, d, err)
	})
}

func (v *shareView) applyDest(server string, d destInfo, err error) {
	v.refresh.Show()
	inboxes := []string{autoInbox}
	for _, s := range d.services {
		if s.Type == "INBOX" && s.Address != "" && !slices.Contains(inboxes, s.Address) {
			inboxes = append(inboxes, s.Address)
		}
	}
	if err != nil {
		v.destNote.SetText("")
		v.status.Error("Reading "+server+"'s collections failed", err)
	}
	v.snap = d.snap
	var opts []string
	if d.snap != nil {
		for _, c := range d.snap.Collections {
			opts = append(opts, destLabel(c))
			for _, a := range c.InboxAddresses {
				if !slices.Contains(inboxes, a) {
					inboxes = append(inboxes, a)
				}
			}
		}
	}
	v.inbox.Options = inboxes
	if !slices.Contains(inboxes, v.inbox.Selected) {
		v.inbox.Selected = autoInbox
	}
	v.inbox.Refresh()
	v.dests.Options = opts
	v.dests.Refresh()
	switch {
	case d.snap == nil:
		v.destNote.SetText("No collection information for " + server + " yet. Refresh it to choose destination collections, or send without naming one.")
	case len(opts) == 0:
		v.destNote.SetText(server + " listed no collections; the inbox decides where content goes.")
	default:
		v.destNote.SetText(fmt.Sprintf("Tick the collections to send to (as %s listed them on %s).", server, utcTime(d.snap.Fetched)))
	}
	v.dest.Refresh() // lay out the new options
	v.destScroll.Refresh()
	v.recheck()
}

// destLabel shows a collection with the bindings it accepts; destinations
// maps labels back to names.
func destLabel(c app.Collection) string {
	if len(c.ContentBindings) == 0 {
		return c.Name + " — accepts any binding"
	}
	var bs []string
	for _, b := range c.ContentBindings {
		bs = append(bs, shortBinding(b))
	}
	return c.Name + " — accepts " + strings.Join(bs, ", ")
}

func (v *shareView) destinations() []string {
	if v.snap == nil {
		return nil
	}
	var out []string
	for _, c := range v.snap.Collections {
		if slices.Contains(v.dests.Selected, destLabel(c)) {
			out = append(out, c.Name)
		}
	}
	return out
}

// refreshCollections asks the server for its collection information.
func (v *shareView) refreshCollections() {
	server := v.server.Selected
	if server == "" {
		return
	}
	v.destNote.SetText("Asking " + server + " for its collections…")
	core := v.env.core
	runTask(&v.t, func() (app.CollectionsSnapshot, error) {
		return core.RefreshCollections(context.Background(), server)
	}, func(_ app.CollectionsSnapshot, err error) {
		if err != nil {
			v.destNote.SetText("")
			v.status.Error("Refreshing "+server+"'s collections failed", err)
			return
		}
		if server == v.server.Selected {
			v.serverChosen()
		}
	})
}

// reloadHistory reads the latest receipts; calls while one runs coalesce.
func (v *shareView) reloadHistory() {
	if v.histBusy {
		v.histMore = true
		return
	}
	v.histBusy = true
	core := v.env.core
	runTask(&v.t, func() (app.Page[app.Receipt], error) {
		return core.Receipts(context.Background(), app.PageRequest{Limit: historyLimit})
	}, func(p app.Page[app.Receipt], err error) {
		v.histBusy = false
		if err != nil {
			v.status.Error("Reading the history failed", err)
		} else if len(p.Items) > 0 || len(v.receipts) > 0 {
			hadNone := len(v.receipts) == 0
			v.receipts = p.Items
			v.historyArea.Objects = []fyne.CanvasObject{v.history}
			v.historyArea.Refresh()
			v.history.Refresh()
			if hadNone && len(v.files) == 0 {
				v.refreshFiles()
			}
		}
		if v.histMore {
			v.histMore = false
			v.reloadHistory()
		}
	})
}

// historyLine sums up one push in a line.
func historyLine(rc app.Receipt) string {
	where := rc.Server
	if len(rc.Collections) > 0 {
		where += " / " + strings.Join(rc.Collections, ", ")
	}
	return fmt.Sprintf("%s  ·  %s → %s  ·  %s  ·  message id %s", utcTime(rc.Sent), strings.Join(rc.Files, ", "), where, receiptWords(rc), orNone(rc.MessageID))
}
