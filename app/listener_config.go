package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/taxii-workstation/taxii-workstation/taxii"
)

// Listener defaults. The listener is off until the user turns it on, binds
// the loopback address unless told otherwise, and takes at most 64 MiB per
// message.
const (
	DefaultListenerAddr     = "127.0.0.1:9443"
	DefaultListenerMaxBytes = taxii.DefaultInboxMaxBytes
	DefaultListenerMaxConns = 128
	// DefaultListenerRate is pushes per minute per sender (burst
	// DefaultListenerBurst); set RatePerMinute negative to switch it off.
	DefaultListenerRate  = 120
	DefaultListenerBurst = 30
	// LocalServer is the server name under which content accepted from the
	// listener into a local destination collection is listed in the cache.
	LocalServer = "local-inbox"
	// DefaultListenerCollection receives content that named no destination
	// and fulfils no known subscription.
	DefaultListenerCollection = "inbox"
	// listenerConfigFile is the listener's settings in the data directory.
	listenerConfigFile = "listener.json"
)

// Listener TLS modes.
const (
	TLSOff        = "off"         // plain HTTP
	TLSSelfSigned = "self-signed" // a certificate generated on first use, kept in the data directory
	TLSFiles      = "files"       // the user's certificate and key (PEM)
)

// ListenerConfig is what the user set up for the inbox listener. It is
// kept in listener.json in the data directory (0600); passwords are stored
// only as bcrypt hashes.
type ListenerConfig struct {
	// Enabled is true when the user left the listener on: Resume starts it.
	Enabled bool `json:"enabled"`
	// Addr is host:port to bind; "" means DefaultListenerAddr. Anything but
	// a loopback address needs at least one account or client certificate.
	Addr string `json:"addr,omitempty"`
	// AdvertiseURL is the base URL partners reach this listener at (behind
	// NAT or a proxy), e.g. https://ws.example.org:9443; "" uses the bound
	// address.
	AdvertiseURL string `json:"advertise_url,omitempty"`
	// TLS is TLSOff (default), TLSSelfSigned or TLSFiles with CertFile and KeyFile.
	TLS      string `json:"tls,omitempty"`
	CertFile string `json:"cert_file,omitempty"`
	KeyFile  string `json:"key_file,omitempty"`

	Accounts    []ListenerAccount `json:"accounts,omitempty"`
	ClientCerts []ListenerCert    `json:"client_certs,omitempty"`

	// Collections are the local destination collections senders may name.
	Collections []string `json:"collections,omitempty"`
	// RequireDestination refuses TAXII 1.1 messages naming no destination
	// (unless they fulfil a subscription).
	RequireDestination bool `json:"require_destination,omitempty"`
	// Bindings are the accepted content binding IDs; empty accepts all.
	Bindings []string `json:"bindings,omitempty"`

	MaxBytes      int64   `json:"max_bytes,omitempty"`       // per message; 0: DefaultListenerMaxBytes
	MaxConns      int     `json:"max_conns,omitempty"`       // concurrent connections; 0: DefaultListenerMaxConns
	RatePerMinute float64 `json:"rate_per_minute,omitempty"` // per sender; 0: default, < 0: unlimited
	RateBurst     int     `json:"rate_burst,omitempty"`

	ReadHeaderTimeout time.Duration `json:"read_header_timeout,omitempty"` // 0: 10 s
	ReadTimeout       time.Duration `json:"read_timeout,omitempty"`        // 0: 5 min (a 64 MiB push over a slow link)
	WriteTimeout      time.Duration `json:"write_timeout,omitempty"`       // 0: ReadTimeout + 30 s
	IdleTimeout       time.Duration `json:"idle_timeout,omitempty"`        // 0: 2 min

	// AutoAccept sends everything received straight into its collection;
	// AutoAcceptSenders does so for these sender identities only.
	AutoAccept        bool     `json:"auto_accept,omitempty"`
	AutoAcceptSenders []string `json:"auto_accept_senders,omitempty"`
}

// ListenerAccount is a sender allowed in with a user name and password.
type ListenerAccount struct {
	Name         string `json:"name"`
	PasswordHash string `json:"password_hash"` // bcrypt
}

// ListenerCert is a sender allowed in with a TLS client certificate.
type ListenerCert struct {
	Name        string `json:"name"`
	Fingerprint string `json:"fingerprint"` // SHA-256, taxii.Fingerprint format
}

func (c ListenerConfig) addr() string {
	if c.Addr == "" {
		return DefaultListenerAddr
	}
	return c.Addr
}

func (c ListenerConfig) maxBytes() int64 {
	if c.MaxBytes > 0 {
		return c.MaxBytes
	}
	return DefaultListenerMaxBytes
}

func (c ListenerConfig) maxConns() int {
	if c.MaxConns > 0 {
		return c.MaxConns
	}
	return DefaultListenerMaxConns
}

func (c ListenerConfig) rate() (perMinute float64, burst int) {
	switch {
	case c.RatePerMinute < 0:
		return 0, 0
	case c.RatePerMinute == 0:
		return DefaultListenerRate, DefaultListenerBurst
	}
	return c.RatePerMinute, max(c.RateBurst, 1)
}

