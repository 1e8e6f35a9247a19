package taxii_test

import (
	"context"
	"errors"
	"testing"

	"github.com/taxii-workstation/taxii-workstation/taxii"
	"github.com/taxii-workstation/taxii-workstation/taxii/taxiitest"
)

// A recorded discovery answer with two poll services (one unavailable, one
// relative), a TAXII 1.0-only inbox and a JSON-only service.
func TestSelectAmongSeveralServices(t *testing.T) {
	yes, no := true, false
	reply := &taxii.DiscoveryResponse{MessageID: "1", InResponseTo: "0", Services: []taxii.ServiceInstance{
		{Type: taxii.ServicePoll, ServiceVersion: taxii.ServicesV11, Available: &no, ProtocolBinding: taxii.ProtocolHTTP, Address: "http://localhost:9000/poll-a", MessageBindings: []string{taxii.BindingXML11}},
		{Type: taxii.ServicePoll, ServiceVersion: taxii.ServicesV11, ProtocolBinding: taxii.ProtocolHTTP, Address: "/services/poll-b", MessageBindings: []string{taxii.BindingXML11}},
		{Type: taxii.ServicePoll, ServiceVersion: taxii.ServicesV11, Available: &yes, ProtocolBinding: taxii.ProtocolHTTP, Address: "http://other.example/poll-c", MessageBindings: []string{taxii.BindingXML11}},
		{Type: taxii.ServiceInbox, ServiceVersion: taxii.ServicesV10, ProtocolBinding: taxii.ProtocolHTTP, Address: "http://other.example/inbox", MessageBindings: []string{taxii.BindingXML10}},
		{Type: taxii.ServiceCollectionManagement, ServiceVersion: taxii.ServicesV11, ProtocolBinding: taxii.ProtocolHTTP, Address: "http://other.example/json", MessageBindings: []string{taxii.BindingJSONCERTEU}},
	}}
	body, err := taxii.Marshal(reply)
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(t, taxiitest.Options{})
	srv.Script(taxiitest.Step{Fault: taxiitest.Raw, ContentType: "application/xml", Body: body})
	d, err := fastClient().Discover(context.Background(), srv.URL+"/taxii/discovery/")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		q       taxii.ServiceQuery
		want    string
		version taxii.Version
	}{
		{"prefers one marked available", taxii.ServiceQuery{Type: taxii.ServicePoll}, "http://other.example/poll-c", taxii.V11},
		{"relative address resolved", taxii.ServiceQuery{Type: taxii.ServicePoll, Address: "/services/poll-b"}, srv.URL + "/services/poll-b", taxii.V11},
		{"1.0-only inbox", taxii.ServiceQuery{Type: taxii.ServiceInbox}, "http://other.example/inbox", taxii.V10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := d.Select(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if s.Address != tc.want || s.Version != tc.version {
				t.Fatalf("picked %s (%v), want %s (%v)", s.Address, s.Version, tc.want, tc.version)
			}
		})
	}
	if _, err := d.Select(taxii.ServiceQuery{Type: taxii.ServicePoll, Address: "http://localhost:9000/poll-a"}); !errors.Is(err, taxii.ErrNoService) {
		t.Errorf("unavailable service picked: %v", err)
	}
	if _, err := d.Select(taxii.ServiceQuery{Type: taxii.ServiceCollectionManagement}); !errors.Is(err, taxii.ErrNoService) {
		t.Errorf("JSON-only service picked: %v", err)
	}
	if n := len(d.ServicesOf(taxii.ServicePoll)); n != 3 {
		t.Errorf("ServicesOf(POLL) = %d services", n)
	}
}

func TestTAXII10Poll(t *testing.T) {
	srv := newServer(t, taxiitest.Options{})
	srv.AddCollection(taxiitest.Collection{Name: "feed", Blocks: 12})
	c := fastClient()
	c.Version, c.ForceVersion = taxii.V10, true
	res, err := c.Poll(context.Background(), srv.PollURL(), &taxii.PollRequest{CollectionName: "feed"}, taxii.PollOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Blocks != 12 || res.Parts != 1 || res.InclusiveEnd == nil {
		t.Fatalf("1.0 poll: %+v", res)
	}
	if r := srv.Requests()[0]; r.Version != taxii.V10 || r.Header.Get("X-TAXII-Services") != taxii.ServicesV10 {
		t.Fatalf("request sent as %v with services %q", r.Version, r.Header.Get("X-TAXII-Services"))
	}
	if _, err := c.PauseSubscription(context.Background(), srv.SubscriptionsURL(), "feed", "s1"); err == nil {
		t.Fatal("PAUSE sent over TAXII 1.0")
	}
}

func TestResolveService(t *testing.T) {
	srv := newServer(t, taxiitest.Options{})
	ctx := context.Background()
	tests := []struct {
		name  string
		step  *taxiitest.Step // how the address answers a Discovery_Request
		url   string
		want  string
		isErr bool
	}{
		{"discovery URL", nil, srv.DiscoveryURL(), srv.PollURL(), false},
		{"poll service refusing discovery", &taxiitest.Step{Status: taxii.StatusUnsupportedMessage}, srv.URL + "/direct/poll", srv.URL + "/direct/poll", false},
		{"service answering HTTP 400", &taxiitest.Step{Fault: taxiitest.PlainHTTP, HTTPStatus: 400}, srv.URL + "/other", srv.URL + "/other", false},
		{"unauthorized", &taxiitest.Step{Status: taxii.StatusUnauthorized}, srv.DiscoveryURL(), "", true},
		{"HTML 404", &taxiitest.Step{Fault: taxiitest.HTMLError, HTTPStatus: 404}, srv.URL + "/nothing", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.step != nil {
				srv.Script(*tc.step)
			}
			c := fastClient()
			c.Retry.Attempts = 1
			s, err := c.ResolveService(ctx, tc.url, taxii.ServiceQuery{Type: taxii.ServicePoll})
			if tc.isErr {
				if err == nil {
					t.Fatalf("resolved to %s, want an error", s.Address)
				}
				return
			}
			if err != nil || s.Address != tc.want || s.Type != taxii.ServicePoll {
				t.Fatalf("resolved to %+v, %v; want %s", s, err, tc.want)
			}
		})
	}
}
