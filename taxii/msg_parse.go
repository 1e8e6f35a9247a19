package taxii

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/beevik/etree"
)

// parsed is a TAXII document as an etree tree, except for Content payloads
// and ds:Signature elements, which are not built as trees: their byte ranges
// in the input are recorded instead, so they come out exactly as received
// (plus the namespace declarations they inherited) and cost no tree.
type parsed struct {
	src  []byte
	root *etree.Element
	raw  map[*etree.Element]*rawCapture
}

// rawCapture is what the parser recorded for a Content element (its element
// children) or a ds:Signature element (itself, in elems[0]).
type rawCapture struct {
	scope     map[string]string // namespaces in scope at the capture point (outside the captured elements)
	elems     []rawElem
	text      strings.Builder // character data directly inside Content
	mixedText bool            // non-whitespace text next to elements
	directive string          // name of the element holding a DOCTYPE or other directive
	onlyUsed  bool            // declare only prefixes used by names (signatures)
}

// rawElem is one captured element subtree.
type rawElem struct {
	local            string
	start, nameEnd   int64 // offsets of "<" and of the end of the tag name
	end              int64 // offset just after the end tag
	own              map[string]bool
	used             map[string]bool
	usesDefaultSpace bool
}

// parse reads b into a parsed document, enforcing the depth limit and
// refusing directives outside payloads (inside a payload one is reported when
// the payload is read, with its path).
func parse(b []byte, maxDepth int) (*parsed, error) {
	p := &parsed{src: b, raw: map[*etree.Element]*rawCapture{}}
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	d.CharsetReader = charsetReader
	type frame struct {
		el    *etree.Element
		name  xml.Name
		scope map[string]string // nil = same as the parent's
	}
	var stack []frame
	scopeAt := func() map[string]string {
		for i := len(stack) - 1; i >= 0; i-- {
			if stack[i].scope != nil {
				return stack[i].scope
			}
		}
		return map[string]string{}
	}
	var taxiiNS string
	var capture *rawCapture     // open capture (a Content or ds:Signature element)
	var capOwner *etree.Element // the element whose capture is open
	var capNames []xml.Name     // open elements inside the capture
	var cur *rawElem            // the captured element being read
	for {
		off := d.InputOffset()
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, &DecodeError{Kind: ErrNotXML, Err: err}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack)+len(capNames)+1 > maxDepth {
				return nil, &DecodeError{Kind: ErrTooDeep, Detail: fmt.Sprintf("elements nest deeper than %d levels", maxDepth)}
			}
			if capture != nil {
				if len(capNames) == 0 { // an element child of Content: a payload root
					capture.elems = append(capture.elems, rawElem{local: t.Name.Local, start: off, nameEnd: off + 1 + int64(len(qname(t.Name)))})
					cur = &capture.elems[len(capture.elems)-1]
					cur.noteRoot(t)
				} else {
					cur.note(t)
				}
				capNames = append(capNames, t.Name)
				continue
			}
			outer := scopeAt()
			var scope map[string]string
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					if scope == nil {
						scope = copyScope(outer)
					}
					prefix := a.Name.Local
					if a.Name.Space == "" {
						prefix = ""
					}
					scope[prefix] = a.Value
				}
			}
			inner := scope
			if inner == nil {
				inner = outer
			}
			ns := inner[t.Name.Space]
			if len(stack) == 0 {
				if p.root != nil {
					return nil, decodeErr(ErrNotXML, "", "", "more than one root element")
				}
				taxiiNS = ns
			}
			el := etree.NewElement(qname(t.Name))
			for _, a := range t.Attr {
				el.CreateAttr(qname(a.Name), a.Value)
			}
			var parent *frame
			if len(stack) == 0 {
				p.root = el
			} else {
				parent = &stack[len(stack)-1]
				parent.el.AddChild(el)
			}
			stack = append(stack, frame{el: el, name: t.Name, scope: scope})
			switch {
			case parent != nil && t.Name.Local == "Content" && ns == taxiiNS && parent.name.Local == "Content_Block":
				capture, capOwner = &rawCapture{scope: inner}, el
				p.raw[el] = capture
			case parent != nil && t.Name.Local == "Signature" && ns == NSXMLDSig:
				// The element itself is captured. Its attributes stay on el
				// so its namespace resolves for the structure checks.
				capture, capOwner = &rawCapture{scope: outer, onlyUsed: true}, el
				p.raw[el] = capture
				capture.elems = append(capture.elems, rawElem{local: t.Name.Local, start: off, nameEnd: off + 1 + int64(len(qname(t.Name)))})
				cur = &capture.elems[0]
				cur.noteRoot(t)
				capNames = append(capNames, t.Name)
			}
		case xml.EndElement:
			if capture != nil && len(capNames) > 0 {
				if capNames[len(capNames)-1] != t.Name {
					return nil, decodeErr(ErrNotXML, "", "", "end tag </%s> does not match <%s>", qname(t.Name), qname(capNames[len(capNames)-1]))
				}
				capNames = capNames[:len(capNames)-1]
				if len(capNames) > 0 {
					continue
				}
				cur.end = d.InputOffset()
				cur = nil
				if !capture.onlyUsed { // a payload root ends; Content goes on
					continue
				}
				capture, capOwner = nil, nil // ds:Signature ends: pop it below
			}
			if len(stack) == 0 || stack[len(stack)-1].name != t.Name {
				return nil, decodeErr(ErrNotXML, "", "", "end tag </%s> does not match", qname(t.Name))
			}
			if capture != nil && stack[len(stack)-1].el == capOwner {
				capture, capOwner = nil, nil
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			switch {
			case capture != nil && len(capNames) > 0:
				// inside a captured element: part of its bytes
			case capture != nil:
				capture.text.Write(t)
				if !isXMLSpace(string(t)) && len(capture.elems) > 0 {
					capture.mixedText = true
				}
			case len(stack) == 0:
				if !isXMLSpace(string(t)) {
					return nil, decodeErr(ErrNotXML, "", "", "text outside the root element")
				}
			default:
				stack[len(stack)-1].el.CreateText(string(t))
			}
		case xml.Directive:
			switch {
			case capture != nil && capture.directive == "":
				capture.directive = capOwner.Tag
				if cur != nil {
					capture.directive = cur.local
				}
			case capture != nil:
			case len(stack) == 0:
				return nil, decodeErr(ErrDoctype, "", "", "the document has a DOCTYPE or other directive")
			default:
				stack[len(stack)-1].el.AddChild(etree.NewDirective(string(t)))
			}
		}
	}
	if len(stack) > 0 {
		return nil, decodeErr(ErrNotXML, "", "", "<%s> is not closed", stack[len(stack)-1].el.FullTag())
	}
	if p.root == nil {
		return nil, decodeErr(ErrNotXML, "", "", "no root element")
	}
	return p, nil
}

