package taxiitest

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/taxii-workstation/taxii-workstation/taxii"
)

// Service paths of the fake server.
const (
	PathDiscovery     = "/taxii-discovery-service"
	PathCollections   = "/collection-management"
	PathPoll          = "/poll"
	PathInbox         = "/inbox"
	PathSubscriptions = "/subscriptions"
	PathLogin         = "/auth"
)

// Options configure a Server.
type Options struct {
	// TLS, when set, serves HTTPS with it (see PKI.ServerTLS).
	TLS *tls.Config
	// Auth says which credentials every TAXII request must carry.
	Auth Auth
	// AdvertiseBase replaces the server's own base URL in the discovery
	// answer, e.g. "http://localhost:9000" to imitate a server that
	// advertises an address unusable from the client.
	AdvertiseBase string
	// Replay records each encoded poll part the first time it is sent and
	// replays the recorded bytes for the same part later (message ids and
	// result_id included), so benchmarks measure the client, not the
	// server's encoder. The recording stays in memory: use it for small
	// collections polled many times.
	Replay bool
	// InboxBindings, when set, are the content bindings the inbox accepts
	// (advertised in discovery and enforced: others get UNSUPPORTED_CONTENT).
	InboxBindings []string
}

// Auth lists required credentials; all that are set must be present.
type Auth struct {
	Username, Password string            // HTTP basic
	ClientCert         bool              // a client certificate verified by the server's TLS config
	JWT                *JWT              // a bearer token from a login at PathLogin
	Headers            map[string]string // e.g. an API key header
	// HTTP401 answers missing credentials with HTTP 401 and an HTML page
	// instead of a TAXII UNAUTHORIZED Status Message.
	HTTP401 bool
}

// JWT is the login the server accepts at PathLogin.
type JWT struct{ Username, Password string }

// Server is a running fake TAXII server.
type Server struct {
	// URL is the base URL, e.g. http://127.0.0.1:41234.
	URL string

	opts Options
	hs   *httptest.Server
	stop chan struct{}

	mu            sync.Mutex
	collections   map[string]*Collection
	order         []string
	script        []Step
	requests      []Request
	inbox         []*taxii.InboxMessage
	subscriptions []*SubscriptionRecord
	results       map[string]*result
	recorded      map[string][]byte
	tokens        map[string]bool
	logins        int
	nextID        int
}

// New starts a server on 127.0.0.1. Close it when done.
func New(opts Options) *Server {
	s := &Server{opts: opts, stop: make(chan struct{}), collections: map[string]*Collection{},
		results: map[string]*result{}, recorded: map[string][]byte{}, tokens: map[string]bool{}}
	s.hs = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	s.hs.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected in tests
	if opts.TLS != nil {
		cfg := opts.TLS.Clone()
		if opts.Auth.ClientCert && cfg.ClientAuth == tls.NoClientCert {
			cfg.ClientAuth = tls.VerifyClientCertIfGiven
		}
		s.hs.TLS = cfg
		s.hs.StartTLS()
	} else {
		s.hs.Start()
	}
	s.URL = s.hs.URL
	return s
}

// Close stops the server, releasing stalled requests first.
func (s *Server) Close() {
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	s.hs.CloseClientConnections()
	s.hs.Close()
}

// DiscoveryURL and the other methods return the address of each service.
func (s *Server) DiscoveryURL() string { return s.URL + PathDiscovery }

// CollectionsURL is the collection management service address.
func (s *Server) CollectionsURL() string { return s.URL + PathCollections }

// PollURL is the poll service address.
func (s *Server) PollURL() string { return s.URL + PathPoll }

// InboxURL is the inbox service address.
func (s *Server) InboxURL() string { return s.URL + PathInbox }

// SubscriptionsURL is the subscription management address (the collection
// management service; this server serves it on its own path as well).
func (s *Server) SubscriptionsURL() string { return s.URL + PathSubscriptions }

// LoginURL is the JWT token URL.
func (s *Server) LoginURL() string { return s.URL + PathLogin }

// Request records one request the server received.
type Request struct {
	Path      string
	Kind      string // message type, e.g. "PollRequest", or "login"
	MessageID string
	Version   taxii.Version
	Header    http.Header
	Message   taxii.Message // nil when the body was not a TAXII message
}

// Requests returns every request received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Count returns how many requests of a kind ("InboxMessage", "PollRequest",
// "PollFulfillmentRequest", ...) the server received; "" counts all.
func (s *Server) Count(kind string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if kind == "" || r.Kind == kind {
			n++
		}
	}
	return n
}

// Logins returns how many JWT logins succeeded.
func (s *Server) Logins() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logins
}

// ExpireTokens invalidates every JWT issued so far, so the next request gets
// UNAUTHORIZED and the client must log in again.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

