package taxii

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/beevik/etree"
)

// CollectionInformationRequest is Collection_Information_Request (XML §3.4);
// in TAXII 1.0 it is Feed_Information_Request.
type CollectionInformationRequest struct {
	MessageID       string
	Version         Version
	ExtendedHeaders []ExtendedHeader
	Signature       []byte
}

// CollectionInformationResponse is Collection_Information_Response (XML
// §3.5); in TAXII 1.0 it is Feed_Information_Response with Feed records.
type CollectionInformationResponse struct {
	MessageID       string
	InResponseTo    string
	Version         Version
	ExtendedHeaders []ExtendedHeader
	Collections     []Collection
	Signature       []byte
}

// Collection is one Collection (TAXII 1.0: Feed) record.
type Collection struct {
	Name string
	// Type is empty when absent (read as DATA_FEED); TAXII 1.0 has only feeds.
	Type CollectionType
	// Available is nil when the server did not say.
	Available   *bool
	Description string
	// Volume is Collection_Volume, typical records per day (TAXII 1.1 only); nil when absent.
	Volume *uint64
	// ContentBindings: none means any content (TAXII 1.0 requires at least one).
	ContentBindings      []ContentBinding
	PushMethods          []PushMethod
	PollingServices      []ServiceContact
	SubscriptionServices []ServiceContact
	// ReceivingInboxServices is TAXII 1.1 only.
	ReceivingInboxServices []InboxService
}

func (m *CollectionInformationRequest) encode(e *encoder) (*etree.Element, error) {
	name := "Collection_Information_Request"
	if e.v == V10 {
		name = "Feed_Information_Request"
	}
	return e.emptyRequest(name, m.MessageID, m.ExtendedHeaders, m.Signature)
}

func decodeCollectionInformationRequest(d *decoder, el *etree.Element, path string) (Message, error) {
	m := &CollectionInformationRequest{Version: d.v}
	var err error
	m.MessageID, m.ExtendedHeaders, m.Signature, err = d.emptyRequest(el, path)
	if err != nil {
		return nil, err
	}
	return m, nil
}

func (m *CollectionInformationResponse) encode(e *encoder) (*etree.Element, error) {
	name := "Collection_Information_Response"
	if e.v == V10 {
		name = "Feed_Information_Response"
	}
	el, err := e.root(name, m.MessageID, m.InResponseTo, true)
	if err != nil {
		return nil, err
	}
	if err := e.extendedHeaders(el, m.ExtendedHeaders); err != nil {
		return nil, err
	}
	for i := range m.Collections {
		if err := e.collection(el, fmt.Sprintf("Collections[%d]", i), &m.Collections[i]); err != nil {
			return nil, err
		}
	}
	e.signature(el, "Signature", m.Signature)
	return el, nil
}

func (e *encoder) collection(parent *etree.Element, field string, c *Collection) error {
	v10 := e.v == V10
	var el *etree.Element
	if v10 {
		el = e.el(parent, "Feed")
		if err := e.reqAttr(el, field+".Name", "feed_name", c.Name); err != nil {
			return err
		}
		switch {
		case c.Type == DataSet:
			return e.errf(field+".Type", "TAXII 1.0 has no data sets")
		case c.Volume != nil:
			return e.errf(field+".Volume", "TAXII 1.0 has no Collection_Volume")
		case len(c.ReceivingInboxServices) > 0:
			return e.errf(field+".ReceivingInboxServices", "TAXII 1.0 has no Receiving_Inbox_Service")
		case len(c.ContentBindings) == 0:
			return e.errf(field+".ContentBindings", "a TAXII 1.0 feed lists at least one content binding")
		case len(c.PushMethods) == 0 && len(c.PollingServices) == 0:
			return e.errf(field+".PollingServices", "a TAXII 1.0 feed has at least one push method or polling service")
		}
	} else {
		el = e.el(parent, "Collection")
		if err := e.reqAttr(el, field+".Name", "collection_name", c.Name); err != nil {
			return err
		}
		switch c.Type {
		case "":
		case DataFeed, DataSet:
			el.CreateAttr("collection_type", string(c.Type))
		default:
			return e.errf(field+".Type", "%q is not DATA_FEED or DATA_SET", c.Type)
		}
	}
	if c.Available != nil {
		el.CreateAttr("available", formatBool(*c.Available))
	}
	e.text(el, "Description", c.Description)
	if c.Volume != nil {
		e.text(el, "Collection_Volume", strconv.FormatUint(*c.Volume, 10))
	}
	if err := e.contentBindings(el, field+".ContentBindings", c.ContentBindings); err != nil {
		return err
	}
	for i, pm := range c.PushMethods {
		pf := fmt.Sprintf("%s.PushMethods[%d]", field, i)
		p := e.el(el, "Push_Method")
		if err := e.req(p, pf+".ProtocolBinding", "Protocol_Binding", pm.ProtocolBinding); err != nil {
			return err
		}
		if len(pm.MessageBindings) == 0 {
			return e.errf(pf+".MessageBindings", "at least one message binding is required")
		}
		for j, b := range pm.MessageBindings {
			if err := e.req(p, fmt.Sprintf("%s.MessageBindings[%d]", pf, j), "Message_Binding", b); err != nil {
				return err
			}
		}
	}
	if err := e.serviceContacts(el, "Polling_Service", field+".PollingServices", c.PollingServices); err != nil {
		return err
	}
	if err := e.serviceContacts(el, "Subscription_Service", field+".SubscriptionServices", c.SubscriptionServices); err != nil {
		return err
	}
	for i, ib := range c.ReceivingInboxServices {
		f := fmt.Sprintf("%s.ReceivingInboxServices[%d]", field, i)
		r := e.el(el, "Receiving_Inbox_Service")
		if err := e.serviceContact(r, f, ib.ProtocolBinding, ib.Address, ib.MessageBindings); err != nil {
			return err
		}
		if err := e.contentBindings(r, f+".ContentBindings", ib.ContentBindings); err != nil {
			return err
		}
	}
	return nil
}

