package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/taxii-workstation/taxii-workstation/app"
)

// Choices the Settings view offers.
var (
	themeLabels            = []string{"System", "Light", "Dark"}
	themeValues            = []string{themeSystem, themeLight, themeDark}
	defaultScheduleChoices = []struct {
		label string
		every time.Duration
	}{
		{"None (poll by hand)", 0},
		{"Every 15 minutes", 15 * time.Minute},
		{"Every hour", time.Hour},
		{"Every 6 hours", 6 * time.Hour},
		{"Every day", 24 * time.Hour},
	}
)

const (
	keepForever = "Keep everything"
	keepDays    = "Remove blocks not seen for"
	maxDays     = 36500
)

// settingsView shows and edits the user's settings; every change applies at once.
type settingsView struct {
	widget.BaseWidget
	env   *viewEnv
	t     viewTasks
	prefs uiSettings

	hint      *widget.Label
	stats     *widget.Label
	themes    *widget.RadioGroup
	schedule  *widget.Select
	retention *widget.RadioGroup
	days      *widget.Entry
	pruneNow  *widget.Button
	status    *statusLine
	content   fyne.CanvasObject
	started   bool
}

func newSettingsView(env *viewEnv) *settingsView {
	v := &settingsView{env: env, prefs: uiSettings{p: fyne.CurrentApp().Preferences()}, status: newStatusLine(env.win)}
	v.hint = widget.NewLabel("No settings yet: the defaults below are in use. Each change applies at once.")
	v.hint.Wrapping = fyne.TextWrapWord

	dir := widget.NewLabel(env.dataDir)
	dir.Selectable = true
	dir.Wrapping = fyne.TextWrapBreak
	v.stats = widget.NewLabel("")

	v.themes = widget.NewRadioGroup(themeLabels, v.themeChosen)
	v.themes.Horizontal = true
	v.themes.Required = true
	v.themes.Selected = themeLabels[indexOf(themeValues, v.prefs.Theme())]

	var labels []string
	for _, c := range defaultScheduleChoices {
		labels = append(labels, c.label)
	}
	v.schedule = widget.NewSelect(labels, v.scheduleChosen)
	v.schedule.Selected = defaultScheduleLabel(v.prefs.DefaultSchedule())

	v.days = widget.NewEntry()
	v.days.SetPlaceHolder("30")
	v.days.Validator = validDays
	v.retention = widget.NewRadioGroup([]string{keepForever, keepDays}, v.retentionChosen)
	v.retention.Required = true
	v.pruneNow = widget.NewButtonWithIcon("Remove old blocks now", theme.DeleteIcon(), v.PruneNow)
	if n := v.prefs.RetentionDays(); n > 0 {
		v.retention.Selected = keepDays
		v.days.Text = strconv.Itoa(n)
	} else {
		v.retention.Selected = keepForever
		v.days.Disable()
		v.pruneNow.Disable()
	}
	v.days.OnChanged = v.daysChanged

	note := func(s string) *widget.Label {
		l := widget.NewLabel(s)
		l.Wrapping = fyne.TextWrapWord
		l.Importance = widget.LowImportance
		return l
	}
	form := widget.NewForm(
		widget.NewFormItem("Data directory", container.NewVBox(dir, v.stats)),
		widget.NewFormItem("Theme", v.themes),
		widget.NewFormItem("Default poll schedule", container.NewVBox(v.schedule,
			note("Offered first when you schedule a collection in Servers; existing schedules are not changed."))),
		widget.NewFormItem("Retention", container.NewVBox(v.retention,
			container.NewHBox(container.NewGridWrap(fyne.NewSize(90, v.days.MinSize().Height), v.days), widget.NewLabel("days"), v.pruneNow),
			note("Blocks that no poll has seen for that long are removed when the window opens and when you press the button. "+
				"Receipts of what you shared are kept."))),
	)
	v.content = container.NewVScroll(container.NewVBox(boldLabel("Settings"), v.hint, form, v.status))
	v.updateHint()
	v.ExtendBaseWidget(v)
	v.t.listen(env.events, v.onEvent)
	if t := v.prefs.Theme(); t != themeSystem {
		applyTheme(fyne.CurrentApp(), t)
	}
	if n := v.prefs.RetentionDays(); n > 0 {
		v.prune(n, true)
	}
	return v
}

// CreateRenderer also reads the cache's size, the first time the view is shown.
func (v *settingsView) CreateRenderer() fyne.WidgetRenderer {
	if !v.started {
		v.started = true
		v.loadStats()
	}
	return widget.NewSimpleRenderer(v.content)
}

