package taxiitest

import (
	"net/http"
	"slices"
	"strings"

	"github.com/taxii-workstation/taxii-workstation/taxii"
)

// handle answers a well-formed, authenticated request.
func (s *Server) handle(r *http.Request, msg taxii.Message) taxii.Message {
	v, id := msg.TAXIIVersion(), msg.ID()
	switch m := msg.(type) {
	case *taxii.DiscoveryRequest:
		return &taxii.DiscoveryResponse{Version: v, InResponseTo: id, Services: s.services(r, v)}
	case *taxii.CollectionInformationRequest:
		return &taxii.CollectionInformationResponse{Version: v, InResponseTo: id, Collections: s.collectionRecords(r, v)}
	case *taxii.PollRequest:
		return s.poll(m)
	case *taxii.PollFulfillmentRequest:
		return s.fulfil(m)
	case *taxii.InboxMessage:
		return s.receive(m)
	case *taxii.ManageCollectionSubscriptionRequest:
		return s.subscription(r, m)
	default:
		return status(v, id, taxii.StatusUnsupportedMessage, "this server does not handle "+kindOf(msg))
	}
}

func (s *Server) base(r *http.Request) string {
	if s.opts.AdvertiseBase != "" {
		return strings.TrimRight(s.opts.AdvertiseBase, "/")
	}
	return s.URL
}

func (s *Server) protocol(r *http.Request) string {
	if r.TLS != nil {
		return taxii.ProtocolHTTPS
	}
	return taxii.ProtocolHTTP
}

func (s *Server) services(r *http.Request, v taxii.Version) []taxii.ServiceInstance {
	yes := true
	mb := []string{taxii.BindingXML11, taxii.BindingXML10}
	svc := func(t taxii.ServiceType, path string) taxii.ServiceInstance {
		return taxii.ServiceInstance{Type: t, ServiceVersion: v.Services(), Available: &yes, ProtocolBinding: s.protocol(r), Address: s.base(r) + path, MessageBindings: mb}
	}
	inbox := svc(taxii.ServiceInbox, PathInbox)
	for _, b := range s.opts.InboxBindings {
		inbox.ContentBindings = append(inbox.ContentBindings, taxii.ContentBinding{ID: b})
	}
	return []taxii.ServiceInstance{
		svc(taxii.ServiceDiscovery, PathDiscovery),
		svc(taxii.ServiceCollectionManagement, PathCollections),
		svc(taxii.ServicePoll, PathPoll),
		inbox,
	}
}

func (s *Server) collectionRecords(r *http.Request, v taxii.Version) []taxii.Collection {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []taxii.Collection
	yes := true
	for _, name := range s.order {
		c := s.collections[name]
		rec := taxii.Collection{
			Name: c.Name, Available: &yes, Description: c.Description,
			ContentBindings: []taxii.ContentBinding{{ID: c.binding()}},
			PollingServices: []taxii.ServiceContact{{ProtocolBinding: s.protocol(r), Address: s.base(r) + PathPoll, MessageBindings: []string{v.MessageBinding()}}},
			SubscriptionServices: []taxii.ServiceContact{{ProtocolBinding: s.protocol(r), Address: s.base(r) + PathSubscriptions,
				MessageBindings: []string{v.MessageBinding()}}},
		}
		if v == taxii.V11 {
			rec.Type = c.Type
			if rec.Type == "" {
				rec.Type = taxii.DataFeed
			}
			rec.ReceivingInboxServices = []taxii.InboxService{{ProtocolBinding: s.protocol(r), Address: s.base(r) + PathInbox, MessageBindings: []string{v.MessageBinding()}}}
		}
		out = append(out, rec)
	}
	return out
}

// receive records an Inbox message and answers SUCCESS.
func (s *Server) receive(m *taxii.InboxMessage) taxii.Message {
	if len(s.opts.InboxBindings) > 0 {
		for _, b := range m.ContentBlocks {
			if !slices.Contains(s.opts.InboxBindings, b.Binding.ID) {
				sm := status(m.Version, m.MessageID, taxii.StatusUnsupportedContent, "content binding "+b.Binding.ID+" is not accepted")
				sm.AddDetail("SUPPORTED_CONTENT", s.opts.InboxBindings...)
				return sm
			}
		}
	}
	s.mu.Lock()
	s.inbox = append(s.inbox, m)
	s.mu.Unlock()
	return status(m.Version, m.MessageID, taxii.StatusSuccess, "")
}

