package taxii

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Server-side helpers shared by InboxHandler and DiscoveryHandler: the
// request checks of the HTTP binding (HTTP §2–§4), the capped body read and
// the Status Message replies.
//
// Every refusal the TAXII Status Message can express is answered with HTTP 200
// and a Status Message (HTTP §4: TAXII-level errors SHOULD travel in a 200).
// Two refusals happen before TAXII processing and use their HTTP code as
// well, still with a Status Message body so TAXII clients read the reason: a
// method other than POST (405, BAD_MESSAGE) and a body over the size cap (413,
// BAD_MESSAGE, the mapping of HTTP §5). A body that cannot be read (the
// server's read timeout, a dropped connection) gets 400 and BAD_MESSAGE.

// DefaultInboxMaxBytes caps one Inbox_Message when InboxHandler.MaxBytes is
// zero: 64 MiB.
const DefaultInboxMaxBytes = 64 << 20

// maxRequestBytes caps requests that carry no content (Discovery_Request).
const maxRequestBytes = 64 << 10

// Refusal is an error that chooses the Status Message the sender gets. A
// Receiver returns one to refuse a message with a particular status
// (DENIED, RETRY, DESTINATION_COLLECTION_ERROR, ...); any other error from
// a Receiver is answered FAILURE. A Refusal of type SUCCESS is answered
// FAILURE too: success is reported only for a nil error.
type Refusal struct {
	Type    StatusType
	Message string         // shown to the sender; keep secrets out of it
	Details []StatusDetail // Status_Detail entries (TAXII 1.1)
	Err     error          // the cause, for the local log only; never sent
}

func (e *Refusal) Error() string {
	s := "taxii: refused with " + string(e.Type)
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Refusal) Unwrap() error { return e.Err }

// refuse builds a Refusal (a small constructor used throughout the handlers).
func refuse(t StatusType, err error, format string, args ...any) *Refusal {
	return &Refusal{Type: t, Message: fmt.Sprintf(format, args...), Err: err}
}

// reply is what a handler answers: an HTTP code (0 means 200) and a Status
// Message (status; a Refusal of type SUCCESS for success), or another TAXII
// message (msg, e.g. a Discovery_Response).
type reply struct {
	code   int
	status *Refusal
	msg    Message
}

// requestVersion reads the TAXII version a request claims in its headers
// (X-TAXII-Content-Type, else X-TAXII-Services), TAXII 1.1 when it claims
// none. It is the version refusals are written in before the body is read.
func requestVersion(h http.Header) Version {
	switch strings.TrimSpace(h.Get("X-TAXII-Content-Type")) {
	case BindingXML10:
		return V10
	case BindingXML11:
		return V11
	}
	if strings.TrimSpace(h.Get("X-TAXII-Services")) == ServicesV10 {
		return V10
	}
	return V11
}

// checkHeaders applies the HTTP binding's header rules to a request. It is
// strict where a mistake means we would misread the body and lenient where
// real clients are sloppy (the InboxHandler doc repeats this for users):
//
//   - X-TAXII-Content-Type: absent is accepted (the body's namespace says the
//     version); present, it must be the XML 1.1 or 1.0 binding, otherwise
//     UNSUPPORTED_MESSAGE listing both (e.g. the CERT-EU JSON binding).
//   - Content-Type: absent is accepted; present, it must be an XML media
//     type (application/xml, text/xml or application/*+xml, any
//     parameters), otherwise UNSUPPORTED_MESSAGE. This catches curl's
//     default application/x-www-form-urlencoded and multipart uploads.
//   - Content-Encoding: only identity; compressed bodies are refused with
//     UNSUPPORTED_MESSAGE so the size cap is the size parsed.
//   - X-TAXII-Services: absent is accepted; present, it must be services
//     1.1 or 1.0, otherwise UNSUPPORTED_MESSAGE.
//   - X-TAXII-Protocol, X-TAXII-Accept and Accept are not checked: clients
//     behind TLS-terminating proxies send http for https, and the reply is
//     always written in the request's own version.
func checkHeaders(h http.Header) *Refusal {
	unsupported := func(format string, args ...any) *Refusal {
		r := refuse(StatusUnsupportedMessage, nil, format, args...)
		r.Details = []StatusDetail{{Name: DetailSupportedBinding, Value: BindingXML11}, {Name: DetailSupportedBinding, Value: BindingXML10}}
		return r
	}
	if v := strings.TrimSpace(h.Get("X-TAXII-Content-Type")); v != "" && v != BindingXML11 && v != BindingXML10 {
		return unsupported("message binding %q is not supported; send TAXII XML 1.1 (%s) or 1.0 (%s)", v, BindingXML11, BindingXML10)
	}
	if ct := h.Get("Content-Type"); ct != "" && !isXMLMediaType(ct) {
		return unsupported("Content-Type %q is not XML; send Content-Type: application/xml", ct)
	}
	if ce := strings.TrimSpace(h.Get("Content-Encoding")); ce != "" && !strings.EqualFold(ce, "identity") {
		return unsupported("Content-Encoding %q is not accepted; send the message uncompressed", ce)
	}
	if s := strings.TrimSpace(h.Get("X-TAXII-Services")); s != "" && s != ServicesV11 && s != ServicesV10 {
		return unsupported("services version %q is not supported; send %s or %s", s, ServicesV11, ServicesV10)
	}
	return nil
}