func indexOf(xs []string, x string) int {
	for i, s := range xs {
		if s == x {
			return i
		}
	}
	return 0
}

func defaultScheduleLabel(d time.Duration) string {
	for _, c := range defaultScheduleChoices {
		if c.every == d {
			return c.label
		}
	}
	return defaultScheduleChoices[0].label
}

func validDays(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 || n > maxDays {
		return fmt.Errorf("enter a number of days from 1 to %d", maxDays)
	}
	return nil
}

func (v *settingsView) updateHint() {
	if v.prefs.changed() {
		v.hint.Hide()
	} else {
		v.hint.Show()
	}
}

func (v *settingsView) themeChosen(label string) {
	choice := themeValues[indexOf(themeLabels, label)]
	v.prefs.SetTheme(choice)
	applyTheme(fyne.CurrentApp(), choice)
	v.updateHint()
}

func (v *settingsView) scheduleChosen(label string) {
	for _, c := range defaultScheduleChoices {
		if c.label == label {
			v.prefs.SetDefaultSchedule(c.every)
		}
	}
	v.updateHint()
}

func (v *settingsView) retentionChosen(choice string) {
	if choice == keepDays {
		v.days.Enable()
		if strings.TrimSpace(v.days.Text) == "" {
			v.days.SetText("30") // calls daysChanged, which stores it
		} else {
			v.daysChanged(v.days.Text)
		}
		return
	}
	v.days.Disable()
	v.pruneNow.Disable()
	v.prefs.SetRetentionDays(0)
	v.status.Info("Blocks are kept forever.")
	v.updateHint()
}

func (v *settingsView) daysChanged(s string) {
	if v.retention.Selected != keepDays {
		return
	}
	if err := validDays(s); err != nil {
		v.pruneNow.Disable()
		v.status.Info("Retention not changed: " + err.Error() + ".")
		return
	}
	n, _ := strconv.Atoi(strings.TrimSpace(s))
	v.prefs.SetRetentionDays(n)
	v.pruneNow.Enable()
	v.status.Info(fmt.Sprintf("Blocks not seen for %s will be removed when the window opens, or now with the button.", nOf(n, "day")))
	v.updateHint()
}

// PruneNow removes what the retention setting no longer keeps.
func (v *settingsView) PruneNow() {
	n := v.prefs.RetentionDays()
	if n <= 0 {
		v.status.Info("Retention is set to keep everything; nothing to remove.")
		return
	}
	v.prune(n, false)
}

func (v *settingsView) prune(days int, quiet bool) {
	core := v.env.core
	v.pruneNow.Disable()
	runTask(&v.t, func() (app.PruneResult, error) {
		return core.Prune(context.Background(), time.Duration(days)*24*time.Hour)
	}, func(r app.PruneResult, err error) {
		if v.prefs.RetentionDays() > 0 {
			v.pruneNow.Enable()
		}
		if err != nil {
			v.status.Error("Removing old blocks failed", err)
			return
		}
		if r.Blocks == 0 && r.Sightings == 0 {
			if !quiet {
				v.status.Info(fmt.Sprintf("Nothing is older than %s.", nOf(days, "day")))
			}
			return
		}
		v.status.Info(fmt.Sprintf("Removed %s (%s) not seen for %s.", nOf(int(r.Blocks), "block"), humanBytes(r.Bytes), nOf(days, "day")))
		v.loadStats()
	})
}

func (v *settingsView) onEvent(ev app.Event) {
	if ev.Kind == app.JobFinished || ev.Kind == app.JobFailed {
		v.loadStats()
	}
}

func (v *settingsView) loadStats() {
	core := v.env.core
	runTask(&v.t, func() (app.Stats, error) {
		return core.Stats(context.Background())
	}, func(s app.Stats, err error) {
		text := ""
		switch {
		case err != nil:
			text = "Cache size unknown: " + app.Explain(err)
		case s.Blocks == 0:
			text = "" // a new cache: nothing to say yet
		default:
			text = fmt.Sprintf("Cache: %s, %s of content", nOf(int(s.Blocks), "block"), humanBytes(s.ContentBytes))
			if s.DiskBytes > 0 {
				text += fmt.Sprintf(", %s on disk", humanBytes(s.DiskBytes))
			}
		}
		if text != v.stats.Text {
			v.stats.SetText(text)
		}
	})
}
