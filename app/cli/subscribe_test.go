package cli

import (
	"strings"
	"testing"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/storage"
	"github.com/taxii-workstation/taxii-workstation/taxii"
	"github.com/taxii-workstation/taxii-workstation/taxii/taxiitest"
)

// TestSubscribeLifecycle runs the actions in order against one server; each
// step checks the command's JSON and the state the server holds.
func TestSubscribeLifecycle(t *testing.T) {
	h := newHarness(t, taxiitest.Options{}).feed()
	const inbox = "http://127.0.0.1:9/services/inbox"
	var id string
	steps := []struct {
		action     string
		extra      []string
		wantStatus string // in the output and on the server
	}{
		{"subscribe", []string{"--inbox", inbox}, "ACTIVE"},
		{"status", nil, "ACTIVE"},
		{"pause", nil, "PAUSED"},
		{"status", nil, "PAUSED"},
		{"resume", nil, "ACTIVE"},
		{"unsubscribe", nil, "UNSUBSCRIBED"},
	}
	for _, st := range steps {
		t.Run(st.action, func(t *testing.T) {
			args := []string{"subscribe", "--url", "$DISCOVERY", "--collection", "feed", "--action", st.action, "--json"}
			if st.action != "subscribe" {
				args = append(args, "--id", id)
			}
			r := h.run(append(args, st.extra...)...)
			r.check(t, ExitOK, nil, nil)
			var got subscriptionJSON
			if st.action == "status" {
				var all []subscriptionJSON
				r.decode(t, &all)
				if len(all) != 1 {
					t.Fatalf("status lists %d subscriptions, want 1: %+v", len(all), all)
				}
				got = all[0]
			} else {
				r.decode(t, &got)
			}
			if st.action == "subscribe" {
				id = got.ID
				if id == "" || got.Inbox != inbox {
					t.Fatalf("subscribe = %+v, want an id and the inbox", got)
				}
			}
			if got.ID != id || got.Status != st.wantStatus || got.Collection != "feed" {
				t.Errorf("%s = %+v, want id %s status %s", st.action, got, id, st.wantStatus)
			}
			if st.action == "pause" {
				r := h.run("subscribe", "--url", "$DISCOVERY", "--collection", "feed", "--action", "status", "--id", id)
				r.check(t, ExitOK, []string{"COLLECTION", "SUBSCRIPTION ID", id, "PAUSED", inbox}, nil)
			}
			subs := h.srv.Subscriptions()
			if len(subs) != 1 || string(subs[0].Status) != st.wantStatus || subs[0].Push == nil || subs[0].Push.Address != inbox {
				t.Errorf("server holds %+v", subs)
			}
		})
	}
	// Ended subscriptions are no longer listed.
	r := h.run("subscribe", "--url", "$DISCOVERY", "--collection", "feed", "--action", "status")
	r.check(t, ExitOK, []string{"The server lists no subscriptions to feed"}, nil)
}

func TestSubscribeUsage(t *testing.T) {
	h := newHarness(t, taxiitest.Options{}).feed()
	tests := []struct {
		name  string
		args  []string
		inErr string
	}{
		{"pause without id", []string{"--action", "pause"}, "needs --id"},
		{"unknown action", []string{"--action", "cancel"}, "--action must be"},
		{"inbox with status", []string{"--action", "status", "--inbox", "http://x/"}, "only apply to --action subscribe"},
		{"bad inbox URL", []string{"--inbox", "ftp://x"}, "not an http:// or https:// URL"},
		{"no collection", []string{"--collection", ""}, "--collection is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"subscribe", "--url", "$DISCOVERY", "--collection", "feed"}, tt.args...)
			h.run(args...).check(t, ExitUsage, nil, []string{tt.inErr, "usage: taxii-workstation subscribe"})
		})
	}
	if n := h.srv.Count(""); n != 0 {
		t.Errorf("bad usage sent %d requests", n)
	}
}

// TestPollSubscription polls on behalf of a subscription: the request names
// it and carries no parameters of its own.
func TestPollSubscription(t *testing.T) {
	h := newHarness(t, taxiitest.Options{}).feed()
	r := h.run("subscribe", "--url", "$DISCOVERY", "--collection", "feed", "--json")
	r.check(t, ExitOK, nil, nil)
	var sub subscriptionJSON
	r.decode(t, &sub)
	h.run("poll", "--url", "$DISCOVERY", "--collection", "feed", "--subscription-id", sub.ID).check(t, ExitOK, []string{"120 blocks in 3 parts"}, nil)
	var found bool
	for _, q := range h.srv.Requests() {
		if pr, ok := q.Message.(*taxii.PollRequest); ok {
			found = true
			if pr.SubscriptionID != sub.ID || pr.Parameters != nil {
				t.Errorf("poll request: subscription %q, parameters %+v", pr.SubscriptionID, pr.Parameters)
			}
		}
	}
	if !found {
		t.Error("no poll request")
	}
}

// TestSubscribeDefaultInbox: without --inbox the server is asked to push to
// this workstation's listener; --inbox none asks for no push.
func TestSubscribeDefaultInbox(t *testing.T) {
	h := newHarness(t, taxiitest.Options{}).feed()
	sub := func(extra ...string) (subscriptionJSON, result) {
		t.Helper()
		r := h.run(append([]string{"subscribe", "--url", "$DISCOVERY", "--collection", "feed", "--json"}, extra...)...)
		r.check(t, ExitOK, nil, nil)
		var s subscriptionJSON
		r.decode(t, &s)
		return s, r
	}
	s, r := sub()
	if want := "http://" + app.DefaultListenerAddr + "/services/inbox"; s.Inbox != want || !strings.Contains(r.stderr, "listener at "+want) {
		t.Errorf("default inbox %q (stderr %q), want %s", s.Inbox, r.stderr, want)
	}
	s, _ = sub("--inbox", "none")
	if s.Inbox != "" {
		t.Errorf("--inbox none pushes to %q", s.Inbox)
	}
	// The listener's saved settings say where partners reach it.
	a, err := app.New(app.Deps{Store: h.store, Secrets: app.NewKeyringSecrets(storage.SecretsOptions{})})
	if err != nil {
		t.Fatal(err)
	}
	l, err := app.NewListener(a, app.ListenerOptions{DataDir: h.dataDir})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.SetConfig(app.ListenerConfig{AdvertiseURL: "https://ws.example.org:9443"}); err != nil {
		t.Fatal(err)
	}
	a.Close()
	if s, _ = sub(); s.Inbox != "https://ws.example.org:9443/services/inbox" {
		t.Errorf("inbox %q, want the advertised URL", s.Inbox)
	}
	var pushes []string
	for _, rec := range h.srv.Subscriptions() {
		if rec.Push != nil {
			pushes = append(pushes, rec.Push.Address)
		} else {
			pushes = append(pushes, "")
		}
	}
	if len(pushes) != 3 || pushes[1] != "" || pushes[2] != "https://ws.example.org:9443/services/inbox" {
		t.Errorf("server holds push addresses %q", pushes)
	}
}
