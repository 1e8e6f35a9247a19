package app

// Preferences is the key-value store settings live in. fyne.Preferences
// satisfies it; tests may use any map-backed implementation.
type Preferences interface {
	FloatWithFallback(key string, fallback float64) float64
	SetFloat(key string, value float64)
	StringWithFallback(key, fallback string) string
	SetString(key, value string)
}

// Preference keys and defaults, in one place.
const (
	prefWindowWidth  = "window.width"
	prefWindowHeight = "window.height"
	prefLastView     = "window.lastView"

	// DefaultWindowWidth and DefaultWindowHeight size the first window.
	DefaultWindowWidth  = 1100
	DefaultWindowHeight = 720
	minWindowSide       = 320
)

// Settings is the typed view of the user's preferences.
type Settings struct {
	p Preferences
}

// NewSettings wraps p.
func NewSettings(p Preferences) *Settings { return &Settings{p: p} }

// WindowSize is the main window's last size, or the default size.
// Sizes too small to use (a corrupt or hand-edited file) fall back to the default.
func (s *Settings) WindowSize() (width, height float32) {
	w := s.p.FloatWithFallback(prefWindowWidth, DefaultWindowWidth)
	h := s.p.FloatWithFallback(prefWindowHeight, DefaultWindowHeight)
	if w < minWindowSide || h < minWindowSide {
		return DefaultWindowWidth, DefaultWindowHeight
	}
	return float32(w), float32(h)
}

// SetWindowSize remembers the main window's size.
func (s *Settings) SetWindowSize(width, height float32) {
	s.p.SetFloat(prefWindowWidth, float64(width))
	s.p.SetFloat(prefWindowHeight, float64(height))
}

// LastView is the name of the view shown when the window last closed ("" if none).
func (s *Settings) LastView() string { return s.p.StringWithFallback(prefLastView, "") }

// SetLastView remembers the view shown.
func (s *Settings) SetLastView(name string) { s.p.SetString(prefLastView, name) }
