package taxiitest

import (
	"fmt"
	"net/http"
	"time"

	"github.com/taxii-workstation/taxii-workstation/taxii"
)

// Fault is a way to misbehave.
type Fault int

// Faults a Step can script.
const (
	None Fault = iota
	// HTMLError answers HTTP 500 with an HTML error page (Step.HTTPStatus overrides the code).
	HTMLError
	// ProxyLogin answers HTTP 200 with an HTML login page, as a captive proxy does.
	ProxyLogin
	// WrongContentType answers HTTP 200 with a JSON body, not a TAXII message.
	WrongContentType
	// PlainHTTP answers Step.HTTPStatus (default 406) with a plain-text body.
	PlainHTTP
	// Truncate sends the real reply cut in half, the connection closed short
	// of the announced Content-Length.
	Truncate
	// TruncateClean sends the first half of the real reply as if complete,
	// as a proxy that cuts long replies does.
	TruncateClean
	// Drop closes the connection without any reply.
	Drop
	// Stall waits Step.Stall (default: until the client gives up or the
	// server closes) before doing anything.
	Stall
	// StallBody sends the headers and half of the real reply, then stalls
	// like Stall, as a server that hangs mid-transfer.
	StallBody
	// Raw answers with Step.Body, Step.ContentType and Step.HTTPStatus, e.g. a
	// recorded reply from testdata.
	Raw
)

// Step scripts the reply to one future request. Steps are used in order;
// each applies to the next request whose kind matches.
type Step struct {
	// Kind restricts the step to a message type ("InboxMessage",
	// "PollFulfillmentRequest", ...); empty matches any request.
	Kind string

	// Status, when set, answers with a Status Message of this type, with
	// Details and Message (after authentication passed).
	Status  taxii.StatusType
	Details map[string][]string
	Message string

	// Fault, when set, misbehaves instead (or on top of the real reply:
	// Truncate and TruncateClean cut it).
	Fault       Fault
	HTTPStatus  int
	Stall       time.Duration
	Body        []byte
	ContentType string
}

// Script queues steps; see Step.
func (s *Server) Script(steps ...Step) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, steps...)
}

// NextStatus makes the next request (of any kind) get a Status Message.
func (s *Server) NextStatus(t taxii.StatusType, details map[string][]string, message string) {
	s.Script(Step{Status: t, Details: details, Message: message})
}

// Pending returns how many scripted steps are still unused.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.script)
}

// takeStep removes and returns the first step matching kind. Callers hold s.mu.
func (s *Server) takeStep(kind string) (Step, bool) {
	for i, st := range s.script {
		if st.Kind == "" || st.Kind == kind {
			s.script = append(s.script[:i:i], s.script[i+1:]...)
			return st, true
		}
	}
	return Step{}, false
}

// before reports whether the fault happens before the request is handled.
func (st Step) before() bool {
	switch st.Fault {
	case HTMLError, ProxyLogin, WrongContentType, PlainHTTP, Drop, Stall, Raw:
		return true
	}
	return false
}

func (s *Server) misbehave(w http.ResponseWriter, r *http.Request, st Step, m taxii.Message) {
	code := st.HTTPStatus
	switch st.Fault {
	case HTMLError:
		if code == 0 {
			code = http.StatusInternalServerError
		}
		writeHTML(w, code, fmt.Sprintf("%d %s", code, http.StatusText(code)))
	case ProxyLogin:
		w.Header().Set("Content-Type", "text/html")
		_, _ = fmt.Fprint(w, `<html><head><title>Proxy login</title></head><body><form method="post" action="/login">User <input name="u"> Password <input type="password" name="p"></form></body></html>`)
	case WrongContentType:
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprint(w, `{"error": "this is not TAXII"}`)
	case PlainHTTP:
		if code == 0 {
			code = http.StatusNotAcceptable
		}
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(code)
		_, _ = fmt.Fprintln(w, "Accept header must be application/xml")
	case Drop:
		hj, ok := w.(http.Hijacker)
		if !ok {
			panic(http.ErrAbortHandler) // HTTP/2: abort the stream
		}
		conn, _, err := hj.Hijack()
		if err == nil {
			_ = conn.Close()
		}
	case Stall:
		d := st.Stall
		if d <= 0 {
			d = time.Hour
		}
		s.wait(r, d)
	case Raw:
		if st.ContentType != "" {
			w.Header().Set("Content-Type", st.ContentType)
		}
		if code == 0 {
			code = http.StatusOK
		}
		w.WriteHeader(code)
		_, _ = w.Write(st.Body)
	case StallBody:
		b, err := taxii.Marshal(m)
		if err != nil {
			writeHTML(w, http.StatusInternalServerError, err.Error())
			return
		}
		w.Header().Set("Content-Type", "application/xml")
		w.Header().Set("X-TAXII-Content-Type", m.TAXIIVersion().MessageBinding())
		w.Header().Set("Content-Length", fmt.Sprint(len(b)))
		_, _ = w.Write(b[:len(b)/2])
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		d := st.Stall
		if d <= 0 {
			d = time.Hour
		}
		s.wait(r, d)
		panic(http.ErrAbortHandler)
	case Truncate, TruncateClean:
		b, err := taxii.Marshal(m)
		if err != nil {
			writeHTML(w, http.StatusInternalServerError, err.Error())
			return
		}
		half := b[:len(b)/2]
		if st.Fault == TruncateClean {
			writeTAXII(w, m.TAXIIVersion(), r.TLS != nil, half)
			return
		}
		w.Header().Set("Content-Type", "application/xml")
		w.Header().Set("X-TAXII-Content-Type", m.TAXIIVersion().MessageBinding())
		w.Header().Set("Content-Length", fmt.Sprint(len(b)))
		_, _ = w.Write(half)
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		panic(http.ErrAbortHandler) // close the connection short of Content-Length
	}
}
