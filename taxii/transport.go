package taxii

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Do posts m to rawURL with the TAXII HTTP binding headers of m's version and
// decodes the reply. It is the only code in the package that speaks HTTP.
//
// A Status Message reply is returned as a *StatusMessage, not as an error;
// the typed methods turn failures into *StatusError. Replies that are not
// TAXII messages are returned as *HTTPError; transport failures are wrapped.
//
// Requests that are safe to repeat are retried per Client.Retry. With a JWT
// login, an UNAUTHORIZED reply triggers one new login and one resend.
func (c *Client) Do(ctx context.Context, rawURL string, m Message) (Message, error) {
	body, err := Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("taxii: encode %s: %w", kindOf(m), err)
	}
	hc, err := c.httpClient()
	if err != nil {
		return nil, err
	}
	safe := safeToRepeat(m)
	relogged := false
	for attempt := 1; ; attempt++ {
		reply, err := c.roundTrip(ctx, hc, rawURL, kindOf(m), m.TAXIIVersion(), body, attempt)
		if ctx.Err() != nil {
			return nil, fmt.Errorf("taxii: %s to %s: %w", kindOf(m), redactURL(rawURL), ctx.Err())
		}
		if c.Auth.JWT != nil && !relogged && !errors.Is(err, ErrLogin) && isUnauthorized(reply, err) {
			relogged = true
			c.setToken("")
			attempt-- // a new login is not a retry
			continue
		}
		if err == nil {
			c.checkInResponseTo(rawURL, m, reply)
		}
		wait, retry := c.retryable(reply, err, attempt)
		if !safe || !retry || attempt >= c.Retry.attempts() {
			return reply, err
		}
		if err := sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("taxii: %s to %s: %w", kindOf(m), redactURL(rawURL), err)
		}
	}
}

// checkInResponseTo warns when a reply names another request than ours.
// "0" is tolerated: servers send it when they could not read the request
// (and with UNAUTHORIZED).
func (c *Client) checkInResponseTo(rawURL string, req, reply Message) {
	var irt string
	switch r := reply.(type) {
	case *DiscoveryResponse:
		irt = r.InResponseTo
	case *CollectionInformationResponse:
		irt = r.InResponseTo
	case *ManageCollectionSubscriptionResponse:
		irt = r.InResponseTo
	case *PollResponse:
		irt = r.InResponseTo
	case *StatusMessage:
		irt = r.InResponseTo
	}
	if irt != "" && irt != "0" && irt != req.ID() {
		c.warn(fmt.Sprintf("%s answered message %s although we sent message %s; the server may have mixed up replies", redactURL(rawURL), irt, req.ID()))
	}
}

// safeToRepeat says whether sending m twice can do no harm.
func safeToRepeat(m Message) bool {
	switch r := m.(type) {
	case *DiscoveryRequest, *CollectionInformationRequest, *PollRequest, *PollFulfillmentRequest:
		return true
	case *ManageCollectionSubscriptionRequest:
		return r.Action == ActionStatus
	}
	return false
}

// retryable says whether a failed attempt may be repeated, and after how long.
func (c *Client) retryable(reply Message, err error, attempt int) (time.Duration, bool) {
	if sm, ok := reply.(*StatusMessage); ok && err == nil {
		if sm.Type != StatusRetry {
			return 0, false
		}
		if n, ok := sm.EstimatedWait(); ok && n > 0 {
			return min(time.Duration(n)*time.Second, c.Retry.maxBackoff()), true
		}
		if at, ok := sm.RetryAfter(); ok { // TAXII 1.0: a timestamp
			return min(max(time.Until(at.Time), 0), c.Retry.maxBackoff()), true
		}
		return c.Retry.wait(attempt), true
	}
	if err == nil {
		return 0, false
	}
	var he *HTTPError
	if errors.As(err, &he) {
		if he.StatusCode >= 500 || he.Reason == reasonTruncated {
			return c.Retry.wait(attempt), true
		}
		return 0, false
	}
	var te *transportError
	if errors.As(err, &te) && !isTLSRefusal(err) {
		return c.Retry.wait(attempt), true
	}
	return 0, false
}

// isTLSRefusal reports certificate problems, which a retry cannot fix.
func isTLSRefusal(err error) bool {
	var (
		verify  *tls.CertificateVerificationError
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		invalid x509.CertificateInvalidError
		alert   tls.AlertError
	)
	return errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &host) ||
		errors.As(err, &invalid) || errors.As(err, &alert) || errors.Is(err, ErrPinMismatch)
}

func isUnauthorized(reply Message, err error) bool {
	if sm, ok := reply.(*StatusMessage); ok && err == nil {
		return sm.Type == StatusUnauthorized
	}
	var he *HTTPError
	return errors.As(err, &he) && he.StatusCode == http.StatusUnauthorized
}

// transportError marks a failure to get a reply at all (connect, TLS,
// dropped connection, timeout of one attempt). It unwraps to the cause.
type transportError struct {
	op, url string
	err     error
}

func (e *transportError) Error() string {
	return fmt.Sprintf("taxii: %s %s: %v", e.op, e.url, e.err)
}
func (e *transportError) Unwrap() error { return e.err }

