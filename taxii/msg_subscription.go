package taxii

import (
	"fmt"

	"github.com/beevik/etree"
)

// ManageCollectionSubscriptionRequest is Subscription_Management_Request (XML
// §3.6). In TAXII 1.0 CollectionName is @feed_name, SubscriptionID is an
// attribute, only SUBSCRIBE/UNSUBSCRIBE/STATUS exist, Parameters do not
// exist and Push may carry ContentBindings.
type ManageCollectionSubscriptionRequest struct {
	MessageID       string
	Version         Version
	ExtendedHeaders []ExtendedHeader
	CollectionName  string
	Action          SubscriptionAction
	// SubscriptionID is required for UNSUBSCRIBE, PAUSE and RESUME.
	SubscriptionID string
	// Parameters is for SUBSCRIBE only (TAXII 1.1).
	Parameters *SubscriptionParameters
	// Push asks the producer to push to an inbox (SUBSCRIBE only); nil = I will poll.
	Push      *PushParameters
	Signature []byte
}

// SubscriptionParameters is Subscription_Parameters: what a subscription delivers.
type SubscriptionParameters struct {
	ResponseType    ResponseType
	ContentBindings []ContentBinding
	Query           *Query
}

// ManageCollectionSubscriptionResponse is Subscription_Management_Response (XML §3.7).
type ManageCollectionSubscriptionResponse struct {
	MessageID       string
	InResponseTo    string
	Version         Version
	ExtendedHeaders []ExtendedHeader
	CollectionName  string
	Message         string
	Subscriptions   []Subscription
	Signature       []byte
}

// Subscription is one Subscription record of a subscription response.
type Subscription struct {
	// Status is empty when absent (ACTIVE). TAXII 1.0 has no status.
	Status         SubscriptionStatus
	SubscriptionID string
	// Parameters is TAXII 1.1 only.
	Parameters    *SubscriptionParameters
	Push          *PushParameters
	PollInstances []ServiceContact
}

func (m *ManageCollectionSubscriptionRequest) encode(e *encoder) (*etree.Element, error) {
	el, err := e.root("Subscription_Management_Request", m.MessageID, "", false)
	if err != nil {
		return nil, err
	}
	if err := checkAction(m.Version, m.Action, m.SubscriptionID, m.Parameters != nil); err != nil {
		return nil, e.errf("Action", "%v", err)
	}
	el.CreateAttr("action", string(m.Action))
	nameAttr := "collection_name"
	if e.v == V10 {
		nameAttr = "feed_name"
	}
	if err := e.reqAttr(el, "CollectionName", nameAttr, m.CollectionName); err != nil {
		return nil, err
	}
	if e.v == V10 {
		optAttr(el, "subscription_id", m.SubscriptionID)
		if m.Parameters != nil {
			return nil, e.errf("Parameters", "TAXII 1.0 has no Subscription_Parameters")
		}
	}
	if err := e.extendedHeaders(el, m.ExtendedHeaders); err != nil {
		return nil, err
	}
	if e.v == V11 {
		e.opt(el, "Subscription_ID", m.SubscriptionID)
		if err := e.subscriptionParameters(el, "Parameters", m.Parameters); err != nil {
			return nil, err
		}
	}
	if err := e.pushParameters(el, "Push_Parameters", "Push", m.Push); err != nil {
		return nil, err
	}
	e.signature(el, "Signature", m.Signature)
	return el, nil
}

// checkAction enforces the action rules of SVC §4.4.6 that the schema cannot.
func checkAction(v Version, a SubscriptionAction, subscriptionID string, hasParams bool) error {
	switch a {
	case ActionSubscribe:
		if v == V11 && !hasParams {
			return fmt.Errorf("SUBSCRIBE requires Subscription_Parameters")
		}
	case ActionUnsubscribe, ActionPause, ActionResume:
		if v == V10 && a != ActionUnsubscribe {
			return fmt.Errorf("%s does not exist in TAXII 1.0", a)
		}
		if subscriptionID == "" {
			return fmt.Errorf("%s requires a subscription ID", a)
		}
	case ActionStatus:
	default:
		return fmt.Errorf("%q is not a subscription action", a)
	}
	return nil
}