func orDuration(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

func (c ListenerConfig) timeouts() (header, read, write, idle time.Duration) {
	header = orDuration(c.ReadHeaderTimeout, 10*time.Second)
	read = orDuration(c.ReadTimeout, 5*time.Minute)
	write = orDuration(c.WriteTimeout, read+30*time.Second)
	idle = orDuration(c.IdleTimeout, 2*time.Minute)
	return
}

func (c ListenerConfig) tlsMode() string {
	if c.TLS == "" {
		return TLSOff
	}
	return c.TLS
}

// IsLoopback reports whether host:port binds only the loopback interface.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Check validates the configuration: it returns an error saying what to
// change, or nil. A non-loopback address needs an account or a client
// certificate; client certificates need TLS.
func (c ListenerConfig) Check() error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if _, port, err := net.SplitHostPort(c.addr()); err != nil {
		add("address %q is not HOST:PORT (e.g. 127.0.0.1:9443)", c.addr())
	} else if port == "" {
		add("address %q has no port", c.addr())
	}
	switch c.tlsMode() {
	case TLSOff, TLSSelfSigned:
	case TLSFiles:
		if c.CertFile == "" || c.KeyFile == "" {
			add("TLS with your own certificate needs both the certificate and the key file")
		}
	default:
		add("TLS mode %q is unknown; use off, self-signed or files", c.TLS)
	}
	if !IsLoopback(c.addr()) && len(c.Accounts) == 0 && len(c.ClientCerts) == 0 {
		add("address %s is reachable from other machines: add an account or a client certificate first (or bind 127.0.0.1)", c.addr())
	}
	if len(c.ClientCerts) > 0 && c.tlsMode() == TLSOff {
		add("client certificates need HTTPS: switch TLS to self-signed or to your own certificate")
	}
	seen := map[string]bool{}
	for _, a := range c.Accounts {
		if a.Name == "" || strings.ContainsAny(a.Name, ":\x00") {
			add("account name %q is not usable (empty, or contains ':')", a.Name)
		} else if seen[a.Name] {
			add("account %q is listed twice", a.Name)
		}
		seen[a.Name] = true
		if a.PasswordHash == "" {
			add("account %q has no password", a.Name)
		}
	}
	for _, cc := range c.ClientCerts {
		if len(normalizeFP(cc.Fingerprint)) != 64 {
			add("client certificate %q: fingerprint %q is not a SHA-256 fingerprint (64 hex digits)", cc.Name, cc.Fingerprint)
		}
	}
	for _, col := range c.Collections {
		if col == "" || strings.ContainsAny(col, "\x00\x1d\x1e") {
			add("collection name %q is not usable", col)
		}
	}
	if c.AdvertiseURL != "" {
		if u, err := url.Parse(c.AdvertiseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("advertised URL %q is not an http(s) URL such as https://ws.example.org:9443", c.AdvertiseURL)
		}
	}
	if c.MaxBytes < 0 || c.MaxConns < 0 {
		add("limits must not be negative")
	}
	if len(problems) > 0 {
		return fmt.Errorf("app: listener settings: %s", strings.Join(problems, "; "))
	}
	return nil
}

// normalizeFP keeps the hex digits of a fingerprint, upper case.
func normalizeFP(fp string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(fp) {
		if (r >= '0' && r <= '9') || (r >= 'A' && r <= 'F') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// clone returns a deep copy (slices are not shared).
func (c ListenerConfig) clone() ListenerConfig {
	c.Accounts = slices.Clone(c.Accounts)
	c.ClientCerts = slices.Clone(c.ClientCerts)
	c.Collections = slices.Clone(c.Collections)
	c.Bindings = slices.Clone(c.Bindings)
	c.AutoAcceptSenders = slices.Clone(c.AutoAcceptSenders)
	return c
}

// loadListenerConfig reads path; a missing file is the default (off).
func loadListenerConfig(path string) (ListenerConfig, error) {
	var c ListenerConfig
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("app: read the listener settings: %w", err)
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("app: the listener settings in %s are damaged (%w); fix or delete the file", path, err)
	}
	return c, nil
}

// saveListenerConfig writes c to path atomically with mode 0600.
func saveListenerConfig(path string, c ListenerConfig) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("app: save the listener settings: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".listener-*.json")
	if err != nil {
		return fmt.Errorf("app: save the listener settings: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("app: save the listener settings: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("app: save the listener settings: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("app: save the listener settings: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return fmt.Errorf("app: save the listener settings: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("app: save the listener settings: %w", err)
	}
	return nil
}

// SavedListenerInboxURL is the inbox URL of the listener saved in dataDir
// (its advertised URL, else its address; https when TLS is on), for
// `subscribe --inbox` to default to; "" when no listener is set up there.
// It reads the settings only: the listener need not be running.
func SavedListenerInboxURL(dataDir string) string {
	if dataDir == "" {
		return ""
	}
	c, err := loadListenerConfig(filepath.Join(dataDir, listenerConfigFile))
	if err != nil || (c.Addr == "" && c.AdvertiseURL == "" && !c.Enabled) {
		return ""
	}
	if c.AdvertiseURL != "" {
		return advertisedBase(c.AdvertiseURL) + taxii.DefaultInboxPath
	}
	scheme := "http"
	if c.tlsMode() != TLSOff {
		scheme = "https"
	}
	return scheme + "://" + c.addr() + taxii.DefaultInboxPath
}