func copyScope(m map[string]string) map[string]string {
	out := make(map[string]string, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

func qname(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// noteRoot records the captured root's own declarations and used prefixes.
func (r *rawElem) noteRoot(t xml.StartElement) {
	for _, a := range t.Attr {
		switch {
		case a.Name.Space == "xmlns":
			if r.own == nil {
				r.own = map[string]bool{}
			}
			r.own[a.Name.Local] = true
		case a.Name.Space == "" && a.Name.Local == "xmlns":
			if r.own == nil {
				r.own = map[string]bool{}
			}
			r.own[""] = true
		}
	}
	r.note(t)
}

// note records the prefixes an element inside a capture uses.
func (r *rawElem) note(t xml.StartElement) {
	if r.used == nil {
		r.used = map[string]bool{}
	}
	if t.Name.Space == "" {
		r.usesDefaultSpace = true
	} else {
		r.used[t.Name.Space] = true
	}
	for _, a := range t.Attr {
		if a.Name.Space != "" && a.Name.Space != "xmlns" {
			r.used[a.Name.Space] = true
		}
	}
}

// bytes returns the captured element as a standalone document: its bytes as
// received, with declarations of the namespaces it inherited added to its
// start tag. See standalone for which declarations are added.
func (r *rawElem) bytes(src []byte, scope map[string]string, onlyUsed bool) []byte {
	prefixes := make([]string, 0, len(scope))
	for p := range scope {
		prefixes = append(prefixes, p)
	}
	slices.Sort(prefixes)
	var decls []byte
	for _, p := range prefixes {
		u := scope[p]
		if r.own[p] || p == "xml" {
			continue
		}
		used := r.used[p] || (p == "" && r.usesDefaultSpace)
		if (onlyUsed || u == NS11 || u == NS10 || u == "") && !used {
			continue
		}
		decls = append(decls, " xmlns"...)
		if p != "" {
			decls = append(decls, ':')
			decls = append(decls, p...)
		}
		decls = append(decls, `="`...)
		decls = appendEscapedAttr(decls, u)
		decls = append(decls, '"')
	}
	out := make([]byte, 0, int(r.end-r.start)+len(decls))
	out = append(out, src[r.start:r.nameEnd]...)
	out = append(out, decls...)
	return append(out, src[r.nameEnd:r.end]...)
}

func appendEscapedAttr(b []byte, s string) []byte {
	var buf bytes.Buffer
	_ = xml.EscapeText(&buf, []byte(s))
	return append(b, bytes.ReplaceAll(buf.Bytes(), []byte(`"`), []byte("&#34;"))...)
}

// payload returns the captured content of a Content element (text, or the
// elements as standalone XML joined by newlines), or a DecodeError.
func (p *parsed) payload(c *child, r *rawCapture) ([]byte, bool, error) {
	if r.directive != "" {
		path := c.path
		if r.directive != c.el.Tag {
			path += "/" + r.directive
		}
		return nil, false, decodeErr(ErrDoctype, path, "", "a DOCTYPE or other directive is refused")
	}
	if len(r.elems) == 0 {
		return []byte(r.text.String()), false, nil
	}
	if r.mixedText || !isXMLSpace(r.text.String()) {
		return nil, false, decodeErr(ErrBadValue, c.path, "", "%s mixes text and XML elements; expected either text or XML", c.el.Tag)
	}
	if len(r.elems) == 1 {
		return r.elems[0].bytes(p.src, r.scope, r.onlyUsed), true, nil
	}
	var out []byte
	for i := range r.elems {
		if i > 0 {
			out = append(out, '\n')
		}
		out = append(out, r.elems[i].bytes(p.src, r.scope, r.onlyUsed)...)
	}
	return out, true, nil
}

func isXMLSpace(s string) bool { return strings.Trim(s, " \t\r\n") == "" }