func (e *encoder) subscriptionParameters(parent *etree.Element, field string, p *SubscriptionParameters) error {
	if p == nil {
		return nil
	}
	el := e.el(parent, "Subscription_Parameters")
	if err := e.responseType(el, field+".ResponseType", p.ResponseType); err != nil {
		return err
	}
	if err := e.contentBindings(el, field+".ContentBindings", p.ContentBindings); err != nil {
		return err
	}
	return e.query(el, field+".Query", p.Query)
}

func (e *encoder) responseType(parent *etree.Element, field string, rt ResponseType) error {
	switch rt {
	case "":
	case ResponseFull, ResponseCountOnly:
		e.text(parent, "Response_Type", string(rt))
	default:
		return e.errf(field, "%q is not FULL or COUNT_ONLY", rt)
	}
	return nil
}

func decodeSubscriptionRequest(d *decoder, el *etree.Element, path string) (Message, error) {
	m := &ManageCollectionSubscriptionRequest{Version: d.v}
	var err error
	if m.MessageID, _, err = d.header(el, path, false); err != nil {
		return nil, err
	}
	actions := []string{"SUBSCRIBE", "UNSUBSCRIBE", "PAUSE", "RESUME", "STATUS"}
	nameAttr := "collection_name"
	spec := []string{"Extended_Headers?", "Subscription_ID?", "Subscription_Parameters?", "Push_Parameters?", "Signature?"}
	if d.v == V10 {
		actions = []string{"SUBSCRIBE", "UNSUBSCRIBE", "STATUS"}
		nameAttr = "feed_name"
		spec = []string{"Extended_Headers?", "Push_Parameters?", "Signature?"}
		m.SubscriptionID = optAttrValue(el, "subscription_id")
	}
	a, err := enumAttr(el, path, "action", true, actions...)
	if err != nil {
		return nil, err
	}
	m.Action = SubscriptionAction(a)
	if m.CollectionName, err = reqAttr(el, path, nameAttr); err != nil {
		return nil, err
	}
	k, err := d.kids(el, path, spec...)
	if err != nil {
		return nil, err
	}
	if m.ExtendedHeaders, err = d.extendedHeaders(k); err != nil {
		return nil, err
	}
	if c := k.one("Subscription_ID"); c != nil {
		if m.SubscriptionID, err = uri(c); err != nil {
			return nil, err
		}
	}
	if m.Parameters, err = d.subscriptionParameters(k); err != nil {
		return nil, err
	}
	if m.Push, err = d.pushParameters(k, "Push_Parameters"); err != nil {
		return nil, err
	}
	if m.Signature, err = d.signature(k); err != nil {
		return nil, err
	}
	if err := checkAction(d.v, m.Action, m.SubscriptionID, m.Parameters != nil); err != nil {
		return nil, decodeErr(ErrRuleViolation, path, "action", "%v", err)
	}
	return m, nil
}

func (d *decoder) subscriptionParameters(k kids) (*SubscriptionParameters, error) {
	c := k.one("Subscription_Parameters")
	if c == nil {
		return nil, nil
	}
	pk, err := d.kids(c.el, c.path, "Response_Type?", "Content_Binding*", "Query?")
	if err != nil {
		return nil, err
	}
	p := &SubscriptionParameters{}
	if p.ResponseType, err = responseType(pk); err != nil {
		return nil, err
	}
	if p.ContentBindings, err = d.contentBindings(pk); err != nil {
		return nil, err
	}
	if p.Query, err = d.query(pk); err != nil {
		return nil, err
	}
	return p, nil
}

func responseType(k kids) (ResponseType, error) {
	c := k.one("Response_Type")
	if c == nil {
		return "", nil
	}
	s, err := uri(c)
	if err != nil {
		return "", err
	}
	if s != string(ResponseFull) && s != string(ResponseCountOnly) {
		return "", decodeErr(ErrBadValue, c.path, "", "%q is not FULL or COUNT_ONLY", s)
	}
	return ResponseType(s), nil
}

