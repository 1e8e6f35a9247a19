package taxii

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Exchange is one HTTP request and its reply, for a protocol inspector and
// --debug output. Credentials are redacted: Authorization, Proxy-Authorization,
// cookies and the configured extra headers show as "REDACTED", and the body of
// a JWT login request is replaced. Bodies are shared with the client; treat
// them as read-only and copy what you keep.
type Exchange struct {
	Start    time.Time
	Duration time.Duration
	Attempt  int    // 1 for the first try, 2 for the first retry, ...
	Kind     string // message type sent (e.g. "PollRequest") or "jwt-login"
	Method   string
	URL      string // credentials removed

	RequestHeader http.Header
	RequestBody   []byte

	StatusCode     int // 0 when no reply arrived
	ResponseHeader http.Header
	ResponseBody   []byte // what was read, up to the size limit

	TLS *TLSInfo // the server certificate, on HTTPS
	Err error    // transport or read error, if any
}

// TLSInfo describes the server certificate seen on an HTTPS exchange.
type TLSInfo struct {
	Version     string // e.g. "TLS 1.3"
	Subject     string
	Issuer      string
	NotAfter    time.Time
	Fingerprint string // SHA-256 of the leaf certificate (DER), uppercase hex pairs with colons
	Verified    bool   // false when verification was switched off for this server
}

// Redacted is the value that replaces secrets in an Exchange.
const Redacted = "REDACTED"

var alwaysSecret = []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie"}

// redactHeader returns a copy of h with secrets replaced.
func redactHeader(h http.Header, extraSecret []string) http.Header {
	out := h.Clone()
	if out == nil {
		return nil
	}
	for _, k := range append(append([]string(nil), alwaysSecret...), extraSecret...) {
		k = http.CanonicalHeaderKey(k)
		if vs, ok := out[k]; ok {
			red := make([]string, len(vs))
			for i, v := range vs {
				red[i] = redactValue(k, v)
			}
			out[k] = red
		}
	}
	return out
}

// redactValue keeps the scheme of an Authorization value ("Basic", "Bearer")
// so the inspector shows which kind of credential went out.
func redactValue(key, v string) string {
	if key == "Authorization" || key == "Proxy-Authorization" {
		if scheme, _, ok := strings.Cut(v, " "); ok {
			return scheme + " " + Redacted
		}
	}
	return Redacted
}

// Dump renders the exchange as HTTP-like text for --debug output and the
// protocol inspector: request line, headers, body, then the reply. Bodies
// longer than maxBody bytes are cut (0 keeps them whole).
func (ex *Exchange) Dump(maxBody int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "> %s %s (%s, attempt %d, %s)\n", ex.Method, ex.URL, ex.Kind, ex.Attempt, ex.Duration.Round(time.Millisecond))
	writeHeader(&b, "> ", ex.RequestHeader)
	writeBody(&b, ex.RequestBody, maxBody)
	if ex.StatusCode != 0 {
		fmt.Fprintf(&b, "< HTTP %d %s\n", ex.StatusCode, http.StatusText(ex.StatusCode))
		if ex.TLS != nil {
			fmt.Fprintf(&b, "< (%s, certificate %s, SHA-256 %s, verified %v)\n", ex.TLS.Version, ex.TLS.Subject, ex.TLS.Fingerprint, ex.TLS.Verified)
		}
		writeHeader(&b, "< ", ex.ResponseHeader)
		writeBody(&b, ex.ResponseBody, maxBody)
	}
	if ex.Err != nil {
		fmt.Fprintf(&b, "! %v\n", ex.Err)
	}
	return b.String()
}

func writeHeader(b *strings.Builder, prefix string, h http.Header) {
	for _, k := range sortedKeys(h) {
		for _, v := range h[k] {
			fmt.Fprintf(b, "%s%s: %s\n", prefix, k, v)
		}
	}
}

func writeBody(b *strings.Builder, body []byte, maxBody int) {
	if len(body) == 0 {
		return
	}
	if maxBody > 0 && len(body) > maxBody {
		fmt.Fprintf(b, "\n%s\n... (%d more bytes)\n\n", strings.ToValidUTF8(string(body[:maxBody]), "?"), len(body)-maxBody)
		return
	}
	fmt.Fprintf(b, "\n%s\n\n", strings.TrimRight(strings.ToValidUTF8(string(body), "?"), "\n"))
}
