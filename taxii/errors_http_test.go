package taxii_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/taxii-workstation/taxii-workstation/taxii"
	"github.com/taxii-workstation/taxii-workstation/taxii/taxiitest"
)

// Every status type a server can answer reaches the caller as a
// *StatusError whose words say what happened and what to try.
func TestEveryStatusIsAStatusErrorWithWords(t *testing.T) {
	tests := []struct {
		status  taxii.StatusType
		details map[string][]string
		want    []string // phrases the explanation must contain
	}{
		{taxii.StatusAsynchronousPollError, nil, []string{"asynchronous poll", "poll again"}},
		{taxii.StatusBadMessage, nil, []string{"could not read", "other TAXII version"}},
		{taxii.StatusDenied, nil, []string{"refused", "operator"}},
		{taxii.StatusDestinationCollectionError, map[string][]string{taxii.DetailAcceptableDestination: {"alpha", "beta"}}, []string{"destination", "alpha, beta"}},
		{taxii.StatusFailure, nil, []string{"failed", "try again later"}},
		{taxii.StatusInvalidResponsePart, map[string][]string{taxii.DetailMaxPartNumber: {"4"}}, []string{"part", "last part is 4"}},
		{taxii.StatusNetworkError, nil, []string{"network error", "try again"}},
		{taxii.StatusNotFound, map[string][]string{taxii.DetailItem: {"secret-feed"}}, []string{`"secret-feed" does not exist`, "may read it"}},
		{taxii.StatusPending, map[string][]string{taxii.DetailEstimatedWait: {"300"}, taxii.DetailResultID: {"r1"}, taxii.DetailWillPush: {"false"}}, []string{"preparing", "300 seconds", "r1"}},
		{taxii.StatusPollingUnsupported, nil, []string{"cannot be polled", "inbox"}},
		{taxii.StatusRetry, map[string][]string{taxii.DetailEstimatedWait: {"30"}}, []string{"busy", "30 seconds"}},
		{taxii.StatusSuccess, nil, []string{"accepted"}},
		{taxii.StatusUnauthorized, nil, []string{"credentials", "password"}},
		{taxii.StatusUnsupportedMessage, map[string][]string{taxii.DetailSupportedBinding: {taxii.BindingXML10}}, []string{"message format", taxii.BindingXML10}},
		{taxii.StatusUnsupportedContent, map[string][]string{taxii.DetailSupportedContent: {taxii.ContentSTIX111}}, []string{"content binding", taxii.ContentSTIX111}},
		{taxii.StatusUnsupportedProtocol, map[string][]string{taxii.DetailSupportedProtocol: {taxii.ProtocolHTTPS}}, []string{"protocol", taxii.ProtocolHTTPS}},
		{taxii.StatusUnsupportedQuery, map[string][]string{taxii.DetailSupportedQuery: {taxii.QueryDefault10}}, []string{"query", taxii.QueryDefault10}},
		{taxii.StatusUnsupportedCapabilityModule, map[string][]string{taxii.DetailCapabilityModule: {taxii.CapabilityCore}}, []string{"capability module", taxii.CapabilityCore}},
		{taxii.StatusUnsupportedTargetingExpression, map[string][]string{taxii.DetailPreferredScope: {"**/@id"}}, []string{"cannot search", "**/@id"}},
		{taxii.StatusUnsupportedTargetingExpressionID, map[string][]string{taxii.DetailTargetingExpressionID: {taxii.ContentSTIX12}}, []string{"vocabulary", taxii.ContentSTIX12}},
		{taxii.StatusType("urn:example:status:QUOTA"), nil, []string{"do not know", "urn:example:status:QUOTA"}},
	}
	srv := newServer(t, taxiitest.Options{})
	srv.AddCollection(taxiitest.Collection{Name: "feed", Blocks: 1})
	for _, tc := range tests {
		t.Run(string(tc.status), func(t *testing.T) {
			srv.Script(taxiitest.Step{Status: tc.status, Details: tc.details, Message: "server text"})
			c := fastClient()
			c.Retry.Attempts = 1
			_, err := c.CollectionInformation(context.Background(), srv.CollectionsURL())
			var se *taxii.StatusError
			if tc.status == taxii.StatusSuccess {
				// SUCCESS is no answer to a collection request: reported, not silently accepted.
				if !errors.As(err, &se) {
					t.Fatalf("SUCCESS to a collection request: error %v", err)
				}
			} else if !errors.As(err, &se) {
				t.Fatalf("error %v (%T), want *StatusError", err, err)
			}
			if se.Type != tc.status || se.Message != "server text" {
				t.Errorf("StatusError %+v", se)
			}
			words := se.Explain()
			for _, w := range tc.want {
				if !strings.Contains(words, w) {
					t.Errorf("explanation %q lacks %q", words, w)
				}
			}
			if !strings.Contains(words, "server text") || !strings.HasSuffix(words, ".") || strings.Count(words, "\n") > 0 {
				t.Errorf("explanation %q is not one sentence quoting the server", words)
			}
		})
	}
}

