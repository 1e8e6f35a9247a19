package taxii_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/taxii-workstation/taxii-workstation/taxii"
	"github.com/taxii-workstation/taxii-workstation/taxii/taxiitest"
)

func newServer(t testing.TB, opts taxiitest.Options) *taxiitest.Server {
	t.Helper()
	s := taxiitest.New(opts)
	t.Cleanup(s.Close)
	return s
}

// fastClient retries quickly so tests do not wait for real backoff.
func fastClient() *taxii.Client {
	return &taxii.Client{
		Retry:   taxii.RetryPolicy{Attempts: 3, Backoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond},
		Timeout: 10 * time.Second,
	}
}

func TestDoSendsTAXIIHeaders(t *testing.T) {
	for _, tc := range []struct {
		name     string
		version  taxii.Version
		binding  string
		services string
	}{
		{"1.1", taxii.V11, taxii.BindingXML11, taxii.ServicesV11},
		{"1.0", taxii.V10, taxii.BindingXML10, taxii.ServicesV10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, taxiitest.Options{})
			c := fastClient()
			reply, err := c.Do(context.Background(), srv.DiscoveryURL(), &taxii.DiscoveryRequest{Version: tc.version})
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := reply.(*taxii.DiscoveryResponse); !ok {
				t.Fatalf("reply %T, want *DiscoveryResponse", reply)
			}
			if reply.TAXIIVersion() != tc.version {
				t.Errorf("reply version %v, want %v", reply.TAXIIVersion(), tc.version)
			}
			h := srv.Requests()[0].Header
			want := map[string]string{
				"Content-Type":         "application/xml",
				"Accept":               "application/xml",
				"X-TAXII-Content-Type": tc.binding,
				"X-TAXII-Accept":       tc.binding,
				"X-TAXII-Services":     tc.services,
				"X-TAXII-Protocol":     taxii.ProtocolHTTP,
			}
			for k, v := range want {
				if got := h.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestDiscoverSelectAndOverride(t *testing.T) {
	srv := newServer(t, taxiitest.Options{AdvertiseBase: "http://localhost:9000", InboxBindings: []string{taxii.ContentSTIX12}})
	c := fastClient()
	c.ServiceAddresses = map[taxii.ServiceType]string{taxii.ServicePoll: srv.PollURL()}
	d, err := c.Discover(context.Background(), srv.DiscoveryURL())
	if err != nil {
		t.Fatal(err)
	}
	if d.Version != taxii.V11 || len(d.Services) != 4 {
		t.Fatalf("discovery: version %v, %d services", d.Version, len(d.Services))
	}
	tests := []struct {
		q        taxii.ServiceQuery
		wantAddr string
		wantErr  bool
	}{
		{taxii.ServiceQuery{Type: taxii.ServicePoll}, srv.PollURL(), false}, // overridden
		{taxii.ServiceQuery{Type: taxii.ServiceInbox}, "http://localhost:9000" + taxiitest.PathInbox, false},
		{taxii.ServiceQuery{Type: taxii.ServiceInbox, ContentBinding: taxii.ContentSTIX12}, "http://localhost:9000" + taxiitest.PathInbox, false},
		{taxii.ServiceQuery{Type: taxii.ServiceInbox, ContentBinding: taxii.ContentSTIX10}, "", true},
		{taxii.ServiceQuery{Type: taxii.ServicePoll, Address: "http://localhost:9000" + taxiitest.PathPoll}, srv.PollURL(), false},
		{taxii.ServiceQuery{Type: taxii.ServicePoll, Address: "http://elsewhere/poll"}, "", true},
	}
	for _, tc := range tests {
		s, err := d.Select(tc.q)
		if tc.wantErr {
			if !errors.Is(err, taxii.ErrNoService) {
				t.Errorf("Select(%+v) error %v, want ErrNoService", tc.q, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Select(%+v): %v", tc.q, err)
			continue
		}
		if s.Address != tc.wantAddr {
			t.Errorf("Select(%+v) address %q, want %q", tc.q, s.Address, tc.wantAddr)
		}
	}
}

func TestDiscoverFallsBackToTAXII10(t *testing.T) {
	srv := newServer(t, taxiitest.Options{})
	srv.Script(taxiitest.Step{Status: taxii.StatusUnsupportedMessage, Message: "1.0 only"})
	c := fastClient()
	d, err := c.Discover(context.Background(), srv.DiscoveryURL())
	if err != nil {
		t.Fatal(err)
	}
	if d.Version != taxii.V10 {
		t.Fatalf("version %v, want 1.0", d.Version)
	}
	if v, ok := c.DetectedVersion(); !ok || v != taxii.V10 {
		t.Fatalf("DetectedVersion = %v, %v", v, ok)
	}
	srv.AddCollection(taxiitest.Collection{Name: "feed", Blocks: 3})
	cols, err := c.CollectionInformation(context.Background(), srv.CollectionsURL())
	if err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	if last := reqs[len(reqs)-1]; last.Version != taxii.V10 || len(cols) != 1 || cols[0].Name != "feed" {
		t.Fatalf("collection information sent in %v, got %+v", last.Version, cols)
	}

	// Forced 1.1: no fallback, the refusal is reported.
	srv.Script(taxiitest.Step{Status: taxii.StatusUnsupportedMessage})
	forced := fastClient()
	forced.ForceVersion = true
	_, err = forced.Discover(context.Background(), srv.DiscoveryURL())
	var se *taxii.StatusError
	if !errors.As(err, &se) || se.Type != taxii.StatusUnsupportedMessage {
		t.Fatalf("forced: error %v, want UNSUPPORTED_MESSAGE", err)
	}
}

func TestCollectionInformation(t *testing.T) {
	srv := newServer(t, taxiitest.Options{})
	srv.AddCollection(taxiitest.Collection{Name: "a", Description: "first"})
	srv.AddCollection(taxiitest.Collection{Name: "b", Type: taxii.DataSet, Binding: taxii.ContentSTIX111})
	cols, err := fastClient().CollectionInformation(context.Background(), srv.CollectionsURL())
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) != 2 || cols[0].Name != "a" || cols[1].Type != taxii.DataSet || cols[1].ContentBindings[0].ID != taxii.ContentSTIX111 {
		t.Fatalf("collections %+v", cols)
	}
}

func TestExchangeLogRedactsCredentials(t *testing.T) {
	srv := newServer(t, taxiitest.Options{Auth: taxiitest.Auth{Username: "ann", Password: "s3cret", Headers: map[string]string{"X-Api-Key": "k3y"}}})
	var mu sync.Mutex
	var log []*taxii.Exchange
	c := fastClient()
	c.Auth = taxii.Auth{Username: "ann", Password: "s3cret", Headers: map[string]string{"X-Api-Key": "k3y"}}
	c.OnExchange = func(ex *taxii.Exchange) { mu.Lock(); log = append(log, ex); mu.Unlock() }
	if _, err := c.Discover(context.Background(), srv.DiscoveryURL()); err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 {
		t.Fatalf("%d exchanges logged, want 1", len(log))
	}
	ex := log[0]
	if got := ex.RequestHeader.Get("Authorization"); got != "Basic "+taxii.Redacted {
		t.Errorf("Authorization logged as %q", got)
	}
	if got := ex.RequestHeader.Get("X-Api-Key"); got != taxii.Redacted {
		t.Errorf("API key logged as %q", got)
	}
	if ex.StatusCode != http.StatusOK || !strings.Contains(string(ex.RequestBody), "Discovery_Request") || !strings.Contains(string(ex.ResponseBody), "Discovery_Response") {
		t.Errorf("exchange %d, request %q, reply %q", ex.StatusCode, ex.RequestBody, ex.ResponseBody)
	}
	if ex.Kind != "DiscoveryRequest" || ex.Attempt != 1 {
		t.Errorf("kind %q attempt %d", ex.Kind, ex.Attempt)
	}
	dump := ex.Dump(40)
	for _, want := range []string{"> POST " + srv.DiscoveryURL(), "> Authorization: Basic REDACTED", "> X-Taxii-Services: " + taxii.ServicesV11, "< HTTP 200 OK", "more bytes"} {
		if !strings.Contains(dump, want) {
			t.Errorf("dump lacks %q:\n%s", want, dump)
		}
	}
	if strings.Contains(dump, "s3cret") || strings.Contains(dump, "k3y") {
		t.Errorf("dump shows a credential:\n%s", dump)
	}
}

func TestCancelViaContext(t *testing.T) {
	srv := newServer(t, taxiitest.Options{})
	srv.Script(taxiitest.Step{Fault: taxiitest.Stall})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := fastClient().Discover(ctx, srv.DiscoveryURL())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
}

func TestMismatchedInResponseToIsWarned(t *testing.T) {
	tests := []struct {
		irt      string
		wantWarn bool
	}{{"999", true}, {"0", false}}
	for _, tc := range tests {
		body, err := taxii.Marshal(&taxii.DiscoveryResponse{MessageID: "1", InResponseTo: tc.irt})
		if err != nil {
			t.Fatal(err)
		}
		srv := newServer(t, taxiitest.Options{})
		srv.Script(taxiitest.Step{Fault: taxiitest.Raw, ContentType: "application/xml", Body: body})
		var warnings []string
		c := fastClient()
		c.Warn = func(m string) { warnings = append(warnings, m) }
		if _, err := c.Discover(context.Background(), srv.DiscoveryURL()); err != nil {
			t.Fatal(err)
		}
		if got := len(warnings) == 1 && strings.Contains(warnings[0], "answered message 999"); got != tc.wantWarn {
			t.Errorf("in_response_to %q: warnings %q", tc.irt, warnings)
		}
	}
}
