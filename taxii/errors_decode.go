package taxii

import (
	"fmt"
	"strings"
)

// DecodeErrorKind says what is wrong with a document that could not be decoded.
type DecodeErrorKind int

// Kinds of decoding problems.
const (
	ErrNotXML            DecodeErrorKind = iota + 1 // not well-formed XML, or no root element
	ErrDoctype                                      // the document has a DOCTYPE (refused: no DTDs, no entities)
	ErrTooBig                                       // the input exceeds Decoder.MaxBytes
	ErrTooDeep                                      // elements nest deeper than Decoder.MaxDepth
	ErrWrongNamespace                               // an element is not in the namespace it must be in
	ErrUnknownMessage                               // the root element is no TAXII message of that version
	ErrMissingAttribute                             // a required attribute is absent or empty
	ErrMissingElement                               // a required child element is absent
	ErrUnexpectedElement                            // an element that may not appear there, or appears too often
	ErrBadValue                                     // a value outside its enumeration or type (bool, integer, timestamp…)
	ErrRuleViolation                                // a rule of the spec that spans several fields
)

var decodeErrorKindNames = [...]string{
	ErrNotXML:            "not XML",
	ErrDoctype:           "DOCTYPE refused",
	ErrTooBig:            "too big",
	ErrTooDeep:           "nested too deeply",
	ErrWrongNamespace:    "wrong namespace",
	ErrUnknownMessage:    "unknown message",
	ErrMissingAttribute:  "missing required attribute",
	ErrMissingElement:    "missing required element",
	ErrUnexpectedElement: "unexpected element",
	ErrBadValue:          "bad value",
	ErrRuleViolation:     "rule violated",
}

func (k DecodeErrorKind) String() string {
	if k > 0 && int(k) < len(decodeErrorKindNames) {
		return decodeErrorKindNames[k]
	}
	return fmt.Sprintf("DecodeErrorKind(%d)", int(k))
}

// DecodeError reports a document that Unmarshal refused. Get it with
// errors.As; Kind says what class of problem it is, Path and Attr where.
type DecodeError struct {
	Kind DecodeErrorKind
	// Path is the element path by local names, e.g. "/Poll_Response/Content_Block[2]/Content_Binding".
	// It is empty for problems with the whole document (not XML, too big, DOCTYPE).
	Path string
	// Attr is the attribute concerned, if any.
	Attr string
	// Detail says exactly what is wrong, in words.
	Detail string
	// Err is the underlying error (for example from the XML parser), if any.
	Err error
}

func (e *DecodeError) Error() string {
	var b strings.Builder
	b.WriteString("taxii: decode")
	if e.Path != "" {
		b.WriteString(" ")
		b.WriteString(e.Path)
		if e.Attr != "" {
			b.WriteString("/@")
			b.WriteString(e.Attr)
		}
	}
	b.WriteString(": ")
	b.WriteString(e.Kind.String())
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *DecodeError) Unwrap() error { return e.Err }

func decodeErr(kind DecodeErrorKind, path, attr, format string, args ...any) *DecodeError {
	return &DecodeError{Kind: kind, Path: path, Attr: attr, Detail: fmt.Sprintf(format, args...)}
}

// EncodeError reports a message that Marshal cannot write as schema-valid XML
// (a required field is empty, a value is out of range, or the field does not
// exist in the message's TAXII version).
type EncodeError struct {
	Message string // root element name, e.g. "Poll_Request"
	Field   string // Go field path, e.g. "Parameters.Delivery"
	Detail  string
}

func (e *EncodeError) Error() string {
	return fmt.Sprintf("taxii: encode %s: %s: %s", e.Message, e.Field, e.Detail)
}
