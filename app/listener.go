package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/netutil"

	"github.com/taxii-workstation/taxii-workstation/taxii"
)

// ListenerOptions say where a Listener keeps its settings.
type ListenerOptions struct {
	// DataDir holds listener.json and the self-signed certificate. ""
	// keeps the settings in memory and makes a fresh certificate per start.
	DataDir string
	// Config, when set, is used instead of listener.json and changes are
	// never saved (the command line's `listen`). The self-signed
	// certificate is still kept in DataDir, so its fingerprint stays the same.
	Config *ListenerConfig
}

// Listener is the workstation's TAXII inbox listener: an HTTP(S) server
// with the Discovery service at /services/discovery and the Inbox at
// /services/inbox, storing what it receives in the cache's review queue.
// It is off until Start; Resume starts it when the user left it on. It is
// safe for concurrent use. Build it with NewListener; the GUI and the
// command line each own one per App.
type Listener struct {
	app     *App
	store   receivedStore
	dir     string
	persist bool

	mu      sync.Mutex // guards cfg, run, lastErr, subs
	cfg     ListenerConfig
	run     *listenerRun
	lastErr error
	subs    []listenerSub
	nextSub int

	commitMu sync.Mutex // one batch of receipts commits at a time (listener_commit.go)
	queueMu  sync.Mutex // guards queue
	queue    []*pendingCommit
	messages atomic.Int64
	blocks   atomic.Int64
}

// listenerRun is one running server.
type listenerRun struct {
	cfg         ListenerConfig
	srv         *http.Server
	addr        string // bound host:port
	scheme      string
	fingerprint string
	started     time.Time
	done        chan struct{} // closed when Serve returned
	access      *accessControl
}

// NewListener builds the listener of core. It fails when core's store
// cannot hold received content (it lacks the review-queue methods of
// storage.Store) or the saved settings cannot be read.
func NewListener(core *App, o ListenerOptions) (*Listener, error) {
	rs, ok := core.store.(receivedStore)
	if !ok {
		return nil, errors.New("app: this cache cannot hold received content (its store lacks CommitReceived, ListReceived and SetReview)")
	}
	l := &Listener{app: core, store: rs, dir: o.DataDir}
	switch {
	case o.Config != nil:
		l.cfg = o.Config.clone()
	case o.DataDir != "":
		cfg, err := loadListenerConfig(filepath.Join(o.DataDir, listenerConfigFile))
		if err != nil {
			return nil, err
		}
		l.cfg, l.persist = cfg, true
	}
	return l, nil
}

// Config returns the current settings.
func (l *Listener) Config() ListenerConfig {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cfg.clone()
}

// SetConfig checks and saves new settings. A running listener keeps its old
// settings until Restart. Enabled is kept as it was (Start and Stop set it).
func (l *Listener) SetConfig(c ListenerConfig) error {
	if err := c.Check(); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	c = c.clone()
	c.Enabled = l.cfg.Enabled
	if err := l.saveLocked(c); err != nil {
		return err
	}
	l.cfg = c
	return nil
}

func (l *Listener) saveLocked(c ListenerConfig) error {
	if !l.persist {
		return nil
	}
	return saveListenerConfig(filepath.Join(l.dir, listenerConfigFile), c)
}

// Start binds the configured address and serves until Stop, and remembers
// that the user turned the listener on. Starting a running listener does
// nothing.
func (l *Listener) Start(ctx context.Context) error {
	st, err := l.start(ctx)
	if err != nil {
		l.emit(ListenerEvent{Kind: ListenerFailed, Err: err})
		return err
	}
	if st != nil {
		l.emit(ListenerEvent{Kind: ListenerStarted, Status: st})
	}
	return nil
}

func (l *Listener) start(ctx context.Context) (*ListenerStatus, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.run != nil {
		return nil, nil
	}
	cfg := l.cfg.clone()
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	run, err := l.serve(ctx, cfg)
	if err != nil {
		l.lastErr = err
		return nil, err
	}
	l.run, l.lastErr = run, nil
	if !l.cfg.Enabled {
		l.cfg.Enabled = true
		if err := l.saveLocked(l.cfg); err != nil {
			l.app.log.Warn("listener: could not remember that it is on", "err", err)
		}
	}
	st := l.statusLocked()
	return &st, nil
}