// Replies that are not TAXII messages become *HTTPError with the status and
// the first bytes, never a decode error or a hang.
func TestNonTAXIIRepliesAreHTTPErrors(t *testing.T) {
	tests := []struct {
		name       string
		step       taxiitest.Step
		maxBody    int64
		wantStatus int
		wantInBody string
		wantWords  string
		wantTAXII  taxii.StatusType // synthesized per HTTP binding §5
	}{
		{"HTML 500", taxiitest.Step{Fault: taxiitest.HTMLError}, 0, 500, "<html>", "internal error", taxii.StatusFailure},
		{"HTML 404", taxiitest.Step{Fault: taxiitest.HTMLError, HTTPStatus: 404}, 0, 404, "404", "no TAXII service", taxii.StatusFailure},
		{"HTML 403", taxiitest.Step{Fault: taxiitest.HTMLError, HTTPStatus: 403}, 0, 403, "403", "refused access", taxii.StatusUnauthorized},
		{"HTML 407", taxiitest.Step{Fault: taxiitest.HTMLError, HTTPStatus: 407}, 0, 407, "407", "proxy", taxii.StatusUnauthorized},
		{"HTML 413", taxiitest.Step{Fault: taxiitest.HTMLError, HTTPStatus: 413}, 0, 413, "413", "too large", taxii.StatusBadMessage},
		{"proxy login page", taxiitest.Step{Fault: taxiitest.ProxyLogin}, 0, 200, "Proxy login", "web page", taxii.StatusFailure},
		{"wrong content type", taxiitest.Step{Fault: taxiitest.WrongContentType}, 0, 200, "not TAXII", "not a TAXII message", taxii.StatusFailure},
		{"406 plain text", taxiitest.Step{Fault: taxiitest.PlainHTTP}, 0, 406, "Accept header", "other TAXII version", taxii.StatusUnsupportedMessage},
		{"truncated by proxy", taxiitest.Step{Fault: taxiitest.TruncateClean}, 0, 200, "<?xml", "cut off", taxii.StatusFailure},
		{"body over the limit", taxiitest.Step{}, 512, 200, "<?xml", "size limit", taxii.StatusFailure},
		{"redirect", taxiitest.Step{Fault: taxiitest.Raw, HTTPStatus: 301, ContentType: "text/html", Body: []byte("<html>Moved</html>")}, 0, 301, "Moved", "redirects", taxii.StatusFailure},
		{"raw recorded reply", taxiitest.Step{Fault: taxiitest.Raw, HTTPStatus: 502, ContentType: "text/plain", Body: []byte("Bad Gateway")}, 0, 502, "Bad Gateway", "internal error", taxii.StatusFailure},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, taxiitest.Options{})
			srv.AddCollection(taxiitest.Collection{Name: "feed", Blocks: 20, BlockSize: 200})
			srv.Script(tc.step)
			c := fastClient()
			c.Retry.Attempts = 1
			c.MaxBodyBytes = tc.maxBody
			_, err := c.Poll(context.Background(), srv.PollURL(), &taxii.PollRequest{CollectionName: "feed"}, taxii.PollOptions{})
			var he *taxii.HTTPError
			if !errors.As(err, &he) {
				t.Fatalf("error %v (%T), want *HTTPError", err, err)
			}
			if he.StatusCode != tc.wantStatus || !strings.Contains(string(he.Body), tc.wantInBody) || len(he.Body) > taxii.HTTPBodyPrefix {
				t.Errorf("HTTPError status %d body %q", he.StatusCode, he.Body)
			}
			if w := he.Explain(); !strings.Contains(w, tc.wantWords) {
				t.Errorf("explanation %q lacks %q", w, tc.wantWords)
			}
			if got := he.SynthesizedStatus(); got != tc.wantTAXII {
				t.Errorf("synthesized status %s, want %s", got, tc.wantTAXII)
			}
		})
	}
}

func TestTruncatedBodyIsReportedAndRetried(t *testing.T) {
	srv := newServer(t, taxiitest.Options{})
	srv.AddCollection(taxiitest.Collection{Name: "feed", Blocks: 20})
	srv.Script(taxiitest.Step{Fault: taxiitest.Truncate})
	c := fastClient()
	c.Retry.Attempts = 1
	_, err := c.Poll(context.Background(), srv.PollURL(), &taxii.PollRequest{CollectionName: "feed"}, taxii.PollOptions{})
	var he *taxii.HTTPError
	if !errors.As(err, &he) || !strings.Contains(he.Explain(), "cut off") {
		t.Fatalf("error %v, want a truncated-body HTTPError", err)
	}
	// With retries a poll survives one truncated reply.
	srv.Script(taxiitest.Step{Fault: taxiitest.Truncate})
	res, err := fastClient().Poll(context.Background(), srv.PollURL(), &taxii.PollRequest{CollectionName: "feed"}, taxii.PollOptions{})
	if err != nil || res.Blocks != 20 {
		t.Fatalf("retried poll: %v, %+v", err, res)
	}
}