func (s *Server) newID(prefix string) string {
	s.nextID++
	return fmt.Sprintf("%s-%d", prefix, s.nextID)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == PathLogin {
		s.login(w, r)
		return
	}
	if r.Method != http.MethodPost {
		writeHTML(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 8<<20))
	if err != nil {
		writeHTML(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return
	}
	msg, derr := taxii.Unmarshal(body)
	rec := Request{Path: r.URL.Path, Header: r.Header.Clone(), Message: msg}
	if msg != nil {
		rec.Kind, rec.MessageID, rec.Version = kindOf(msg), msg.ID(), msg.TAXIIVersion()
	}
	s.mu.Lock()
	s.requests = append(s.requests, rec)
	step, scripted := s.takeStep(rec.Kind)
	s.mu.Unlock()

	if scripted && step.before() {
		s.misbehave(w, r, step, nil)
		return
	}
	if derr != nil {
		s.reply(w, r, step, scripted, status(taxii.V11, "0", taxii.StatusBadMessage, "cannot read the message: "+derr.Error()))
		return
	}
	if reply := s.checkAuth(r, msg); reply != nil {
		if s.opts.Auth.HTTP401 {
			writeHTML(w, http.StatusUnauthorized, "401 Authorization Required")
			return
		}
		s.reply(w, r, step, false, reply)
		return
	}
	if scripted && step.Status != "" {
		sm := status(msg.TAXIIVersion(), msg.ID(), step.Status, step.Message)
		for k, vs := range step.Details {
			sm.AddDetail(k, vs...)
		}
		s.reply(w, r, Step{}, false, sm)
		return
	}
	s.reply(w, r, step, scripted, s.handle(r, msg))
}

// reply writes m, or misbehaves with it when a scripted fault applies.
func (s *Server) reply(w http.ResponseWriter, r *http.Request, step Step, scripted bool, m taxii.Message) {
	if scripted && step.Fault != None {
		s.misbehave(w, r, step, m)
		return
	}
	key := s.replayKey(m)
	if key != "" {
		s.mu.Lock()
		b := s.recorded[key]
		s.mu.Unlock()
		if b != nil {
			writeTAXII(w, m.TAXIIVersion(), r.TLS != nil, b)
			return
		}
	}
	b, err := taxii.Marshal(m)
	if err != nil {
		writeHTML(w, http.StatusInternalServerError, "taxiitest: cannot encode reply: "+err.Error())
		return
	}
	if key != "" {
		s.mu.Lock()
		s.recorded[key] = b
		s.mu.Unlock()
	}
	writeTAXII(w, m.TAXIIVersion(), r.TLS != nil, b)
}

// replayKey identifies a poll part by its content, for Options.Replay.
func (s *Server) replayKey(m taxii.Message) string {
	pr, ok := m.(*taxii.PollResponse)
	if !s.opts.Replay || !ok || len(pr.ContentBlocks) == 0 || pr.ContentBlocks[0].TimestampLabel == nil {
		return ""
	}
	return fmt.Sprintf("%v|%s|%s|%d|%d|%v", pr.Version, pr.CollectionName, pr.ContentBlocks[0].TimestampLabel, len(pr.ContentBlocks), pr.ResultPartNumber, pr.More)
}

func writeTAXII(w http.ResponseWriter, v taxii.Version, https bool, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("X-TAXII-Content-Type", v.MessageBinding())
	h.Set("X-TAXII-Services", v.Services())
	if https {
		h.Set("X-TAXII-Protocol", taxii.ProtocolHTTPS)
	} else {
		h.Set("X-TAXII-Protocol", taxii.ProtocolHTTP)
	}
	h.Set("Content-Length", fmt.Sprint(len(b)))
	_, _ = w.Write(b)
}

func writeHTML(w http.ResponseWriter, code int, title string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	fmt.Fprintf(w, "<!DOCTYPE html>\n<html><head><title>%s</title></head><body><h1>%s</h1><p>taxiitest</p></body></html>\n", title, title)
}

func status(v taxii.Version, inResponseTo string, t taxii.StatusType, msg string) *taxii.StatusMessage {
	if inResponseTo == "" {
		inResponseTo = "0"
	}
	return &taxii.StatusMessage{Version: v, InResponseTo: inResponseTo, Type: t, Message: msg}
}

// checkAuth returns an UNAUTHORIZED status when required credentials are missing.
func (s *Server) checkAuth(r *http.Request, msg taxii.Message) *taxii.StatusMessage {
	a := s.opts.Auth
	deny := func(why string) *taxii.StatusMessage {
		// Real servers often answer in_response_to="0" here.
		return status(msg.TAXIIVersion(), "0", taxii.StatusUnauthorized, why)
	}
	if a.Username != "" {
		u, p, ok := r.BasicAuth()
		if !ok || u != a.Username || p != a.Password {
			return deny("basic authentication required")
		}
	}
	if a.ClientCert && (r.TLS == nil || len(r.TLS.VerifiedChains) == 0) {
		return deny("a client certificate is required")
	}
	for k, v := range a.Headers {
		if r.Header.Get(k) != v {
			return deny("header " + k + " missing or wrong")
		}
	}
	if a.JWT != nil {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.mu.Lock()
		valid := ok && s.tokens[tok]
		s.mu.Unlock()
		if !valid {
			return deny("token missing or expired")
		}
	}
	return nil
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var cred struct{ Username, Password string }
	_ = json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&cred)
	j := s.opts.Auth.JWT
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{Path: r.URL.Path, Kind: "login", Header: r.Header.Clone()})
	if j == nil || cred.Username != j.Username || cred.Password != j.Password {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"error": "invalid credentials"}`)
		return
	}
	s.logins++
	tok := s.newID("token")
	s.tokens[tok] = true
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"token": tok})
}

func kindOf(m taxii.Message) string {
	s := fmt.Sprintf("%T", m)
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		s = s[i+1:]
	}
	return s
}

// wait blocks for d, or until the request or the server ends.
func (s *Server) wait(r *http.Request, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	case <-s.stop:
	}
}
