package taxii_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/taxii-workstation/taxii-workstation/taxii"
)

const (
	rejectMaxBytes = 1 << 20
	subtypeOK      = "urn:example:stix:subtype:ok"
)

// rejectHandler is the inbox the table of bad pushes runs against.
func rejectHandler(recv taxii.Receiver) *taxii.InboxHandler {
	return &taxii.InboxHandler{
		Receiver:        recv,
		Authenticator:   taxii.CredentialAuth{Password: func(u, p string) bool { return u == "alice" && p == "secret" }},
		Destinations:    []string{"inbox-a", "inbox-b"},
		ContentBindings: []taxii.ContentBinding{{ID: taxii.ContentSTIX12}, {ID: taxii.ContentSTIX111, Subtypes: []string{subtypeOK}}},
		MaxBytes:        rejectMaxBytes,
	}
}

func mustMarshal(t testing.TB, m taxii.Message) []byte {
	t.Helper()
	b, err := taxii.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func inboxBody(t testing.TB, v taxii.Version, dest []string, bindings ...taxii.ContentBinding) []byte {
	t.Helper()
	m := &taxii.InboxMessage{Version: v, DestinationCollectionNames: dest}
	for i, b := range bindings {
		blk := stixBlock(i)
		blk.Binding = b
		m.ContentBlocks = append(m.ContentBlocks, blk)
	}
	return mustMarshal(t, m)
}

// countingReader counts the bytes taken from it: an endless body of 'a'.
type countingReader struct{ n atomic.Int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	c.n.Add(int64(len(p)))
	return len(p), nil
}

// bodyCounter counts the request body bytes the handler reads.
type bodyCounter struct {
	h http.Handler
	n atomic.Int64
}

type countedBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b countedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

func (c *bodyCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.Body = countedBody{r.Body, &c.n}
	c.h.ServeHTTP(w, r)
}

// postRaw sends body with the headers a TAXII 1.1 client sends, changed by
// header (an empty value deletes the header), and decodes the reply.
func postRaw(t *testing.T, method, url string, header map[string]string, body io.Reader, length int64) (int, *taxii.StatusMessage) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = length
	h := req.Header
	h.Set("Content-Type", "application/xml")
	h.Set("X-TAXII-Content-Type", taxii.BindingXML11)
	h.Set("X-TAXII-Services", taxii.ServicesV11)
	h.Set("X-TAXII-Protocol", taxii.ProtocolHTTP)
	req.SetBasicAuth("alice", "secret")
	for k, v := range header {
		if v == "" {
			h.Del(k)
		} else {
			h.Set(k, v)
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.Header.Get("X-TAXII-Content-Type") == "" {
		t.Fatalf("reply %d without X-TAXII-Content-Type: %q", res.StatusCode, b)
	}
	m, err := taxii.Unmarshal(b)
	if err != nil {
		t.Fatalf("reply is not TAXII: %v\n%s", err, b)
	}
	sm, ok := m.(*taxii.StatusMessage)
	if !ok {
		t.Fatalf("reply is %T, want a Status Message", m)
	}
	return res.StatusCode, sm
}

func TestInboxRefusesBadPushes(t *testing.T) {
	recv := &memReceiver{}
	counter := &bodyCounter{h: rejectHandler(recv)}
	srv := startInbox(t, counter, nil)
	good := inboxBody(t, taxii.V11, []string{"inbox-a"}, taxii.ContentBinding{ID: taxii.ContentSTIX12})
	bodyOf := func(b []byte) func() (io.Reader, int64) {
		return func() (io.Reader, int64) { return bytes.NewReader(b), int64(len(b)) }
	}
	huge := &countingReader{}
	tests := []struct {
		name       string
		method     string            // "" means POST
		header     map[string]string // changes to the default headers
		body       func() (io.Reader, int64)
		wantHTTP   int
		want       taxii.StatusType
		wantDetail string   // a Status_Detail name, if any
		wantValues []string // its values
		maxRead    int64    // when > 0, the handler may read at most maxRead-1 body bytes
	}{
		{name: "no credentials", header: map[string]string{"Authorization": ""}, body: bodyOf(good), want: taxii.StatusUnauthorized},
		{name: "wrong password", header: map[string]string{"Authorization": "Basic YWxpY2U6Z3Vlc3M="}, body: bodyOf(good), want: taxii.StatusUnauthorized},
		{name: "GET instead of POST", method: http.MethodGet, body: bodyOf(nil), wantHTTP: http.StatusMethodNotAllowed, want: taxii.StatusBadMessage},
		{name: "JSON content type", header: map[string]string{"Content-Type": "application/json"}, body: bodyOf(good),
			want: taxii.StatusUnsupportedMessage, wantDetail: taxii.DetailSupportedBinding, wantValues: []string{taxii.BindingXML11, taxii.BindingXML10}},
		{name: "curl's form content type", header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, body: bodyOf(good), want: taxii.StatusUnsupportedMessage},
		{name: "JSON message binding", header: map[string]string{"X-TAXII-Content-Type": taxii.BindingJSONCERTEU}, body: bodyOf(good), want: taxii.StatusUnsupportedMessage},
		{name: "unknown services version", header: map[string]string{"X-TAXII-Services": "urn:taxii.mitre.org:services:2.0"}, body: bodyOf(good), want: taxii.StatusUnsupportedMessage},
		{name: "gzip body", header: map[string]string{"Content-Encoding": "gzip"}, body: bodyOf(good), want: taxii.StatusUnsupportedMessage},
		{name: "not XML", body: bodyOf([]byte("hello, inbox")), want: taxii.StatusBadMessage},
		{name: "truncated XML", body: bodyOf(good[:len(good)/2]), want: taxii.StatusBadMessage},
		{name: "DOCTYPE with entities", body: bodyOf([]byte(`<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<taxii_11:Inbox_Message xmlns:taxii_11="` + taxii.NS11 + `" message_id="1"><taxii_11:Message>&lol2;</taxii_11:Message></taxii_11:Inbox_Message>`)),
			want: taxii.StatusBadMessage},
		{name: "external entity", body: bodyOf([]byte(`<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><taxii_11:Inbox_Message xmlns:taxii_11="` + taxii.NS11 + `" message_id="1"><taxii_11:Message>&xxe;</taxii_11:Message></taxii_11:Inbox_Message>`)),
			want: taxii.StatusBadMessage},
		{name: "XML but not TAXII", body: bodyOf(stixBlock(1).Content), want: taxii.StatusBadMessage},
		{name: "Poll_Request to the inbox", body: bodyOf(mustMarshal(t, &taxii.PollRequest{CollectionName: "x", SubscriptionID: "s"})), want: taxii.StatusBadMessage},
		{name: "Discovery_Request to the inbox", body: bodyOf(mustMarshal(t, &taxii.DiscoveryRequest{})), want: taxii.StatusBadMessage},
		{name: "headers say 1.0, body is 1.1", header: map[string]string{"X-TAXII-Content-Type": taxii.BindingXML10}, body: bodyOf(good), want: taxii.StatusBadMessage},
		{name: "1 GiB Content-Length", body: func() (io.Reader, int64) { return huge, 1 << 30 }, wantHTTP: http.StatusRequestEntityTooLarge, want: taxii.StatusBadMessage,
			maxRead: 1}, // not one byte read
		{name: "chunked body over the cap", body: func() (io.Reader, int64) { return io.LimitReader(&countingReader{}, 2*rejectMaxBytes), -1 },
			wantHTTP: http.StatusRequestEntityTooLarge, want: taxii.StatusBadMessage, maxRead: rejectMaxBytes + 2}, // cut at the cap
		{name: "unknown destination", body: bodyOf(inboxBody(t, taxii.V11, []string{"inbox-a", "nope"}, taxii.ContentBinding{ID: taxii.ContentSTIX12})),
			want: taxii.StatusDestinationCollectionError, wantDetail: taxii.DetailAcceptableDestination, wantValues: []string{"inbox-a", "inbox-b"}},
		{name: "unsupported binding", body: bodyOf(inboxBody(t, taxii.V11, nil, taxii.ContentBinding{ID: taxii.ContentCAP12})),
			want: taxii.StatusUnsupportedContent, wantDetail: taxii.DetailSupportedContent, wantValues: []string{taxii.ContentSTIX12, taxii.ContentSTIX111 + ">" + subtypeOK}},
		{name: "one bad block among good ones", body: bodyOf(inboxBody(t, taxii.V11, nil,
			taxii.ContentBinding{ID: taxii.ContentSTIX12}, taxii.ContentBinding{ID: taxii.ContentSTIX111, Subtypes: []string{"urn:example:other"}})),
			want: taxii.StatusUnsupportedContent},
		{name: "unsupported binding, TAXII 1.0", header: map[string]string{"X-TAXII-Content-Type": taxii.BindingXML10, "X-TAXII-Services": taxii.ServicesV10},
			body: bodyOf(inboxBody(t, taxii.V10, nil, taxii.ContentBinding{ID: taxii.ContentCAP11})),
			want: taxii.StatusUnsupportedContent, wantDetail: taxii.DetailSupportedContent, wantValues: []string{taxii.ContentSTIX12, taxii.ContentSTIX111 + ">" + subtypeOK}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			method := tc.method
			if method == "" {
				method = http.MethodPost
			}
			body, n := tc.body()
			counter.n.Store(0)
			code, sm := postRaw(t, method, srv.URL, tc.header, body, n)
			wantHTTP := tc.wantHTTP
			if wantHTTP == 0 {
				wantHTTP = http.StatusOK
			}
			if code != wantHTTP || sm.Type != tc.want {
				t.Fatalf("HTTP %d %s (%q), want HTTP %d %s", code, sm.Type, sm.Message, wantHTTP, tc.want)
			}
			if sm.Message == "" {
				t.Error("the refusal says nothing to the sender")
			}
			if tc.wantDetail != "" && !slices.Equal(sm.DetailValues(tc.wantDetail), tc.wantValues) {
				t.Errorf("%s = %q, want %q", tc.wantDetail, sm.DetailValues(tc.wantDetail), tc.wantValues)
			}
			if got := recv.received(); len(got) != 0 {
				t.Fatalf("receiver called %d times for a refused push", len(got))
			}
			if read := counter.n.Load(); tc.maxRead > 0 && read >= tc.maxRead {
				t.Errorf("the handler read %d body bytes, want fewer than %d", read, tc.maxRead)
			}
		})
	}
	// The 1 GiB body was refused from its Content-Length: the transport
	// sent at most what socket buffers hold before the server closed.
	if n := huge.n.Load(); n > 16<<20 {
		t.Errorf("the client wrote %d bytes of the 1 GiB body; the server should refuse it unread", n)
	} else {
		t.Logf("1 GiB push: %d bytes left the client before the refusal", n)
	}
}

func TestInboxIsLenientWithSloppyHeaders(t *testing.T) {
	tests := []struct {
		name   string
		header map[string]string
	}{
		{"no TAXII headers at all", map[string]string{"Content-Type": "", "X-TAXII-Content-Type": "", "X-TAXII-Services": "", "X-TAXII-Protocol": ""}},
		{"text/xml with charset", map[string]string{"Content-Type": "text/xml; charset=UTF-8"}},
		{"http protocol header over https", map[string]string{"X-TAXII-Protocol": taxii.ProtocolHTTPS}},
		{"X-TAXII-Accept listing several", map[string]string{"X-TAXII-Accept": taxii.BindingXML11 + " " + taxii.BindingXML10}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			recv := &memReceiver{}
			srv := startInbox(t, rejectHandler(recv), nil)
			body := inboxBody(t, taxii.V11, nil, taxii.ContentBinding{ID: taxii.ContentSTIX12})
			code, sm := postRaw(t, http.MethodPost, srv.URL, tc.header, bytes.NewReader(body), int64(len(body)))
			if code != http.StatusOK || sm.Type != taxii.StatusSuccess || len(recv.received()) != 1 {
				t.Fatalf("HTTP %d %s %q, stored %d: want SUCCESS and 1 stored", code, sm.Type, sm.Message, len(recv.received()))
			}
		})
	}
}

