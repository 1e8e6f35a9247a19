package ui

import (
	"time"

	"github.com/taxii-workstation/taxii-workstation/app"
)

// Preference keys of the Settings view, kept apart from app.Settings (the
// window's own keys) and typed here in one place.
const (
	prefTheme           = "ui.theme"
	prefDefaultSchedule = "poll.defaultSchedule"
	prefRetentionDays   = "cache.retentionDays"
)

// Theme choices.
const (
	themeSystem = "system"
	themeLight  = "light"
	themeDark   = "dark"
)

// uiSettings is the typed view of the Settings view's preferences.
type uiSettings struct{ p app.Preferences }

// Theme is "system", "light" or "dark".
func (s uiSettings) Theme() string {
	switch t := s.p.StringWithFallback(prefTheme, themeSystem); t {
	case themeLight, themeDark:
		return t
	}
	return themeSystem
}

// SetTheme stores the theme choice.
func (s uiSettings) SetTheme(t string) { s.p.SetString(prefTheme, t) }

// DefaultSchedule is the interval offered first when a collection gets a
// schedule (0: none by default).
func (s uiSettings) DefaultSchedule() time.Duration {
	d, err := time.ParseDuration(s.p.StringWithFallback(prefDefaultSchedule, ""))
	if err != nil || d < app.MinScheduleInterval {
		return 0
	}
	return d
}

// SetDefaultSchedule stores the default schedule (0: none).
func (s uiSettings) SetDefaultSchedule(d time.Duration) {
	if d <= 0 {
		s.p.SetString(prefDefaultSchedule, "")
		return
	}
	s.p.SetString(prefDefaultSchedule, d.String())
}

// RetentionDays is how many days blocks are kept after they were last
// seen; 0 keeps them forever (the default).
func (s uiSettings) RetentionDays() int {
	n := int(s.p.FloatWithFallback(prefRetentionDays, 0))
	return max(n, 0)
}

// SetRetentionDays stores the retention (0: keep forever).
func (s uiSettings) SetRetentionDays(days int) {
	s.p.SetFloat(prefRetentionDays, float64(max(days, 0)))
}

// changed reports whether the user set anything yet.
func (s uiSettings) changed() bool {
	return s.p.StringWithFallback(prefTheme, "") != "" || s.p.StringWithFallback(prefDefaultSchedule, "") != "" ||
		s.p.FloatWithFallback(prefRetentionDays, -1) != -1
}
