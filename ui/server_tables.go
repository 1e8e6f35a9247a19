package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/taxii-workstation/taxii-workstation/app"
)

// tableColumn is a column of a text table: its header and width.
type tableColumn struct {
	title string
	width float32
}

var serviceColumns = []tableColumn{
	{"Type", 170}, {"Address", 280}, {"Version", 80}, {"Bindings", 200}, {"Available", 80},
}

func serviceCell(s app.Service, col int) string {
	switch col {
	case 0:
		return s.Type
	case 1:
		return s.Address
	case 2:
		return s.Version
	case 3:
		b := bindingNames(s.MessageBindings)
		if len(s.ContentBindings) > 0 {
			b += " · content: " + bindingNames(s.ContentBindings)
		}
		return b
	case 4:
		return yesNo(s.Available)
	}
	return ""
}

var collectionColumns = []tableColumn{
	{"Name", 180}, {"Type", 90}, {"Available", 80}, {"Content bindings", 190}, {"Volume", 70},
	{"Cached up to", 150}, {"Schedule", 90}, {"Cached", 80}, {"", 80},
}

func collectionCell(c app.CollectionView, col int) string {
	switch col {
	case 0:
		return c.Name
	case 1:
		switch c.Type {
		case "DATA_SET":
			return "data set"
		case "", "DATA_FEED":
			return "data feed"
		}
		return c.Type
	case 2:
		return yesNo(c.Available)
	case 3:
		return bindingNames(c.ContentBindings)
	case 4:
		if c.Volume == nil {
			return "—"
		}
		return thousands(*c.Volume) + "/day"
	case 5:
		if c.Cursor.IsZero() {
			return "never polled"
		}
		return utcStamp(c.Cursor)
	case 6:
		return scheduleText(c.Schedule)
	case 7:
		return thousands(c.Cached)
	case 8:
		if c.Running != "" {
			return "polling…"
		}
	}
	return ""
}

// newTextTable is a virtualized table of labels under a header row.
func newTextTable(cols []tableColumn, rows func() int, cell func(row, col int) string) *widget.Table {
	t := widget.NewTable(
		func() (int, int) { return rows(), len(cols) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			if id.Row < rows() {
				o.(*widget.Label).SetText(cell(id.Row, id.Col))
			}
		},
	)
	t.ShowHeaderRow = true
	t.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(cols) {
			o.(*widget.Label).SetText(cols[id.Col].title)
		}
	}
	for i, c := range cols {
		t.SetColumnWidth(i, c.width)
	}
	return t
}