// Inbox returns the Inbox messages received (and accepted) so far.
func (s *Server) Inbox() []*taxii.InboxMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*taxii.InboxMessage(nil), s.inbox...)
}

// SubscriptionRecord is a subscription the server holds.
type SubscriptionRecord struct {
	ID         string
	Collection string
	Status     taxii.SubscriptionStatus
	Push       *taxii.PushParameters
	Parameters *taxii.SubscriptionParameters
}

// Subscriptions returns every subscription created so far, in their
// current state.
func (s *Server) Subscriptions() []SubscriptionRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]SubscriptionRecord, len(s.subscriptions))
	for i, r := range s.subscriptions {
		out[i] = *r
	}
	return out
}

func (s *Server) subscription(r *http.Request, m *taxii.ManageCollectionSubscriptionRequest) taxii.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, id := m.Version, m.MessageID
	if _, ok := s.collections[m.CollectionName]; !ok {
		sm := status(v, id, taxii.StatusNotFound, "no collection "+m.CollectionName)
		sm.AddDetail("ITEM", m.CollectionName)
		return sm
	}
	res := &taxii.ManageCollectionSubscriptionResponse{Version: v, InResponseTo: id, CollectionName: m.CollectionName}
	find := func() *SubscriptionRecord {
		for _, rec := range s.subscriptions {
			if rec.ID == m.SubscriptionID && rec.Collection == m.CollectionName {
				return rec
			}
		}
		return nil
	}
	record := func(rec *SubscriptionRecord) taxii.Subscription {
		sub := taxii.Subscription{SubscriptionID: rec.ID, Push: rec.Push}
		if v == taxii.V11 {
			sub.Status, sub.Parameters = rec.Status, rec.Parameters
			if sub.Parameters == nil {
				sub.Parameters = &taxii.SubscriptionParameters{}
			}
			sub.PollInstances = []taxii.ServiceContact{{ProtocolBinding: s.protocol(r), Address: s.base(r) + PathPoll, MessageBindings: []string{v.MessageBinding()}}}
		}
		return sub
	}
	notFound := func() taxii.Message {
		sm := status(v, id, taxii.StatusNotFound, "no subscription "+m.SubscriptionID)
		sm.AddDetail("ITEM", m.SubscriptionID)
		return sm
	}
	switch m.Action {
	case taxii.ActionSubscribe:
		rec := &SubscriptionRecord{ID: s.newID("subscription"), Collection: m.CollectionName, Status: taxii.SubscriptionActive, Push: m.Push, Parameters: m.Parameters}
		s.subscriptions = append(s.subscriptions, rec)
		res.Subscriptions = []taxii.Subscription{record(rec)}
	case taxii.ActionStatus:
		for _, rec := range s.subscriptions {
			if rec.Collection == m.CollectionName && rec.Status != taxii.SubscriptionUnsubscribed && (m.SubscriptionID == "" || rec.ID == m.SubscriptionID) {
				res.Subscriptions = append(res.Subscriptions, record(rec))
			}
		}
		if m.SubscriptionID != "" && len(res.Subscriptions) == 0 {
			return notFound()
		}
	case taxii.ActionPause, taxii.ActionResume:
		rec := find()
		if rec == nil || rec.Status == taxii.SubscriptionUnsubscribed {
			return notFound()
		}
		rec.Status = taxii.SubscriptionPaused
		if m.Action == taxii.ActionResume {
			rec.Status = taxii.SubscriptionActive
		}
		res.Subscriptions = []taxii.Subscription{record(rec)}
	case taxii.ActionUnsubscribe:
		rec := find()
		if rec == nil { // unknown id: success, nothing changes (SVC §4.4.6)
			rec = &SubscriptionRecord{ID: m.SubscriptionID, Collection: m.CollectionName}
		}
		rec.Status = taxii.SubscriptionUnsubscribed
		res.Subscriptions = []taxii.Subscription{record(rec)}
	default:
		return status(v, id, taxii.StatusBadMessage, "unknown action "+string(m.Action))
	}
	return res
}
