package taxii

import (
	"fmt"
	"strconv"

	"github.com/beevik/etree"
)

// PollRequest is Poll_Request (XML §3.8). TAXII 1.1 requires exactly one of
// SubscriptionID and Parameters. TAXII 1.0 has no Poll_Parameters: its
// optional @subscription_id maps to SubscriptionID and its Content_Binding
// list to Parameters.ContentBindings (the only Parameters field 1.0 can carry).
type PollRequest struct {
	MessageID       string
	Version         Version
	ExtendedHeaders []ExtendedHeader
	CollectionName  string
	ExclusiveBegin  *Timestamp
	InclusiveEnd    *Timestamp
	SubscriptionID  string
	Parameters      *PollParameters
	Signature       []byte
}

// PollParameters is Poll_Parameters: an ad-hoc poll.
type PollParameters struct {
	// AllowAsynch lets the server answer PENDING.
	AllowAsynch     bool
	ResponseType    ResponseType
	ContentBindings []ContentBinding
	Query           *Query
	// Delivery is where to push asynchronous results; only with AllowAsynch.
	Delivery *PushParameters
}

// PollResponse is Poll_Response (XML §3.9). TAXII 1.0 responses carry
// InclusiveBegin instead of ExclusiveBegin and have no Record_Count,
// multi-part fields or content-block Message.
type PollResponse struct {
	MessageID       string
	InResponseTo    string
	Version         Version
	ExtendedHeaders []ExtendedHeader
	CollectionName  string
	// More is true when higher-numbered parts exist (then ResultID is set).
	More     bool
	ResultID string
	// ResultPartNumber is 0 when absent (which means part 1).
	ResultPartNumber int
	SubscriptionID   string
	ExclusiveBegin   *Timestamp
	// InclusiveBegin is TAXII 1.0 only.
	InclusiveBegin *Timestamp
	InclusiveEnd   *Timestamp
	RecordCount    *RecordCount
	Message        string
	ContentBlocks  []ContentBlock
	Signature      []byte
}

// PollFulfillmentRequest is Poll_Fulfillment (XML §3.11, TAXII 1.1 only):
// fetch part ResultPartNumber of result ResultID.
type PollFulfillmentRequest struct {
	MessageID        string
	Version          Version
	ExtendedHeaders  []ExtendedHeader
	CollectionName   string
	ResultID         string
	ResultPartNumber int
	Signature        []byte
}

func (m *PollRequest) encode(e *encoder) (*etree.Element, error) {
	el, err := e.root("Poll_Request", m.MessageID, "", false)
	if err != nil {
		return nil, err
	}
	if err := checkPollRequest(m); err != nil {
		return nil, e.errf("Parameters", "%v", err)
	}
	if e.v == V10 {
		if err := e.reqAttr(el, "CollectionName", "feed_name", m.CollectionName); err != nil {
			return nil, err
		}
		optAttr(el, "subscription_id", m.SubscriptionID)
	} else if err := e.reqAttr(el, "CollectionName", "collection_name", m.CollectionName); err != nil {
		return nil, err
	}
	if err := e.extendedHeaders(el, m.ExtendedHeaders); err != nil {
		return nil, err
	}
	e.timestamp(el, "Exclusive_Begin_Timestamp", m.ExclusiveBegin)
	e.timestamp(el, "Inclusive_End_Timestamp", m.InclusiveEnd)
	if e.v == V10 {
		if p := m.Parameters; p != nil {
			if p.AllowAsynch || p.ResponseType != "" || p.Query != nil || p.Delivery != nil {
				return nil, e.errf("Parameters", "a TAXII 1.0 poll can carry only content bindings")
			}
			if err := e.contentBindings(el, "Parameters.ContentBindings", p.ContentBindings); err != nil {
				return nil, err
			}
		}
	} else {
		e.opt(el, "Subscription_ID", m.SubscriptionID)
		if p := m.Parameters; p != nil {
			pe := e.el(el, "Poll_Parameters")
			if p.AllowAsynch {
				pe.CreateAttr("allow_asynch", "true")
			}
			if err := e.responseType(pe, "Parameters.ResponseType", p.ResponseType); err != nil {
				return nil, err
			}
			if err := e.contentBindings(pe, "Parameters.ContentBindings", p.ContentBindings); err != nil {
				return nil, err
			}
			if err := e.query(pe, "Parameters.Query", p.Query); err != nil {
				return nil, err
			}
			if err := e.pushParameters(pe, "Delivery_Parameters", "Parameters.Delivery", p.Delivery); err != nil {
				return nil, err
			}
		}
	}
	e.signature(el, "Signature", m.Signature)
	return el, nil
}