// serveInbox runs h on one message without a network.
func serveInbox(t *testing.T, h http.Handler, body []byte) *taxii.StatusMessage {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, taxii.DefaultInboxPath, bytes.NewReader(body)))
	m, err := taxii.Unmarshal(rec.Body.Bytes())
	if err != nil {
		t.Fatalf("reply: %v\n%s", err, rec.Body.Bytes())
	}
	return m.(*taxii.StatusMessage)
}

func TestInboxDestinationsAndBindings(t *testing.T) {
	stix12 := taxii.ContentBinding{ID: taxii.ContentSTIX12}
	sub := &taxii.SourceSubscription{CollectionName: "hub-feed", SubscriptionID: "sub-1", InclusiveEnd: taxii.NewTimestamp(time.Date(2024, 1, 31, 12, 0, 0, 0, time.UTC))}
	tests := []struct {
		name        string
		dests       []string
		require     bool
		bindings    []taxii.ContentBinding
		msg         *taxii.InboxMessage
		want        taxii.StatusType
		wantDetails []string // ACCEPTABLE_DESTINATION or SUPPORTED_CONTENT values
	}{
		{name: "no list, no name", msg: &taxii.InboxMessage{}, want: taxii.StatusSuccess},
		{name: "no list, a name", msg: &taxii.InboxMessage{DestinationCollectionNames: []string{"x"}}, want: taxii.StatusDestinationCollectionError},
		{name: "listed name", dests: []string{"a", "b"}, msg: &taxii.InboxMessage{DestinationCollectionNames: []string{"b"}}, want: taxii.StatusSuccess},
		{name: "names are exact", dests: []string{"a"}, msg: &taxii.InboxMessage{DestinationCollectionNames: []string{"A"}},
			want: taxii.StatusDestinationCollectionError, wantDetails: []string{"a"}},
		{name: "required, missing", dests: []string{"a"}, require: true, msg: &taxii.InboxMessage{},
			want: taxii.StatusDestinationCollectionError, wantDetails: []string{"a"}},
		{name: "required, subscription routes", dests: []string{"a"}, require: true, msg: &taxii.InboxMessage{SourceSubscription: sub}, want: taxii.StatusSuccess},
		{name: "required, TAXII 1.0 cannot name", dests: []string{"a"}, require: true, msg: &taxii.InboxMessage{Version: taxii.V10}, want: taxii.StatusSuccess},
		{name: "nesting of accepted formats", bindings: []taxii.ContentBinding{stix12, {ID: taxii.ContentXMLEnc}},
			msg: blocks(taxii.ContentXMLEnc + "|" + taxii.ContentSTIX12), want: taxii.StatusSuccess},
		{name: "nesting with an unaccepted format", bindings: []taxii.ContentBinding{stix12},
			msg: blocks(taxii.ContentXMLEnc + "|" + taxii.ContentSTIX12), want: taxii.StatusUnsupportedContent, wantDetails: []string{taxii.ContentSTIX12}},
		{name: "content block nesting", bindings: []taxii.ContentBinding{{ID: taxii.ContentSMIME}},
			msg: blocks(taxii.ContentSMIMEAlt + "|ContentBlock"), want: taxii.StatusSuccess},
		{name: "no subtype claim", bindings: []taxii.ContentBinding{{ID: taxii.ContentSTIX12, Subtypes: []string{"s"}}},
			msg: blocks(taxii.ContentSTIX12), want: taxii.StatusSuccess},
		{name: "any subtype when none listed", bindings: []taxii.ContentBinding{stix12},
			msg: &taxii.InboxMessage{ContentBlocks: []taxii.ContentBlock{{Binding: taxii.ContentBinding{ID: taxii.ContentSTIX12, Subtypes: []string{"t"}}, Content: []byte("x")}}}, want: taxii.StatusSuccess},
		{name: "empty message", bindings: []taxii.ContentBinding{stix12}, msg: &taxii.InboxMessage{}, want: taxii.StatusSuccess},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			recv := &memReceiver{}
			h := &taxii.InboxHandler{Receiver: recv, Destinations: tc.dests, RequireDestination: tc.require, ContentBindings: tc.bindings}
			sm := serveInbox(t, h, mustMarshal(t, tc.msg))
			if sm.Type != tc.want || sm.InResponseTo != tc.msg.MessageID {
				t.Fatalf("%s in response to %s (%q), want %s in response to %s", sm.Type, sm.InResponseTo, sm.Message, tc.want, tc.msg.MessageID)
			}
			var details []string
			switch tc.want {
			case taxii.StatusDestinationCollectionError:
				details = sm.AcceptableDestinations()
			case taxii.StatusUnsupportedContent:
				details = sm.SupportedContent()
			}
			if !slices.Equal(details, tc.wantDetails) {
				t.Errorf("details %q, want %q", details, tc.wantDetails)
			}
			if stored := len(recv.received()); (tc.want == taxii.StatusSuccess) != (stored == 1) {
				t.Errorf("stored %d messages for %s", stored, sm.Type)
			}
		})
	}
}

func blocks(ids ...string) *taxii.InboxMessage {
	m := &taxii.InboxMessage{}
	for _, id := range ids {
		m.ContentBlocks = append(m.ContentBlocks, taxii.ContentBlock{Binding: taxii.ContentBinding{ID: id}, Content: []byte(strings.Repeat("QUJD", 4))})
	}
	return m
}