func isXMLMediaType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == "application/xml" || mt == "text/xml" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+xml"))
}

// errBodyTooLarge marks a body over the cap, whether announced by
// Content-Length or found while reading a chunked body.
var errBodyTooLarge = errors.New("request body exceeds the size limit")

// readBody reads the request body, refusing more than limit bytes. A
// Content-Length over the limit is refused before a byte is read; a body of
// unknown length is cut off at the limit by http.MaxBytesReader (which also
// makes the server close the connection after the reply). When the length is
// known the buffer is allocated once at that size, so a large message is held
// in memory once, not grown by doubling.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, fmt.Errorf("%w: Content-Length %d > %d", errBodyTooLarge, r.ContentLength, limit)
	}
	body := http.MaxBytesReader(w, r.Body, limit)
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(body); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, fmt.Errorf("%w: more than %d bytes", errBodyTooLarge, limit)
		}
		return nil, fmt.Errorf("taxii: read request body: %w", err)
	}
	return buf.Bytes(), nil
}

// bodyRefusal turns a readBody error into the reply.
func bodyRefusal(err error, limit int64) (int, *Refusal) {
	if errors.Is(err, errBodyTooLarge) {
		return http.StatusRequestEntityTooLarge, refuse(StatusBadMessage, err,
			"the message is larger than this inbox accepts (%d bytes); split the content over several messages", limit)
	}
	return http.StatusBadRequest, refuse(StatusBadMessage, err,
		"the request body could not be read completely (connection closed or too slow); send it again")
}

// decodeRefusal turns a decoding error into a BAD_MESSAGE refusal whose text
// says what is wrong with the document.
func decodeRefusal(err error) *Refusal {
	var de *DecodeError
	if errors.As(err, &de) {
		switch de.Kind {
		case ErrDoctype:
			return refuse(StatusBadMessage, err, "the message has a DOCTYPE; DTDs and entities are refused, send the TAXII XML without one")
		case ErrTooBig:
			return refuse(StatusBadMessage, err, "the message is larger than this inbox accepts")
		case ErrNotXML:
			return refuse(StatusBadMessage, err, "the body is not well-formed XML: %s", de.Error())
		}
		return refuse(StatusBadMessage, err, "the message is not valid TAXII: %s", de.Error())
	}
	return refuse(StatusBadMessage, err, "the message could not be decoded: %v", err)
}

// writeReply writes rp in version v. The TAXII headers are always set;
// X-TAXII-Protocol follows the real transport (HTTP §2.1.5).
func writeReply(w http.ResponseWriter, r *http.Request, v Version, inResponseTo string, rp reply) {
	m := rp.msg
	if m == nil {
		m = statusMessage(v, inResponseTo, rp.status)
	}
	b, err := Marshal(m)
	if err != nil {
		// Only a bug can get here (our own message failed to encode).
		http.Error(w, "taxii: could not encode the reply: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/xml; charset=utf-8")
	h.Set("X-TAXII-Content-Type", m.TAXIIVersion().MessageBinding())
	h.Set("X-TAXII-Services", m.TAXIIVersion().Services())
	if r.TLS != nil {
		h.Set("X-TAXII-Protocol", ProtocolHTTPS)
	} else {
		h.Set("X-TAXII-Protocol", ProtocolHTTP)
	}
	h.Set("Content-Length", strconv.Itoa(len(b)))
	if rp.code == http.StatusMethodNotAllowed {
		h.Set("Allow", http.MethodPost)
	}
	if rp.status != nil && rp.status.Type == StatusRetry {
		if n := retrySeconds(rp.status); n > 0 {
			h.Set("Retry-After", strconv.Itoa(n))
		}
	}
	code := rp.code
	if code == 0 {
		code = http.StatusOK
	}
	w.WriteHeader(code)
	_, _ = w.Write(b)
}

// statusMessage builds the Status Message for a refusal in version v.
// A type TAXII 1.0 lacks is sent as FAILURE with the same text; a RETRY's
// ESTIMATED_WAIT becomes the 1.0 detail, a timestamp of when to retry.
func statusMessage(v Version, inResponseTo string, rf *Refusal) *StatusMessage {
	if inResponseTo == "" {
		inResponseTo = "0" // convention for requests whose id is unknown (FAQ T-Q1)
	}
	sm := &StatusMessage{Version: v, InResponseTo: inResponseTo, Type: rf.Type, Message: rf.Message, Details: rf.Details}
	if sm.Type == "" {
		sm.Type = StatusFailure
	}
	if v == V10 {
		if !sm.Type.Version10Status() {
			sm.Type, sm.Details = StatusFailure, nil
		}
		if sm.Type == StatusRetry {
			if n := retrySeconds(rf); n > 0 {
				sm.Detail10 = NewTimestamp(time.Now().UTC().Add(time.Duration(n) * time.Second)).String()
			}
			sm.Details = nil
		}
	}
	return sm
}

func retrySeconds(rf *Refusal) int {
	for _, d := range rf.Details {
		if d.Name == DetailEstimatedWait {
			n, _ := strconv.Atoi(strings.TrimSpace(d.Value))
			return n
		}
	}
	return 0
}