// checkPollRequest enforces the Poll_Request rules of XML §3.8 and SVC §4.4.8.
func checkPollRequest(m *PollRequest) error {
	if m.ExclusiveBegin != nil && m.InclusiveEnd != nil && !m.InclusiveEnd.After(m.ExclusiveBegin.Time) {
		return fmt.Errorf("Inclusive_End_Timestamp must be later than Exclusive_Begin_Timestamp")
	}
	if m.Version == V10 {
		return nil
	}
	if (m.SubscriptionID == "") == (m.Parameters == nil) {
		return fmt.Errorf("a TAXII 1.1 poll has exactly one of Subscription_ID and Poll_Parameters")
	}
	if p := m.Parameters; p != nil && p.Delivery != nil && !p.AllowAsynch {
		return fmt.Errorf("Delivery_Parameters require allow_asynch=true")
	}
	return nil
}

func decodePollRequest(d *decoder, el *etree.Element, path string) (Message, error) {
	m := &PollRequest{Version: d.v}
	var err error
	if m.MessageID, _, err = d.header(el, path, false); err != nil {
		return nil, err
	}
	var k kids
	if d.v == V10 {
		if m.CollectionName, err = reqAttr(el, path, "feed_name"); err != nil {
			return nil, err
		}
		m.SubscriptionID = optAttrValue(el, "subscription_id")
		k, err = d.kids(el, path, "Extended_Headers?", "Exclusive_Begin_Timestamp?", "Inclusive_End_Timestamp?", "Content_Binding*", "Signature?")
	} else {
		if m.CollectionName, err = reqAttr(el, path, "collection_name"); err != nil {
			return nil, err
		}
		k, err = d.kids(el, path, "Extended_Headers?", "Exclusive_Begin_Timestamp?", "Inclusive_End_Timestamp?", "Subscription_ID?", "Poll_Parameters?", "Signature?")
	}
	if err != nil {
		return nil, err
	}
	if m.ExtendedHeaders, err = d.extendedHeaders(k); err != nil {
		return nil, err
	}
	if m.ExclusiveBegin, err = optTimestamp(k, "Exclusive_Begin_Timestamp"); err != nil {
		return nil, err
	}
	if m.InclusiveEnd, err = optTimestamp(k, "Inclusive_End_Timestamp"); err != nil {
		return nil, err
	}
	if d.v == V10 {
		cbs, err := d.contentBindings(k)
		if err != nil {
			return nil, err
		}
		if len(cbs) > 0 {
			m.Parameters = &PollParameters{ContentBindings: cbs}
		}
	} else {
		if c := k.one("Subscription_ID"); c != nil {
			if m.SubscriptionID, err = uri(c); err != nil {
				return nil, err
			}
		}
		if c := k.one("Poll_Parameters"); c != nil {
			if m.Parameters, err = d.pollParameters(c); err != nil {
				return nil, err
			}
		}
	}
	if m.Signature, err = d.signature(k); err != nil {
		return nil, err
	}
	if err := checkPollRequest(m); err != nil {
		return nil, decodeErr(ErrRuleViolation, path, "", "%v", err)
	}
	return m, nil
}

