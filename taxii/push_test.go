package taxii_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/taxii-workstation/taxii-workstation/taxii"
	"github.com/taxii-workstation/taxii-workstation/taxii/taxiitest"
)

func TestPushReceipt(t *testing.T) {
	srv := newServer(t, taxiitest.Options{})
	blocks := []taxii.ContentBlock{
		{Binding: taxii.ContentBinding{ID: taxii.ContentSTIX12}, Content: taxiitest.STIXPackage(1, 0), ContentIsXML: true},
		{Binding: taxii.ContentBinding{ID: taxii.ContentSTIX12}, Content: taxiitest.STIXPackage(2, 0), ContentIsXML: true},
	}
	msg := &taxii.InboxMessage{DestinationCollectionNames: []string{"alpha", "beta"}, ContentBlocks: blocks}
	rc, err := fastClient().Push(context.Background(), srv.InboxURL(), msg)
	if err != nil {
		t.Fatal(err)
	}
	if !rc.OK() || rc.MessageID == "" || rc.InResponseTo != rc.MessageID || rc.Blocks != 2 || rc.Time.IsZero() {
		t.Fatalf("receipt %+v", rc)
	}
	if w := rc.Words(); !strings.Contains(w, "accepted 2 content block") {
		t.Errorf("words %q", w)
	}
	got := srv.Inbox()
	if len(got) != 1 || len(got[0].ContentBlocks) != 2 || strings.Join(got[0].DestinationCollectionNames, ",") != "alpha,beta" {
		t.Fatalf("server received %+v", got)
	}
	if !strings.Contains(string(got[0].ContentBlocks[1].Content), "Package-00000002") {
		t.Errorf("content not delivered whole: %q", got[0].ContentBlocks[1].Content)
	}
}

func TestPushRefused(t *testing.T) {
	tests := []struct {
		name      string
		opts      taxiitest.Options
		step      *taxiitest.Step
		wantType  taxii.StatusType
		wantWords string
	}{
		{"unsupported binding", taxiitest.Options{InboxBindings: []string{taxii.ContentSTIX111}}, nil, taxii.StatusUnsupportedContent, taxii.ContentSTIX111},
		{"destination required", taxiitest.Options{}, &taxiitest.Step{Status: taxii.StatusDestinationCollectionError,
			Details: map[string][]string{taxii.DetailAcceptableDestination: {"drop-box"}}}, taxii.StatusDestinationCollectionError, "drop-box"},
		{"denied", taxiitest.Options{}, &taxiitest.Step{Status: taxii.StatusDenied, Message: "quota"}, taxii.StatusDenied, "quota"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, tc.opts)
			if tc.step != nil {
				srv.Script(*tc.step)
			}
			msg := &taxii.InboxMessage{ContentBlocks: []taxii.ContentBlock{{Binding: taxii.ContentBinding{ID: taxii.ContentSTIX12}, Content: taxiitest.STIXPackage(1, 0), ContentIsXML: true}}}
			rc, err := fastClient().Push(context.Background(), srv.InboxURL(), msg)
			var se *taxii.StatusError
			if !errors.As(err, &se) || se.Type != tc.wantType {
				t.Fatalf("error %v, want %s", err, tc.wantType)
			}
			if rc == nil || rc.OK() || rc.Status != tc.wantType {
				t.Fatalf("receipt %+v", rc)
			}
			if w := rc.Words(); !strings.Contains(w, tc.wantWords) || !strings.Contains(w, "None of the pushed content was kept") {
				t.Errorf("words %q", w)
			}
		})
	}
}

func TestBlockFromFileDetectsBinding(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	stix := write("a.xml", `<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" version="1.1.1"/>`)
	text := write("b.txt", "just words")
	b, err := taxii.BlockFromFile(stix, "")
	if err != nil || b.Binding.ID != taxii.ContentSTIX111 || !b.ContentIsXML {
		t.Fatalf("detected %+v, %v", b.Binding, err)
	}
	if _, err := taxii.BlockFromFile(text, ""); !errors.Is(err, taxii.ErrUnknownBinding) {
		t.Fatalf("text without binding: %v", err)
	}
	b, err = taxii.BlockFromFile(text, "urn:example:text")
	if err != nil || b.Binding.ID != "urn:example:text" || b.ContentIsXML {
		t.Fatalf("named binding: %+v, %v", b, err)
	}
}

