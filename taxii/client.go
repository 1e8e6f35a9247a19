package taxii

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// Defaults used when the corresponding Client field is zero.
const (
	DefaultConnectTimeout = 30 * time.Second
	DefaultTimeout        = 5 * time.Minute
	DefaultMaxBodyBytes   = 64 << 20 // per reply; one part of a multi-part poll
	DefaultAttempts       = 3
	DefaultBackoff        = time.Second
	DefaultMaxBackoff     = 30 * time.Second
)

// Client talks TAXII 1.x over HTTP and HTTPS to one server. Set the fields
// before the first request and do not change them afterwards; the client is
// then safe for concurrent use. The zero value is a TAXII 1.1 client with no
// credentials, verification on, the proxy from the environment and the
// default timeouts.
type Client struct {
	// HTTPClient, when set, is used as is: TLS, Proxy and ConnectTimeout are
	// then ignored (client certificates must be in its transport).
	HTTPClient *http.Client

	Auth Auth      // credentials, any combination
	TLS  TLSConfig // server verification, private CA, pinning

	// Proxy is "" for the proxy from the environment (HTTPS_PROXY,
	// HTTP_PROXY, NO_PROXY), "direct" for none, or a proxy URL
	// (credentials may be in it: http://user:pass@proxy:3128).
	Proxy string

	// ConnectTimeout bounds the TCP connect and TLS handshake.
	// Timeout bounds one whole HTTP exchange including reading the reply.
	// Zero means the default; there is no way to wait forever.
	ConnectTimeout, Timeout time.Duration

	// MaxBodyBytes caps the size of one reply; a bigger one fails with an
	// *HTTPError wrapping ErrBodyTooLarge. Zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64

	// Retry says how requests that are safe to repeat (discovery, collection
	// information, poll, poll fulfillment, subscription status) are retried
	// after transport errors, HTTP 5xx, truncated replies and RETRY. Other
	// requests (a push, a subscribe) are never repeated.
	Retry RetryPolicy

	// Version is the TAXII version of the requests the typed methods send.
	// Discover detects the server's version (see Discovery.Version); unless
	// ForceVersion is set it falls back to TAXII 1.0 when a 1.1 discovery
	// request is refused.
	Version      Version
	ForceVersion bool

	// ServiceAddresses overrides the address of a discovered service type,
	// for servers that advertise an address unusable from here
	// (e.g. http://localhost:9000/...).
	ServiceAddresses map[ServiceType]string

	// Warn receives warnings meant for the user, such as a request sent with
	// certificate verification switched off. Nil discards them.
	Warn func(msg string)

	// OnExchange receives every HTTP exchange, credentials redacted (see
	// Exchange). It is called synchronously; keep it fast.
	OnExchange func(*Exchange)

	// UserAgent is sent as User-Agent; empty means "taxii-workstation".
	UserAgent string

	once    sync.Once
	hc      *http.Client
	initErr error

	mu       sync.Mutex
	token    string   // JWT bearer token, empty until logged in
	detected *Version // version found by Discover
}

// RetryPolicy says how often and how patiently safe requests are retried.
// The zero value means DefaultAttempts tries with exponential backoff from
// DefaultBackoff up to DefaultMaxBackoff.
type RetryPolicy struct {
	Attempts   int           // total tries, including the first; 1 disables retries
	Backoff    time.Duration // wait before the first retry, doubled after each
	MaxBackoff time.Duration // cap on one wait, also on a server's RETRY estimate
}

func (p RetryPolicy) attempts() int {
	if p.Attempts <= 0 {
		return DefaultAttempts
	}
	return p.Attempts
}

func (p RetryPolicy) wait(retry int) time.Duration {
	d := p.Backoff
	if d <= 0 {
		d = DefaultBackoff
	}
	for i := 1; i < retry && d < p.maxBackoff(); i++ {
		d *= 2
	}
	return min(d, p.maxBackoff())
}

func (p RetryPolicy) maxBackoff() time.Duration {
	if p.MaxBackoff <= 0 {
		return DefaultMaxBackoff
	}
	return p.MaxBackoff
}

func (c *Client) connectTimeout() time.Duration {
	if c.ConnectTimeout <= 0 {
		return DefaultConnectTimeout
	}
	return c.ConnectTimeout
}

func (c *Client) timeout() time.Duration {
	if c.Timeout <= 0 {
		return DefaultTimeout
	}
	return c.Timeout
}

func (c *Client) maxBody() int64 {
	if c.MaxBodyBytes <= 0 {
		return DefaultMaxBodyBytes
	}
	return c.MaxBodyBytes
}

func (c *Client) warn(msg string) {
	if c.Warn != nil {
		c.Warn(msg)
	}
}

// httpClient builds the HTTP client once from the configuration.
func (c *Client) httpClient() (*http.Client, error) {
	c.once.Do(func() {
		if c.HTTPClient != nil {
			c.hc = c.HTTPClient
			return
		}
		tlsCfg, err := c.tlsClientConfig()
		if err != nil {
			c.initErr = err
			return
		}
		proxy, err := c.proxyFunc()
		if err != nil {
			c.initErr = err
			return
		}
		c.hc = &http.Client{
			Transport: &http.Transport{
				Proxy:               proxy,
				DialContext:         (&net.Dialer{Timeout: c.connectTimeout(), KeepAlive: 30 * time.Second}).DialContext,
				TLSClientConfig:     tlsCfg,
				TLSHandshakeTimeout: c.connectTimeout(),
				ForceAttemptHTTP2:   true,
				MaxIdleConnsPerHost: 4,
				IdleConnTimeout:     90 * time.Second,
			},
			// A TAXII POST must not be turned into a GET by a redirect; report it instead.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	})
	return c.hc, c.initErr
}

// CloseIdleConnections closes connections kept alive for reuse.
func (c *Client) CloseIdleConnections() {
	if hc, err := c.httpClient(); err == nil {
		hc.CloseIdleConnections()
	}
}
