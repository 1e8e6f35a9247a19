package taxii

// Namespaces (XML binding §1.1.2, Default Query §3.1.1, XSD import).
const (
	NS11           = "http://taxii.mitre.org/messages/taxii_xml_binding-1.1"
	NS10           = "http://taxii.mitre.org/messages/taxii_xml_binding-1"
	NSDefaultQuery = "http://taxii.mitre.org/query/taxii_default_query-1"
	NSXMLDSig      = "http://www.w3.org/2000/09/xmldsig#"
)

// Message binding IDs (X-TAXII-Content-Type, Message_Binding).
const (
	BindingXML11 = "urn:taxii.mitre.org:message:xml:1.1"
	BindingXML10 = "urn:taxii.mitre.org:message:xml:1.0"
	// BindingJSONCERTEU is a third-party JSON message binding seen in the wild;
	// this package does not speak it.
	BindingJSONCERTEU = "urn:cert.europa.eu:message:json:1.0"
)

// Services version IDs (X-TAXII-Services, Service_Instance/@service_version).
const (
	ServicesV11 = "urn:taxii.mitre.org:services:1.1"
	ServicesV10 = "urn:taxii.mitre.org:services:1.0"
)

// Protocol binding IDs (X-TAXII-Protocol, Protocol_Binding).
const (
	ProtocolHTTP  = "urn:taxii.mitre.org:protocol:http:1.0"
	ProtocolHTTPS = "urn:taxii.mitre.org:protocol:https:1.0"
)

// Content binding IDs (Content Binding Reference rev. 3; STIX 1.2 per libtaxii).
const (
	ContentSTIX10   = "urn:stix.mitre.org:xml:1.0"
	ContentSTIX101  = "urn:stix.mitre.org:xml:1.0.1"
	ContentSTIX11   = "urn:stix.mitre.org:xml:1.1"
	ContentSTIX111  = "urn:stix.mitre.org:xml:1.1.1"
	ContentSTIX12   = "urn:stix.mitre.org:xml:1.2"
	ContentCAP11    = "urn:oasis:names:tc:emergency:cap:1.1"
	ContentCAP12    = "urn:oasis:names:tc:emergency:cap:1.2"
	ContentXMLEnc   = "http://www.w3.org/2001/04/xmlenc#"
	ContentSMIME    = "application/pkcs7-mime"
	ContentSMIMEAlt = "application/x-pkcs7-mime" // libtaxii's spelling; accept both
)

// Query format and Default Query capability modules (TDQ §1.1.1, §5).
const (
	QueryDefault10      = "urn:taxii.mitre.org:query:default:1.0"
	CapabilityCore      = "urn:taxii.mitre.org:query:capability:core-1"
	CapabilityRegex     = "urn:taxii.mitre.org:query:capability:regex-1"
	CapabilityTimestamp = "urn:taxii.mitre.org:query:capability:timestamp-1"
	QueryOperatorAND    = "AND"
	QueryOperatorOR     = "OR"
)

// ServiceType is Service_Instance/@service_type.
type ServiceType string

// Service types. TAXII 1.0's FEED_MANAGEMENT decodes as
// ServiceCollectionManagement and is written back as FEED_MANAGEMENT in 1.0.
const (
	ServiceDiscovery            ServiceType = "DISCOVERY"
	ServiceInbox                ServiceType = "INBOX"
	ServicePoll                 ServiceType = "POLL"
	ServiceCollectionManagement ServiceType = "COLLECTION_MANAGEMENT"
	serviceFeedManagement10                 = "FEED_MANAGEMENT"
)

// CollectionType is Collection/@collection_type. The empty value means the
// attribute was absent, which the spec reads as DataFeed.
type CollectionType string

// Collection types.
const (
	DataFeed CollectionType = "DATA_FEED"
	DataSet  CollectionType = "DATA_SET"
)

// ResponseType is Response_Type in poll and subscription parameters. Empty
// means absent (read as ResponseFull).
type ResponseType string

// Response types.
const (
	ResponseFull      ResponseType = "FULL"
	ResponseCountOnly ResponseType = "COUNT_ONLY"
)

