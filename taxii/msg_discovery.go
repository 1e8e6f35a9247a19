package taxii

import (
	"fmt"
	"slices"

	"github.com/beevik/etree"
)

// DiscoveryRequest is Discovery_Request (XML §3.2): asks which services exist.
type DiscoveryRequest struct {
	MessageID       string
	Version         Version
	ExtendedHeaders []ExtendedHeader
	Signature       []byte
}

// DiscoveryResponse is Discovery_Response (XML §3.3).
type DiscoveryResponse struct {
	MessageID       string
	InResponseTo    string
	Version         Version
	ExtendedHeaders []ExtendedHeader
	Services        []ServiceInstance
	Signature       []byte
}

// ServiceInstance is one Service_Instance: a service of one type at one
// address with one protocol binding.
type ServiceInstance struct {
	Type ServiceType
	// ServiceVersion is the services version ID (ServicesV11 or ServicesV10).
	ServiceVersion string
	// Available is nil when the server did not say.
	Available       *bool
	ProtocolBinding string
	Address         string
	MessageBindings []string
	// SupportedQueries is meaningful for POLL and COLLECTION_MANAGEMENT (TAXII 1.1 only).
	SupportedQueries []SupportedQuery
	// ContentBindings is meaningful for INBOX; none means all are accepted.
	ContentBindings []ContentBinding
	Message         string
}

// SupportedQuery is Supported_Query: a query format the service accepts. For
// the Default Query format Default holds the parsed Default_Query_Info;
// for other formats the body is kept raw in Body (BodyIsXML as for
// ContentBlock.Content).
type SupportedQuery struct {
	FormatID  string
	Default   *DefaultQueryInfo
	Body      []byte
	BodyIsXML bool
}

func (m *DiscoveryRequest) encode(e *encoder) (*etree.Element, error) {
	return e.emptyRequest("Discovery_Request", m.MessageID, m.ExtendedHeaders, m.Signature)
}

// emptyRequest encodes a request whose body holds only the header parts.
func (e *encoder) emptyRequest(name, id string, hs []ExtendedHeader, sig []byte) (*etree.Element, error) {
	el, err := e.root(name, id, "", false)
	if err != nil {
		return nil, err
	}
	if err := e.extendedHeaders(el, hs); err != nil {
		return nil, err
	}
	e.signature(el, "Signature", sig)
	return el, nil
}

// decodeEmptyRequest reads a request whose body holds only the header parts.
func (d *decoder) emptyRequest(el *etree.Element, path string) (id string, hs []ExtendedHeader, sig []byte, err error) {
	if id, _, err = d.header(el, path, false); err != nil {
		return
	}
	k, err := d.kids(el, path, "Extended_Headers?", "Signature?")
	if err != nil {
		return
	}
	if hs, err = d.extendedHeaders(k); err != nil {
		return
	}
	sig, err = d.signature(k)
	return
}

func decodeDiscoveryRequest(d *decoder, el *etree.Element, path string) (Message, error) {
	m := &DiscoveryRequest{Version: d.v}
	var err error
	m.MessageID, m.ExtendedHeaders, m.Signature, err = d.emptyRequest(el, path)
	if err != nil {
		return nil, err
	}
	return m, nil
}

func (m *DiscoveryResponse) encode(e *encoder) (*etree.Element, error) {
	el, err := e.root("Discovery_Response", m.MessageID, m.InResponseTo, true)
	if err != nil {
		return nil, err
	}
	if err := e.extendedHeaders(el, m.ExtendedHeaders); err != nil {
		return nil, err
	}
	for i := range m.Services {
		if err := e.serviceInstance(el, fmt.Sprintf("Services[%d]", i), &m.Services[i]); err != nil {
			return nil, err
		}
	}
	e.signature(el, "Signature", m.Signature)
	return el, nil
}

