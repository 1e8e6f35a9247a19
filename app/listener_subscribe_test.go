package app_test

import (
	"context"
	"testing"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/taxii"
	"github.com/taxii-workstation/taxii-workstation/taxii/taxiitest"
)

// TestListenerSubscription: from a server profile, subscribe with push
// parameters pointing at the listener; the hub delivers; the content lands
// routed to hub/feed by its subscription id, and accepting lists it there
// beside polled content. A paused subscription gets nothing.
func TestListenerSubscription(t *testing.T) {
	ctx := context.Background()
	w := newWorkstation(t, app.ListenerConfig{AdvertiseURL: ""})
	hub := taxiitest.New(taxiitest.Options{})
	defer hub.Close()
	hub.AddCollection(taxiitest.Collection{Name: "feed", Blocks: 7})
	if err := w.AddProfile(ctx, app.Profile{Name: "hub", DiscoveryURL: hub.DiscoveryURL()}, app.Credentials{}); err != nil {
		t.Fatal(err)
	}
	rec, err := w.l.SubscribeCollection(ctx, "hub", "feed", app.SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rec.InboxAddress != w.l.Status().InboxURL || rec.ID == "" {
		t.Fatalf("subscription %+v, want push to %s", rec, w.l.Status().InboxURL)
	}
	subs := hub.Subscriptions()
	if len(subs) != 1 || subs[0].Push == nil || subs[0].Push.Address != w.l.Status().InboxURL {
		t.Fatalf("hub recorded %+v", subs)
	}

	receipts, err := hub.Deliver(ctx, &taxii.Client{})
	if err != nil || len(receipts) != 1 || !receipts[0].OK() {
		t.Fatalf("deliver: %v %+v", err, receipts)
	}
	queue := w.received(t, app.Unreviewed)
	if len(queue) != 7 {
		t.Fatalf("queue has %d, want 7", len(queue))
	}
	refs := make([]string, 0, len(queue))
	for _, it := range queue {
		if it.Subscription != rec.ID || it.Server != "hub" || it.Collection != "feed" {
			t.Fatalf("queued %+v, want subscription %s into hub/feed", it, rec.ID)
		}
		refs = append(refs, it.Ref)
	}
	arr := w.log.of(app.ContentArrived)
	if len(arr) != 1 || arr[0].Arrival.Subscription != rec.ID || arr[0].Arrival.Server != "hub" {
		t.Errorf("arrival events %+v", arr)
	}
	if err := w.l.Accept(ctx, refs...); err != nil {
		t.Fatal(err)
	}
	if n := count(t, w, "hub", "feed"); n != 7 {
		t.Errorf("hub/feed lists %d, want 7", n)
	}
	// Polling the same collection afterwards finds them known, not new.
	res, err := w.Sync(ctx, app.SyncRequest{Server: "hub", Collection: "feed", Mode: app.Everything})
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 0 {
		t.Errorf("poll after accepting found %d new blocks, want 0", res.New)
	}

	if _, err := w.PauseSubscription(ctx, "hub", "feed", rec.ID); err != nil {
		t.Fatal(err)
	}
	if receipts, err := hub.Deliver(ctx, &taxii.Client{}); err != nil || len(receipts) != 0 {
		t.Errorf("deliver to a paused subscription: %v %+v", err, receipts)
	}
}