// SubscriptionAction is Subscription_Management_Request/@action. TAXII 1.0
// knows only SUBSCRIBE, UNSUBSCRIBE and STATUS.
type SubscriptionAction string

// Subscription actions.
const (
	ActionSubscribe   SubscriptionAction = "SUBSCRIBE"
	ActionUnsubscribe SubscriptionAction = "UNSUBSCRIBE"
	ActionPause       SubscriptionAction = "PAUSE"
	ActionResume      SubscriptionAction = "RESUME"
	ActionStatus      SubscriptionAction = "STATUS"
)

// SubscriptionStatus is Subscription/@status. Empty means absent (ACTIVE).
type SubscriptionStatus string

// Subscription statuses.
const (
	SubscriptionActive       SubscriptionStatus = "ACTIVE"
	SubscriptionPaused       SubscriptionStatus = "PAUSED"
	SubscriptionUnsubscribed SubscriptionStatus = "UNSUBSCRIBED"
)

// StatusType is Status_Message/@status_type: one of the constants below or
// a third-party URI (unknown types mean FAILURE, SVC §4.4.1.1).
type StatusType string

// The seventeen TAXII 1.1 status types (XML §3.1 Table 2). TAXII 1.0 has the
// eleven that carry no 1.1-only meaning (see Version10Status).
const (
	StatusAsynchronousPollError      StatusType = "ASYNCHRONOUS_POLL_ERROR"
	StatusBadMessage                 StatusType = "BAD_MESSAGE"
	StatusDenied                     StatusType = "DENIED"
	StatusDestinationCollectionError StatusType = "DESTINATION_COLLECTION_ERROR"
	StatusFailure                    StatusType = "FAILURE"
	StatusInvalidResponsePart        StatusType = "INVALID_RESPONSE_PART"
	StatusNetworkError               StatusType = "NETWORK_ERROR"
	StatusNotFound                   StatusType = "NOT_FOUND"
	StatusPending                    StatusType = "PENDING"
	StatusPollingUnsupported         StatusType = "POLLING_UNSUPPORTED"
	StatusRetry                      StatusType = "RETRY"
	StatusSuccess                    StatusType = "SUCCESS"
	StatusUnauthorized               StatusType = "UNAUTHORIZED"
	StatusUnsupportedMessage         StatusType = "UNSUPPORTED_MESSAGE"
	StatusUnsupportedContent         StatusType = "UNSUPPORTED_CONTENT"
	StatusUnsupportedProtocol        StatusType = "UNSUPPORTED_PROTOCOL"
	StatusUnsupportedQuery           StatusType = "UNSUPPORTED_QUERY"
)

// Default Query status types (TDQ §2); they travel as third-party types.
const (
	StatusUnsupportedCapabilityModule      StatusType = "UNSUPPORTED_CAPABILITY_MODULE"
	StatusUnsupportedTargetingExpression   StatusType = "UNSUPPORTED_TARGETING_EXPRESSION"
	StatusUnsupportedTargetingExpressionID StatusType = "UNSUPPORTED_TARGETING_EXPRESSION_ID"
)

// Known reports whether t is one of the seventeen TAXII 1.1 status types.
func (t StatusType) Known() bool {
	switch t {
	case StatusAsynchronousPollError, StatusBadMessage, StatusDenied, StatusDestinationCollectionError,
		StatusFailure, StatusInvalidResponsePart, StatusNetworkError, StatusNotFound, StatusPending,
		StatusPollingUnsupported, StatusRetry, StatusSuccess, StatusUnauthorized, StatusUnsupportedMessage,
		StatusUnsupportedContent, StatusUnsupportedProtocol, StatusUnsupportedQuery:
		return true
	}
	return false
}

// Version10Status reports whether t exists in TAXII 1.0 (eleven types).
func (t StatusType) Version10Status() bool {
	switch t {
	case StatusBadMessage, StatusDenied, StatusFailure, StatusNotFound, StatusPollingUnsupported,
		StatusRetry, StatusSuccess, StatusUnauthorized, StatusUnsupportedMessage,
		StatusUnsupportedContent, StatusUnsupportedProtocol:
		return true
	}
	return false
}
