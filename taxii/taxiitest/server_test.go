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
