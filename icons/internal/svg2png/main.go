// Command svg2png renders the app icon's SVG to the PNG that FyneApp.toml
// and the desktop packages need, so the icon has one source. It is run by
// `go generate ./icons`.
package main

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"strconv"

	"github.com/fyne-io/oksvg"
	"github.com/srwiley/rasterx"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: svg2png IN.svg OUT.png SIZE")
		os.Exit(2)
	}
	if err := render(os.Args[1], os.Args[2], os.Args[3]); err != nil {
		fmt.Fprintln(os.Stderr, "svg2png:", err)
		os.Exit(1)
	}
}

func render(in, out, sizeArg string) error {
	size, err := strconv.Atoi(sizeArg)
	if err != nil || size <= 0 {
		return fmt.Errorf("bad size %q", sizeArg)
	}
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	icon, err := oksvg.ReadIconStream(f)
	if err != nil {
		return fmt.Errorf("read %s: %w", in, err)
	}
	icon.SetTarget(0, 0, float64(size), float64(size))
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	icon.Draw(rasterx.NewDasher(size, size, rasterx.NewScannerGV(size, size, img, img.Bounds())), 1)
	o, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := png.Encode(o, img); err != nil {
		o.Close()
		return err
	}
	return o.Close()
}
