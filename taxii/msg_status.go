package taxii

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/beevik/etree"
)

// StatusMessage is Status_Message (SVC §4.4.1; XML §3.1): the reply to any
// request that failed, SUCCESS for an Inbox_Message, or PENDING.
type StatusMessage struct {
	MessageID       string
	InResponseTo    string
	Version         Version
	ExtendedHeaders []ExtendedHeader
	Type            StatusType
	// Details are the TAXII 1.1 Status_Detail/Detail entries in document
	// order; a name repeats for list values. Use the typed accessors for the
	// standard ones. For TAXII 1.0 messages Details is derived from Detail10
	// when it holds a list (UNSUPPORTED_*), so accessors work for both.
	Details []StatusDetail
	// Detail10 is the TAXII 1.0 Status_Detail, a plain string (for RETRY a
	// timestamp, for UNSUPPORTED_* a space-separated list of IDs). Encoding a
	// 1.0 message writes Detail10 if set, otherwise it is built from Details.
	Detail10  string
	Message   string
	Signature []byte
}

// StatusDetail is one Status_Detail/Detail: a name and its value (text, or
// XML in the form described for ContentBlock.Content when ValueIsXML).
type StatusDetail struct {
	Name       string
	Value      string
	ValueIsXML bool
}

// DetailValues returns every value of the named detail, in document order.
func (m *StatusMessage) DetailValues(name string) []string {
	var out []string
	for _, d := range m.Details {
		if d.Name == name {
			out = append(out, d.Value)
		}
	}
	return out
}

// DetailMap returns the details as name → values.
func (m *StatusMessage) DetailMap() map[string][]string {
	if len(m.Details) == 0 {
		return nil
	}
	out := make(map[string][]string)
	for _, d := range m.Details {
		out[d.Name] = append(out[d.Name], d.Value)
	}
	return out
}

// AddDetail appends a detail (for building messages).
func (m *StatusMessage) AddDetail(name string, values ...string) {
	for _, v := range values {
		m.Details = append(m.Details, StatusDetail{Name: name, Value: v})
	}
}

func (m *StatusMessage) firstDetail(name string) (string, bool) {
	for _, d := range m.Details {
		if d.Name == name {
			return strings.TrimSpace(d.Value), true
		}
	}
	return "", false
}

// EstimatedWait returns ESTIMATED_WAIT in seconds (PENDING, RETRY); ok is
// false when it is absent or not a non-negative integer.
func (m *StatusMessage) EstimatedWait() (seconds int, ok bool) {
	s, ok := m.firstDetail("ESTIMATED_WAIT")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// ResultID returns RESULT_ID (PENDING), or "".
func (m *StatusMessage) ResultID() string { s, _ := m.firstDetail("RESULT_ID"); return s }

// WillPush returns WILL_PUSH (PENDING); ok is false when absent or not a boolean.
func (m *StatusMessage) WillPush() (push, ok bool) {
	s, ok := m.firstDetail("WILL_PUSH")
	if !ok {
		return false, false
	}
	b, err := parseBool(s)
	return b, err == nil
}

// MaxPartNumber returns MAX_PART_NUMBER (INVALID_RESPONSE_PART).
func (m *StatusMessage) MaxPartNumber() (n int, ok bool) {
	s, ok := m.firstDetail("MAX_PART_NUMBER")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, false
	}
	return n, true
}

// Item returns ITEM (NOT_FOUND): the name of the missing target, or "".
func (m *StatusMessage) Item() string { s, _ := m.firstDetail("ITEM"); return s }

// AcceptableDestinations returns ACCEPTABLE_DESTINATION values (DESTINATION_COLLECTION_ERROR).
func (m *StatusMessage) AcceptableDestinations() []string {
	return m.DetailValues("ACCEPTABLE_DESTINATION")
}

// SupportedBindings returns SUPPORTED_BINDING values (UNSUPPORTED_MESSAGE).
func (m *StatusMessage) SupportedBindings() []string { return m.DetailValues("SUPPORTED_BINDING") }

// SupportedContent returns SUPPORTED_CONTENT values (UNSUPPORTED_CONTENT).
func (m *StatusMessage) SupportedContent() []string { return m.DetailValues("SUPPORTED_CONTENT") }

// SupportedProtocols returns SUPPORTED_PROTOCOL values (UNSUPPORTED_PROTOCOL).
func (m *StatusMessage) SupportedProtocols() []string { return m.DetailValues("SUPPORTED_PROTOCOL") }

// SupportedQueries returns SUPPORTED_QUERY values (UNSUPPORTED_QUERY).
func (m *StatusMessage) SupportedQueries() []string { return m.DetailValues("SUPPORTED_QUERY") }

// RetryAfter returns the TAXII 1.0 RETRY detail: when to try again.
func (m *StatusMessage) RetryAfter() (Timestamp, bool) {
	if m.Type != StatusRetry || m.Detail10 == "" {
		return Timestamp{}, false
	}
	t, err := ParseTimestamp(m.Detail10)
	return t, err == nil
}

