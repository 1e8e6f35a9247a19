package taxii

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// ErrBodyTooLarge is wrapped by the *HTTPError returned when a reply is bigger
// than Client.MaxBodyBytes.
var ErrBodyTooLarge = errors.New("reply body exceeds the configured size limit")

// ErrPollLoop is wrapped by the error Poll returns when a multi-part result
// does not end: an empty part that still says more, a repeated part, or more
// parts than PollOptions.MaxParts.
var ErrPollLoop = errors.New("multi-part poll result does not end")

// HTTPBodyPrefix is how many bytes of a non-TAXII reply an *HTTPError keeps.
const HTTPBodyPrefix = 512

// HTTPError reports a reply that is not a TAXII message: an HTML error page,
// a proxy login page, an HTTP 4xx/5xx without a Status Message, a body of the
// wrong content type, a truncated body or one over the size limit.
type HTTPError struct {
	URL         string // the address posted to, credentials removed
	StatusCode  int    // HTTP status code, e.g. 200, 401, 502
	ContentType string // the reply's Content-Type header
	Body        []byte // the first HTTPBodyPrefix bytes of the reply body
	Reason      string // what was wrong, in words
	Err         error  // underlying cause (read or decode error), may be nil
}

func (e *HTTPError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "taxii: %s answered HTTP %d", e.URL, e.StatusCode)
	if t := http.StatusText(e.StatusCode); t != "" {
		fmt.Fprintf(&b, " %s", t)
	}
	if e.ContentType != "" {
		fmt.Fprintf(&b, " (%s)", e.ContentType)
	}
	if e.Reason != "" {
		fmt.Fprintf(&b, ": %s", e.Reason)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if s := e.BodySnippet(120); s != "" {
		fmt.Fprintf(&b, "; reply starts %q", s)
	}
	return b.String()
}

// Unwrap returns the underlying cause.
func (e *HTTPError) Unwrap() error { return e.Err }

// BodySnippet returns up to n bytes of the body as valid UTF-8 on one line.
func (e *HTTPError) BodySnippet(n int) string {
	b := e.Body
	if len(b) > n {
		b = b[:n]
	}
	s := strings.ToValidUTF8(string(b), "")
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return strings.Join(strings.Fields(s), " ")
}

// Explain says in one plain sentence what happened and what to try.
func (e *HTTPError) Explain() string {
	switch {
	case errors.Is(e.Err, ErrBodyTooLarge):
		return "The server's reply was larger than the configured size limit; poll a shorter time window or raise the limit."
	case e.Reason == reasonTruncated:
		return "The reply was cut off before it was complete (a proxy or the server dropped it); try again, or poll a shorter time window."
	case e.StatusCode == http.StatusProxyAuthRequired:
		return "A proxy between you and the server wants you to log in; set the proxy credentials or use another network."
	case e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden:
		return "The server refused access before TAXII processing; check the user name, password, certificate or API key for this server."
	case e.StatusCode == http.StatusNotFound:
		return "There is no TAXII service at this address; check the URL (or run discovery and pick the service it lists)."
	case e.StatusCode == http.StatusNotAcceptable || e.StatusCode == http.StatusUnsupportedMediaType:
		return "The server does not accept this kind of message; try forcing the other TAXII version (1.0 or 1.1)."
	case e.StatusCode == http.StatusRequestEntityTooLarge:
		return "The server refused the message as too large; send fewer or smaller content blocks at a time."
	case e.StatusCode >= 500:
		return "The server had an internal error; try again later and tell its operator if it keeps happening."
	case isHTML(e.ContentType, e.Body):
		return "The address returned a web page instead of a TAXII message (perhaps a login or proxy page); check the URL and the proxy settings."
	default:
		return "The server's reply was not a TAXII message; check that the URL points at a TAXII 1.x service."
	}
}

const (
	reasonTruncated   = "reply body was cut off"
	reasonTooLarge    = "reply body too large"
	reasonHTML        = "reply is a web page, not a TAXII message"
	reasonNotTAXII    = "reply is not a TAXII message"
	reasonHTTPStatus  = "HTTP error without a TAXII Status Message"
	reasonContentType = "wrong content type for a TAXII message"
)

func isHTML(contentType string, body []byte) bool {
	if strings.Contains(strings.ToLower(contentType), "html") {
		return true
	}
	head := strings.ToLower(strings.TrimSpace(string(body[:min(len(body), 256)])))
	return strings.HasPrefix(head, "<!doctype html") || strings.HasPrefix(head, "<html")
}

// StatusError is a Status Message reply that reports a failure (anything but
// SUCCESS, and PENDING where a result was expected). Use errors.As to get it.
type StatusError struct {
	Type         StatusType          // e.g. StatusUnauthorized
	Details      map[string][]string // Status_Detail name → values
	Message      string              // the server's own text, may be empty
	InResponseTo string              // the request message id it answers
	URL          string              // the address posted to
	Status       *StatusMessage      // the decoded message
}

func (e *StatusError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "taxii: server answered %s", e.Type)
	if e.URL != "" {
		fmt.Fprintf(&b, " (%s)", e.URL)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if d := formatDetails(e.Details); d != "" {
		fmt.Fprintf(&b, " [%s]", d)
	}
	return b.String()
}

// Explain says in one plain sentence what happened and what to try.
func (e *StatusError) Explain() string {
	return StatusWords(e.Type, e.Details, e.Message)
}

// statusError turns a Status Message reply into a *StatusError.
func statusError(url string, sm *StatusMessage) *StatusError {
	return &StatusError{Type: sm.Type, Details: sm.DetailMap(), Message: sm.Message, InResponseTo: sm.InResponseTo, URL: redactURL(url), Status: sm}
}
