package taxii

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Receiver stores what an InboxHandler accepted. The application implements
// it (for example over the review queue of its cache).
type Receiver interface {
	// Receive stores the content of one Inbox_Message. It must return nil
	// only once all of in's content is durably stored (committed), and must
	// store nothing when it returns an error: the sender is told SUCCESS for
	// nil and that none of the content was kept otherwise (SVC §3.2). Return a
	// *Refusal to choose the status (e.g. DENIED, RETRY); any other error is
	// answered FAILURE. ctx is the request's context: it ends when the sender
	// goes away. Receive is called concurrently.
	Receive(ctx context.Context, in *Received) error
}

// ReceiverFunc adapts a function to Receiver.
type ReceiverFunc func(ctx context.Context, in *Received) error

// Receive calls f(ctx, in).
func (f ReceiverFunc) Receive(ctx context.Context, in *Received) error { return f(ctx, in) }

// Received is one Inbox_Message that passed every check, with who sent it.
type Received struct {
	Sender
	Time      time.Time // when the request arrived
	MessageID string
	Version   Version
	// Destinations are the Destination_Collection_Name values (TAXII 1.1),
	// each one of InboxHandler.Destinations. Empty means the sender named
	// none: route by Subscription, or to the default place.
	Destinations []string
	// Subscription is set when the message fulfils a subscription
	// (Source_Subscription): its collection and subscription id.
	Subscription *SourceSubscription
	// ResultID is set when the message carries asynchronous poll results.
	ResultID    string
	RecordCount *RecordCount // as the sender stated it, or nil
	Note        string       // the message's Message, prose for humans
	// Blocks are the content blocks in message order. Their
	// TimestampLabel is the sender's and only advisory: the receiver
	// assigns its own when it adds content to a feed (SVC §5.2.3).
	Blocks []ContentBlock
	Bytes  int64 // size of the request body
}

// RateLimiter limits how often one sender may push. Allow is called once
// for every POST, after authentication and before the body is read: with
// the authenticated Sender when authentication succeeded, and with the
// Identity empty when it failed (so Sender.Key is the remote host and
// password guessing is throttled per address). When it returns false the
// sender gets RETRY with ESTIMATED_WAIT set to retryAfter (rounded up to
// whole seconds, also sent as Retry-After), even for wrong credentials.
// RETRY, not DENIED: TAXII has no "too many requests", and RETRY says
// exactly that nothing was done and the same request may succeed later,
// while DENIED reads as a lasting refusal. Allow is called concurrently.
type RateLimiter interface {
	Allow(s Sender) (ok bool, retryAfter time.Duration)
}

// ServerEvent describes one request to the inbox or the discovery service,
// accepted or not, for a live log. Nothing in it is secret: passwords never
// reach it.
type ServerEvent struct {
	Service      ServiceType // ServiceInbox or ServiceDiscovery
	Time         time.Time   // when the request arrived
	Duration     time.Duration
	Sender       Sender
	MessageID    string     // "" when the body was not decoded
	Version      Version    // the version of the reply
	Status       StatusType // what the sender was told
	HTTPStatus   int
	Message      string // the text sent with the status
	Blocks       int
	Bytes        int64 // body bytes read (0 when refused before reading)
	Destinations []string
	Subscription *SourceSubscription
	// Err is the local cause of a refusal (an authentication error, the
	// receiver's error, a read error), nil on success.
	Err error
}

