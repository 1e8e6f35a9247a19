package taxii

import (
	"crypto/rand"
	"encoding/binary"
	"strconv"

	"github.com/beevik/etree"
)

// Version is the TAXII version a message is written in. The zero value is
// V11, so a message built without setting Version is TAXII 1.1.
type Version int

// TAXII versions.
const (
	V11 Version = iota // TAXII 1.1, namespace NS11
	V10                // TAXII 1.0, namespace NS10
)

// String returns "1.1" or "1.0".
func (v Version) String() string {
	switch v {
	case V11:
		return "1.1"
	case V10:
		return "1.0"
	}
	return "Version(" + strconv.Itoa(int(v)) + ")"
}

// Namespace returns the XML namespace of v's message binding.
func (v Version) Namespace() string {
	if v == V10 {
		return NS10
	}
	return NS11
}

// MessageBinding returns v's message binding ID (X-TAXII-Content-Type).
func (v Version) MessageBinding() string {
	if v == V10 {
		return BindingXML10
	}
	return BindingXML11
}

// Services returns v's services version ID (X-TAXII-Services).
func (v Version) Services() string {
	if v == V10 {
		return ServicesV10
	}
	return ServicesV11
}

// Message is one TAXII message. The set is closed: the types in this package
// (DiscoveryRequest, PollResponse, StatusMessage, ...) are its only members.
type Message interface {
	// ID returns the message_id.
	ID() string
	// TAXIIVersion returns the version the message is (to be) written in.
	TAXIIVersion() Version
	// encode writes the message as the root element of a TAXII document.
	encode(e *encoder) (*etree.Element, error)
	// idPtr gives Marshal access to the message id so it can fill it in.
	idPtr() *string
}

// NewMessageID returns a fresh random message id: a decimal number below
// 2^63 from crypto/rand. Decimal ids are valid in both TAXII 1.1 (anyURI)
// and TAXII 1.0 (unsigned integer).
func NewMessageID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go ≥ 1.24)
	n := binary.BigEndian.Uint64(b[:]) >> 1
	if n == 0 {
		n = 1
	}
	return strconv.FormatUint(n, 10)
}

// Marshal encodes m as an XML document in m's TAXII version, indented by two
// spaces, with an XML declaration. If m's MessageID is empty, Marshal first
// sets it to NewMessageID(), so the caller can match the reply's
// in_response_to. It returns an *EncodeError when m cannot be written as a
// schema-valid message (a required field is empty, or a field does not exist
// in m's version).
func Marshal(m Message) ([]byte, error) {
	if id := m.idPtr(); *id == "" {
		*id = NewMessageID()
	}
	e := newEncoder(m.TAXIIVersion())
	root, err := m.encode(e)
	if err != nil {
		return nil, err
	}
	return e.finish(root)
}

// ID, TAXIIVersion and idPtr implement Message for every message type.

func (m *DiscoveryRequest) ID() string                                { return m.MessageID }
func (m *DiscoveryResponse) ID() string                               { return m.MessageID }
func (m *CollectionInformationRequest) ID() string                    { return m.MessageID }
func (m *CollectionInformationResponse) ID() string                   { return m.MessageID }
func (m *ManageCollectionSubscriptionRequest) ID() string             { return m.MessageID }
func (m *ManageCollectionSubscriptionResponse) ID() string            { return m.MessageID }
func (m *PollRequest) ID() string                                     { return m.MessageID }
func (m *PollResponse) ID() string                                    { return m.MessageID }
func (m *PollFulfillmentRequest) ID() string                          { return m.MessageID }
func (m *InboxMessage) ID() string                                    { return m.MessageID }
func (m *StatusMessage) ID() string                                   { return m.MessageID }
func (m *DiscoveryRequest) TAXIIVersion() Version                     { return m.Version }
func (m *DiscoveryResponse) TAXIIVersion() Version                    { return m.Version }
func (m *CollectionInformationRequest) TAXIIVersion() Version         { return m.Version }
func (m *CollectionInformationResponse) TAXIIVersion() Version        { return m.Version }
func (m *ManageCollectionSubscriptionRequest) TAXIIVersion() Version  { return m.Version }
func (m *ManageCollectionSubscriptionResponse) TAXIIVersion() Version { return m.Version }
func (m *PollRequest) TAXIIVersion() Version                          { return m.Version }
func (m *PollResponse) TAXIIVersion() Version                         { return m.Version }
func (m *PollFulfillmentRequest) TAXIIVersion() Version               { return m.Version }
func (m *InboxMessage) TAXIIVersion() Version                         { return m.Version }
func (m *StatusMessage) TAXIIVersion() Version                        { return m.Version }
func (m *DiscoveryRequest) idPtr() *string                            { return &m.MessageID }
func (m *DiscoveryResponse) idPtr() *string                           { return &m.MessageID }
func (m *CollectionInformationRequest) idPtr() *string                { return &m.MessageID }
func (m *CollectionInformationResponse) idPtr() *string               { return &m.MessageID }
func (m *ManageCollectionSubscriptionRequest) idPtr() *string         { return &m.MessageID }
func (m *ManageCollectionSubscriptionResponse) idPtr() *string        { return &m.MessageID }
func (m *PollRequest) idPtr() *string                                 { return &m.MessageID }
func (m *PollResponse) idPtr() *string                                { return &m.MessageID }
func (m *PollFulfillmentRequest) idPtr() *string                      { return &m.MessageID }
func (m *InboxMessage) idPtr() *string                                { return &m.MessageID }
func (m *StatusMessage) idPtr() *string                               { return &m.MessageID }

// MessageName returns the root element name of m in its own version, for
// example "Poll_Response", or "Feed_Information_Request" for a TAXII 1.0
// CollectionInformationRequest.
func MessageName(m Message) string {
	v10 := m.TAXIIVersion() == V10
	switch m.(type) {
	case *StatusMessage:
		return "Status_Message"
	case *DiscoveryRequest:
		return "Discovery_Request"
	case *DiscoveryResponse:
		return "Discovery_Response"
	case *CollectionInformationRequest:
		if v10 {
			return "Feed_Information_Request"
		}
		return "Collection_Information_Request"
	case *CollectionInformationResponse:
		if v10 {
			return "Feed_Information_Response"
		}
		return "Collection_Information_Response"
	case *ManageCollectionSubscriptionRequest:
		return "Subscription_Management_Request"
	case *ManageCollectionSubscriptionResponse:
		return "Subscription_Management_Response"
	case *PollRequest:
		return "Poll_Request"
	case *PollResponse:
		return "Poll_Response"
	case *PollFulfillmentRequest:
		return "Poll_Fulfillment"
	case *InboxMessage:
		return "Inbox_Message"
	}
	return ""
}
