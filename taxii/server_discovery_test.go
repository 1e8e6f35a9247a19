package taxii_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/taxii-workstation/taxii-workstation/taxii"
	"github.com/taxii-workstation/taxii-workstation/taxii/taxiitest"
)

// listener serves Discovery and the Inbox on the standard paths, as the
// application's listener does.
func listener(inbox *taxii.InboxHandler, disc *taxii.DiscoveryHandler) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle(taxii.DefaultInboxPath, inbox)
	mux.Handle(taxii.DefaultDiscoveryPath, disc)
	return mux
}

func TestDiscoveryAdvertisesTheInboxThenPushWorks(t *testing.T) {
	fx := newInboxPKI(t)
	bindings := []taxii.ContentBinding{{ID: taxii.ContentSTIX12}, {ID: taxii.ContentSTIX111, Subtypes: []string{subtypeOK}}}
	recv := &memReceiver{}
	inbox := &taxii.InboxHandler{Receiver: recv, ContentBindings: bindings}
	srv := startInbox(t, listener(inbox, &taxii.DiscoveryHandler{ContentBindings: bindings, InboxMessage: "destinations: none"}), fx.serverTLS())

	for _, v := range []taxii.Version{taxii.V11, taxii.V10} {
		t.Run(v.String(), func(t *testing.T) {
			c := inboxClient(fx.pki.CAPEM, taxii.Auth{})
			c.Version, c.ForceVersion = v, true
			d, err := c.Discover(context.Background(), srv.URL+taxii.DefaultDiscoveryPath)
			if err != nil {
				t.Fatal(err)
			}
			if d.Version != v {
				t.Fatalf("answered in %s, want %s", d.Version, v)
			}
			var inboxes []taxii.Service
			for _, s := range d.Services {
				if s.ProtocolBinding != taxii.ProtocolHTTPS {
					t.Errorf("%s at %s advertised over %s, want https", s.Type, s.Address, s.ProtocolBinding)
				}
				if s.Type == taxii.ServiceInbox {
					inboxes = append(inboxes, s)
				}
			}
			if len(inboxes) != 2 || inboxes[0].Version != taxii.V11 || inboxes[1].Version != taxii.V10 {
				t.Fatalf("inbox instances %+v, want one for TAXII 1.1 and one for 1.0", inboxes)
			}
			for _, s := range inboxes {
				if s.AdvertisedAddress != srv.URL+taxii.DefaultInboxPath || s.Message != "destinations: none" {
					t.Errorf("inbox advertised at %q (%q), want %q", s.AdvertisedAddress, s.Message, srv.URL+taxii.DefaultInboxPath)
				}
				var ids []string
				for _, cb := range s.ContentBindings {
					ids = append(ids, cb.ID)
					if v == taxii.V10 && len(cb.Subtypes) > 0 {
						t.Errorf("TAXII 1.0 has no subtypes, got %v", cb.Subtypes)
					}
				}
				if !slices.Equal(ids, []string{taxii.ContentSTIX12, taxii.ContentSTIX111}) {
					t.Errorf("content bindings %q", ids)
				}
			}
			in, err := d.Select(taxii.ServiceQuery{Type: taxii.ServiceInbox, ContentBinding: taxii.ContentSTIX12})
			if err != nil {
				t.Fatal(err)
			}
			before := len(recv.received())
			if _, err := c.Push(context.Background(), in.Address, &taxii.InboxMessage{ContentBlocks: []taxii.ContentBlock{stixBlock(1)}}); err != nil {
				t.Fatal(err)
			}
			if got := recv.received(); len(got) != before+1 || got[len(got)-1].Version != v {
				t.Fatalf("push through the discovered address was not stored in %s", v)
			}
		})
	}
}

