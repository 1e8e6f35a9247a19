package taxiitest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/taxii-workstation/taxii-workstation/taxii"
	"github.com/taxii-workstation/taxii-workstation/taxii/taxiitest"
)

func TestScriptedStepsMatchByKind(t *testing.T) {
	srv := taxiitest.New(taxiitest.Options{})
	defer srv.Close()
	srv.Script(taxiitest.Step{Kind: "InboxMessage", Status: taxii.StatusDenied})
	c := &taxii.Client{}
	ctx := context.Background()
	if _, err := c.Discover(ctx, srv.DiscoveryURL()); err != nil {
		t.Fatalf("a step for InboxMessage hit discovery: %v", err)
	}
	if srv.Pending() != 1 {
		t.Fatalf("%d steps pending, want 1", srv.Pending())
	}
	_, err := c.Push(ctx, srv.InboxURL(), &taxii.InboxMessage{})
	var se *taxii.StatusError
	if !errors.As(err, &se) || se.Type != taxii.StatusDenied {
		t.Fatalf("push: %v", err)
	}
	if srv.Pending() != 0 || srv.Count("") != 2 || srv.Count("InboxMessage") != 1 || len(srv.Inbox()) != 0 {
		t.Fatalf("pending %d, requests %d, inbox %d", srv.Pending(), srv.Count(""), len(srv.Inbox()))
	}
}

func TestInvalidPartNumber(t *testing.T) {
	srv := taxiitest.New(taxiitest.Options{})
	defer srv.Close()
	srv.AddCollection(taxiitest.Collection{Name: "feed", Blocks: 10, PartSize: 5})
	c := &taxii.Client{}
	ctx := context.Background()
	var resultID string
	if _, err := c.Poll(ctx, srv.PollURL(), &taxii.PollRequest{CollectionName: "feed"}, taxii.PollOptions{OnPart: func(p *taxii.PollResponse) error {
		resultID = p.ResultID
		return nil
	}}); err != nil {
		t.Fatal(err)
	}
	reply, err := c.Do(ctx, srv.PollURL(), &taxii.PollFulfillmentRequest{CollectionName: "feed", ResultID: resultID, ResultPartNumber: 3})
	if err != nil {
		t.Fatal(err)
	}
	sm, ok := reply.(*taxii.StatusMessage)
	if n, has := sm.MaxPartNumber(); !ok || sm.Type != taxii.StatusInvalidResponsePart || !has || n != 2 {
		t.Fatalf("reply %+v", reply)
	}
}

func TestSTIXPackageSize(t *testing.T) {
	for _, size := range []int{0, 500, 2048, 10000} {
		p := taxiitest.STIXPackage(7, size)
		want := size
		if want == 0 {
			want = 2048
		}
		if len(p) != want {
			t.Errorf("STIXPackage(7, %d) is %d bytes", size, len(p))
		}
		if b, err := taxii.DetectBinding(p); err != nil || b != taxii.ContentSTIX12 {
			t.Errorf("generated package detected as %q, %v", b, err)
		}
	}
}

func TestDeliverPushesToSubscribers(t *testing.T) {
	producer := taxiitest.New(taxiitest.Options{})
	defer producer.Close()
	consumer := taxiitest.New(taxiitest.Options{}) // stands in for our inbox listener
	defer consumer.Close()
	producer.AddCollection(taxiitest.Collection{Name: "feed", Blocks: 4})
	c := &taxii.Client{}
	ctx := context.Background()
	active, err := c.Subscribe(ctx, producer.SubscriptionsURL(), "feed", taxii.SubscribeParams{InboxAddress: consumer.InboxURL()})
	if err != nil {
		t.Fatal(err)
	}
	paused, err := c.Subscribe(ctx, producer.SubscriptionsURL(), "feed", taxii.SubscribeParams{InboxAddress: consumer.InboxURL() + "?paused"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PauseSubscription(ctx, producer.SubscriptionsURL(), "feed", paused.SubscriptionID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Subscribe(ctx, producer.SubscriptionsURL(), "feed", taxii.SubscribeParams{}); err != nil { // poll-only
		t.Fatal(err)
	}
	receipts, err := producer.Deliver(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	got := consumer.Inbox()
	if len(receipts) != 1 || !receipts[0].OK() || len(got) != 1 {
		t.Fatalf("%d receipts, %d messages received", len(receipts), len(got))
	}
	if ss := got[0].SourceSubscription; ss == nil || ss.SubscriptionID != active.SubscriptionID || len(got[0].ContentBlocks) != 4 {
		t.Fatalf("received %+v", got[0])
	}
}
