package ui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/taxii-workstation/taxii-workstation/app"
)

// inboxTimeout bounds one call into the listener (start, stop, a page of
// the review queue, accepting or discarding).
const inboxTimeout = 30 * time.Second

// inboxView controls the inbox listener and reviews what it received, like
// a mail program's incoming folder: the on/off switch and the addresses to
// give partners on top, then tabs for the review queue, the listener's
// settings and a live log.
type inboxView struct {
	widget.BaseWidget
	env     *viewEnv
	l       *app.Listener
	t       viewTasks
	content fyne.CanvasObject

	// OpenInCache shows a collection in the Cache view (wired by the window
	// to cacheView.OpenCollection); nil only switches to the Cache view.
	OpenInCache func(server, collection string)

	power       *widget.Button
	state       *widget.Label
	discovery   *widget.Label
	inboxURL    *widget.Label
	fingerprint *widget.Label
	copyURL     *widget.Button
	copyInbox   *widget.Button
	copyFP      *widget.Button
	status      *statusLine
	tabs        *container.AppTabs

	cfg   *inboxConfig
	queue *inboxQueue
	log   *inboxLog

	running bool
	cfgMu   sync.Mutex // serialises configuration changes (held off the Fyne goroutine)
	cancel  func()     // ends the listener subscription

	evMu      sync.Mutex
	evPending []app.ListenerEvent
	evQueued  bool
}

// newInboxView builds the Inbox view and, in the background, resumes the
// listener when the user left it on.
func newInboxView(env *viewEnv) *inboxView {
	v := buildInboxView(env)
	v.begin()
	return v
}

// buildInboxView builds the widgets; begin starts the work (tests switch
// the tasks to manual mode in between).
func buildInboxView(env *viewEnv) *inboxView {
	v := &inboxView{env: env, l: env.listener}
	if v.l == nil {
		v.content = newEmptyState(theme.DownloadIcon(), "The inbox listener is off",
			"Partners and hubs push content to this workstation through its inbox listener, "+
				"but this window was started without one; start TAXII Workstation with its data directory to use it, "+
				"or run `taxii-workstation listen` from the command line.")
		v.ExtendBaseWidget(v)
		return v
	}
	v.status = newStatusLine(env.win)
	v.power = widget.NewButtonWithIcon("Turn on", theme.MediaPlayIcon(), v.Toggle)
	v.power.Importance = widget.HighImportance
	v.state = widget.NewLabelWithStyle("The listener is off.", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.state.Wrapping = fyne.TextWrapWord
	v.discovery = selectableLabel()
	v.inboxURL = selectableLabel()
	v.fingerprint = selectableLabel()
	v.copyURL = copyButton(func() string { return v.discovery.Text })
	v.copyInbox = copyButton(func() string { return v.inboxURL.Text })
	v.copyFP = copyButton(func() string { return v.fingerprint.Text })

	addrs := container.New(layout.NewFormLayout(),
		widget.NewLabel("Discovery URL"), container.NewBorder(nil, nil, nil, v.copyURL, v.discovery),
		widget.NewLabel("Inbox URL"), container.NewBorder(nil, nil, nil, v.copyInbox, v.inboxURL),
		widget.NewLabel("TLS fingerprint"), container.NewBorder(nil, nil, nil, v.copyFP, v.fingerprint),
	)
	top := container.NewVBox(
		container.NewBorder(nil, nil, v.power, nil, v.state),
		addrs,
		v.status,
	)
	v.cfg = newInboxConfig(v)
	v.queue = newInboxQueue(v)
	v.log = newInboxLog()
	v.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon("Review queue", theme.MailComposeIcon(), v.queue.content),
		container.NewTabItemWithIcon("Settings", theme.SettingsIcon(), v.cfg.content),
		container.NewTabItemWithIcon("Log", theme.ListIcon(), v.log.content),
	)
	v.content = container.NewBorder(top, nil, nil, nil, v.tabs)
	v.showStatus(v.l.Status())
	v.cfg.show(v.l.Config())
	v.ExtendBaseWidget(v)
	return v
}

// begin subscribes to the listener, resumes it if the user left it on and
// loads the review queue.
func (v *inboxView) begin() {
	if v.l == nil {
		return
	}
	v.cancel = v.l.SubscribeListener(v.hear)
	runTask(&v.t, func() (app.ListenerStatus, error) {
		ctx, cancel := context.WithTimeout(context.Background(), inboxTimeout)
		defer cancel()
		err := v.l.Resume(ctx)
		return v.l.Status(), err
	}, func(st app.ListenerStatus, err error) {
		v.showStatus(st)
		if err != nil {
			v.status.Error("The listener you left on could not start", err)
		} else if st.Running {
			v.status.Info("The listener you left on is running again.")
		}
	})
	v.queue.reload()
}

// close stops listening to the listener's events (tests; the window lives
// as long as the application).
func (v *inboxView) close() {
	if v.cancel != nil {
		v.cancel()
	}
}

func (v *inboxView) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(v.content) }

