package taxii

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/beevik/etree"
)

// writeSettings escape \r, \t and \n where XML would otherwise normalize them,
// so every decoded string survives a re-encoding unchanged.
var writeSettings = etree.WriteSettings{CanonicalText: true, CanonicalAttrVal: true}

// encoder builds one TAXII document. XML payloads and signatures are attached
// after indentation so their bytes are not re-indented.
type encoder struct {
	v       Version
	prefix  string // "taxii_11:" or "taxii:"
	msg     string // root element name, for errors
	pending []pendingXML
}

type pendingXML struct {
	parent      *etree.Element
	placeholder *etree.Element // replaced by the XML; nil = append to parent
	data        []byte
	field       string
}

func newEncoder(v Version) *encoder {
	e := &encoder{v: v, prefix: "taxii_11:"}
	if v == V10 {
		e.prefix = "taxii:"
	}
	return e
}

func (e *encoder) errf(field, format string, args ...any) error {
	return &EncodeError{Message: e.msg, Field: field, Detail: fmt.Sprintf(format, args...)}
}

// root starts the message element with its namespace and header attributes.
func (e *encoder) root(name, id, inResponseTo string, response bool) (*etree.Element, error) {
	e.msg = name
	if e.v != V11 && e.v != V10 {
		return nil, e.errf("Version", "unknown TAXII version %d", int(e.v))
	}
	el := etree.NewElement(e.prefix + name)
	el.CreateAttr("xmlns:"+strings.TrimSuffix(e.prefix, ":"), e.v.Namespace())
	if err := e.checkID("MessageID", id); err != nil {
		return nil, err
	}
	el.CreateAttr("message_id", id)
	if response {
		if err := e.checkID("InResponseTo", inResponseTo); err != nil {
			return nil, err
		}
		el.CreateAttr("in_response_to", inResponseTo)
	}
	return el, nil
}

// checkID enforces TAXII 1.0's unsigned-integer ids and non-empty 1.1 ids.
func (e *encoder) checkID(field, id string) error {
	if id == "" {
		return e.errf(field, "required, is empty")
	}
	if e.v == V10 && strings.Trim(id, "0123456789") != "" {
		return e.errf(field, "TAXII 1.0 ids are unsigned integers, got %q", id)
	}
	return nil
}

func (e *encoder) el(parent *etree.Element, name string) *etree.Element {
	return parent.CreateElement(e.prefix + name)
}

// text adds <name>value</name>; value may be empty.
func (e *encoder) text(parent *etree.Element, name, value string) *etree.Element {
	c := e.el(parent, name)
	if value != "" {
		c.CreateText(value)
	}
	return c
}

// req adds <name>value</name> and fails when value is empty.
func (e *encoder) req(parent *etree.Element, field, name, value string) error {
	if strings.TrimSpace(value) == "" {
		return e.errf(field, "required, is empty")
	}
	e.text(parent, name, value)
	return nil
}

// opt adds <name>value</name> when value is not empty.
func (e *encoder) opt(parent *etree.Element, name, value string) {
	if value != "" {
		e.text(parent, name, value)
	}
}

// reqAttr sets a required attribute.
func (e *encoder) reqAttr(el *etree.Element, field, name, value string) error {
	if strings.TrimSpace(value) == "" {
		return e.errf(field, "required, is empty")
	}
	el.CreateAttr(name, value)
	return nil
}

func optAttr(el *etree.Element, name, value string) {
	if value != "" {
		el.CreateAttr(name, value)
	}
}

func (e *encoder) timestamp(parent *etree.Element, name string, t *Timestamp) {
	if t != nil {
		e.text(parent, name, t.String())
	}
}

// mixed writes a mixed-content body: text as character data, XML after indentation.
func (e *encoder) mixed(el *etree.Element, field string, data []byte, isXML bool) {
	if isXML {
		e.pending = append(e.pending, pendingXML{parent: el, data: data, field: field})
		return
	}
	if len(data) > 0 {
		el.CreateText(string(data))
	}
}

// signature reserves the place of a ds:Signature.
func (e *encoder) signature(parent *etree.Element, field string, sig []byte) {
	if len(sig) == 0 {
		return
	}
	ph := parent.CreateElement("signature-placeholder")
	e.pending = append(e.pending, pendingXML{parent: parent, placeholder: ph, data: sig, field: field})
}

func (e *encoder) extendedHeaders(parent *etree.Element, hs []ExtendedHeader) error {
	if len(hs) == 0 {
		return nil
	}
	w := e.el(parent, "Extended_Headers")
	for i, h := range hs {
		c := e.el(w, "Extended_Header")
		field := fmt.Sprintf("ExtendedHeaders[%d]", i)
		if err := e.reqAttr(c, field+".Name", "name", h.Name); err != nil {
			return err
		}
		e.mixed(c, field+".Value", h.Value, h.ValueIsXML)
	}
	return nil
}

