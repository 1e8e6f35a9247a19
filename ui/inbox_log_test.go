package ui

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/taxii"
)

func TestInboxLogLine(t *testing.T) {
	at := time.Date(2026, 3, 4, 10, 11, 12, 0, time.UTC)
	sender := taxii.Sender{Identity: "hub", RemoteAddr: "127.0.0.1:5000"}
	tests := []struct {
		name string
		ev   app.ListenerEvent
		want []string // parts of the line; nil: no line
	}{
		{"started", app.ListenerEvent{Kind: app.ListenerStarted, Time: at, Status: &app.ListenerStatus{Addr: "127.0.0.1:9443"}},
			[]string{"10:11:12", "started on 127.0.0.1:9443"}},
		{"stopped", app.ListenerEvent{Kind: app.ListenerStopped, Time: at}, []string{"10:11:12  stopped"}},
		{"failed", app.ListenerEvent{Kind: app.ListenerFailed, Time: at, Err: errors.New("app: listen tcp: address in use")}, []string{"failed: "}},
		{"push accepted", app.ListenerEvent{Kind: app.ListenerRequest, Request: &taxii.ServerEvent{
			Service: taxii.ServiceInbox, Time: at, Sender: sender, Status: taxii.StatusSuccess, Blocks: 3, Bytes: 2100}},
			[]string{"10:11:12", "inbox", "SUCCESS", "3 block(s)", "2.1 KB"}},
		{"push refused", app.ListenerEvent{Kind: app.ListenerRequest, Request: &taxii.ServerEvent{
			Service: taxii.ServiceInbox, Time: at, Sender: sender, Status: taxii.StatusUnauthorized, Message: "wrong password"}},
			[]string{"UNAUTHORIZED", "wrong password"}},
		{"refused before TAXII", app.ListenerEvent{Kind: app.ListenerRequest, Request: &taxii.ServerEvent{
			Service: taxii.ServiceInbox, Time: at, Sender: sender, HTTPStatus: 405}},
			[]string{"HTTP 405"}},
		{"arrival", app.ListenerEvent{Kind: app.ContentArrived, Time: at, Arrival: &app.Arrival{
			Sender: "hub", Server: app.LocalServer, Collection: "shared", Blocks: 2, AutoAccepted: true}},
			[]string{"arrived: 2 block(s) from hub for local-inbox/shared (accepted automatically)"}},
		{"reviewed", app.ListenerEvent{Kind: app.ContentReviewed, Time: at, Refs: []string{"a", "b"}, Review: app.Discarded},
			[]string{"discarded 2 block(s)"}},
		{"request without details", app.ListenerEvent{Kind: app.ListenerRequest}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := logLine(tt.ev)
			if tt.want == nil {
				if got != "" {
					t.Errorf("line = %q, want none", got)
				}
				return
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("line %q lacks %q", got, w)
				}
			}
		})
	}
}

// TestInboxLogKeepsLast: the log keeps the newest inboxLogLines lines, newest first.
func TestInboxLogKeepsLast(t *testing.T) {
	test.NewTempApp(t)
	g := newInboxLog()
	for i := range inboxLogLines + 50 {
		g.add(app.ListenerEvent{Kind: app.ContentReviewed, Time: time.Unix(int64(i), 0), Refs: make([]string, i), Review: app.Accepted})
	}
	lines := strings.Split(strings.TrimSuffix(g.text(), "\n"), "\n")
	if len(lines) != inboxLogLines {
		t.Fatalf("%d lines, want %d", len(lines), inboxLogLines)
	}
	if want := fmt.Sprintf("accepted %d block(s)", inboxLogLines+49); !strings.HasSuffix(lines[0], want) {
		t.Errorf("newest line %q, want it to end %q", lines[0], want)
	}
	if want := "accepted 50 block(s)"; !strings.HasSuffix(lines[len(lines)-1], want) {
		t.Errorf("oldest line %q, want it to end %q", lines[len(lines)-1], want)
	}
}
