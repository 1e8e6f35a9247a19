package ui

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/taxii-workstation/taxii-workstation/app"
)

// The actions on the selected collection of a server page.

func widgetFormLayout() fyne.Layout { return layout.NewFormLayout() }

// needCollection returns the selected collection, or says to select one.
func (pg *serverPage) needCollection() (app.CollectionView, bool) {
	c, ok := pg.selected()
	if !ok {
		pg.say("Select a collection first (then Poll now, or press F5).", true)
	}
	return c, ok
}

// startSync starts a background poll; StartSync only registers the job and
// returns at once, so it is called here on the Fyne goroutine.
func (pg *serverPage) startSync(r app.SyncRequest) bool {
	if _, err := pg.v.env.core.StartSync(r); err != nil {
		pg.say(app.Explain(err), true)
		return false
	}
	pg.say(fmt.Sprintf("Polling %s (%s): progress is shown under Activity; you can keep working.", r.Collection, modeText(r)), false)
	return true
}

func (pg *serverPage) pollNow() {
	if c, ok := pg.needCollection(); ok {
		pg.startSync(app.SyncRequest{Server: pg.name, Collection: c.Name, Mode: app.SinceLast})
	}
}

func (pg *serverPage) countOnly() {
	if c, ok := pg.needCollection(); ok {
		pg.startSync(app.SyncRequest{Server: pg.name, Collection: c.Name, Mode: app.SinceLast, CountOnly: true})
	}
}

// pollWindow opens the poll dialog for the selected collection.
func (pg *serverPage) pollWindow() {
	c, ok := pg.needCollection()
	if !ok {
		return
	}
	d := newPollDialog(pg.name, c)
	dlg := dialog.NewCustomWithoutButtons("Poll "+c.Name, d.content, pg.v.env.win)
	d.OnCancel = dlg.Hide
	d.OnStart = func(r app.SyncRequest) {
		if _, err := pg.v.env.core.StartSync(r); err != nil {
			d.fail(app.Explain(err))
			return
		}
		dlg.Hide()
		pg.say(fmt.Sprintf("Polling %s (%s): progress is shown under Activity; you can keep working.", r.Collection, modeText(r)), false)
	}
	pg.pollDlg = d
	dlg.Resize(fyne.NewSize(520, 0))
	dlg.Show()
}

// scheduleChoices are offered in the schedule dialog; any Go duration of a
// minute or more may be typed.
var scheduleChoices = []string{"Off", "15m", "30m", "1h", "6h", "24h"}

func parseSchedule(s string) (time.Duration, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "" || s == "off" || s == "0" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not an interval like 30m, 1h or 24h", s)
	}
	if d < app.MinScheduleInterval {
		return 0, fmt.Errorf("poll at most once a minute (%s is too often)", s)
	}
	return d, nil
}

// editSchedule asks how often to poll the collection since last.
func (pg *serverPage) editSchedule() {
	c, ok := pg.needCollection()
	if !ok {
		return
	}
	sel := widget.NewSelectEntry(scheduleChoices)
	if c.Schedule > 0 {
		sel.SetText(shortDuration(c.Schedule))
	} else {
		sel.SetText("Off")
	}
	problem := widget.NewLabel("")
	problem.Importance = widget.DangerImportance
	problem.Wrapping = fyne.TextWrapWord
	problem.Hide()
	text := widget.NewLabel("Poll " + c.Name + " since the last poll at this interval while the workstation runs.")
	text.Wrapping = fyne.TextWrapWord
	var dlg *dialog.CustomDialog
	save := widget.NewButton("Save", nil)
	save.Importance = widget.HighImportance
	save.OnTapped = func() {
		d, err := parseSchedule(sel.Text)
		if err != nil {
			problem.SetText(capitalize(err.Error()) + ".")
			problem.Show()
			return
		}
		save.Disable()
		runTask(pg.v.work, func() (struct{}, error) {
			ctx, cancel := srvDiskCtx()
			defer cancel()
			return struct{}{}, pg.v.env.core.SetSchedule(ctx, pg.name, c.Name, d)
		}, func(_ struct{}, err error) {
			save.Enable()
			if err != nil {
				problem.SetText(app.Explain(err))
				problem.Show()
				return
			}
			dlg.Hide()
			if d == 0 {
				pg.say("No schedule for "+c.Name+" any more.", false)
			} else {
				pg.say(fmt.Sprintf("%s is polled %s.", c.Name, scheduleText(d)), false)
			}
			pg.load()
		})
	}
	content := container.NewVBox(text, container.New(widgetFormLayout(), widget.NewLabel("Every"), sel), problem,
		container.NewBorder(nil, nil, nil, container.NewHBox(widget.NewButton("Cancel", func() { dlg.Hide() }), save)))
	dlg = dialog.NewCustomWithoutButtons("Schedule "+c.Name, content, pg.v.env.win)
	pg.schedEntry, pg.schedSave, pg.schedProblem = sel, save, problem
	dlg.Resize(fyne.NewSize(420, 0))
	dlg.Show()
}

func (pg *serverPage) confirmReset() {
	c, ok := pg.needCollection()
	if !ok {
		return
	}
	d := dialog.NewConfirm("Reset the cursor of "+c.Name+"?",
		"The next poll since last asks the server for everything again.\n"+
			"What is cached stays; blocks that come again are recognised, not stored twice.",
		func(yes bool) {
			if yes {
				pg.resetCursor(c.Name)
			}
		}, pg.v.env.win)
	d.SetConfirmText("Reset cursor")
	d.SetDismissText("Cancel")
	d.Show()
}

func (pg *serverPage) resetCursor(collection string) {
	runTask(pg.v.work, func() (struct{}, error) {
		ctx, cancel := srvDiskCtx()
		defer cancel()
		return struct{}{}, pg.v.env.core.ResetCursor(ctx, pg.name, collection)
	}, func(_ struct{}, err error) {
		if err != nil {
			pg.say("The cursor was not reset: "+app.Explain(err), true)
			return
		}
		pg.say("The cursor of "+collection+" is reset: the next poll asks for everything.", false)
		pg.load()
	})
}

// openInCache shows the selected collection in the Cache view, through
// the window's OpenInCache hook when it is wired (to cacheView.OpenCollection),
// else by switching to the Cache view.
func (pg *serverPage) openInCache() {
	c, ok := pg.needCollection()
	if !ok {
		return
	}
	if open := pg.v.OpenInCache; open != nil {
		open(pg.name, c.Name)
		return
	}
	pg.v.env.show(ViewCache)
}