func (m *ManageCollectionSubscriptionResponse) encode(e *encoder) (*etree.Element, error) {
	el, err := e.root("Subscription_Management_Response", m.MessageID, m.InResponseTo, true)
	if err != nil {
		return nil, err
	}
	nameAttr := "collection_name"
	if e.v == V10 {
		nameAttr = "feed_name"
	}
	if err := e.reqAttr(el, "CollectionName", nameAttr, m.CollectionName); err != nil {
		return nil, err
	}
	if err := e.extendedHeaders(el, m.ExtendedHeaders); err != nil {
		return nil, err
	}
	e.opt(el, "Message", m.Message)
	for i := range m.Subscriptions {
		s := &m.Subscriptions[i]
		field := fmt.Sprintf("Subscriptions[%d]", i)
		se := e.el(el, "Subscription")
		if e.v == V10 {
			if err := e.reqAttr(se, field+".SubscriptionID", "subscription_id", s.SubscriptionID); err != nil {
				return nil, err
			}
			if s.Status != "" || s.Parameters != nil {
				return nil, e.errf(field, "TAXII 1.0 subscriptions have no status or parameters")
			}
		} else {
			switch s.Status {
			case "":
			case SubscriptionActive, SubscriptionPaused, SubscriptionUnsubscribed:
				se.CreateAttr("status", string(s.Status))
			default:
				return nil, e.errf(field+".Status", "%q is not ACTIVE, PAUSED or UNSUBSCRIBED", s.Status)
			}
			if err := e.req(se, field+".SubscriptionID", "Subscription_ID", s.SubscriptionID); err != nil {
				return nil, err
			}
			if err := e.subscriptionParameters(se, field+".Parameters", s.Parameters); err != nil {
				return nil, err
			}
		}
		if err := e.pushParameters(se, "Push_Parameters", field+".Push", s.Push); err != nil {
			return nil, err
		}
		if err := e.serviceContacts(se, "Poll_Instance", field+".PollInstances", s.PollInstances); err != nil {
			return nil, err
		}
	}
	e.signature(el, "Signature", m.Signature)
	return el, nil
}

func decodeSubscriptionResponse(d *decoder, el *etree.Element, path string) (Message, error) {
	m := &ManageCollectionSubscriptionResponse{Version: d.v}
	var err error
	if m.MessageID, m.InResponseTo, err = d.header(el, path, true); err != nil {
		return nil, err
	}
	nameAttr := "collection_name"
	if d.v == V10 {
		nameAttr = "feed_name"
	}
	if m.CollectionName, err = reqAttr(el, path, nameAttr); err != nil {
		return nil, err
	}
	k, err := d.kids(el, path, "Extended_Headers?", "Message?", "Subscription*", "Signature?")
	if err != nil {
		return nil, err
	}
	if m.ExtendedHeaders, err = d.extendedHeaders(k); err != nil {
		return nil, err
	}
	if m.Message, err = optText(k, "Message"); err != nil {
		return nil, err
	}
	for i := range k["Subscription"] {
		c := &k["Subscription"][i]
		var s Subscription
		var sk kids
		if d.v == V10 {
			if s.SubscriptionID, err = reqAttr(c.el, c.path, "subscription_id"); err != nil {
				return nil, err
			}
			if sk, err = d.kids(c.el, c.path, "Push_Parameters?", "Poll_Instance*"); err != nil {
				return nil, err
			}
		} else {
			st, err := enumAttr(c.el, c.path, "status", false, "ACTIVE", "PAUSED", "UNSUBSCRIBED")
			if err != nil {
				return nil, err
			}
			s.Status = SubscriptionStatus(st)
			if sk, err = d.kids(c.el, c.path, "Subscription_ID", "Subscription_Parameters?", "Push_Parameters?", "Poll_Instance*"); err != nil {
				return nil, err
			}
			if s.SubscriptionID, err = uri(sk.one("Subscription_ID")); err != nil {
				return nil, err
			}
			if s.Parameters, err = d.subscriptionParameters(sk); err != nil {
				return nil, err
			}
		}
		if s.Push, err = d.pushParameters(sk, "Push_Parameters"); err != nil {
			return nil, err
		}
		if s.PollInstances, err = d.serviceContacts(sk, "Poll_Instance"); err != nil {
			return nil, err
		}
		m.Subscriptions = append(m.Subscriptions, s)
	}
	if m.Signature, err = d.signature(k); err != nil {
		return nil, err
	}
	return m, nil
}