func (d *decoder) pollParameters(c *child) (*PollParameters, error) {
	p := &PollParameters{}
	a, err := boolAttr(c.el, c.path, "allow_asynch")
	if err != nil {
		return nil, err
	}
	p.AllowAsynch = a != nil && *a
	k, err := d.kids(c.el, c.path, "Response_Type?", "Content_Binding*", "Query?", "Delivery_Parameters?")
	if err != nil {
		return nil, err
	}
	if p.ResponseType, err = responseType(k); err != nil {
		return nil, err
	}
	if p.ContentBindings, err = d.contentBindings(k); err != nil {
		return nil, err
	}
	if p.Query, err = d.query(k); err != nil {
		return nil, err
	}
	if p.Delivery, err = d.pushParameters(k, "Delivery_Parameters"); err != nil {
		return nil, err
	}
	return p, nil
}

func (m *PollResponse) encode(e *encoder) (*etree.Element, error) {
	el, err := e.root("Poll_Response", m.MessageID, m.InResponseTo, true)
	if err != nil {
		return nil, err
	}
	if m.More && m.ResultID == "" {
		return nil, e.errf("ResultID", "required when More is true")
	}
	if m.ResultPartNumber < 0 {
		return nil, e.errf("ResultPartNumber", "must be positive")
	}
	if e.v == V10 {
		if err := e.reqAttr(el, "CollectionName", "feed_name", m.CollectionName); err != nil {
			return nil, err
		}
		optAttr(el, "subscription_id", m.SubscriptionID)
		switch {
		case m.More || m.ResultID != "" || m.ResultPartNumber != 0 || m.RecordCount != nil:
			return nil, e.errf("More", "TAXII 1.0 has no multi-part results or record counts")
		case m.ExclusiveBegin != nil:
			return nil, e.errf("ExclusiveBegin", "TAXII 1.0 uses InclusiveBegin")
		case m.InclusiveEnd == nil:
			return nil, e.errf("InclusiveEnd", "required in TAXII 1.0")
		}
		if err := e.extendedHeaders(el, m.ExtendedHeaders); err != nil {
			return nil, err
		}
		e.opt(el, "Message", m.Message)
		e.timestamp(el, "Inclusive_Begin_Timestamp", m.InclusiveBegin)
		e.timestamp(el, "Inclusive_End_Timestamp", m.InclusiveEnd)
	} else {
		if err := e.reqAttr(el, "CollectionName", "collection_name", m.CollectionName); err != nil {
			return nil, err
		}
		if m.More {
			el.CreateAttr("more", "true")
		}
		optAttr(el, "result_id", m.ResultID)
		if m.ResultPartNumber > 0 {
			el.CreateAttr("result_part_number", strconv.Itoa(m.ResultPartNumber))
		}
		if m.InclusiveBegin != nil {
			return nil, e.errf("InclusiveBegin", "TAXII 1.1 has only ExclusiveBegin")
		}
		if err := e.extendedHeaders(el, m.ExtendedHeaders); err != nil {
			return nil, err
		}
		e.opt(el, "Subscription_ID", m.SubscriptionID)
		e.timestamp(el, "Exclusive_Begin_Timestamp", m.ExclusiveBegin)
		e.timestamp(el, "Inclusive_End_Timestamp", m.InclusiveEnd)
		e.recordCount(el, m.RecordCount)
		e.opt(el, "Message", m.Message)
	}
	if err := e.contentBlocks(el, m.ContentBlocks); err != nil {
		return nil, err
	}
	e.signature(el, "Signature", m.Signature)
	return el, nil
}

