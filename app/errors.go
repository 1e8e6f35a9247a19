package app

import (
	"context"
	"errors"
	"net"
	"strings"

	"github.com/taxii-workstation/taxii-workstation/storage"
	"github.com/taxii-workstation/taxii-workstation/taxii"
)

// ErrBusy is returned when a sync of the same collection is already running.
var ErrBusy = errors.New("app: a sync of this collection is already running")

// Explain says in one plain sentence what went wrong and what to try, for
// any error the App returns. The full error (err.Error()) is the "details".
func Explain(err error) string {
	if err == nil {
		return ""
	}
	var ve *ValidationError
	var se *taxii.StatusError
	var he *taxii.HTTPError
	var ne net.Error
	var oe *net.OpError
	switch {
	case errors.As(err, &ve):
		return strings.TrimPrefix(ve.Error(), "app: ")
	case errors.As(err, &se):
		return se.Explain()
	case errors.As(err, &he):
		return he.Explain()
	case errors.Is(err, context.Canceled):
		return "Cancelled."
	case errors.Is(err, context.DeadlineExceeded):
		return "The server did not answer in time; try again later, or raise the timeout in the profile."
	case errors.Is(err, taxii.ErrPollLoop):
		return "The server's multi-part result did not end properly, so the poll was stopped; what arrived before is kept, and the cursor was not moved."
	case errors.Is(err, taxii.ErrKeyPassword):
		return "The passphrase of the client key is wrong or missing; enter it again in the profile."
	case errors.Is(err, taxii.ErrLogin):
		return "The JWT login was refused; check the login URL, user name and password."
	case errors.Is(err, taxii.ErrNoService):
		return "The server lists no usable service of the kind needed; run discovery again, or set the service address in the profile."
	case errors.Is(err, ErrBusy):
		return "This collection is already being synced; wait for that sync to end or cancel it."
	case errors.Is(err, storage.ErrLocked):
		return "Another TAXII Workstation (window or command line) is using the cache; close it, or use another data directory."
	case errors.Is(err, ErrNotFound):
		return firstSentence(err)
	case errors.As(err, &oe) && oe.Op == "dial":
		return "The server cannot be reached (connection refused or no route); check the URL, the proxy and your network."
	case errors.As(err, &ne) && ne.Timeout():
		return "The server did not answer in time; try again later, or raise the timeout in the profile."
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return "The server's host name cannot be resolved; check the URL and your network."
	}
	if strings.Contains(err.Error(), "x509:") || strings.Contains(err.Error(), "tls:") {
		return "The secure connection failed: the server's certificate is not trusted, or the client certificate was refused; add the server's CA file to the profile or check the certificate."
	}
	return firstSentence(err)
}

// firstSentence turns an error chain into something readable: the message
// without package prefixes.
func firstSentence(err error) string {
	s := err.Error()
	for _, p := range []string{"app: ", "taxii: ", "storage: "} {
		s = strings.ReplaceAll(s, p, "")
	}
	if s != "" {
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	return s
}
