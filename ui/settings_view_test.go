package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/taxii"
)

func newSettingsFixture(t *testing.T) (*viewFixture, *settingsView) {
	t.Helper()
	fx := newViewFixture(t)
	v := newSettingsView(fx.env)
	v.t.useManual()
	fx.show(v)
	v.t.wait()
	return fx, v
}

func TestSettingsDefaultsAndDataDirectory(t *testing.T) {
	_, v := newSettingsFixture(t)
	texts := labelTexts(v)
	for _, want := range []string{"No settings yet", "/data/for/test", "Keep everything"} {
		if !strings.Contains(texts, want) && !strings.Contains(v.retention.Selected, want) {
			t.Errorf("Settings lack %q:\n%s", want, texts)
		}
	}
	if v.themes.Selected != "System" || v.schedule.Selected != "None (poll by hand)" || v.retention.Selected != keepForever {
		t.Errorf("defaults: theme %q, schedule %q, retention %q", v.themes.Selected, v.schedule.Selected, v.retention.Selected)
	}
	if !v.days.Disabled() || !v.pruneNow.Disabled() {
		t.Error("retention days are editable while keeping everything")
	}
	test.AssertRendersToMarkup(t, "settings_default.xml", v.env.win.Canvas())
}

func TestSettingsThemeAppliesAtOnce(t *testing.T) {
	fx, v := newSettingsFixture(t)
	tests := []struct {
		choice  string
		variant fyne.ThemeVariant
		stored  string
	}{
		{"Dark", theme.VariantDark, themeDark},
		{"Light", theme.VariantLight, themeLight},
	}
	for _, tc := range tests {
		v.themes.SetSelected(tc.choice)
		got := fx.app.Settings().Theme().Color(theme.ColorNameBackground, theme.VariantDark+theme.VariantLight+7)
		want := theme.DefaultTheme().Color(theme.ColorNameBackground, tc.variant)
		if got != want {
			t.Errorf("%s: background %v, want %v", tc.choice, got, want)
		}
		if s := v.prefs.Theme(); s != tc.stored {
			t.Errorf("%s stored as %q", tc.choice, s)
		}
	}
	if v.hint.Visible() {
		t.Error("\"No settings yet\" still shown after choosing a theme")
	}
	// A new window applies the stored theme when it opens.
	fx.app.Settings().SetTheme(theme.DefaultTheme())
	again := newSettingsView(fx.env)
	again.t.useManual()
	again.t.wait()
	if again.themes.Selected != "Light" {
		t.Errorf("reopened Settings show theme %q", again.themes.Selected)
	}
	if got := fx.app.Settings().Theme().Color(theme.ColorNameBackground, theme.VariantDark); got != theme.DefaultTheme().Color(theme.ColorNameBackground, theme.VariantLight) {
		t.Error("the stored light theme was not applied when the view opened")
	}
	v.themes.SetSelected("System")
	if _, ok := fx.app.Settings().Theme().(variantTheme); ok {
		t.Error("System still forces a variant")
	}
}

func TestSettingsDefaultSchedule(t *testing.T) {
	_, v := newSettingsFixture(t)
	v.schedule.SetSelected("Every hour")
	if got := v.prefs.DefaultSchedule(); got != time.Hour {
		t.Errorf("default schedule stored as %v", got)
	}
	v.schedule.SetSelected("None (poll by hand)")
	if got := v.prefs.DefaultSchedule(); got != 0 {
		t.Errorf("no schedule stored as %v", got)
	}
}

// seedAges stores one block received long ago and one received now.
func seedAges(t *testing.T, fx *viewFixture) {
	t.Helper()
	now := fx.fakes.Clock.Now()
	blocks := []app.NewBlock{
		{Content: stixDoc("Old", ""), Binding: taxii.ContentSTIX12, Received: now.AddDate(0, 0, -90)},
		{Content: stixDoc("New", ""), Binding: taxii.ContentSTIX12, Received: now},
	}
	if _, err := fx.fakes.Store.CommitPart(context.Background(), "acme", "feed", blocks, time.Time{}); err != nil {
		t.Fatal(err)
	}
}

func TestSettingsRetentionPrunes(t *testing.T) {
	fx := newViewFixture(t)
	seedAges(t, fx)
	v := newSettingsView(fx.env)
	v.t.useManual()
	fx.show(v)
	v.t.wait()
	if !strings.Contains(v.stats.Text, "Cache: 2 blocks") {
		t.Errorf("stats %q", v.stats.Text)
	}
	v.retention.SetSelected(keepDays)
	if v.prefs.RetentionDays() != 30 || v.days.Text != "30" {
		t.Errorf("choosing retention proposes %q days, stored %d", v.days.Text, v.prefs.RetentionDays())
	}
	v.days.SetText("")
	test.Type(v.days, "abc")
	if v.prefs.RetentionDays() != 30 || !v.pruneNow.Disabled() || !strings.Contains(v.status.Text(), "from 1 to 36500") {
		t.Errorf("bad days: stored %d, status %q", v.prefs.RetentionDays(), v.status.Text())
	}
	v.days.SetText("45")
	v.days.SetText("30")
	if v.prefs.RetentionDays() != 30 || v.pruneNow.Disabled() {
		t.Fatalf("retention stored as %d days", v.prefs.RetentionDays())
	}
	test.Tap(v.pruneNow)
	v.t.wait()
	if !strings.Contains(v.status.Text(), "Removed 1 block") {
		t.Errorf("status after pruning %q", v.status.Text())
	}
	st, err := fx.core.Stats(context.Background())
	if err != nil || st.Blocks != 1 {
		t.Errorf("after pruning the cache holds %d blocks (%v), want 1", st.Blocks, err)
	}
	if !strings.Contains(v.stats.Text, "Cache: 1 block") {
		t.Errorf("stats after pruning %q", v.stats.Text)
	}
	v.retention.SetSelected(keepForever)
	if v.prefs.RetentionDays() != 0 || !v.pruneNow.Disabled() {
		t.Error("keeping everything did not turn retention off")
	}
}

func TestSettingsRetentionRunsWhenTheWindowOpens(t *testing.T) {
	fx := newViewFixture(t)
	seedAges(t, fx)
	uiSettings{p: fx.app.Preferences()}.SetRetentionDays(30)
	v := newSettingsView(fx.env) // prunes at once, before the test can switch modes
	v.t.wait()
	v.t.useManual()
	if v.retention.Selected != keepDays || v.days.Text != "30" {
		t.Errorf("retention shown as %q, %q days", v.retention.Selected, v.days.Text)
	}
	st, err := fx.core.Stats(context.Background())
	if err != nil || st.Blocks != 1 {
		t.Errorf("after opening the cache holds %d blocks (%v), want 1", st.Blocks, err)
	}
}