func decodePollResponse(d *decoder, el *etree.Element, path string) (Message, error) {
	m := &PollResponse{Version: d.v}
	var err error
	if m.MessageID, m.InResponseTo, err = d.header(el, path, true); err != nil {
		return nil, err
	}
	var k kids
	if d.v == V10 {
		if m.CollectionName, err = reqAttr(el, path, "feed_name"); err != nil {
			return nil, err
		}
		m.SubscriptionID = optAttrValue(el, "subscription_id")
		if k, err = d.kids(el, path, "Extended_Headers?", "Message?", "Inclusive_Begin_Timestamp?", "Inclusive_End_Timestamp", "Content_Block*", "Signature?"); err != nil {
			return nil, err
		}
		if m.InclusiveBegin, err = optTimestamp(k, "Inclusive_Begin_Timestamp"); err != nil {
			return nil, err
		}
	} else {
		if m.CollectionName, err = reqAttr(el, path, "collection_name"); err != nil {
			return nil, err
		}
		more, err := boolAttr(el, path, "more")
		if err != nil {
			return nil, err
		}
		m.More = more != nil && *more
		m.ResultID = optAttrValue(el, "result_id")
		if s, ok := attr(el, "result_part_number"); ok {
			if m.ResultPartNumber, err = parsePositive(s); err != nil {
				return nil, decodeErr(ErrBadValue, path, "result_part_number", "%v", err)
			}
		}
		if m.More && m.ResultID == "" {
			return nil, decodeErr(ErrRuleViolation, path, "result_id", "more=\"true\" requires a result_id")
		}
		if k, err = d.kids(el, path, "Extended_Headers?", "Subscription_ID?", "Exclusive_Begin_Timestamp?", "Inclusive_End_Timestamp?", "Record_Count?", "Message?", "Content_Block*", "Signature?"); err != nil {
			return nil, err
		}
		if c := k.one("Subscription_ID"); c != nil {
			if m.SubscriptionID, err = uri(c); err != nil {
				return nil, err
			}
		}
		if m.ExclusiveBegin, err = optTimestamp(k, "Exclusive_Begin_Timestamp"); err != nil {
			return nil, err
		}
		if m.RecordCount, err = recordCount(k); err != nil {
			return nil, err
		}
	}
	if m.ExtendedHeaders, err = d.extendedHeaders(k); err != nil {
		return nil, err
	}
	if m.InclusiveEnd, err = optTimestamp(k, "Inclusive_End_Timestamp"); err != nil {
		return nil, err
	}
	if m.Message, err = optText(k, "Message"); err != nil {
		return nil, err
	}
	if m.ContentBlocks, err = d.contentBlocks(k); err != nil {
		return nil, err
	}
	if m.Signature, err = d.signature(k); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *PollFulfillmentRequest) encode(e *encoder) (*etree.Element, error) {
	if e.v == V10 {
		return nil, &EncodeError{Message: "Poll_Fulfillment", Field: "Version", Detail: "TAXII 1.0 has no Poll_Fulfillment"}
	}
	el, err := e.root("Poll_Fulfillment", m.MessageID, "", false)
	if err != nil {
		return nil, err
	}
	if err := e.reqAttr(el, "CollectionName", "collection_name", m.CollectionName); err != nil {
		return nil, err
	}
	if err := e.reqAttr(el, "ResultID", "result_id", m.ResultID); err != nil {
		return nil, err
	}
	if m.ResultPartNumber < 1 {
		return nil, e.errf("ResultPartNumber", "required, must be positive (parts are numbered from 1)")
	}
	el.CreateAttr("result_part_number", strconv.Itoa(m.ResultPartNumber))
	if err := e.extendedHeaders(el, m.ExtendedHeaders); err != nil {
		return nil, err
	}
	e.signature(el, "Signature", m.Signature)
	return el, nil
}

func decodePollFulfillment(d *decoder, el *etree.Element, path string) (Message, error) {
	m := &PollFulfillmentRequest{Version: d.v}
	var err error
	if m.MessageID, _, err = d.header(el, path, false); err != nil {
		return nil, err
	}
	if m.CollectionName, err = reqAttr(el, path, "collection_name"); err != nil {
		return nil, err
	}
	if m.ResultID, err = reqAttr(el, path, "result_id"); err != nil {
		return nil, err
	}
	s, err := reqAttr(el, path, "result_part_number")
	if err != nil {
		return nil, err
	}
	if m.ResultPartNumber, err = parsePositive(s); err != nil {
		return nil, decodeErr(ErrBadValue, path, "result_part_number", "%v", err)
	}
	k, err := d.kids(el, path, "Extended_Headers?", "Signature?")
	if err != nil {
		return nil, err
	}
	if m.ExtendedHeaders, err = d.extendedHeaders(k); err != nil {
		return nil, err
	}
	if m.Signature, err = d.signature(k); err != nil {
		return nil, err
	}
	return m, nil
}