// serve builds the server for cfg, binds and starts serving.
func (l *Listener) serve(ctx context.Context, cfg ListenerConfig) (*listenerRun, error) {
	run := &listenerRun{cfg: cfg, scheme: "http", done: make(chan struct{}), access: newAccessControl(cfg)}
	var tlsCfg *tls.Config
	if mode := cfg.tlsMode(); mode != TLSOff {
		cert, err := l.certificate(cfg)
		if err != nil {
			return nil, err
		}
		run.scheme, run.fingerprint = "https", certFingerprint(cert)
		tlsCfg = &tls.Config{
			Certificates: []tls.Certificate{cert},
			MinVersion:   tls.VersionTLS12,
			// Any client certificate is asked for and checked by its
			// fingerprint (CredentialAuth); none is required.
			ClientAuth: tls.RequestClientCert,
		}
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", cfg.addr())
	if err != nil {
		return nil, fmt.Errorf("app: the listener cannot bind %s: %w (is another program using the port? choose another address)", cfg.addr(), err)
	}
	run.addr = ln.Addr().String()
	ln = netutil.LimitListener(ln, cfg.maxConns())
	if tlsCfg != nil {
		ln = tls.NewListener(ln, tlsCfg)
	}
	header, read, write, idle := cfg.timeouts()
	run.srv = &http.Server{
		Handler:           l.handler(run),
		ReadHeaderTimeout: header,
		ReadTimeout:       read,
		WriteTimeout:      write,
		IdleTimeout:       idle,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(l.app.log.Handler(), slog.LevelDebug), // TLS handshake noise
		BaseContext:       func(net.Listener) context.Context { return l.app.ctx },
	}
	run.started = l.app.clock.Now()
	go func() {
		defer close(run.done)
		err := run.srv.Serve(ln)
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			l.mu.Lock()
			l.lastErr = err
			if l.run == run {
				l.run = nil
			}
			l.mu.Unlock()
			l.emit(ListenerEvent{Kind: ListenerFailed, Err: fmt.Errorf("app: the listener stopped: %w", err)})
		}
	}()
	return run, nil
}

func (l *Listener) certificate(cfg ListenerConfig) (tls.Certificate, error) {
	if cfg.tlsMode() == TLSFiles {
		cert, err := tls.LoadX509KeyPair(cfg.CertFile, cfg.KeyFile)
		if err != nil {
			return cert, fmt.Errorf("app: load the listener's certificate %s and key %s: %w", cfg.CertFile, cfg.KeyFile, err)
		}
		return withLeaf(cert)
	}
	host, _, _ := net.SplitHostPort(cfg.addr())
	if cfg.AdvertiseURL != "" {
		if u, err := url.Parse(cfg.AdvertiseURL); err == nil {
			host = u.Hostname()
		}
	}
	return selfSigned(l.dir, host)
}

// handler routes the two services.
func (l *Listener) handler(run *listenerRun) http.Handler {
	cfg := run.cfg
	auth := run.access.authenticator()
	var bindings []taxii.ContentBinding
	for _, b := range cfg.Bindings {
		bindings = append(bindings, taxii.ContentBinding{ID: b})
	}
	perMin, burst := cfg.rate()
	inbox := &taxii.InboxHandler{
		Receiver:           taxii.ReceiverFunc(l.receive),
		Authenticator:      auth,
		Destinations:       append([]string(nil), cfg.Collections...),
		RequireDestination: cfg.RequireDestination,
		ContentBindings:    bindings,
		MaxBytes:           cfg.maxBytes(),
		OnEvent:            l.onRequest,
	}
	if perMin > 0 {
		inbox.RateLimiter = &taxii.TokenBucket{PerMinute: perMin, Burst: burst}
	}
	disc := &taxii.DiscoveryHandler{
		ContentBindings: bindings,
		Authenticator:   auth,
		OnEvent:         l.onRequest,
	}
	if cfg.AdvertiseURL != "" {
		base := advertisedBase(cfg.AdvertiseURL)
		disc.InboxAddress, disc.Address = base+taxii.DefaultInboxPath, base+taxii.DefaultDiscoveryPath
	}
	if len(cfg.Collections) > 0 {
		disc.InboxMessage = "Destination collections: " + strings.Join(cfg.Collections, ", ")
	}
	mux := http.NewServeMux()
	mux.Handle(taxii.DefaultInboxPath, inbox)
	mux.Handle(taxii.DefaultDiscoveryPath, disc)
	return mux
}

// advertisedBase is scheme://host[:port] of an advertised URL (a path, as
// in a pasted discovery URL, is dropped).
func advertisedBase(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return strings.TrimRight(raw, "/")
	}
	return u.Scheme + "://" + u.Host
}

// Stop shuts the listener down, letting requests in progress finish until
// ctx ends (then their connections are closed; a receipt whose commit had
// not finished was not answered SUCCESS), and remembers that the user
// turned it off.
func (l *Listener) Stop(ctx context.Context) error {
	return l.stop(ctx, true)
}

// Close stops the listener when the application exits, keeping the
// setting that it is on, so Resume starts it again next time.
func (l *Listener) Close(ctx context.Context) error {
	return l.stop(ctx, false)
}