// InboxHandler is the TAXII 1.1 Inbox service (1.0 accepted too) as an
// http.Handler: it checks the request, decodes the Inbox_Message, hands it
// to Receiver and answers with a Status Message in the request's version.
//
// It is only a handler: the application owns the http.Server, its address
// (127.0.0.1 unless the user chooses otherwise), TLS configuration
// (ClientAuth: tls.RequestClientCert to receive client certificates),
// timeouts and shutdown. Set ReadHeaderTimeout and ReadTimeout on the
// server: they are what cuts off a sender that trickles its body, since the
// handler waits for the whole body before answering. See the example.
//
// The checks, in order (the first that fails answers):
//
//  1. method POST, else HTTP 405 + BAD_MESSAGE;
//  2. RateLimiter (counting failed authentications too), else RETRY with
//     ESTIMATED_WAIT;
//  3. Authenticator, else UNAUTHORIZED (the body is not read);
//  4. headers, else UNSUPPORTED_MESSAGE with SUPPORTED_BINDING. Lenient
//     when a header is absent, strict when it is wrong: Content-Type must
//     be XML (application/xml, text/xml, application/*+xml) if present,
//     X-TAXII-Content-Type the XML 1.1 or 1.0 binding, X-TAXII-Services
//     services 1.1 or 1.0, Content-Encoding identity; X-TAXII-Protocol,
//     X-TAXII-Accept and Accept are not checked;
//  5. size: a Content-Length over MaxBytes is refused unread, a chunked
//     body is cut off at MaxBytes; HTTP 413 + BAD_MESSAGE; then
//     MaxPendingBytes, else RETRY;
//  6. decoding: not XML, a DOCTYPE, not TAXII, not valid, or an
//     X-TAXII-Content-Type that contradicts the body: BAD_MESSAGE;
//  7. message type: anything but Inbox_Message is BAD_MESSAGE;
//  8. destinations (see Destinations): DESTINATION_COLLECTION_ERROR with
//     ACCEPTABLE_DESTINATION;
//  9. content bindings (see ContentBindings): UNSUPPORTED_CONTENT with
//     SUPPORTED_CONTENT, and the whole message is refused;
//  10. Receiver.Receive: SUCCESS when it returns nil, FAILURE (or the
//     status of a *Refusal) otherwise.
//
// Set the fields before serving the first request and do not change them
// afterwards; the handler is then safe for concurrent use.
type InboxHandler struct {
	// Receiver stores accepted content. Required: without one every
	// message is answered FAILURE.
	Receiver Receiver

	// Authenticator decides who may push. Nil lets anyone in, which is only
	// sensible on a loopback address.
	Authenticator Authenticator

	// Destinations are the collections senders may name in
	// Destination_Collection_Name. Every name a message gives must be one of
	// them (exact match); otherwise DESTINATION_COLLECTION_ERROR lists them
	// as ACCEPTABLE_DESTINATION. When Destinations is empty, naming any
	// destination is refused the same way with an empty list, which the
	// spec reads as "naming destinations is prohibited": content is then
	// routed implicitly by the application.
	Destinations []string

	// RequireDestination refuses a TAXII 1.1 message that names no
	// destination with DESTINATION_COLLECTION_ERROR, unless it fulfils a
	// subscription (Source_Subscription routes it). TAXII 1.0 messages
	// cannot name destinations and are never refused for that.
	RequireDestination bool

	// ContentBindings are the content bindings accepted; empty accepts all.
	// A binding without Subtypes accepts all its subtypes; with Subtypes, a
	// block that claims a subtype must claim one of them (a block claiming
	// none is accepted). A nesting expression "A|B" is accepted when every
	// format in it is (SVC §5.3.4). The S/MIME IDs application/pkcs7-mime
	// and application/x-pkcs7-mime are treated as one. Advertise the same
	// list in DiscoveryHandler.ContentBindings.
	ContentBindings []ContentBinding

	// MaxBytes caps the request body; zero means DefaultInboxMaxBytes. The
	// body is held in memory while it is decoded, and decoding takes about
	// 3 to 5 times its size at its peak, so the cap bounds memory per
	// request.
	MaxBytes int64

	// MaxPendingBytes caps the bodies held at once by all requests being
	// read, decoded or stored, counted by Content-Length (MaxBytes when the
	// length is unknown). A request that does not fit is answered RETRY
	// before its body is read; one request always fits. Zero means
	// 4 × MaxBytes; negative means no cap. It bounds the memory concurrent
	// large pushes take, which a cap on connections alone does not.
	MaxPendingBytes int64

	// RateLimiter, when set, limits pushes per sender.
	RateLimiter RateLimiter

	// OnEvent, when set, receives an event for every request after the reply
	// was written. It is called on the request's goroutine, concurrently;
	// keep it fast (hand off to a channel for a GUI log).
	OnEvent func(ServerEvent)

	// Now returns the current time; nil means time.Now.
	Now func() time.Time

	pending atomic.Int64 // body bytes reserved by requests in progress
}

// pendingRetrySeconds is the ESTIMATED_WAIT sent when MaxPendingBytes is
// reached: about the time a large push takes to be read and stored.
const pendingRetrySeconds = 10

// reserve books a request's body bytes against MaxPendingBytes.
func (h *InboxHandler) reserve(contentLength, limit int64) (release func(), rf *Refusal) {
	budget := h.MaxPendingBytes
	if budget < 0 {
		return func() {}, nil
	}
	if budget == 0 {
		budget = 4 * limit
	}
	n := contentLength
	if n < 0 {
		n = limit
	}
	for {
		cur := h.pending.Load()
		if cur > 0 && cur+n > budget {
			rf := refuse(StatusRetry, nil, "this inbox is busy receiving other large messages; try again in %d s", pendingRetrySeconds)
			rf.Details = []StatusDetail{{Name: DetailEstimatedWait, Value: strconv.Itoa(pendingRetrySeconds)}}
			return nil, rf
		}
		if h.pending.CompareAndSwap(cur, cur+n) {
			return func() { h.pending.Add(-n) }, nil
		}
	}
}

func (h *InboxHandler) maxBytes() int64 {
	if h.MaxBytes > 0 {
		return h.MaxBytes
	}
	return DefaultInboxMaxBytes
}

