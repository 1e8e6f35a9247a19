package taxii

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/beevik/etree"
)

// ContentBinding names a content format: a binding ID and, in TAXII 1.1,
// subtypes. In lists of acceptable bindings (Service_Instance, Collection,
// poll and subscription parameters) no subtypes means all subtypes are
// acceptable. In a Content_Block it describes one piece of content and has at
// most one subtype; its ID may be a nesting expression such as "A|B".
// TAXII 1.0 has no subtypes.
type ContentBinding struct {
	ID       string
	Subtypes []string
}

// ContentBlock is one piece of content in a Poll_Response or Inbox_Message.
type ContentBlock struct {
	Binding ContentBinding
	// Content is the payload. When ContentIsXML is true it is a standalone,
	// well-formed XML document (no XML declaration) whose root element
	// declares every namespace the payload uses, including those the TAXII
	// message declared only on an ancestor. Otherwise it is the character
	// data of <Content> exactly as received (JSON, base64, escaped XML).
	Content      []byte
	ContentIsXML bool
	// TimestampLabel is optional (nil when absent).
	TimestampLabel *Timestamp
	// Message is prose for humans (TAXII 1.1 only).
	Message string
	// Padding is filler a receiver must ignore; it is kept for round trips.
	Padding string
	// Signature is a raw ds:Signature over this block as a standalone XML
	// element, or nil.
	Signature []byte
}

// ExtendedHeader is a name-value pair from Extended_Headers. Value is mixed
// content: text, or XML (ValueIsXML) in the form described for
// ContentBlock.Content.
type ExtendedHeader struct {
	Name       string
	Value      []byte
	ValueIsXML bool
}

// RecordCount is Record_Count: the number of records, and whether it is only
// a lower bound (partial_count).
type RecordCount struct {
	Count   uint64
	Partial bool
}

// ServiceContact is a ServiceContactInfoType (Polling_Service,
// Subscription_Service, Poll_Instance): where and how to reach a service.
type ServiceContact struct {
	ProtocolBinding string
	Address         string
	MessageBindings []string
}

// PushMethod is Collection/Push_Method: a protocol and message bindings the
// collection can push with.
type PushMethod struct {
	ProtocolBinding string
	MessageBindings []string
}

// InboxService is Collection/Receiving_Inbox_Service: an inbox that adds
// pushed content to the collection. No ContentBindings means every binding the
// collection supports.
type InboxService struct {
	ProtocolBinding string
	Address         string
	MessageBindings []string
	ContentBindings []ContentBinding
}

// PushParameters is PushParameterType (Push_Parameters, Delivery_Parameters):
// the inbox to push to. ContentBindings exists only in TAXII 1.0
// Push_Parameters; TAXII 1.1 moved it to SubscriptionParameters.
type PushParameters struct {
	ProtocolBinding string
	Address         string
	MessageBinding  string
	ContentBindings []ContentBinding // TAXII 1.0 only
}

// readMixed reads a mixed-content body (Content, Extended_Header, Detail,
// Query, Supported_Query): text as is, or its elements as standalone XML.
// Several elements come out as standalone documents joined by newlines.
func readMixed(c *child) ([]byte, bool, error) {
	var elems []*etree.Element
	var txt strings.Builder
	mixedText := false
	for _, t := range c.el.Child {
		switch t := t.(type) {
		case *etree.Element:
			elems = append(elems, t)
		case *etree.CharData:
			txt.WriteString(t.Data)
			if !isXMLSpace(t.Data) {
				mixedText = true
			}
		case *etree.Directive:
			return nil, false, decodeErr(ErrDoctype, c.path, "", "directive <!%s> refused", shorten(t.Data))
		}
	}
	if len(elems) == 0 {
		return []byte(txt.String()), false, nil
	}
	if mixedText {
		return nil, false, decodeErr(ErrBadValue, c.path, "", "%s mixes text and XML elements; expected either text or XML", c.el.Tag)
	}
	scope := inScope(c.el)
	if len(elems) == 1 {
		b, err := standalone(elems[0], c.path+"/"+elems[0].Tag, scope, false)
		return b, true, err
	}
	var out []byte
	for i, el := range elems {
		b, err := standalone(el, fmt.Sprintf("%s/%s", c.path, el.Tag), scope, false)
		if err != nil {
			return nil, false, err
		}
		if i > 0 {
			out = append(out, '\n')
		}
		out = append(out, b...)
	}
	return out, true, nil
}

// inScope returns the namespace declarations in scope at el (prefix → URI;
// "" is the default namespace), nearest declaration winning.
func inScope(el *etree.Element) map[string]string {
	scope := map[string]string{}
	for e := el; e != nil; e = e.Parent() {
		for _, a := range e.Attr {
			var p string
			switch {
			case a.Space == "xmlns":
				p = a.Key
			case a.Space == "" && a.Key == "xmlns":
				p = ""
			default:
				continue
			}
			if _, seen := scope[p]; !seen {
				scope[p] = a.Value
			}
		}
	}
	return scope
}

// standalone detaches el and serializes it as a standalone document whose
// root declares every in-scope namespace the subtree may use: all non-TAXII
// namespaces in scope (a payload may name prefixes in values, such as STIX's
// xsi:type="indicator:IndicatorType"), the TAXII ones only when the subtree
// uses their prefix. With onlyUsed, only prefixes used by element and
// attribute names are declared (for signatures).
func standalone(el *etree.Element, path string, scope map[string]string, onlyUsed bool) ([]byte, error) {
	used := map[string]bool{}
	stack := []*etree.Element{el}
	for len(stack) > 0 {
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		used[e.Space] = true
		for _, a := range e.Attr {
			if a.Space != "" && a.Space != "xmlns" {
				used[a.Space] = true
			}
		}
		for _, t := range e.Child {
			switch t := t.(type) {
			case *etree.Element:
				stack = append(stack, t)
			case *etree.Directive:
				return nil, decodeErr(ErrDoctype, path, "", "directive <!%s> refused", shorten(t.Data))
			}
		}
	}
	own := map[string]bool{}
	for _, a := range el.Attr {
		if a.Space == "xmlns" {
			own[a.Key] = true
		} else if a.Space == "" && a.Key == "xmlns" {
			own[""] = true
		}
	}
	prefixes := make([]string, 0, len(scope))
	for p := range scope {
		prefixes = append(prefixes, p)
	}
	slices.Sort(prefixes)
	var decls []etree.Attr
	for _, p := range prefixes {
		u := scope[p]
		if own[p] || p == "xml" {
			continue
		}
		taxiiNS := u == NS11 || u == NS10
		if (onlyUsed || taxiiNS || u == "") && !used[p] {
			continue
		}
		if p == "" {
			decls = append(decls, etree.Attr{Key: "xmlns", Value: u})
		} else {
			decls = append(decls, etree.Attr{Space: "xmlns", Key: p, Value: u})
		}
	}
	doc := etree.NewDocument()
	doc.WriteSettings = writeSettings
	doc.SetRoot(el)
	if len(decls) > 0 {
		attrs := el.Attr
		el.Attr = nil
		for _, a := range decls {
			el.CreateAttr(a.FullKey(), a.Value)
		}
		el.Attr = append(el.Attr, attrs...)
	}
	var buf bytes.Buffer
	if _, err := doc.WriteTo(&buf); err != nil {
		return nil, &DecodeError{Kind: ErrNotXML, Path: path, Err: err}
	}
	return buf.Bytes(), nil
}