func TestSubscriptionLifecycle(t *testing.T) {
	srv := newServer(t, taxiitest.Options{})
	srv.AddCollection(taxiitest.Collection{Name: "feed"})
	c := fastClient()
	ctx := context.Background()
	url := srv.SubscriptionsURL()

	sub, err := c.Subscribe(ctx, url, "feed", taxii.SubscribeParams{InboxAddress: "https://me.example/inbox",
		ContentBindings: []taxii.ContentBinding{{ID: taxii.ContentSTIX12}}})
	if err != nil {
		t.Fatal(err)
	}
	if sub.SubscriptionID == "" || sub.Status != taxii.SubscriptionActive {
		t.Fatalf("subscribe: %+v", sub)
	}
	rec := srv.Subscriptions()
	if len(rec) != 1 || rec[0].Push == nil || rec[0].Push.Address != "https://me.example/inbox" ||
		rec[0].Push.ProtocolBinding != taxii.ProtocolHTTPS || rec[0].Push.MessageBinding != taxii.BindingXML11 ||
		rec[0].Parameters == nil || rec[0].Parameters.ContentBindings[0].ID != taxii.ContentSTIX12 {
		t.Fatalf("server recorded %+v (push %+v)", rec, rec[0].Push)
	}
	id := sub.SubscriptionID

	steps := []struct {
		name string
		do   func() (*taxii.Subscription, error)
		want taxii.SubscriptionStatus
	}{
		{"pause", func() (*taxii.Subscription, error) { return c.PauseSubscription(ctx, url, "feed", id) }, taxii.SubscriptionPaused},
		{"resume", func() (*taxii.Subscription, error) { return c.ResumeSubscription(ctx, url, "feed", id) }, taxii.SubscriptionActive},
		{"unsubscribe", func() (*taxii.Subscription, error) { return c.Unsubscribe(ctx, url, "feed", id) }, taxii.SubscriptionUnsubscribed},
	}
	for _, st := range steps {
		got, err := st.do()
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got.Status != st.want || srv.Subscriptions()[0].Status != st.want {
			t.Fatalf("%s: client sees %s, server has %s; want %s", st.name, got.Status, srv.Subscriptions()[0].Status, st.want)
		}
		if st.name == "pause" {
			list, err := c.SubscriptionStatus(ctx, url, "feed", "")
			if err != nil || len(list) != 1 || list[0].Status != taxii.SubscriptionPaused {
				t.Fatalf("status: %+v, %v", list, err)
			}
		}
	}

	if _, err := c.PauseSubscription(ctx, url, "feed", ""); err == nil {
		t.Error("pause without an id was sent")
	}
	_, err = c.SubscriptionStatus(ctx, url, "nope", "")
	var se *taxii.StatusError
	if !errors.As(err, &se) || se.Type != taxii.StatusNotFound {
		t.Fatalf("status of unknown collection: %v", err)
	}
}

func TestSubscribeIsNotRetried(t *testing.T) {
	srv := newServer(t, taxiitest.Options{})
	srv.AddCollection(taxiitest.Collection{Name: "feed"})
	srv.Script(taxiitest.Step{Fault: taxiitest.Drop})
	if _, err := fastClient().Subscribe(context.Background(), srv.SubscriptionsURL(), "feed", taxii.SubscribeParams{}); err == nil {
		t.Fatal("dropped subscribe reported success")
	}
	if n := srv.Count("ManageCollectionSubscriptionRequest"); n != 1 {
		t.Fatalf("subscribe sent %d times", n)
	}
	// STATUS is safe and is retried.
	srv.Script(taxiitest.Step{Fault: taxiitest.Drop})
	if _, err := fastClient().SubscriptionStatus(context.Background(), srv.SubscriptionsURL(), "feed", ""); err != nil {
		t.Fatal(err)
	}
}