func (l *Listener) stop(ctx context.Context, disable bool) error {
	l.mu.Lock()
	run := l.run
	l.run = nil
	if disable && l.cfg.Enabled {
		l.cfg.Enabled = false
		if err := l.saveLocked(l.cfg); err != nil {
			l.app.log.Warn("listener: could not remember that it is off", "err", err)
		}
	}
	l.mu.Unlock()
	if run == nil {
		return nil
	}
	err := run.srv.Shutdown(ctx)
	if err != nil {
		_ = run.srv.Close()
		err = fmt.Errorf("app: the listener did not stop in time; open connections were closed: %w", err)
	}
	<-run.done
	st := l.Status()
	l.emit(ListenerEvent{Kind: ListenerStopped, Status: &st, Err: err})
	return err
}

// Restart stops the listener and starts it with the current settings.
func (l *Listener) Restart(ctx context.Context) error {
	if err := l.stop(ctx, false); err != nil {
		return err
	}
	return l.Start(ctx)
}

// Resume starts the listener if the user left it on. Call it when the
// application starts.
func (l *Listener) Resume(ctx context.Context) error {
	l.mu.Lock()
	on := l.cfg.Enabled
	l.mu.Unlock()
	if !on {
		return nil
	}
	return l.Start(ctx)
}

// ListenerStatus is the listener's state, for the GUI and the log.
type ListenerStatus struct {
	Running bool   `json:"running"`
	Addr    string `json:"addr,omitempty"` // bound host:port
	// URL is the discovery URL to give partners; InboxURL the inbox's.
	URL      string `json:"url,omitempty"`
	InboxURL string `json:"inbox_url,omitempty"`
	TLS      string `json:"tls"`
	// Fingerprint is the SHA-256 fingerprint of the server certificate
	// (HTTPS only), in the format partners pin.
	Fingerprint string    `json:"fingerprint,omitempty"`
	Since       time.Time `json:"since,omitzero"`
	Messages    int64     `json:"messages"` // stored since the listener was built
	Blocks      int64     `json:"blocks"`
	// Warnings are things the user should know (e.g. passwords over plain
	// HTTP on a network address).
	Warnings []string `json:"warnings,omitempty"`
	Err      error    `json:"-"` // why the last start or the server failed
}

// Status returns the listener's state.
func (l *Listener) Status() ListenerStatus {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.statusLocked()
}

func (l *Listener) statusLocked() ListenerStatus {
	st := ListenerStatus{TLS: l.cfg.tlsMode(), Messages: l.messages.Load(), Blocks: l.blocks.Load(), Err: l.lastErr}
	run := l.run
	if run == nil {
		return st
	}
	st.Running, st.Addr, st.TLS, st.Fingerprint, st.Since = true, run.addr, run.cfg.tlsMode(), run.fingerprint, run.started
	base := run.scheme + "://" + run.addr
	if run.cfg.AdvertiseURL != "" {
		base = advertisedBase(run.cfg.AdvertiseURL)
	} else if host, _, _ := net.SplitHostPort(run.addr); net.ParseIP(host) != nil && net.ParseIP(host).IsUnspecified() {
		st.Warnings = append(st.Warnings, "the listener binds every interface; set the advertised URL to the address partners use")
	}
	st.URL, st.InboxURL = base+taxii.DefaultDiscoveryPath, base+taxii.DefaultInboxPath
	if run.scheme == "http" && !IsLoopback(run.addr) && len(run.cfg.Accounts) > 0 {
		st.Warnings = append(st.Warnings, "passwords travel unencrypted over plain HTTP; switch TLS on")
	}
	return st
}

// InboxURL is the inbox address partners push to (advertised URL, else the
// bound address), or "" when the listener is not running and has no
// advertised URL.
func (l *Listener) InboxURL() string {
	st := l.Status()
	if st.InboxURL != "" {
		return st.InboxURL
	}
	c := l.Config()
	if c.AdvertiseURL != "" {
		return advertisedBase(c.AdvertiseURL) + taxii.DefaultInboxPath
	}
	return ""
}

// SubscribeCollection subscribes to a collection of a server profile with
// push parameters pointing at this listener (its advertised address), so
// the server pushes new content here; it lands in the review queue routed
// to server/collection. o.InboxAddress, when set, wins.
func (l *Listener) SubscribeCollection(ctx context.Context, server, collection string, o SubscribeOptions) (SubscriptionRecord, error) {
	if o.InboxAddress == "" {
		o.InboxAddress = l.InboxURL()
		if o.InboxAddress == "" {
			return SubscriptionRecord{}, errors.New("app: the listener is off and has no advertised URL: start it (or set the URL partners reach it at) before subscribing with push")
		}
	}
	if !l.Status().Running {
		l.app.log.Warn("listener: subscribing with push while the listener is off; content pushed before it starts is lost to the sender's retries", "server", server)
	}
	return l.app.SubscribeCollection(ctx, server, collection, o)
}