func (h *InboxHandler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// ServeHTTP implements http.Handler.
func (h *InboxHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ev := ServerEvent{Service: ServiceInbox, Time: h.now(), Sender: senderOf(r), Version: requestVersion(r.Header)}
	rp := h.serve(w, r, &ev)
	if rp.code == 0 {
		rp.code = http.StatusOK
	}
	writeReply(w, r, ev.Version, ev.MessageID, rp)
	if h.OnEvent != nil {
		ev.HTTPStatus = rp.code
		ev.Status, ev.Message, ev.Err = statusMessage(ev.Version, "", rp.status).Type, rp.status.Message, rp.status.Err
		ev.Duration = h.now().Sub(ev.Time)
		h.OnEvent(ev)
	}
}

// serve runs the checks and the receiver; ev collects what is learned.
func (h *InboxHandler) serve(w http.ResponseWriter, r *http.Request, ev *ServerEvent) reply {
	if r.Method != http.MethodPost {
		return reply{code: http.StatusMethodNotAllowed, status: refuse(StatusBadMessage, nil,
			"method %s is not allowed: TAXII messages are sent with POST", r.Method)}
	}
	authErr := authenticate(h.Authenticator, r, &ev.Sender)
	if h.RateLimiter != nil {
		if ok, after := h.RateLimiter.Allow(ev.Sender); !ok {
			secs := max(1, int(math.Ceil(after.Seconds())))
			rf := refuse(StatusRetry, nil, "too many requests from %s; try again in %d s", ev.Sender.Key(), secs)
			rf.Details = []StatusDetail{{Name: DetailEstimatedWait, Value: strconv.Itoa(secs)}}
			if authErr != nil {
				rf.Err = authErr.Err
			}
			return reply{status: rf}
		}
	}
	if authErr != nil {
		return reply{status: authErr}
	}
	if rf := checkHeaders(r.Header); rf != nil {
		return reply{status: rf}
	}
	limit := h.maxBytes()
	if r.ContentLength <= limit { // a bigger body is refused unread below
		release, rf := h.reserve(r.ContentLength, limit)
		if rf != nil {
			return reply{status: rf}
		}
		defer release()
	}
	body, err := readBody(w, r, limit)
	if err != nil {
		code, rf := bodyRefusal(err, limit)
		return reply{code: code, status: rf}
	}
	ev.Bytes = int64(len(body))
	// body is not referenced after this call, so the collector may free the
	// raw bytes once they are parsed, before the receiver runs.
	msg, err := Decoder{MaxBytes: limit}.Unmarshal(body)
	if err != nil {
		return reply{status: decodeRefusal(err)}
	}
	ev.Version, ev.MessageID = msg.TAXIIVersion(), msg.ID()
	if claimed := strings.TrimSpace(r.Header.Get("X-TAXII-Content-Type")); claimed != "" && claimed != ev.Version.MessageBinding() {
		return reply{status: refuse(StatusBadMessage, nil,
			"X-TAXII-Content-Type says %s but the body is a TAXII %s message; send matching headers", claimed, ev.Version)}
	}
	in, ok := msg.(*InboxMessage)
	if !ok {
		return reply{status: refuse(StatusBadMessage, nil,
			"this is an Inbox service: it accepts Inbox_Message only, not %s", kindOf(msg))}
	}
	ev.Blocks, ev.Destinations, ev.Subscription = len(in.ContentBlocks), in.DestinationCollectionNames, in.SourceSubscription
	if rf := h.checkDestinations(in); rf != nil {
		return reply{status: rf}
	}
	if rf := h.checkBindings(in.ContentBlocks); rf != nil {
		return reply{status: rf}
	}
	if h.Receiver == nil {
		return reply{status: refuse(StatusFailure, errors.New("taxii: InboxHandler has no Receiver"),
			"this inbox cannot store anything at the moment; none of the content was kept")}
	}
	rec := &Received{
		Sender: ev.Sender, Time: ev.Time, MessageID: in.MessageID, Version: in.Version,
		Destinations: in.DestinationCollectionNames, Subscription: in.SourceSubscription,
		ResultID: in.ResultID, RecordCount: in.RecordCount, Note: in.Message,
		Blocks: in.ContentBlocks, Bytes: ev.Bytes,
	}
	if err := h.Receiver.Receive(r.Context(), rec); err != nil {
		return reply{status: receiveRefusal(err)}
	}
	return reply{status: &Refusal{Type: StatusSuccess, Message: fmt.Sprintf("stored %d content block(s)", len(in.ContentBlocks))}}
}

// receiveRefusal maps a Receiver error to the reply: a *Refusal keeps its
// status (never SUCCESS), anything else is FAILURE.
func receiveRefusal(err error) *Refusal {
	var rf *Refusal
	if errors.As(err, &rf) && rf.Type != StatusSuccess && rf.Type != "" {
		out := *rf
		out.Err = err
		return &out
	}
	return refuse(StatusFailure, err, "the content could not be stored; none of it was kept, send it again later")
}
