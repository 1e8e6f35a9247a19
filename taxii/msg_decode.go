package taxii

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/beevik/etree"
)

// Decoding limits.
const (
	// DefaultMaxBytes caps the input of Unmarshal: 64 MiB. A parsed document
	// takes several times its size in memory; large poll results come in
	// parts (Poll_Fulfillment), so one message rarely needs more.
	DefaultMaxBytes = 64 << 20
	// DefaultMaxDepth caps element nesting, payloads included: 256 levels
	// (STIX documents nest a few dozen deep).
	DefaultMaxDepth = 256
)

// Decoder decodes TAXII messages with configurable limits. The zero value
// uses DefaultMaxBytes and DefaultMaxDepth.
type Decoder struct {
	MaxBytes int64 // input size cap; <= 0 means DefaultMaxBytes
	MaxDepth int   // nesting cap; <= 0 means DefaultMaxDepth
}

// Unmarshal decodes a TAXII 1.1 or 1.0 XML message with the default limits.
// It dispatches on the root element's namespace URI and local name (never on
// the prefix). A DOCTYPE is refused and entities are never expanded. Errors
// are *DecodeError.
func Unmarshal(b []byte) (Message, error) { return Decoder{}.Unmarshal(b) }

// Read reads one message from r, refusing input over the size limit.
func (d Decoder) Read(r io.Reader) (Message, error) {
	b, err := io.ReadAll(io.LimitReader(r, d.maxBytes()+1))
	if err != nil {
		return nil, fmt.Errorf("taxii: read message: %w", err)
	}
	return d.Unmarshal(b)
}

func (d Decoder) maxBytes() int64 {
	if d.MaxBytes > 0 {
		return d.MaxBytes
	}
	return DefaultMaxBytes
}

func (d Decoder) maxDepth() int {
	if d.MaxDepth > 0 {
		return d.MaxDepth
	}
	return DefaultMaxDepth
}

// Unmarshal decodes one TAXII message. See the package-level Unmarshal.
func (d Decoder) Unmarshal(b []byte) (Message, error) {
	if int64(len(b)) > d.maxBytes() {
		return nil, &DecodeError{Kind: ErrTooBig, Detail: fmt.Sprintf("input exceeds %d bytes", d.maxBytes())}
	}
	if err := checkProlog(b); err != nil {
		return nil, err
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark
	b, err := toUTF8(b)
	if err != nil {
		return nil, err
	}
	p, err := parse(b, d.maxDepth())
	if err != nil {
		return nil, err
	}
	root := p.root
	path := "/" + root.Tag
	dc := &decoder{p: p}
	switch ns := root.NamespaceURI(); ns {
	case NS11:
		dc.v, dc.ns = V11, NS11
	case NS10:
		dc.v, dc.ns = V10, NS10
	default:
		return nil, decodeErr(ErrWrongNamespace, path, "", "root element namespace %q is neither TAXII 1.1 (%s) nor TAXII 1.0 (%s)", ns, NS11, NS10)
	}
	fn := decoderFor(dc.v, root.Tag)
	if fn == nil {
		return nil, decodeErr(ErrUnknownMessage, path, "", "no TAXII %s message is called %s", dc.v, root.Tag)
	}
	return fn(dc, root, path)
}

type decodeFunc func(d *decoder, el *etree.Element, path string) (Message, error)

// decoderFor returns the decoder of the message called name in version v.
func decoderFor(v Version, name string) decodeFunc {
	switch name {
	case "Status_Message":
		return decodeStatus
	case "Discovery_Request":
		return decodeDiscoveryRequest
	case "Discovery_Response":
		return decodeDiscoveryResponse
	case "Subscription_Management_Request":
		return decodeSubscriptionRequest
	case "Subscription_Management_Response":
		return decodeSubscriptionResponse
	case "Poll_Request":
		return decodePollRequest
	case "Poll_Response":
		return decodePollResponse
	case "Inbox_Message":
		return decodeInbox
	}
	if v == V11 {
		switch name {
		case "Collection_Information_Request":
			return decodeCollectionInformationRequest
		case "Collection_Information_Response":
			return decodeCollectionInformationResponse
		case "Poll_Fulfillment":
			return decodePollFulfillment
		}
	} else {
		switch name {
		case "Feed_Information_Request":
			return decodeCollectionInformationRequest
		case "Feed_Information_Response":
			return decodeCollectionInformationResponse
		}
	}
	return nil
}

// charsetReader accepts the encodings TAXII servers declare: UTF-8 (and its
// ASCII subset), and ISO-8859-1, which toUTF8 has already converted. Others
// are refused with an error naming them.
func charsetReader(charset string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "iso8859-1", "latin1", "latin-1":
		return r, nil
	}
	return nil, fmt.Errorf("unsupported character encoding %q (use UTF-8)", charset)
}

