package taxii

import (
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
	Fingerprint string // SHA-256 of the leaf certificate (DER), lowercase hex with colons
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