// Retries happen only for requests that are safe to repeat; a push is sent
// exactly once whatever goes wrong.
func TestRetriesOnlyWhereSafe(t *testing.T) {
	faults := []struct {
		name string
		step taxiitest.Step
	}{
		{"dropped connection", taxiitest.Step{Fault: taxiitest.Drop}},
		{"HTTP 503", taxiitest.Step{Fault: taxiitest.HTMLError, HTTPStatus: http.StatusServiceUnavailable}},
		{"RETRY status", taxiitest.Step{Status: taxii.StatusRetry, Details: map[string][]string{taxii.DetailEstimatedWait: {"1"}}}},
	}
	block := taxii.ContentBlock{Binding: taxii.ContentBinding{ID: taxii.ContentSTIX12}, Content: taxiitest.STIXPackage(1, 0), ContentIsXML: true}
	for _, f := range faults {
		t.Run(f.name+"/poll retried", func(t *testing.T) {
			srv := newServer(t, taxiitest.Options{})
			srv.AddCollection(taxiitest.Collection{Name: "feed", Blocks: 3})
			srv.Script(f.step)
			res, err := fastClient().Poll(context.Background(), srv.PollURL(), &taxii.PollRequest{CollectionName: "feed"}, taxii.PollOptions{})
			if err != nil || res.Blocks != 3 {
				t.Fatalf("poll after %s: %v", f.name, err)
			}
			if n := srv.Count("PollRequest"); n != 2 {
				t.Errorf("%d poll requests, want 2 (one retry)", n)
			}
		})
		t.Run(f.name+"/push sent once", func(t *testing.T) {
			srv := newServer(t, taxiitest.Options{})
			srv.Script(f.step)
			_, err := fastClient().Push(context.Background(), srv.InboxURL(), &taxii.InboxMessage{ContentBlocks: []taxii.ContentBlock{block}})
			if err == nil {
				t.Fatal("push after a failure reported success")
			}
			if n := srv.Count("InboxMessage"); n != 1 {
				t.Fatalf("push sent %d times, want exactly 1", n)
			}
			if len(srv.Inbox()) != 0 {
				t.Fatal("server recorded content although it failed")
			}
		})
	}
}

func TestRetryGivesUpAfterAttempts(t *testing.T) {
	srv := newServer(t, taxiitest.Options{})
	for range 5 {
		srv.Script(taxiitest.Step{Fault: taxiitest.HTMLError})
	}
	c := fastClient()
	c.Retry.Attempts = 3
	_, err := c.Discover(context.Background(), srv.DiscoveryURL())
	var he *taxii.HTTPError
	if !errors.As(err, &he) || he.StatusCode != 500 {
		t.Fatalf("error %v", err)
	}
	if n := srv.Count(""); n != 3 {
		t.Fatalf("%d requests, want 3", n)
	}
}

func TestStalledServerTimesOut(t *testing.T) {
	for _, fault := range []taxiitest.Fault{taxiitest.Stall, taxiitest.StallBody} {
		srv := newServer(t, taxiitest.Options{})
		srv.Script(taxiitest.Step{Fault: fault}, taxiitest.Step{Fault: fault})
		c := fastClient()
		c.Timeout = 100 * time.Millisecond
		c.Retry.Attempts = 2
		start := time.Now()
		_, err := c.Discover(context.Background(), srv.DiscoveryURL())
		if err == nil || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("fault %d: error %v, want a timeout", fault, err)
		}
		if w := taxii.Explain(err); !strings.Contains(w, "did not answer in time") {
			t.Errorf("fault %d: explanation %q", fault, w)
		}
		if time.Since(start) > 30*time.Second {
			t.Fatalf("fault %d: the client waited far beyond its timeout", fault)
		}
		if n := srv.Count(""); n != 2 {
			t.Errorf("fault %d: %d attempts, want 2", fault, n)
		}
	}
}

func TestUnreachableServerIsATransportError(t *testing.T) {
	srv := newServer(t, taxiitest.Options{})
	url := srv.DiscoveryURL()
	srv.Close()
	c := fastClient()
	c.Retry.Attempts = 2
	_, err := c.Discover(context.Background(), url)
	var he *taxii.HTTPError
	var se *taxii.StatusError
	if err == nil || errors.As(err, &he) || errors.As(err, &se) {
		t.Fatalf("error %v (%T), want a wrapped transport error", err, err)
	}
}
