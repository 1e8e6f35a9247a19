package taxii

import (
	"fmt"
	"strconv"

	"github.com/beevik/etree"
)

// contentBindings writes a list of Content_Binding elements: in 1.1 as
// @binding_id with Subtype children, in 1.0 as text.
func (e *encoder) contentBindings(parent *etree.Element, field string, cbs []ContentBinding) error {
	for i, cb := range cbs {
		if err := e.contentBinding(parent, fmt.Sprintf("%s[%d]", field, i), cb, -1); err != nil {
			return err
		}
	}
	return nil
}

// contentBinding writes one Content_Binding; maxSubtypes < 0 means unbounded.
func (e *encoder) contentBinding(parent *etree.Element, field string, cb ContentBinding, maxSubtypes int) error {
	if cb.ID == "" {
		return e.errf(field+".ID", "required, is empty")
	}
	if e.v == V10 {
		if len(cb.Subtypes) > 0 {
			return e.errf(field+".Subtypes", "TAXII 1.0 has no content binding subtypes")
		}
		e.text(parent, "Content_Binding", cb.ID)
		return nil
	}
	if maxSubtypes >= 0 && len(cb.Subtypes) > maxSubtypes {
		return e.errf(field+".Subtypes", "a content block's binding has at most %d subtype", maxSubtypes)
	}
	c := e.el(parent, "Content_Binding")
	c.CreateAttr("binding_id", cb.ID)
	for j, st := range cb.Subtypes {
		if err := e.reqAttr(e.el(c, "Subtype"), fmt.Sprintf("%s.Subtypes[%d]", field, j), "subtype_id", st); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) contentBinding(c *child, maxSubtypes string) (ContentBinding, error) {
	if d.v == V10 {
		id, err := uri(c)
		return ContentBinding{ID: id}, err
	}
	id, err := reqAttr(c.el, c.path, "binding_id")
	if err != nil {
		return ContentBinding{}, err
	}
	k, err := d.kids(c.el, c.path, "Subtype"+maxSubtypes)
	if err != nil {
		return ContentBinding{}, err
	}
	cb := ContentBinding{ID: id}
	for _, s := range k["Subtype"] {
		st, err := reqAttr(s.el, s.path, "subtype_id")
		if err != nil {
			return ContentBinding{}, err
		}
		cb.Subtypes = append(cb.Subtypes, st)
	}
	return cb, nil
}

func (d *decoder) contentBindings(k kids) ([]ContentBinding, error) {
	var out []ContentBinding
	for i := range k["Content_Binding"] {
		cb, err := d.contentBinding(&k["Content_Binding"][i], "*")
		if err != nil {
			return nil, err
		}
		out = append(out, cb)
	}
	return out, nil
}

// serviceContact writes Protocol_Binding, Address, Message_Binding+ into el.
func (e *encoder) serviceContact(el *etree.Element, field, protocol, address string, bindings []string) error {
	if err := e.req(el, field+".ProtocolBinding", "Protocol_Binding", protocol); err != nil {
		return err
	}
	if err := e.req(el, field+".Address", "Address", address); err != nil {
		return err
	}
	if len(bindings) == 0 {
		return e.errf(field+".MessageBindings", "at least one message binding is required")
	}
	for i, b := range bindings {
		if err := e.req(el, fmt.Sprintf("%s.MessageBindings[%d]", field, i), "Message_Binding", b); err != nil {
			return err
		}
	}
	return nil
}

var serviceContactSpec = []string{"Protocol_Binding", "Address", "Message_Binding+"}

func (d *decoder) serviceContact(c *child) (ServiceContact, error) {
	k, err := d.kids(c.el, c.path, serviceContactSpec...)
	if err != nil {
		return ServiceContact{}, err
	}
	return serviceContactFrom(k)
}

func serviceContactFrom(k kids) (ServiceContact, error) {
	var sc ServiceContact
	var err error
	if sc.ProtocolBinding, err = uri(k.one("Protocol_Binding")); err != nil {
		return sc, err
	}
	if sc.Address, err = uri(k.one("Address")); err != nil {
		return sc, err
	}
	sc.MessageBindings, err = uris(k, "Message_Binding")
	return sc, err
}

func (e *encoder) serviceContacts(parent *etree.Element, name, field string, scs []ServiceContact) error {
	for i, sc := range scs {
		if err := e.serviceContact(e.el(parent, name), fmt.Sprintf("%s[%d]", field, i), sc.ProtocolBinding, sc.Address, sc.MessageBindings); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) serviceContacts(k kids, name string) ([]ServiceContact, error) {
	var out []ServiceContact
	for i := range k[name] {
		sc, err := d.serviceContact(&k[name][i])
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, nil
}

// pushParameters writes a PushParameterType element called name.
func (e *encoder) pushParameters(parent *etree.Element, name, field string, p *PushParameters) error {
	if p == nil {
		return nil
	}
	el := e.el(parent, name)
	if err := e.serviceContact(el, field, p.ProtocolBinding, p.Address, []string{p.MessageBinding}); err != nil {
		return err
	}
	if len(p.ContentBindings) > 0 && (e.v != V10 || name != "Push_Parameters") {
		return e.errf(field+".ContentBindings", "only TAXII 1.0 Push_Parameters carry content bindings")
	}
	return e.contentBindings(el, field+".ContentBindings", p.ContentBindings)
}

func (d *decoder) pushParameters(k kids, name string) (*PushParameters, error) {
	c := k.one(name)
	if c == nil {
		return nil, nil
	}
	spec := []string{"Protocol_Binding", "Address", "Message_Binding"}
	if d.v == V10 && name == "Push_Parameters" {
		spec = append(spec, "Content_Binding*")
	}
	pk, err := d.kids(c.el, c.path, spec...)
	if err != nil {
		return nil, err
	}
	sc, err := serviceContactFrom(pk)
	if err != nil {
		return nil, err
	}
	p := &PushParameters{ProtocolBinding: sc.ProtocolBinding, Address: sc.Address, MessageBinding: sc.MessageBindings[0]}
	if p.ContentBindings, err = d.contentBindings(pk); err != nil {
		return nil, err
	}
	return p, nil
}

func (e *encoder) recordCount(parent *etree.Element, rc *RecordCount) {
	if rc == nil {
		return
	}
	c := e.text(parent, "Record_Count", strconv.FormatUint(rc.Count, 10))
	if rc.Partial {
		c.CreateAttr("partial_count", "true")
	}
}

func recordCount(k kids) (*RecordCount, error) {
	c := k.one("Record_Count")
	if c == nil {
		return nil, nil
	}
	s, err := text(c)
	if err != nil {
		return nil, err
	}
	n, err := parseCount(s)
	if err != nil {
		return nil, &DecodeError{Kind: ErrBadValue, Path: c.path, Detail: err.Error()}
	}
	p, err := boolAttr(c.el, c.path, "partial_count")
	if err != nil {
		return nil, err
	}
	return &RecordCount{Count: n, Partial: p != nil && *p}, nil
}

func (e *encoder) contentBlocks(parent *etree.Element, blocks []ContentBlock) error {
	for i := range blocks {
		b := &blocks[i]
		field := fmt.Sprintf("ContentBlocks[%d]", i)
		el := e.el(parent, "Content_Block")
		if err := e.contentBinding(el, field+".Binding", b.Binding, 1); err != nil {
			return err
		}
		e.mixed(e.el(el, "Content"), field+".Content", b.Content, b.ContentIsXML)
		e.timestamp(el, "Timestamp_Label", b.TimestampLabel)
		if b.Message != "" {
			if e.v == V10 {
				return e.errf(field+".Message", "TAXII 1.0 content blocks have no Message")
			}
			e.text(el, "Message", b.Message)
		}
		e.opt(el, "Padding", b.Padding)
		e.signature(el, field+".Signature", b.Signature)
	}
	return nil
}

func (d *decoder) contentBlocks(k kids) ([]ContentBlock, error) {
	cs := k["Content_Block"]
	if len(cs) == 0 {
		return nil, nil
	}
	spec := []string{"Content_Binding", "Content", "Timestamp_Label?", "Message?", "Padding?", "Signature?"}
	if d.v == V10 {
		spec = []string{"Content_Binding", "Content", "Timestamp_Label?", "Padding?", "Signature?"}
	}
	out := make([]ContentBlock, len(cs))
	for i := range cs {
		c := &cs[i]
		bk, err := d.kids(c.el, c.path, spec...)
		if err != nil {
			return nil, err
		}
		b := &out[i]
		if b.Binding, err = d.contentBinding(bk.one("Content_Binding"), "?"); err != nil {
			return nil, err
		}
		if b.Content, b.ContentIsXML, err = d.mixed(bk.one("Content")); err != nil {
			return nil, err
		}
		if b.TimestampLabel, err = optTimestamp(bk, "Timestamp_Label"); err != nil {
			return nil, err
		}
		if b.Message, err = optText(bk, "Message"); err != nil {
			return nil, err
		}
		if b.Padding, err = optText(bk, "Padding"); err != nil {
			return nil, err
		}
		if b.Signature, err = d.signature(bk); err != nil {
			return nil, err
		}
	}
	return out, nil
}
