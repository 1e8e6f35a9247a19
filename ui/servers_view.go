package ui

import (
	"image/color"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/taxii-workstation/taxii-workstation/app"
)

// serversView is the Servers screen, laid out like a mail client's
// accounts: the server profiles on the left with a status dot each, the
// selected server's page (services, collections and their actions) on the
// right, and the activity panel of background polls at the bottom.
type serversView struct {
	widget.BaseWidget
	env  *viewEnv
	work *viewTasks

	profiles []app.Profile // sorted by name; touched only on the Fyne goroutine
	selected string
	list     *widget.List
	edit     *widget.Button
	remove   *widget.Button
	body     *fyne.Container // the server page, or a hint
	page     *serverPage
	activity *activityPanel
	empty    fyne.CanvasObject
	main     *fyne.Container // the split, or the empty state when there are no servers
	loaded   bool
	loads    atomic.Int64 // reloads started; only the latest is applied

	// OpenInCache, when set by the window, shows a server's collection in
	// the Cache view (cacheView.OpenCollection); unset, Open in cache only
	// switches to that view.
	OpenInCache func(server, collection string)

	form       *profileForm // the open add/edit form, if any
	formDialog dialog.Dialog
	message    *widget.Label // why loading the profiles failed
}

func newServersView(env *viewEnv) *serversView {
	v := &serversView{env: env, work: &viewTasks{}}
	v.activity = newActivityPanel(env, v.work)
	v.activity.OnEnded = v.jobEnded
	v.list = widget.NewList(
		func() int { return len(v.profiles) },
		newProfileRow,
		func(id widget.ListItemID, o fyne.CanvasObject) { o.(*profileRow).set(v.profiles[id]) },
	)
	v.list.OnSelected = func(id widget.ListItemID) { v.selectServer(v.profiles[id].Name) }
	add := widget.NewButtonWithIcon("Add", theme.ContentAddIcon(), v.NewServer)
	v.edit = widget.NewButtonWithIcon("Edit", theme.DocumentCreateIcon(), func() { v.editServer(v.selected) })
	v.remove = widget.NewButtonWithIcon("Remove", theme.DeleteIcon(), func() { v.confirmRemove(v.selected) })
	v.edit.Disable()
	v.remove.Disable()
	v.message = widget.NewLabel("")
	v.message.Importance = widget.DangerImportance
	v.message.Wrapping = fyne.TextWrapWord
	v.message.Hide()

	left := container.NewBorder(
		widget.NewLabelWithStyle("Servers", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewVBox(v.message, container.NewGridWithColumns(3, add, v.edit, v.remove)),
		nil, nil, v.list)
	v.body = container.NewStack(hintLabel("Select a server on the left to see its services and collections."))
	split := container.NewHSplit(left, v.body)
	split.Offset = 0.28

	addBig := widget.NewButtonWithIcon("Add a server", theme.ContentAddIcon(), v.NewServer)
	addBig.Importance = widget.HighImportance
	v.empty = container.NewBorder(nil, container.NewCenter(addBig), nil, nil,
		newEmptyState(theme.ComputerIcon(), "No servers yet",
			"Add a server (Ctrl+N) with the discovery URL and credentials your partner or ISAC gave you. "+
				"Then test the connection, pick a collection and poll it (F5); what arrives is kept for offline review in the Cache."))
	v.main = container.NewStack(v.empty, split)
	split.Hide()

	v.work.listen(env.events, v.onEvent)
	v.ExtendBaseWidget(v)
	v.reload()
	return v
}

// CreateRenderer implements fyne.Widget.
func (v *serversView) CreateRenderer() fyne.WidgetRenderer {
	vs := container.NewVSplit(v.main, v.activity)
	vs.Offset = 0.78
	return widget.NewSimpleRenderer(vs)
}

func hintLabel(text string) fyne.CanvasObject {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.LowImportance
	return container.NewVBox(l)
}

// NewServer opens the form for a new server profile (Ctrl+N).
func (v *serversView) NewServer() {
	f := newProfileForm(v.env, v.work, nil)
	f.OnSave = func(p app.Profile, c app.Credentials) {
		f.save.Disable()
		runTask(v.work, func() (struct{}, error) {
			ctx, cancel := srvDiskCtx()
			defer cancel()
			return struct{}{}, v.env.core.AddProfile(ctx, p, c)
		}, func(_ struct{}, err error) {
			f.save.Enable()
			if err != nil {
				f.showError(err)
				return
			}
			v.closeForm()
			v.selected = p.Name
			v.reloadThen(func() {
				if v.page != nil && v.page.name == p.Name {
					v.page.testConnection() // a new server: check it at once, then list its collections
				}
			})
		})
	}
	v.openForm("Add a server", f)
}

func (v *serversView) editServer(name string) {
	if name == "" {
		return
	}
	runTask(v.work, func() (app.Profile, error) {
		ctx, cancel := srvDiskCtx()
		defer cancel()
		return v.env.core.GetProfile(ctx, name)
	}, func(p app.Profile, err error) {
		if err != nil {
			v.showMessage(err)
			return
		}
		f := newProfileForm(v.env, v.work, &p)
		f.OnSave = func(np app.Profile, c app.Credentials) {
			f.save.Disable()
			runTask(v.work, func() (struct{}, error) {
				ctx, cancel := srvDiskCtx()
				defer cancel()
				return struct{}{}, v.env.core.UpdateProfile(ctx, np, c)
			}, func(_ struct{}, err error) {
				f.save.Enable()
				if err != nil {
					f.showError(err)
					return
				}
				v.closeForm()
				v.reload()
			})
		}
		v.openForm("Edit "+name, f)
	})
}

func (v *serversView) openForm(title string, f *profileForm) {
	v.closeForm()
	v.form = f
	d := dialog.NewCustomWithoutButtons(title, f.content, v.env.win)
	f.OnCancel = v.closeForm
	v.formDialog = d
	d.Resize(fyne.NewSize(680, 640))
	d.Show()
	v.env.win.Canvas().Focus(f.url)
	if !f.editing {
		v.env.win.Canvas().Focus(f.name)
	}
}

func (v *serversView) closeForm() {
	if v.formDialog != nil {
		v.formDialog.Hide()
	}
	v.form, v.formDialog = nil, nil
}

func (v *serversView) confirmRemove(name string) {
	if name == "" {
		return
	}
	d := dialog.NewConfirm("Remove "+name+"?",
		"The server's settings, its secrets in the keyring, its schedules and its cursors are deleted.\n"+
			"Blocks already in the cache stay there.", func(ok bool) {
			if ok {
				v.removeServer(name)
			}
		}, v.env.win)
	d.SetConfirmText("Remove")
	d.SetDismissText("Cancel")
	d.SetConfirmImportance(widget.DangerImportance)
	d.Show()
}

func (v *serversView) removeServer(name string) {
	runTask(v.work, func() (struct{}, error) {
		ctx, cancel := srvDiskCtx()
		defer cancel()
		return struct{}{}, v.env.core.RemoveProfile(ctx, name)
	}, func(_ struct{}, err error) {
		if err != nil {
			v.showMessage(err)
		}
		if v.selected == name {
			v.selected = ""
		}
		v.reload()
	})
}

// PollSelected polls the selected collection since the last poll (F5).
func (v *serversView) PollSelected() {
	if v.page == nil {
		return
	}
	v.page.pollNow()
}

func (v *serversView) showMessage(err error) {
	if err == nil {
		v.message.Hide()
		return
	}
	v.message.SetText(app.Explain(err))
	v.message.Show()
}

func (v *serversView) reload() { v.reloadThen(nil) }

// reloadThen reads the profiles (from the cache, off the Fyne goroutine),
// shows them, keeps or sets the selection, then calls then.
func (v *serversView) reloadThen(then func()) {
	seq := v.loads.Add(1)
	runTask(v.work, func() ([]app.Profile, error) {
		ctx, cancel := srvDiskCtx()
		defer cancel()
		return v.env.core.ListProfiles(ctx)
	}, func(ps []app.Profile, err error) {
		if v.loads.Load() != seq {
			if then != nil {
				then()
			}
			return // a later reload is on its way with newer data
		}
		if err != nil {
			v.showMessage(err)
			return
		}
		v.loaded = true
		if len(ps) == 0 && len(v.profiles) == 0 && v.selected == "" {
			// Nothing to change (the first load of a new user): leave the
			// empty state as it is.
			if then != nil {
				then()
			}
			return
		}
		v.profiles = ps
		v.list.Refresh()
		if len(ps) == 0 {
			v.main.Objects[0].Show()
			v.main.Objects[1].Hide()
		} else {
			v.main.Objects[0].Hide()
			v.main.Objects[1].Show()
		}
		v.main.Refresh()
		i := v.indexOf(v.selected)
		if i < 0 && len(ps) > 0 && v.selected == "" {
			i = 0
		}
		if i >= 0 {
			v.list.Select(i)
			if v.page == nil || v.page.name != ps[i].Name {
				v.selectServer(ps[i].Name)
			} else {
				v.page.setProfile(ps[i])
			}
		} else {
			v.list.UnselectAll()
			v.selectServer("")
		}
		if then != nil {
			then()
		}
	})
}

func (v *serversView) indexOf(name string) int {
	for i, p := range v.profiles {
		if p.Name == name {
			return i
		}
	}
	return -1
}

// selectServer shows the page of the named server ("" for none).
func (v *serversView) selectServer(name string) {
	if name == "" {
		v.selected, v.page = "", nil
		v.edit.Disable()
		v.remove.Disable()
		v.body.Objects = []fyne.CanvasObject{hintLabel("Select a server on the left to see its services and collections.")}
		v.body.Refresh()
		return
	}
	v.selected = name
	v.edit.Enable()
	v.remove.Enable()
	if v.page != nil && v.page.name == name {
		return
	}
	i := v.indexOf(name)
	if i < 0 {
		return
	}
	v.page = newServerPage(v, v.profiles[i])
	v.body.Objects = []fyne.CanvasObject{v.page}
	v.body.Refresh()
}

// onEvent applies the core's events; it runs on the Fyne goroutine.
func (v *serversView) onEvent(ev app.Event) {
	switch ev.Kind {
	case app.JobStarted, app.JobProgress, app.JobFinished, app.JobFailed:
		v.activity.handle(ev)
		if ev.Kind == app.JobStarted && v.page != nil && v.page.name == ev.Server {
			v.page.jobChanged(ev.Collection, ev.Job.ID)
		}
	case app.ProfileAdded, app.ProfileRemoved:
		if v.loaded {
			v.reload()
		}
	case app.ProfileUpdated:
		if v.page != nil && v.page.name == ev.Server {
			v.page.load() // schedule or settings changed
		}
	case app.ConnectionStatus:
		if i := v.indexOf(ev.Server); i >= 0 && ev.Status != nil {
			v.profiles[i].Status = *ev.Status
			v.list.RefreshItem(i)
			if v.page != nil && v.page.name == ev.Server {
				v.page.setStatus(*ev.Status)
			}
		}
	case app.ServerInfo:
		if v.page != nil && v.page.name == ev.Server {
			v.page.load()
		}
	}
}

// jobEnded refreshes the collections of the page a poll ended on (cursor,
// number cached).
func (v *serversView) jobEnded(j app.Job) {
	if v.page != nil && v.page.name == j.Request.Server {
		v.page.jobChanged(j.Request.Collection, "")
		v.page.load()
	}
}

// profileRow is one server in the list: a status dot, its name and URL.
type profileRow struct {
	widget.BaseWidget
	dot  *canvas.Circle
	name *widget.Label
	url  *widget.Label
}

func newProfileRow() fyne.CanvasObject {
	r := &profileRow{
		dot:  canvas.NewCircle(statusColor(app.NeverTried)),
		name: widget.NewLabelWithStyle("Server name", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		url:  widget.NewLabel("https://taxii.example.org/"),
	}
	r.name.Truncation = fyne.TextTruncateEllipsis
	r.url.Truncation = fyne.TextTruncateEllipsis
	r.url.SizeName = theme.SizeNameCaptionText
	r.ExtendBaseWidget(r)
	return r
}

func (r *profileRow) CreateRenderer() fyne.WidgetRenderer {
	dot := container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(12), r.dot))
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, dot, nil,
		container.NewVBox(r.name, r.url)))
}

func (r *profileRow) set(p app.Profile) {
	r.name.SetText(p.Name)
	r.url.SetText(p.DiscoveryURL)
	r.dot.FillColor = statusColor(p.Status.State)
	r.dot.Refresh()
}

// statusColor is the dot of a connection state: green, red, or grey.
func statusColor(s app.ConnState) color.Color {
	th := fyne.CurrentApp().Settings().Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	switch s {
	case app.Reachable:
		return th.Color(theme.ColorNameSuccess, v)
	case app.Failing:
		return th.Color(theme.ColorNameError, v)
	}
	return th.Color(theme.ColorNameDisabled, v)
}