// Toggle turns the listener on when it is off and off when it is on.
func (v *inboxView) Toggle() {
	if v.l == nil {
		return
	}
	on := !v.running
	v.power.Disable()
	runTask(&v.t, func() (app.ListenerStatus, error) {
		ctx, cancel := context.WithTimeout(context.Background(), inboxTimeout)
		defer cancel()
		var err error
		if on {
			err = v.l.Start(ctx)
		} else {
			err = v.l.Stop(ctx)
		}
		return v.l.Status(), err
	}, func(st app.ListenerStatus, err error) {
		v.power.Enable()
		v.showStatus(st)
		switch {
		case err != nil && on:
			v.status.Error("The listener did not start", err)
		case err != nil:
			v.status.Error("The listener did not stop cleanly", err)
		case on:
			v.status.Info("The listener is on: give partners the discovery or inbox URL below.")
		default:
			v.status.Info("The listener is off; nothing can be pushed to this workstation.")
		}
	})
}

// showStatus shows the listener's state, addresses and fingerprint.
func (v *inboxView) showStatus(st app.ListenerStatus) {
	v.running = st.Running
	if st.Running {
		v.power.SetText("Turn off")
		v.power.SetIcon(theme.MediaStopIcon())
		v.power.Importance = widget.MediumImportance
		msg := "On: listening on " + st.Addr
		if !st.Since.IsZero() {
			msg += " since " + st.Since.UTC().Format("2006-01-02 15:04 UTC")
		}
		msg += fmt.Sprintf(" · %d message(s), %d block(s) received", st.Messages, st.Blocks)
		if len(st.Warnings) > 0 {
			msg += "\nWarning: " + strings.Join(st.Warnings, "\nWarning: ")
		}
		v.state.SetText(msg)
	} else {
		v.power.SetText("Turn on")
		v.power.SetIcon(theme.MediaPlayIcon())
		v.power.Importance = widget.HighImportance
		msg := "Off: partners cannot push to this workstation. Turn the listener on to receive."
		if st.Err != nil {
			msg = "Off: the listener failed: " + app.Explain(st.Err)
		}
		v.state.SetText(msg)
	}
	v.power.Refresh()
	setOrNone(v.discovery, st.URL, "(shown when the listener is on)")
	setOrNone(v.inboxURL, st.InboxURL, "(shown when the listener is on)")
	fp := st.Fingerprint
	none := "(HTTPS only: choose a TLS mode in Settings)"
	if st.TLS != "" && st.TLS != app.TLSOff {
		none = "(shown when the listener is on)"
	}
	setOrNone(v.fingerprint, fp, none)
	for _, b := range []*widget.Button{v.copyURL, v.copyInbox} {
		enableIf(b, st.URL != "")
	}
	enableIf(v.copyFP, fp != "")
}

// refreshStatus reads the listener's state (it is in memory: no disk, no network).
func (v *inboxView) refreshStatus() { v.showStatus(v.l.Status()) }

// hear takes a listener event on the request's goroutine and hands it to
// the Fyne goroutine through the view's tasks, in the order heard.
func (v *inboxView) hear(ev app.ListenerEvent) {
	v.evMu.Lock()
	v.evPending = append(v.evPending, ev)
	if v.evQueued {
		v.evMu.Unlock()
		return
	}
	v.evQueued = true
	v.evMu.Unlock()
	runTask(&v.t, func() (struct{}, error) { return struct{}{}, nil }, func(struct{}, error) {
		v.evMu.Lock()
		evs := v.evPending
		v.evPending, v.evQueued = nil, false
		v.evMu.Unlock()
		for _, ev := range evs {
			v.onEvent(ev)
		}
	})
}

// onEvent applies one listener event, on the Fyne goroutine.
func (v *inboxView) onEvent(ev app.ListenerEvent) {
	v.log.add(ev)
	switch ev.Kind {
	case app.ListenerStarted, app.ListenerStopped, app.ListenerFailed:
		v.refreshStatus()
	case app.ContentArrived:
		v.refreshStatus()
		if a := ev.Arrival; a != nil && v.env.notify != nil {
			v.env.notify("Content arrived", arrivalText(a))
		}
		v.queue.reload()
	case app.ContentReviewed:
		v.queue.reload()
	}
}

// arrivalText says what arrived, for the notification.
func arrivalText(a *app.Arrival) string {
	where := a.Server + "/" + a.Collection
	s := fmt.Sprintf("%d block(s) from %s for %s", a.Blocks, a.Sender, where)
	if a.AutoAccepted {
		return s + " (accepted automatically)"
	}
	return s + ", waiting for review"
}

func selectableLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Selectable = true
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

func copyButton(text func() string) *widget.Button {
	b := widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), func() {
		fyne.CurrentApp().Clipboard().SetContent(text())
	})
	b.Disable()
	return b
}

func setOrNone(l *widget.Label, s, none string) {
	if s == "" {
		s = none
	}
	l.SetText(s)
}

func enableIf(b *widget.Button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}