func TestDiscoveryUsesTheConfiguredAddresses(t *testing.T) {
	const public = "https://ws.example.org:9443" + taxii.DefaultInboxPath
	disc := &taxii.DiscoveryHandler{InboxAddress: public, Address: "https://ws.example.org:9443" + taxii.DefaultDiscoveryPath}
	srv := startInbox(t, disc, nil)
	d, err := inboxClient(nil, taxii.Auth{}).Discover(context.Background(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	in, err := d.Select(taxii.ServiceQuery{Type: taxii.ServiceInbox})
	if err != nil {
		t.Fatal(err)
	}
	if in.AdvertisedAddress != public || in.ProtocolBinding != taxii.ProtocolHTTPS {
		t.Fatalf("inbox advertised at %s over %s, want %s over https (the address partners see, not the one we bound)", in.AdvertisedAddress, in.ProtocolBinding, public)
	}
}

func TestDiscoveryRefusesWhatIsNotADiscoveryRequest(t *testing.T) {
	disc := &taxii.DiscoveryHandler{Authenticator: taxii.CredentialAuth{Password: func(u, p string) bool { return u == "alice" && p == "secret" }}}
	srv := startInbox(t, disc, nil)
	inboxMsg := inboxBody(t, taxii.V11, nil, taxii.ContentBinding{ID: taxii.ContentSTIX12})
	discReq := mustMarshal(t, &taxii.DiscoveryRequest{})
	tests := []struct {
		name     string
		method   string
		header   map[string]string
		body     []byte
		wantHTTP int
		want     taxii.StatusType
	}{
		{"Inbox_Message", http.MethodPost, nil, inboxMsg, http.StatusOK, taxii.StatusBadMessage},
		{"GET", http.MethodGet, nil, nil, http.StatusMethodNotAllowed, taxii.StatusBadMessage},
		{"no credentials", http.MethodPost, map[string]string{"Authorization": ""}, discReq, http.StatusOK, taxii.StatusUnauthorized},
		{"JSON binding", http.MethodPost, map[string]string{"X-TAXII-Content-Type": taxii.BindingJSONCERTEU}, discReq, http.StatusOK, taxii.StatusUnsupportedMessage},
		{"over 64 KiB", http.MethodPost, nil, bytes.Repeat([]byte(" "), 65<<10), http.StatusRequestEntityTooLarge, taxii.StatusBadMessage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, sm := postRaw(t, tc.method, srv.URL, tc.header, bytes.NewReader(tc.body), int64(len(tc.body)))
			if code != tc.wantHTTP || sm.Type != tc.want {
				t.Fatalf("HTTP %d %s %q, want HTTP %d %s", code, sm.Type, sm.Message, tc.wantHTTP, tc.want)
			}
		})
	}
	// With the right credentials the client gets an answer.
	c := inboxClient(nil, taxii.Auth{Username: "alice", Password: "secret"})
	if _, err := c.Discover(context.Background(), srv.URL); err != nil {
		t.Fatal(err)
	}
	c = inboxClient(nil, taxii.Auth{Username: "alice", Password: "nope"})
	var se *taxii.StatusError
	if _, err := c.Discover(context.Background(), srv.URL); !errors.As(err, &se) || se.Type != taxii.StatusUnauthorized {
		t.Fatalf("discover with a wrong password: %v, want UNAUTHORIZED", err)
	}
}

// TestSubscriptionPushesLandInTheInbox subscribes at a fake hub with push
// parameters pointing at our inbox; the hub's delivery arrives with its
// Source_Subscription, which routes it even where destinations are required.
func TestSubscriptionPushesLandInTheInbox(t *testing.T) {
	hub := taxiitest.New(taxiitest.Options{})
	t.Cleanup(hub.Close)
	hub.AddCollection(taxiitest.Collection{Name: "hub-feed", Blocks: 5})
	recv := &memReceiver{}
	inbox := startInbox(t, &taxii.InboxHandler{Receiver: recv, Destinations: []string{"local"}, RequireDestination: true,
		ContentBindings: []taxii.ContentBinding{{ID: taxii.ContentSTIX12}}}, nil)

	c := inboxClient(nil, taxii.Auth{})
	sub, err := c.Subscribe(context.Background(), hub.SubscriptionsURL(), "hub-feed", taxii.SubscribeParams{InboxAddress: inbox.URL + taxii.DefaultInboxPath})
	if err != nil {
		t.Fatal(err)
	}
	receipts, err := hub.Deliver(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if len(receipts) != 1 || !receipts[0].OK() {
		t.Fatalf("receipts %+v, want one SUCCESS", receipts)
	}
	got := recv.received()
	if len(got) != 1 || len(got[0].Blocks) != 5 || got[0].Subscription == nil {
		t.Fatalf("received %+v, want one message of 5 blocks with its subscription", got)
	}
	if s := got[0].Subscription; s.CollectionName != "hub-feed" || s.SubscriptionID != sub.SubscriptionID {
		t.Errorf("subscription %+v, want hub-feed / %s", s, sub.SubscriptionID)
	}
}
