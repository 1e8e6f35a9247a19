package taxii

// CollectionInformationRequest is Collection_Information_Request (XML §3.4);
// in TAXII 1.0 it is Feed_Information_Request.
type CollectionInformationRequest struct {
	MessageID       string
	Version         Version
	ExtendedHeaders []ExtendedHeader
	Signature       []byte
}

// CollectionInformationResponse is Collection_Information_Response (XML
// §3.5); in TAXII 1.0 it is Feed_Information_Response with Feed records.
type CollectionInformationResponse struct {
	MessageID       string
	InResponseTo    string
	Version         Version
	ExtendedHeaders []ExtendedHeader
	Collections     []Collection
	Signature       []byte
}

// Collection is one Collection (TAXII 1.0: Feed) record.
type Collection struct {
	Name string
	// Type is empty when absent (read as DATA_FEED); TAXII 1.0 has only feeds.
	Type CollectionType
	// Available is nil when the server did not say.
	Available   *bool
	Description string
	// Volume is Collection_Volume, typical records per day (TAXII 1.1 only); nil when absent.
	Volume *uint64
	// ContentBindings: none means any content (TAXII 1.0 requires at least one).
	ContentBindings      []ContentBinding
	PushMethods          []PushMethod
	PollingServices      []ServiceContact
	SubscriptionServices []ServiceContact
	// ReceivingInboxServices is TAXII 1.1 only.
	ReceivingInboxServices []InboxService
}
