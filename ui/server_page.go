package ui

import (
	"errors"
	"fmt"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/taxii-workstation/taxii-workstation/app"
)

// serverPage is one server: how to reach it and whether it answers, its
// services, and its collections with what is cached of each and the
// actions on them (polls, count, schedule, cursor, open in cache).
type serverPage struct {
	widget.BaseWidget
	v    *serversView
	name string

	profile  app.Profile
	services []app.Service        // touched only on the Fyne goroutine
	cols     []app.CollectionView // idem
	selCol   int                  // selected collection row, -1 for none
	loads    atomic.Int64         // loads started; only the latest is applied

	title, address, auth, status *widget.Label
	insecure                     *widget.Label
	testBtn, refreshBtn          *widget.Button
	result                       *resultBox
	svcTable, colTable           *widget.Table
	svcHint, colHint             *widget.Label
	actions                      map[string]*widget.Button
	note                         *widget.Label // outcome of the last collection action

	// The open dialogs' widgets, for tests.
	pollDlg      *pollDialog
	schedEntry   *widget.SelectEntry
	schedSave    *widget.Button
	schedProblem *widget.Label
}

// Collection actions, as labelled.
const (
	actPollNow   = "Poll now"
	actWindow    = "Poll a window…"
	actCount     = "Count only"
	actSchedule  = "Schedule…"
	actReset     = "Reset cursor"
	actOpenCache = "Open in cache"
)

