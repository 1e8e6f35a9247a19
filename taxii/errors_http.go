package taxii

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
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
	Location    string // the Location header of a redirect, if any
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
	case errors.Is(e.Err, ErrLogin):
		return "The token login was refused or answered oddly; check the user name, password and token URL for this server."
	case errors.Is(e.Err, ErrBodyTooLarge):
		return "The server's reply was larger than the configured size limit; poll a shorter time window or raise the limit."
	case e.Reason == reasonTruncated:
		return "The reply was cut off before it was complete (a proxy or the server dropped it); try again, or poll a shorter time window."
	case e.StatusCode >= 300 && e.StatusCode < 400:
		if e.Location != "" {
			return fmt.Sprintf("The server redirects this address to %s; a TAXII request cannot follow redirects, so use that address instead.", e.Location)
		}
		return "The server redirects this address elsewhere; a TAXII request cannot follow redirects, so ask for the service's exact address."
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

// Explain says in one plain sentence what went wrong with a request and what
// to try, for any error the client returns: a *StatusError, an *HTTPError, a
// certificate problem, a timeout, a refused connection, a cancelled request.
// It returns "" for a nil error.
func Explain(err error) string {
	var (
		se      *StatusError
		he      *HTTPError
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		invalid x509.CertificateInvalidError
		alert   tls.AlertError
		dns     *net.DNSError
	)
	switch {
	case err == nil:
		return ""
	case errors.As(err, &se):
		return se.Explain()
	case errors.As(err, &he):
		return he.Explain()
	case errors.Is(err, ErrKeyPassword):
		return "The client key could not be opened; check the key password (passphrase) for this certificate."
	case errors.Is(err, ErrLogin):
		return "The token login failed; check the user name, password and token URL."
	case errors.Is(err, ErrPinMismatch):
		return "The server's certificate is not the one pinned for it: it was replaced, or someone is intercepting the connection; confirm the new fingerprint with the partner before trusting it."
	case errors.As(err, &unknown):
		return "The server's certificate is signed by an authority we do not trust; add the partner's CA certificate (CA file) to this server's settings."
	case errors.As(err, &host):
		return "The server's certificate is for another name than the address used; use the host name the certificate names."
	case errors.As(err, &invalid):
		return "The server's certificate is not valid (expired or not yet valid, or not for servers); tell the server's operator."
	case errors.As(err, &alert):
		return "The server refused the secure connection, usually because it wants a client certificate it accepts; check the certificate set for this server."
	case errors.Is(err, ErrPollLoop):
		return "The server kept sending parts of a result without ending it, so the poll was stopped; what arrived was kept; tell the server's operator."
	case errors.Is(err, context.Canceled):
		return "The request was cancelled."
	case errors.Is(err, context.DeadlineExceeded):
		return "The server did not answer in time; try again later or raise the timeout."
	case errors.As(err, &dns):
		return "The server's host name could not be found; check the address and your network."
	case errors.Is(err, syscall.ECONNREFUSED):
		return "Nothing is listening at that address; check the address and port, and that the server is running."
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET):
		return "The connection was dropped before a reply arrived; try again (a proxy or the server closed it)."
	default:
		return "The request failed: " + err.Error() + "."
	}
}

// SynthesizedStatus is the TAXII status type the HTTP binding prescribes for
// a reply that carried no Status Message (HTTP binding §5): 400 and 413 are
// BAD_MESSAGE; 401, 403 and 407 UNAUTHORIZED; 406 and 415
// UNSUPPORTED_MESSAGE; anything else FAILURE.
func (e *HTTPError) SynthesizedStatus() StatusType {
	switch e.StatusCode {
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		return StatusBadMessage
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusProxyAuthRequired:
		return StatusUnauthorized
	case http.StatusNotAcceptable, http.StatusUnsupportedMediaType:
		return StatusUnsupportedMessage
	}
	return StatusFailure
}
