package taxii

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Default service paths, as the listener serves them.
const (
	DefaultDiscoveryPath = "/services/discovery"
	DefaultInboxPath     = "/services/inbox"
)

// DiscoveryHandler is the TAXII Discovery service as an http.Handler. It
// answers a Discovery_Request, in the request's version, with the inbox
// and itself, each offered for TAXII 1.1 and 1.0 (one Service_Instance per
// services version, since a service instance speaks one). Like
// InboxHandler it checks the method, the headers and the size, refuses
// other messages with BAD_MESSAGE, and asks the Authenticator when set.
//
// Addresses: partners must be told the address they can reach, which the
// server cannot know behind NAT or a proxy (real servers advertise
// localhost:9000 to the world). Set InboxAddress and Address to the URLs
// partners use. When empty, they are built from the request: its scheme
// (https when r.TLS is set), its Host header and the path (InboxPath, or
// the request's own path); that is right whenever partners reach this
// server directly. The protocol binding of each instance follows its
// address's scheme.
type DiscoveryHandler struct {
	// InboxAddress is the inbox URL partners use; "" derives it from the
	// request and InboxPath.
	InboxAddress string
	// InboxPath is the inbox path used when InboxAddress is empty;
	// "" means DefaultInboxPath.
	InboxPath string
	// Address is this discovery service's URL as partners use it; "" means
	// the URL of the request.
	Address string
	// ContentBindings the inbox accepts (InboxHandler.ContentBindings);
	// empty advertises that it accepts all.
	ContentBindings []ContentBinding
	// InboxMessage, when set, is the inbox instance's Message, e.g. which
	// destination collections exist.
	InboxMessage string
	// Authenticator, when set, must accept the requester; nil answers anyone.
	Authenticator Authenticator
	// OnEvent, when set, receives an event per request (see
	// InboxHandler.OnEvent); Blocks is always 0.
	OnEvent func(ServerEvent)
}

// ServeHTTP implements http.Handler.
func (h *DiscoveryHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ev := ServerEvent{Service: ServiceDiscovery, Time: time.Now(), Sender: senderOf(r), Version: requestVersion(r.Header)}
	rp := h.serve(w, r, &ev)
	writeReply(w, r, ev.Version, ev.MessageID, rp)
	if h.OnEvent != nil {
		ev.HTTPStatus = rp.code
		if ev.HTTPStatus == 0 {
			ev.HTTPStatus = http.StatusOK
		}
		if rp.status != nil {
			ev.Status, ev.Message, ev.Err = statusMessage(ev.Version, "", rp.status).Type, rp.status.Message, rp.status.Err
		}
		ev.Duration = time.Since(ev.Time)
		h.OnEvent(ev)
	}
}

func (h *DiscoveryHandler) serve(w http.ResponseWriter, r *http.Request, ev *ServerEvent) reply {
	if r.Method != http.MethodPost {
		return reply{code: http.StatusMethodNotAllowed, status: refuse(StatusBadMessage, nil,
			"method %s is not allowed: TAXII messages are sent with POST", r.Method)}
	}
	if rf := authenticate(h.Authenticator, r, &ev.Sender); rf != nil {
		return reply{status: rf}
	}
	if rf := checkHeaders(r.Header); rf != nil {
		return reply{status: rf}
	}
	body, err := readBody(w, r, maxRequestBytes)
	if err != nil {
		code, rf := bodyRefusal(err, maxRequestBytes)
		return reply{code: code, status: rf}
	}
	ev.Bytes = int64(len(body))
	msg, err := Decoder{MaxBytes: maxRequestBytes}.Unmarshal(body)
	if err != nil {
		return reply{status: decodeRefusal(err)}
	}
	ev.Version, ev.MessageID = msg.TAXIIVersion(), msg.ID()
	if _, ok := msg.(*DiscoveryRequest); !ok {
		return reply{status: refuse(StatusBadMessage, nil,
			"this is a Discovery service: it accepts Discovery_Request only, not %s", kindOf(msg))}
	}
	return reply{msg: &DiscoveryResponse{Version: ev.Version, InResponseTo: msg.ID(), Services: h.Services(r, ev.Version)}}
}

// Services returns the service instances the handler advertises in answer
// to r, written in version v: the inbox and the discovery service, for
// TAXII 1.1 and then 1.0.
func (h *DiscoveryHandler) Services(r *http.Request, v Version) []ServiceInstance {
	inbox := h.InboxAddress
	if inbox == "" {
		p := h.InboxPath
		if p == "" {
			p = DefaultInboxPath
		}
		inbox = requestBase(r) + p
	}
	self := h.Address
	if self == "" {
		self = requestBase(r) + r.URL.Path
	}
	var out []ServiceInstance
	for _, sv := range []Version{V11, V10} {
		cbs := h.ContentBindings
		if sv == V10 || v == V10 {
			cbs = withoutSubtypes(cbs)
		}
		out = append(out, ServiceInstance{
			Type: ServiceInbox, ServiceVersion: sv.Services(), Available: ptr(true),
			ProtocolBinding: protocolOf(inbox), Address: inbox, MessageBindings: []string{sv.MessageBinding()},
			ContentBindings: cbs, Message: h.InboxMessage,
		})
		out = append(out, ServiceInstance{
			Type: ServiceDiscovery, ServiceVersion: sv.Services(), Available: ptr(true),
			ProtocolBinding: protocolOf(self), Address: self, MessageBindings: []string{sv.MessageBinding()},
		})
	}
	return out
}

// withoutSubtypes adapts the accepted content bindings to TAXII 1.0, which
// has no subtypes: a binding is listed by its ID alone (a 1.0 sender cannot
// claim a subtype, and the inbox accepts blocks that claim none).
func withoutSubtypes(cbs []ContentBinding) []ContentBinding {
	if len(cbs) == 0 {
		return nil
	}
	out := make([]ContentBinding, 0, len(cbs))
	for _, cb := range cbs {
		out = append(out, ContentBinding{ID: cb.ID})
	}
	return out
}

// requestBase is scheme://host of r as the client addressed it.
func requestBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func protocolOf(address string) string {
	if u, err := url.Parse(address); err == nil && strings.EqualFold(u.Scheme, "https") {
		return ProtocolHTTPS
	}
	return ProtocolHTTP
}

func ptr[T any](v T) *T { return &v }