// listDetail10 maps a TAXII 1.0 UNSUPPORTED_* status to the 1.1 detail name
// its space-separated Status_Detail list corresponds to.
func listDetail10(t StatusType) string {
	switch t {
	case StatusUnsupportedMessage:
		return "SUPPORTED_BINDING"
	case StatusUnsupportedContent:
		return "SUPPORTED_CONTENT"
	case StatusUnsupportedProtocol:
		return "SUPPORTED_PROTOCOL"
	}
	return ""
}

func (m *StatusMessage) encode(e *encoder) (*etree.Element, error) {
	el, err := e.root("Status_Message", m.MessageID, m.InResponseTo, true)
	if err != nil {
		return nil, err
	}
	if err := e.reqAttr(el, "Type", "status_type", string(m.Type)); err != nil {
		return nil, err
	}
	if strings.ContainsAny(string(m.Type), " \t\r\n") {
		return nil, e.errf("Type", "%q is not a status type or URI", m.Type)
	}
	if e.v == V10 && m.Type.Known() && !m.Type.Version10Status() {
		return nil, e.errf("Type", "%s does not exist in TAXII 1.0", m.Type)
	}
	if err := checkStatusDetails(m); err != nil {
		return nil, e.errf("Details", "%v", err)
	}
	if err := e.extendedHeaders(el, m.ExtendedHeaders); err != nil {
		return nil, err
	}
	if e.v == V10 {
		detail := m.Detail10
		if detail == "" {
			if name := listDetail10(m.Type); name != "" {
				detail = strings.Join(m.DetailValues(name), " ")
			}
		}
		e.opt(el, "Status_Detail", detail)
	} else if len(m.Details) > 0 {
		sd := e.el(el, "Status_Detail")
		for i, d := range m.Details {
			c := e.el(sd, "Detail")
			if err := e.reqAttr(c, fmt.Sprintf("Details[%d].Name", i), "name", d.Name); err != nil {
				return nil, err
			}
			e.mixed(c, fmt.Sprintf("Details[%d].Value", i), []byte(d.Value), d.ValueIsXML)
		}
	}
	e.opt(el, "Message", m.Message)
	e.signature(el, "Signature", m.Signature)
	return el, nil
}

// checkStatusDetails enforces the required details of PENDING and
// INVALID_RESPONSE_PART (SVC §4.4.1 Table 3), which the schema cannot.
func checkStatusDetails(m *StatusMessage) error {
	if m.Version == V10 {
		return nil
	}
	switch m.Type {
	case StatusPending:
		if _, ok := m.EstimatedWait(); !ok {
			return fmt.Errorf("PENDING requires ESTIMATED_WAIT, a non-negative integer of seconds")
		}
		if m.ResultID() == "" {
			return fmt.Errorf("PENDING requires RESULT_ID")
		}
		if _, ok := m.WillPush(); !ok {
			return fmt.Errorf("PENDING requires WILL_PUSH, true or false")
		}
	case StatusInvalidResponsePart:
		if _, ok := m.MaxPartNumber(); !ok {
			return fmt.Errorf("INVALID_RESPONSE_PART requires MAX_PART_NUMBER, a positive integer")
		}
	}
	return nil
}

func decodeStatus(d *decoder, el *etree.Element, path string) (Message, error) {
	m := &StatusMessage{Version: d.v}
	var err error
	if m.MessageID, m.InResponseTo, err = d.header(el, path, true); err != nil {
		return nil, err
	}
	t, err := reqAttr(el, path, "status_type")
	if err != nil {
		return nil, err
	}
	if strings.ContainsAny(t, " \t\r\n") {
		return nil, decodeErr(ErrBadValue, path, "status_type", "%q is neither a TAXII status type nor a URI", t)
	}
	m.Type = StatusType(t)
	k, err := d.kids(el, path, "Extended_Headers?", "Status_Detail?", "Message?", "Signature?")
	if err != nil {
		return nil, err
	}
	if m.ExtendedHeaders, err = d.extendedHeaders(k); err != nil {
		return nil, err
	}
	if sd := k.one("Status_Detail"); sd != nil {
		if d.v == V10 {
			if m.Detail10, err = text(sd); err != nil {
				return nil, err
			}
			if name := listDetail10(m.Type); name != "" {
				m.AddDetail(name, strings.Fields(m.Detail10)...)
			}
		} else {
			dk, err := d.kids(sd.el, sd.path, "Detail+")
			if err != nil {
				return nil, err
			}
			for i := range dk["Detail"] {
				c := &dk["Detail"][i]
				name, err := reqAttr(c.el, c.path, "name")
				if err != nil {
					return nil, err
				}
				v, isXML, err := readMixed(c)
				if err != nil {
					return nil, err
				}
				m.Details = append(m.Details, StatusDetail{Name: name, Value: string(v), ValueIsXML: isXML})
			}
		}
	}
	if m.Message, err = optText(k, "Message"); err != nil {
		return nil, err
	}
	if m.Signature, err = d.signature(k); err != nil {
		return nil, err
	}
	if err := checkStatusDetails(m); err != nil {
		return nil, decodeErr(ErrRuleViolation, path+"/Status_Detail", "", "%v", err)
	}
	return m, nil
}
