package ui

import "fyne.io/fyne/v2"

// columnsLayout lays out a table's rows and its header alike: each object
// gets the width at its index, and the one column of width 0 takes what is
// left (at least minFlex).
type columnsLayout struct {
	widths  []float32
	minFlex float32
}

// row returns a row of objs laid out by l.
func (l columnsLayout) row(objs ...fyne.CanvasObject) *fyne.Container {
	return &fyne.Container{Layout: l, Objects: objs}
}

func (l columnsLayout) fixed() float32 {
	sum := float32(0)
	for _, w := range l.widths {
		sum += w
	}
	return sum
}

func (l columnsLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	flex := max(size.Width-l.fixed(), l.minFlex)
	x := float32(0)
	for i, o := range objs {
		w := l.widths[min(i, len(l.widths)-1)]
		if w == 0 {
			w = flex
		}
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w
	}
}

func (l columnsLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(l.fixed()+l.minFlex, h)
}