func (e *encoder) serviceInstance(parent *etree.Element, field string, s *ServiceInstance) error {
	el := e.el(parent, "Service_Instance")
	st := string(s.Type)
	switch {
	case s.Type == ServiceCollectionManagement && e.v == V10:
		st = serviceFeedManagement10
	case s.Type == ServiceDiscovery, s.Type == ServiceInbox, s.Type == ServicePoll, s.Type == ServiceCollectionManagement:
	default:
		return e.errf(field+".Type", "%q is not a service type", s.Type)
	}
	el.CreateAttr("service_type", st)
	if err := e.reqAttr(el, field+".ServiceVersion", "service_version", s.ServiceVersion); err != nil {
		return err
	}
	if s.Available != nil {
		el.CreateAttr("available", formatBool(*s.Available))
	}
	if err := e.serviceContact(el, field, s.ProtocolBinding, s.Address, s.MessageBindings); err != nil {
		return err
	}
	if len(s.SupportedQueries) > 0 && e.v == V10 {
		return e.errf(field+".SupportedQueries", "TAXII 1.0 has no Supported_Query")
	}
	for i, q := range s.SupportedQueries {
		qf := fmt.Sprintf("%s.SupportedQueries[%d]", field, i)
		c := e.el(el, "Supported_Query")
		if err := e.reqAttr(c, qf+".FormatID", "format_id", q.FormatID); err != nil {
			return err
		}
		if q.Default != nil {
			if err := e.defaultQueryInfo(c, qf+".Default", q.Default); err != nil {
				return err
			}
		} else {
			e.mixed(c, qf+".Body", q.Body, q.BodyIsXML)
		}
	}
	if err := e.contentBindings(el, field+".ContentBindings", s.ContentBindings); err != nil {
		return err
	}
	e.opt(el, "Message", s.Message)
	return nil
}

func decodeDiscoveryResponse(d *decoder, el *etree.Element, path string) (Message, error) {
	m := &DiscoveryResponse{Version: d.v}
	var err error
	if m.MessageID, m.InResponseTo, err = d.header(el, path, true); err != nil {
		return nil, err
	}
	k, err := d.kids(el, path, "Extended_Headers?", "Service_Instance*", "Signature?")
	if err != nil {
		return nil, err
	}
	if m.ExtendedHeaders, err = d.extendedHeaders(k); err != nil {
		return nil, err
	}
	for i := range k["Service_Instance"] {
		s, err := d.serviceInstance(&k["Service_Instance"][i])
		if err != nil {
			return nil, err
		}
		m.Services = append(m.Services, s)
	}
	if m.Signature, err = d.signature(k); err != nil {
		return nil, err
	}
	return m, nil
}

func (d *decoder) serviceInstance(c *child) (ServiceInstance, error) {
	var s ServiceInstance
	types := []string{"DISCOVERY", "COLLECTION_MANAGEMENT", "INBOX", "POLL"}
	if d.v == V10 {
		types[1] = serviceFeedManagement10
	}
	t, err := enumAttr(c.el, c.path, "service_type", true, types...)
	if err != nil {
		return s, err
	}
	if t == serviceFeedManagement10 {
		t = string(ServiceCollectionManagement)
	}
	s.Type = ServiceType(t)
	if s.ServiceVersion, err = reqAttr(c.el, c.path, "service_version"); err != nil {
		return s, err
	}
	if s.Available, err = boolAttr(c.el, c.path, "available"); err != nil {
		return s, err
	}
	spec := append(slices.Clone(serviceContactSpec), "Supported_Query*", "Content_Binding*", "Message?")
	if d.v == V10 {
		spec = append(slices.Clone(serviceContactSpec), "Content_Binding*", "Message?")
	}
	k, err := d.kids(c.el, c.path, spec...)
	if err != nil {
		return s, err
	}
	sc, err := serviceContactFrom(k)
	if err != nil {
		return s, err
	}
	s.ProtocolBinding, s.Address, s.MessageBindings = sc.ProtocolBinding, sc.Address, sc.MessageBindings
	for i := range k["Supported_Query"] {
		q, err := d.supportedQuery(&k["Supported_Query"][i])
		if err != nil {
			return s, err
		}
		s.SupportedQueries = append(s.SupportedQueries, q)
	}
	if s.ContentBindings, err = d.contentBindings(k); err != nil {
		return s, err
	}
	if s.Message, err = optText(k, "Message"); err != nil {
		return s, err
	}
	return s, nil
}

func (d *decoder) supportedQuery(c *child) (SupportedQuery, error) {
	var q SupportedQuery
	var err error
	if q.FormatID, err = reqAttr(c.el, c.path, "format_id"); err != nil {
		return q, err
	}
	if q.FormatID == QueryDefault10 && hasElement(c.el) {
		q.Default, err = d.defaultQueryInfo(c)
		return q, err
	}
	q.Body, q.BodyIsXML, err = readMixed(c)
	return q, err
}

// hasElement reports whether el has an element child.
func hasElement(el *etree.Element) bool {
	for _, t := range el.Child {
		if _, ok := t.(*etree.Element); ok {
			return true
		}
	}
	return false
}
