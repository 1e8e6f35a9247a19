package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// variantTheme is Fyne's default theme held to one variant (light or dark)
// whatever the operating system prefers.
type variantTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.variant)
}

// themeFor is the theme for a choice: the system's preference, or a fixed variant.
func themeFor(choice string) fyne.Theme {
	switch choice {
	case themeLight:
		return variantTheme{Theme: theme.DefaultTheme(), variant: theme.VariantLight}
	case themeDark:
		return variantTheme{Theme: theme.DefaultTheme(), variant: theme.VariantDark}
	}
	return theme.DefaultTheme()
}

// applyTheme makes choice the app's theme, at once.
func applyTheme(a fyne.App, choice string) {
	if a != nil {
		a.Settings().SetTheme(themeFor(choice))
	}
}