// finish indents the document, serializes it and splices in the pending XML
// payloads and signatures, byte for byte, after checking each is well-formed
// and declares every prefix it uses.
func (e *encoder) finish(root *etree.Element) ([]byte, error) {
	doc := etree.NewDocument()
	doc.WriteSettings = writeSettings
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	doc.SetRoot(root)
	is := etree.NewIndentSettings()
	is.Spaces = 2
	is.PreserveLeafWhitespace = true
	doc.IndentWithSettings(is)
	payloads := make([][]byte, len(e.pending))
	extra := 0
	for i, p := range e.pending {
		data, err := checkXML(p.data)
		if err != nil {
			return nil, e.errf(p.field, "%v", err)
		}
		payloads[i] = data
		extra += len(data)
		marker := etree.NewComment(markerText(i))
		if p.placeholder != nil {
			p.parent.InsertChildAt(p.placeholder.Index(), marker)
			p.parent.RemoveChild(p.placeholder)
		} else {
			p.parent.AddChild(marker)
		}
	}
	var buf bytes.Buffer
	if _, err := doc.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("taxii: encode %s: %w", e.msg, err)
	}
	if len(payloads) == 0 {
		buf.WriteByte('\n')
		return buf.Bytes(), nil
	}
	// The markers are in document order: pending entries are created top-down.
	// Text is escaped and payloads are spliced after the search, so nothing
	// else in the output can look like a marker.
	src := buf.Bytes()
	out := make([]byte, 0, len(src)+extra+1)
	pos := 0
	for i, data := range payloads {
		m := []byte("<!--" + markerText(i) + "-->")
		j := bytes.Index(src[pos:], m)
		if j < 0 {
			return nil, fmt.Errorf("taxii: encode %s: internal error: payload marker %d lost", e.msg, i)
		}
		out = append(out, src[pos:pos+j]...)
		out = append(out, data...)
		pos += j + len(m)
	}
	out = append(out, src[pos:]...)
	return append(out, '\n'), nil
}

func markerText(i int) string { return "taxii-payload-" + strconv.Itoa(i) }

// checkXML checks that data is one or more well-formed XML elements (an XML
// declaration and surrounding whitespace or comments allowed) that declare
// every namespace prefix they use, and returns it without the declaration.
func checkXML(data []byte) ([]byte, error) {
	data = bytes.TrimSpace(skipXMLDecl(data))
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	type frame struct {
		name     xml.Name
		declared map[string]bool
	}
	var stack []frame
	declared := func(p string) bool {
		if p == "" || p == "xml" || p == "xmlns" {
			return true
		}
		for i := len(stack) - 1; i >= 0; i-- {
			if stack[i].declared[p] {
				return true
			}
		}
		return false
	}
	elements := 0
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("not well-formed XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			f := frame{name: t.Name}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" {
					if f.declared == nil {
						f.declared = map[string]bool{}
					}
					f.declared[a.Name.Local] = true
				}
			}
			stack = append(stack, f)
			if !declared(t.Name.Space) {
				return nil, fmt.Errorf("XML uses namespace prefix %q without declaring it", t.Name.Space)
			}
			for _, a := range t.Attr {
				if !declared(a.Name.Space) {
					return nil, fmt.Errorf("XML uses namespace prefix %q without declaring it", a.Name.Space)
				}
			}
			if len(stack) == 1 {
				elements++
			}
		case xml.EndElement:
			if len(stack) == 0 || stack[len(stack)-1].name != t.Name {
				return nil, fmt.Errorf("not well-formed XML: unexpected end tag </%s>", t.Name.Local)
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 && len(bytes.TrimSpace(t)) > 0 {
				return nil, fmt.Errorf("not well-formed XML: text outside the elements")
			}
		case xml.Directive:
			return nil, fmt.Errorf("a DOCTYPE or other directive is not allowed")
		case xml.ProcInst:
			if strings.EqualFold(t.Target, "xml") {
				return nil, fmt.Errorf("not well-formed XML: misplaced XML declaration")
			}
		}
	}
	if len(stack) > 0 {
		return nil, fmt.Errorf("not well-formed XML: <%s> is not closed", stack[len(stack)-1].name.Local)
	}
	if elements == 0 {
		return nil, fmt.Errorf("no XML element")
	}
	return data, nil
}

// skipXMLDecl drops a leading BOM, whitespace and XML declaration.
func skipXMLDecl(b []byte) []byte {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	t := bytes.TrimLeft(b, " \t\r\n")
	if bytes.HasPrefix(t, []byte("<?xml")) && len(t) > 5 && (t[5] == ' ' || t[5] == '\t' || t[5] == '\r' || t[5] == '\n' || t[5] == '?') {
		if i := bytes.Index(t, []byte("?>")); i >= 0 {
			return t[i+2:]
		}
	}
	return b
}

func formatBool(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// parseBool reads xs:boolean: true, false, 1, 0.
func parseBool(s string) (bool, error) {
	switch strings.TrimSpace(s) {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean (true, false, 1, 0)", s)
}

// parseCount reads xs:nonNegativeInteger (within uint64).
func parseCount(s string) (uint64, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "+")
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a non-negative integer", s)
	}
	return n, nil
}

// parsePositive reads xs:positiveInteger (within int32, plenty for part numbers).
func parsePositive(s string) (int, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "+")
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%q is not a positive integer", s)
	}
	return int(n), nil
}
