package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/taxii-workstation/taxii-workstation/app"
)

// inboxLogLines is how many lines the live log keeps.
const inboxLogLines = 200

// inboxLog is the live log tab: the newest listener events first, one line
// each (requests with the status the sender was told).
type inboxLog struct {
	content fyne.CanvasObject
	list    *widget.List
	lines   []string // oldest first
}

func newInboxLog() *inboxLog {
	g := &inboxLog{}
	g.list = widget.NewList(
		func() int { return len(g.lines) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			l.TextStyle = fyne.TextStyle{Monospace: true}
			return l
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(g.lines) {
				o.(*widget.Label).SetText(g.lines[len(g.lines)-1-id])
			}
		},
	)
	empty := widget.NewLabel("Requests to the listener appear here, newest first, with the status each sender was told.")
	empty.Wrapping = fyne.TextWrapWord
	g.content = container.NewBorder(empty, nil, nil, nil, g.list)
	return g
}

// add appends the line of ev, keeping the last inboxLogLines.
func (g *inboxLog) add(ev app.ListenerEvent) {
	line := logLine(ev)
	if line == "" {
		return
	}
	g.lines = append(g.lines, line)
	if n := len(g.lines); n > inboxLogLines {
		g.lines = append(g.lines[:0:0], g.lines[n-inboxLogLines:]...)
	}
	g.list.Refresh()
}

// text is the log, newest line first (tests).
func (g *inboxLog) text() string {
	var b strings.Builder
	for i := len(g.lines) - 1; i >= 0; i-- {
		b.WriteString(g.lines[i])
		b.WriteByte('\n')
	}
	return b.String()
}

// logLine is one line of the live log for ev, "" for events it does not show.
func logLine(ev app.ListenerEvent) string {
	stamp := ev.Time.UTC().Format("15:04:05")
	if ev.Time.IsZero() {
		stamp = "--:--:--"
	}
	switch ev.Kind {
	case app.ListenerStarted:
		addr := ""
		if ev.Status != nil {
			addr = " on " + ev.Status.Addr
		}
		return stamp + "  started" + addr
	case app.ListenerStopped:
		if ev.Err != nil {
			return stamp + "  stopped: " + app.Explain(ev.Err)
		}
		return stamp + "  stopped"
	case app.ListenerFailed:
		return stamp + "  failed: " + app.Explain(ev.Err)
	case app.ListenerRequest:
		r := ev.Request
		if r == nil {
			return ""
		}
		s := fmt.Sprintf("%s  %-9s %-24s %s", r.Time.UTC().Format("15:04:05"), strings.ToLower(string(r.Service)), r.Sender.String(), r.Status)
		if r.Status == "" {
			s = fmt.Sprintf("%s  %-9s %-24s HTTP %d", r.Time.UTC().Format("15:04:05"), strings.ToLower(string(r.Service)), r.Sender.String(), r.HTTPStatus)
		}
		if r.Blocks > 0 {
			s += fmt.Sprintf("  %d block(s)", r.Blocks)
		}
		if r.Bytes > 0 {
			s += "  " + humanBytes(r.Bytes)
		}
		if r.Message != "" && r.Status != "SUCCESS" {
			s += "  " + r.Message
		}
		return s
	case app.ContentArrived:
		if ev.Arrival == nil {
			return ""
		}
		return stamp + "  arrived: " + arrivalText(ev.Arrival)
	case app.ContentReviewed:
		return fmt.Sprintf("%s  %s %d block(s)", stamp, strings.ToLower(ev.Review.String()), len(ev.Refs))
	}
	return ""
}