// toUTF8 converts a document that declares ISO-8859-1 to UTF-8 (the byte
// offsets of payloads must refer to the bytes the parser reads).
func toUTF8(b []byte) ([]byte, error) {
	t := bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if !bytes.HasPrefix(t, []byte("<?xml")) {
		return b, nil
	}
	end := bytes.Index(t, []byte("?>"))
	if end < 0 {
		return b, nil
	}
	decl := t[:end]
	i := bytes.Index(decl, []byte("encoding"))
	if i < 0 {
		return b, nil
	}
	rest := bytes.TrimLeft(decl[i+len("encoding"):], " \t\r\n")
	if len(rest) < 2 || rest[0] != '=' {
		return b, nil
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	if len(rest) < 2 || (rest[0] != '"' && rest[0] != '\'') {
		return b, nil
	}
	q := bytes.IndexByte(rest[1:], rest[0])
	if q < 0 {
		return b, nil
	}
	switch strings.ToLower(string(rest[1 : 1+q])) {
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1":
		out := make([]byte, 0, len(b)+len(b)/8)
		for _, c := range b {
			out = utf8.AppendRune(out, rune(c))
		}
		return out, nil
	}
	return b, nil
}

// checkProlog refuses a DOCTYPE before the root element. encoding/xml never
// expands entities other than the five predefined ones, but a DTD has no
// place in a TAXII message.
func checkProlog(b []byte) error {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	for {
		b = bytes.TrimLeft(b, " \t\r\n")
		switch {
		case bytes.HasPrefix(b, []byte("<?")):
			i := bytes.Index(b, []byte("?>"))
			if i < 0 {
				return nil // the parser reports it
			}
			b = b[i+2:]
		case bytes.HasPrefix(b, []byte("<!--")):
			i := bytes.Index(b[4:], []byte("-->"))
			if i < 0 {
				return nil
			}
			b = b[4+i+3:]
		case len(b) >= 9 && bytes.EqualFold(b[:9], []byte("<!DOCTYPE")):
			return decodeErr(ErrDoctype, "", "", "the document has a DOCTYPE; DTDs and entities are refused")
		default:
			return nil
		}
	}
}

// decoder holds the version being decoded and the parsed document.
type decoder struct {
	v  Version
	ns string
	p  *parsed
}

// mixed reads a mixed-content body: a captured Content payload, or any
// other mixed element from the tree.
func (d *decoder) mixed(c *child) ([]byte, bool, error) {
	if d.p != nil {
		if r := d.p.raw[c.el]; r != nil {
			return d.p.payload(c, r)
		}
	}
	return readMixed(c)
}

// child is an element with its path for error messages.
type child struct {
	el   *etree.Element
	path string
}

// kids is the children of an element, grouped by local name.
type kids map[string][]child

func (k kids) one(name string) *child {
	if c := k[name]; len(c) > 0 {
		return &c[0]
	}
	return nil
}

// kids checks the children of el against spec and groups them. Each spec
// entry is a local name with an optional suffix: "?" 0-1, "*" 0-n, "+" 1-n,
// none exactly 1. "Signature" means ds:Signature. Order is not enforced
// (servers misplace elements), counts and namespaces are.
func (d *decoder) kids(el *etree.Element, path string, spec ...string) (kids, error) {
	type rule struct{ min, max int }
	rules := make(map[string]rule, len(spec))
	for _, s := range spec {
		r := rule{1, 1}
		switch s[len(s)-1] {
		case '?':
			r, s = rule{0, 1}, s[:len(s)-1]
		case '*':
			r, s = rule{0, -1}, s[:len(s)-1]
		case '+':
			r, s = rule{1, -1}, s[:len(s)-1]
		}
		rules[s] = r
	}
	out := kids{}
	for _, t := range el.Child {
		switch t := t.(type) {
		case *etree.Element:
			name := t.Tag
			cpath := path + "/" + name
			ns := t.NamespaceURI()
			r, known := rules[name]
			if name == "Signature" && known {
				if ns != NSXMLDSig {
					return nil, decodeErr(ErrWrongNamespace, cpath, "", "Signature must be in namespace %s, is in %q", NSXMLDSig, ns)
				}
			} else if ns != d.ns {
				return nil, decodeErr(ErrWrongNamespace, cpath, "", "element must be in namespace %s, is in %q", d.ns, ns)
			}
			if !known {
				return nil, decodeErr(ErrUnexpectedElement, cpath, "", "%s may not contain %s", el.Tag, name)
			}
			n := len(out[name])
			if r.max >= 0 && n >= r.max {
				return nil, decodeErr(ErrUnexpectedElement, cpath, "", "%s may contain at most %d %s", el.Tag, r.max, name)
			}
			if r.max != 1 {
				cpath += "[" + strconv.Itoa(n+1) + "]"
			}
			out[name] = append(out[name], child{t, cpath})
		case *etree.CharData:
			if !isXMLSpace(t.Data) {
				return nil, decodeErr(ErrUnexpectedElement, path, "", "text %q where only elements may appear", shorten(t.Data))
			}
		case *etree.Directive:
			return nil, decodeErr(ErrDoctype, path, "", "directive <!%s> refused", shorten(t.Data))
		}
	}
	for _, s := range spec {
		name := strings.TrimRight(s, "?*+")
		if r := rules[name]; r.min > 0 && len(out[name]) < r.min {
			return nil, decodeErr(ErrMissingElement, path+"/"+name, "", "%s requires %s", el.Tag, name)
		}
	}
	return out, nil
}

func shorten(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// attr returns an unqualified attribute's value.
func attr(el *etree.Element, name string) (string, bool) {
	for _, a := range el.Attr {
		if a.Space == "" && a.Key == name {
			return a.Value, true
		}
	}
	return "", false
}

// reqAttr returns a required attribute (trimmed) or a DecodeError.
func reqAttr(el *etree.Element, path, name string) (string, error) {
	v, ok := attr(el, name)
	v = strings.TrimSpace(v)
	if !ok || v == "" {
		return "", decodeErr(ErrMissingAttribute, path, name, "%s requires @%s", el.Tag, name)
	}
	return v, nil
}

// optAttrValue returns an optional attribute (trimmed), "" when absent.
func optAttrValue(el *etree.Element, name string) string {
	v, _ := attr(el, name)
	return strings.TrimSpace(v)
}

// enumAttr reads an attribute that must be one of allowed ("" if absent and optional).
func enumAttr(el *etree.Element, path, name string, required bool, allowed ...string) (string, error) {
	v, ok := attr(el, name)
	v = strings.TrimSpace(v)
	if !ok || v == "" {
		if required {
			return "", decodeErr(ErrMissingAttribute, path, name, "%s requires @%s", el.Tag, name)
		}
		return "", nil
	}
	if !slices.Contains(allowed, v) {
		return "", decodeErr(ErrBadValue, path, name, "%q is not one of %s", v, strings.Join(allowed, ", "))
	}
	return v, nil
}

func boolAttr(el *etree.Element, path, name string) (*bool, error) {
	v, ok := attr(el, name)
	if !ok {
		return nil, nil
	}
	b, err := parseBool(v)
	if err != nil {
		return nil, decodeErr(ErrBadValue, path, name, "%v", err)
	}
	return &b, nil
}

// text returns the character data of a simple-typed element.
func text(c *child) (string, error) {
	var b strings.Builder
	for _, t := range c.el.Child {
		switch t := t.(type) {
		case *etree.CharData:
			b.WriteString(t.Data)
		case *etree.Element:
			return "", decodeErr(ErrUnexpectedElement, c.path+"/"+t.Tag, "", "%s holds text only", c.el.Tag)
		case *etree.Directive:
			return "", decodeErr(ErrDoctype, c.path, "", "directive <!%s> refused", shorten(t.Data))
		}
	}
	return b.String(), nil
}

// uri returns trimmed text that must not be empty (xs:anyURI fields).
func uri(c *child) (string, error) {
	s, err := text(c)
	if err != nil {
		return "", err
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "", decodeErr(ErrBadValue, c.path, "", "%s must not be empty", c.el.Tag)
	}
	return s, nil
}

// optText returns the text of an optional child, "" when absent.
func optText(k kids, name string) (string, error) {
	c := k.one(name)
	if c == nil {
		return "", nil
	}
	return text(c)
}

// uris returns the trimmed texts of all children called name.
func uris(k kids, name string) ([]string, error) {
	var out []string
	for i := range k[name] {
		s, err := uri(&k[name][i])
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func optTimestamp(k kids, name string) (*Timestamp, error) {
	c := k.one(name)
	if c == nil {
		return nil, nil
	}
	s, err := text(c)
	if err != nil {
		return nil, err
	}
	t, err := ParseTimestamp(s)
	if err != nil {
		return nil, &DecodeError{Kind: ErrBadValue, Path: c.path, Detail: err.Error()}
	}
	return &t, nil
}

func (d *decoder) extendedHeaders(k kids) ([]ExtendedHeader, error) {
	w := k.one("Extended_Headers")
	if w == nil {
		return nil, nil
	}
	hk, err := d.kids(w.el, w.path, "Extended_Header+")
	if err != nil {
		return nil, err
	}
	var out []ExtendedHeader
	for _, h := range hk["Extended_Header"] {
		name, err := reqAttr(h.el, h.path, "name")
		if err != nil {
			return nil, err
		}
		v, isXML, err := readMixed(&h)
		if err != nil {
			return nil, err
		}
		out = append(out, ExtendedHeader{Name: name, Value: v, ValueIsXML: isXML})
	}
	return out, nil
}

// signature returns a ds:Signature child as a standalone XML element,
// exactly as received apart from the namespace declarations it inherited.
func (d *decoder) signature(k kids) ([]byte, error) {
	c := k.one("Signature")
	if c == nil {
		return nil, nil
	}
	if d.p != nil {
		if r := d.p.raw[c.el]; r != nil {
			b, _, err := d.p.payload(c, r)
			return b, err
		}
	}
	return standalone(c.el, c.path, inScope(c.el.Parent()), true)
}

// header reads message_id (and in_response_to for responses).
func (d *decoder) header(el *etree.Element, path string, response bool) (id, inResponseTo string, err error) {
	if id, err = reqAttr(el, path, "message_id"); err != nil {
		return "", "", err
	}
	if response {
		if inResponseTo, err = reqAttr(el, path, "in_response_to"); err != nil {
			return "", "", err
		}
	}
	return id, inResponseTo, nil
}