func newServerPage(v *serversView, p app.Profile) *serverPage {
	pg := &serverPage{v: v, name: p.Name, selCol: -1, actions: map[string]*widget.Button{}}
	pg.title = widget.NewLabelWithStyle(p.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	pg.title.SizeName = theme.SizeNameSubHeadingText
	pg.address = widget.NewLabel("")
	pg.address.Truncation = fyne.TextTruncateEllipsis
	pg.auth = widget.NewLabel("")
	pg.status = widget.NewLabel("")
	pg.status.Wrapping = fyne.TextWrapWord
	pg.insecure = widget.NewLabel("Certificate verification is off for this server: its identity is not checked. Edit the server to add its CA file instead.")
	pg.insecure.Importance = widget.WarningImportance
	pg.insecure.Wrapping = fyne.TextWrapWord
	pg.testBtn = widget.NewButtonWithIcon("Test connection", theme.MediaPlayIcon(), pg.testConnection)
	pg.refreshBtn = widget.NewButtonWithIcon("Refresh collections", theme.ViewRefreshIcon(), pg.refreshFromServer)
	pg.result = newResultBox()
	pg.note = widget.NewLabel("")
	pg.note.Wrapping = fyne.TextWrapWord
	pg.note.Hide()

	pg.svcTable = newTextTable(serviceColumns, func() int { return len(pg.services) },
		func(row, col int) string { return serviceCell(pg.services[row], col) })
	pg.svcHint = widget.NewLabel("No services known yet: use Test connection to run discovery.")
	pg.svcHint.Importance = widget.LowImportance
	pg.colTable = newTextTable(collectionColumns, func() int { return len(pg.cols) },
		func(row, col int) string { return collectionCell(pg.cols[row], col) })
	pg.colTable.OnSelected = func(id widget.TableCellID) { pg.selectCollection(id.Row) }
	pg.colHint = widget.NewLabel("No collections known yet: use Refresh collections to ask the server which collections it offers.")
	pg.colHint.Importance = widget.LowImportance
	pg.colHint.Wrapping = fyne.TextWrapWord

	for _, a := range []struct {
		label string
		icon  fyne.Resource
		fn    func()
	}{
		{actPollNow, theme.DownloadIcon(), pg.pollNow},
		{actWindow, theme.HistoryIcon(), pg.pollWindow},
		{actCount, theme.InfoIcon(), pg.countOnly},
		{actSchedule, theme.ViewRefreshIcon(), pg.editSchedule},
		{actReset, theme.MediaReplayIcon(), pg.confirmReset},
		{actOpenCache, theme.StorageIcon(), pg.openInCache},
	} {
		b := widget.NewButtonWithIcon(a.label, a.icon, a.fn)
		b.Disable()
		pg.actions[a.label] = b
	}
	pg.actions[actPollNow].Importance = widget.HighImportance

	pg.ExtendBaseWidget(pg)
	pg.setProfile(p)
	pg.load()
	return pg
}

// CreateRenderer implements fyne.Widget.
func (pg *serverPage) CreateRenderer() fyne.WidgetRenderer {
	buttons := container.NewHBox(pg.testBtn, pg.refreshBtn)
	head := container.NewVBox(pg.title, pg.address, pg.auth, pg.status, pg.insecure, buttons, pg.result)
	services := container.NewBorder(heading("Services"), nil, nil, nil, container.NewStack(pg.svcHint, pg.svcTable))
	acts := container.NewHBox()
	for _, l := range []string{actPollNow, actWindow, actCount, actSchedule, actReset, actOpenCache} {
		acts.Add(pg.actions[l])
	}
	collections := container.NewBorder(heading("Collections"), container.NewVBox(container.NewHScroll(acts), pg.note), nil, nil,
		container.NewStack(pg.colHint, pg.colTable))
	split := container.NewVSplit(services, collections)
	split.Offset = 0.3
	return widget.NewSimpleRenderer(container.NewBorder(head, nil, nil, nil, split))
}

func heading(s string) *widget.Label {
	return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// setProfile shows how the server is reached.
func (pg *serverPage) setProfile(p app.Profile) {
	pg.profile = p
	pg.address.SetText(p.DiscoveryURL)
	ver := "TAXII version: auto-detect"
	if p.Version != app.VersionAuto {
		ver = "TAXII " + string(p.Version)
	}
	pg.auth.SetText(ver + " · authentication: " + p.AuthSummary())
	if p.InsecureSkipVerify {
		pg.insecure.Show()
	} else {
		pg.insecure.Hide()
	}
	pg.setStatus(p.Status)
}

func (pg *serverPage) setStatus(s app.ConnStatus) {
	pg.profile.Status = s
	pg.status.SetText(connText(s))
	switch s.State {
	case app.Reachable:
		pg.status.Importance = widget.SuccessImportance
	case app.Failing:
		pg.status.Importance = widget.DangerImportance
	default:
		pg.status.Importance = widget.LowImportance
	}
	pg.status.Refresh()
}

// load reads what is known of the server from the cache (offline).
func (pg *serverPage) load() {
	type known struct {
		svc     app.ServicesSnapshot
		svcErr  error
		cols    []app.CollectionView
		colsErr error
	}
	seq := pg.loads.Add(1)
	runTask(pg.v.work, func() (known, error) {
		ctx, cancel := srvDiskCtx()
		defer cancel()
		var k known
		k.svc, k.svcErr = pg.v.env.core.Services(ctx, pg.name)
		k.cols, k.colsErr = pg.v.env.core.CollectionViews(ctx, pg.name)
		return k, nil
	}, func(k known, _ error) {
		if pg.loads.Load() != seq {
			return // a later load is on its way with newer data
		}
		pg.services = nil
		if k.svcErr == nil {
			pg.services = k.svc.Services
		} else if !errors.Is(k.svcErr, app.ErrNotFound) {
			pg.result.show("Cannot read what is known of this server: "+app.Explain(k.svcErr), k.svcErr.Error(), true)
		}
		showIf(pg.svcHint, len(pg.services) == 0)
		pg.svcTable.Refresh()

		prev := ""
		if pg.selCol >= 0 && pg.selCol < len(pg.cols) {
			prev = pg.cols[pg.selCol].Name
		}
		pg.cols = nil
		if k.colsErr == nil {
			pg.cols = k.cols
		} else if !errors.Is(k.colsErr, app.ErrNotFound) {
			pg.result.show("Cannot read the collections of this server: "+app.Explain(k.colsErr), k.colsErr.Error(), true)
		}
		showIf(pg.colHint, len(pg.cols) == 0)
		pg.colTable.Refresh()
		pg.selCol = -1
		for i, c := range pg.cols {
			if c.Name == prev {
				pg.selCol = i
			}
		}
		pg.updateActions()
	})
}

func showIf(o fyne.CanvasObject, show bool) {
	if show {
		o.Show()
	} else {
		o.Hide()
	}
}

// testConnection runs discovery and says what it found or why it failed;
// on success it also asks for the collections.
func (pg *serverPage) testConnection() {
	pg.testBtn.Disable()
	pg.result.show("Testing the connection to "+pg.profile.DiscoveryURL+"…", "", false)
	runTask(pg.v.work, func() (app.ConnectionReport, error) {
		ctx, cancel := srvNetCtx()
		defer cancel()
		return pg.v.env.core.TestConnection(ctx, pg.name)
	}, func(rep app.ConnectionReport, err error) {
		pg.testBtn.Enable()
		if err != nil {
			pg.result.show("The connection failed: "+app.Explain(err), err.Error(), true)
			return
		}
		pg.result.show(reportText(rep), reportDetails(rep), false)
		pg.refreshFromServer()
	})
}

func reportText(rep app.ConnectionReport) string {
	n := len(rep.Services)
	s := fmt.Sprintf("Connected: the server answered in TAXII %s and offers %d services", rep.Version, n)
	if n == 1 {
		s = fmt.Sprintf("Connected: the server answered in TAXII %s and offers 1 service", rep.Version)
	}
	return s + fmt.Sprintf(" (%s).", rep.Took.Round(1e6))
}

func reportDetails(rep app.ConnectionReport) string {
	s := ""
	for _, svc := range rep.Services {
		s += fmt.Sprintf("%s %s at %s (available: %s)\n", svc.Type, svc.Version, svc.Address, yesNo(svc.Available))
	}
	return s
}

// refreshFromServer asks the server for its collections (after discovery,
// when none is stored yet) and shows them.
func (pg *serverPage) refreshFromServer() {
	pg.refreshBtn.Disable()
	runTask(pg.v.work, func() (app.CollectionsSnapshot, error) {
		ctx, cancel := srvNetCtx()
		defer cancel()
		return pg.v.env.core.RefreshCollections(ctx, pg.name)
	}, func(snap app.CollectionsSnapshot, err error) {
		pg.refreshBtn.Enable()
		if err != nil {
			pg.result.show("Could not list the collections: "+app.Explain(err), err.Error(), true)
			return
		}
		if len(snap.Collections) == 0 {
			pg.colHint.SetText("The server lists no collections for you. Check with its operator that your account may read any.")
		}
		pg.load()
	})
}

// jobChanged records that a sync of collection started (id) or ended ("").
func (pg *serverPage) jobChanged(collection, id string) {
	for i := range pg.cols {
		if pg.cols[i].Name == collection {
			pg.cols[i].Running = id
			pg.colTable.Refresh()
		}
	}
}

func (pg *serverPage) selectCollection(row int) {
	if row < 0 || row >= len(pg.cols) {
		return
	}
	pg.selCol = row
	pg.updateActions()
}

func (pg *serverPage) updateActions() {
	for _, b := range pg.actions {
		if pg.selCol >= 0 {
			b.Enable()
		} else {
			b.Disable()
		}
	}
}

// selected is the selected collection; ok is false when none is.
func (pg *serverPage) selected() (app.CollectionView, bool) {
	if pg.selCol < 0 || pg.selCol >= len(pg.cols) {
		return app.CollectionView{}, false
	}
	return pg.cols[pg.selCol], true
}

func (pg *serverPage) say(text string, bad bool) {
	pg.note.SetText(text)
	if bad {
		pg.note.Importance = widget.DangerImportance
	} else {
		pg.note.Importance = widget.MediumImportance
	}
	pg.note.Show()
	pg.note.Refresh()
}

// resultBox shows the outcome of the last server action in words, with the
// raw error or reply behind a Details disclosure.
type resultBox struct {
	widget.BaseWidget
	text    *widget.Label
	details *widget.Entry
	disc    *widget.Accordion
}

func newResultBox() *resultBox {
	r := &resultBox{text: widget.NewLabel(""), details: widget.NewMultiLineEntry()}
	r.text.Wrapping = fyne.TextWrapWord
	r.details.Wrapping = fyne.TextWrapWord
	r.details.TextStyle = fyne.TextStyle{Monospace: true}
	r.details.SetMinRowsVisible(4)
	r.disc = widget.NewAccordion(widget.NewAccordionItem("Details", r.details))
	r.ExtendBaseWidget(r)
	r.Hide()
	return r
}

func (r *resultBox) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewVBox(r.text, r.disc))
}

func (r *resultBox) show(text, details string, bad bool) {
	r.text.SetText(text)
	if bad {
		r.text.Importance = widget.DangerImportance
	} else {
		r.text.Importance = widget.MediumImportance
	}
	r.text.Refresh()
	r.details.SetText(details)
	r.disc.CloseAll()
	showIf(r.disc, details != "")
	r.Show()
}