func decodeCollectionInformationResponse(d *decoder, el *etree.Element, path string) (Message, error) {
	m := &CollectionInformationResponse{Version: d.v}
	var err error
	if m.MessageID, m.InResponseTo, err = d.header(el, path, true); err != nil {
		return nil, err
	}
	record := "Collection"
	if d.v == V10 {
		record = "Feed"
	}
	k, err := d.kids(el, path, "Extended_Headers?", record+"*", "Signature?")
	if err != nil {
		return nil, err
	}
	if m.ExtendedHeaders, err = d.extendedHeaders(k); err != nil {
		return nil, err
	}
	for i := range k[record] {
		c, err := d.collection(&k[record][i])
		if err != nil {
			return nil, err
		}
		m.Collections = append(m.Collections, c)
	}
	if m.Signature, err = d.signature(k); err != nil {
		return nil, err
	}
	return m, nil
}

func (d *decoder) collection(c *child) (Collection, error) {
	var col Collection
	var err error
	var k kids
	if d.v == V10 {
		if col.Name, err = reqAttr(c.el, c.path, "feed_name"); err != nil {
			return col, err
		}
		k, err = d.kids(c.el, c.path, "Description", "Content_Binding+", "Push_Method*", "Polling_Service*", "Subscription_Service*")
		if err != nil {
			return col, err
		}
		if len(k["Push_Method"]) == 0 && len(k["Polling_Service"]) == 0 {
			return col, decodeErr(ErrMissingElement, c.path+"/Polling_Service", "", "a TAXII 1.0 Feed needs a Push_Method or a Polling_Service")
		}
	} else {
		if col.Name, err = reqAttr(c.el, c.path, "collection_name"); err != nil {
			return col, err
		}
		t, err := enumAttr(c.el, c.path, "collection_type", false, string(DataFeed), string(DataSet))
		if err != nil {
			return col, err
		}
		col.Type = CollectionType(t)
		k, err = d.kids(c.el, c.path, "Description", "Collection_Volume?", "Content_Binding*", "Push_Method*",
			"Polling_Service*", "Subscription_Service*", "Receiving_Inbox_Service*")
		if err != nil {
			return col, err
		}
	}
	if col.Available, err = boolAttr(c.el, c.path, "available"); err != nil {
		return col, err
	}
	if col.Description, err = text(k.one("Description")); err != nil {
		return col, err
	}
	if v := k.one("Collection_Volume"); v != nil {
		s, err := text(v)
		if err != nil {
			return col, err
		}
		n, err := parseCount(s)
		if err != nil {
			return col, &DecodeError{Kind: ErrBadValue, Path: v.path, Detail: err.Error()}
		}
		col.Volume = &n
	}
	if col.ContentBindings, err = d.contentBindings(k); err != nil {
		return col, err
	}
	for i := range k["Push_Method"] {
		p := &k["Push_Method"][i]
		pk, err := d.kids(p.el, p.path, "Protocol_Binding", "Message_Binding+")
		if err != nil {
			return col, err
		}
		var pm PushMethod
		if pm.ProtocolBinding, err = uri(pk.one("Protocol_Binding")); err != nil {
			return col, err
		}
		if pm.MessageBindings, err = uris(pk, "Message_Binding"); err != nil {
			return col, err
		}
		col.PushMethods = append(col.PushMethods, pm)
	}
	if col.PollingServices, err = d.serviceContacts(k, "Polling_Service"); err != nil {
		return col, err
	}
	if col.SubscriptionServices, err = d.serviceContacts(k, "Subscription_Service"); err != nil {
		return col, err
	}
	for i := range k["Receiving_Inbox_Service"] {
		r := &k["Receiving_Inbox_Service"][i]
		rk, err := d.kids(r.el, r.path, append(slices.Clone(serviceContactSpec), "Content_Binding*")...)
		if err != nil {
			return col, err
		}
		sc, err := serviceContactFrom(rk)
		if err != nil {
			return col, err
		}
		ib := InboxService{ProtocolBinding: sc.ProtocolBinding, Address: sc.Address, MessageBindings: sc.MessageBindings}
		if ib.ContentBindings, err = d.contentBindings(rk); err != nil {
			return col, err
		}
		col.ReceivingInboxServices = append(col.ReceivingInboxServices, ib)
	}
	return col, nil
}
