package taxii

// PollRequest is Poll_Request (XML §3.8). TAXII 1.1 requires exactly one of
// SubscriptionID and Parameters. TAXII 1.0 has no Poll_Parameters: its
// optional @subscription_id maps to SubscriptionID and its Content_Binding
// list to Parameters.ContentBindings (the only Parameters field 1.0 can carry).
type PollRequest struct {
	MessageID       string
	Version         Version
	ExtendedHeaders []ExtendedHeader
	CollectionName  string
	ExclusiveBegin  *Timestamp
	InclusiveEnd    *Timestamp
	SubscriptionID  string
	Parameters      *PollParameters
	Signature       []byte
}

// PollParameters is Poll_Parameters: an ad-hoc poll.
type PollParameters struct {
	// AllowAsynch lets the server answer PENDING.
	AllowAsynch     bool
	ResponseType    ResponseType
	ContentBindings []ContentBinding
	Query           *Query
	// Delivery is where to push asynchronous results; only with AllowAsynch.
	Delivery *PushParameters
}

// PollResponse is Poll_Response (XML §3.9). TAXII 1.0 responses carry
// InclusiveBegin instead of ExclusiveBegin and have no Record_Count,
// multi-part fields or content-block Message.
type PollResponse struct {
	MessageID       string
	InResponseTo    string
	Version         Version
	ExtendedHeaders []ExtendedHeader
	CollectionName  string
	// More is true when higher-numbered parts exist (then ResultID is set).
	More     bool
	ResultID string
	// ResultPartNumber is 0 when absent (which means part 1).
	ResultPartNumber int
	SubscriptionID   string
	ExclusiveBegin   *Timestamp
	// InclusiveBegin is TAXII 1.0 only.
	InclusiveBegin *Timestamp
	InclusiveEnd   *Timestamp
	RecordCount    *RecordCount
	Message        string
	ContentBlocks  []ContentBlock
	Signature      []byte
}

// PollFulfillmentRequest is Poll_Fulfillment (XML §3.11, TAXII 1.1 only):
// fetch part ResultPartNumber of result ResultID.
type PollFulfillmentRequest struct {
	MessageID        string
	Version          Version
	ExtendedHeaders  []ExtendedHeader
	CollectionName   string
	ResultID         string
	ResultPartNumber int
	Signature        []byte
}
