// Package icons holds the workstation's bundled images. bundled.go is
// generated from app.png by `fyne bundle` (see go:generate below); app.png
// is rendered from app.svg, the one source of the icon.
package icons

//go:generate go run ./internal/svg2png app.svg app.png 512
//go:generate go run fyne.io/tools/cmd/fyne@v1.7.4 bundle --pkg icons --name appIconPNG -o bundled.go app.png

import "fyne.io/fyne/v2"

// App is the application icon, for the window and the About box.
func App() fyne.Resource { return appIconPNG }