// roundTrip makes one HTTP exchange and classifies the reply.
func (c *Client) roundTrip(ctx context.Context, hc *http.Client, rawURL, kind string, v Version, body []byte, attempt int) (Message, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("taxii: bad address %q: %w", redactURL(rawURL), err)
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return nil, fmt.Errorf("taxii: address %q must start with http:// or https://", redactURL(rawURL))
	}
	binding, services := BindingXML11, ServicesV11
	if v == V10 {
		binding, services = BindingXML10, ServicesV10
	}
	protocol := ProtocolHTTP
	if req.URL.Scheme == "https" {
		protocol = ProtocolHTTPS
		if c.TLS.InsecureSkipVerify && c.HTTPClient == nil {
			c.warn(fmt.Sprintf("certificate verification is OFF for %s: anyone on the network path can read and change this exchange", req.URL.Host))
		}
	}
	h := req.Header
	h.Set("Content-Type", "application/xml")
	h.Set("Accept", "application/xml")
	h.Set("X-TAXII-Content-Type", binding)
	h.Set("X-TAXII-Accept", binding)
	h.Set("X-TAXII-Services", services)
	h.Set("X-TAXII-Protocol", protocol)
	h.Set("User-Agent", c.userAgent())
	c.Auth.apply(req)
	if c.Auth.JWT != nil {
		tok, err := c.bearer(ctx, hc)
		if err != nil {
			return nil, err
		}
		h.Set("Authorization", "Bearer "+tok)
	}

	ex := &Exchange{Start: time.Now(), Attempt: attempt, Kind: kind, Method: req.Method, URL: redactURL(rawURL),
		RequestHeader: h, RequestBody: body} // headers are redacted in logExchange
	defer c.logExchange(ex)

	res, err := hc.Do(req)
	if err != nil {
		ex.Err = err
		return nil, &transportError{op: "post to", url: ex.URL, err: err}
	}
	defer res.Body.Close()
	ex.StatusCode, ex.ResponseHeader = res.StatusCode, res.Header
	ex.TLS = tlsInfo(res.TLS, !c.TLS.InsecureSkipVerify)
	b, rerr := readCapped(res.Body, c.maxBody(), res.ContentLength)
	ex.ResponseBody, ex.Err = b, rerr
	herr := &HTTPError{URL: ex.URL, StatusCode: res.StatusCode, ContentType: res.Header.Get("Content-Type"),
		Location: res.Header.Get("Location"), Body: b[:min(len(b), HTTPBodyPrefix)]}
	switch {
	case errors.Is(rerr, ErrBodyTooLarge):
		herr.Reason, herr.Err = reasonTooLarge, fmt.Errorf("%w (%d bytes)", ErrBodyTooLarge, c.maxBody())
		return nil, herr
	case rerr != nil && ctx.Err() != nil:
		return nil, &transportError{op: "read reply from", url: ex.URL, err: ctx.Err()}
	case rerr != nil:
		herr.Reason, herr.Err = reasonTruncated, rerr
		return nil, herr
	}
	msg, derr := Decoder{MaxBytes: c.maxBody()}.Unmarshal(b)
	if derr == nil {
		if _, isStatus := msg.(*StatusMessage); res.StatusCode == http.StatusOK || isStatus {
			return msg, nil
		}
	}
	herr.Err = derr
	switch {
	case isHTML(herr.ContentType, b):
		herr.Reason = reasonHTML
	case res.StatusCode != http.StatusOK:
		herr.Reason = reasonHTTPStatus
	case !strings.Contains(strings.ToLower(herr.ContentType), "xml"):
		herr.Reason = reasonContentType
	case looksTruncated(b):
		herr.Reason = reasonTruncated
	default:
		herr.Reason = reasonNotTAXII
	}
	return nil, herr
}

// readCapped reads all of r, failing with ErrBodyTooLarge past limit bytes.
// A known length (Content-Length) sizes the buffer once.
func readCapped(r io.Reader, limit int64, length ...int64) ([]byte, error) {
	if len(length) > 0 && length[0] > limit {
		head, _ := io.ReadAll(io.LimitReader(r, HTTPBodyPrefix)) // evidence for the error
		return head, ErrBodyTooLarge
	}
	var buf bytes.Buffer
	if len(length) > 0 && length[0] > 0 {
		buf.Grow(int(length[0]) + bytes.MinRead) // ReadFrom wants MinRead spare bytes for the read that sees EOF
	}
	_, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	b := buf.Bytes()
	if int64(len(b)) > limit {
		return b[:limit], ErrBodyTooLarge
	}
	return b, err
}

// looksTruncated is true for XML that stops before its root element closes,
// as a proxy that cuts a long reply leaves it.
func looksTruncated(b []byte) bool {
	t := bytes.TrimSpace(b)
	return len(t) > 0 && t[0] == '<' && !bytes.HasSuffix(t, []byte(">"))
}

func (c *Client) logExchange(ex *Exchange) {
	if c.OnExchange == nil {
		return
	}
	ex.Duration = time.Since(ex.Start)
	ex.RequestHeader = redactHeader(ex.RequestHeader, c.Auth.secretHeaders())
	ex.ResponseHeader = redactHeader(ex.ResponseHeader, nil)
	c.OnExchange(ex)
}

func (c *Client) userAgent() string {
	if c.UserAgent != "" {
		return c.UserAgent
	}
	return "taxii-workstation"
}

func kindOf(m Message) string {
	s := fmt.Sprintf("%T", m)
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		s = s[i+1:]
	}
	return s
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Redacted()
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
