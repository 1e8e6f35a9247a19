package taxii

// ManageCollectionSubscriptionRequest is Subscription_Management_Request (XML
// §3.6). In TAXII 1.0 CollectionName is @feed_name, SubscriptionID is an
// attribute, only SUBSCRIBE/UNSUBSCRIBE/STATUS exist, Parameters do not
// exist and Push may carry ContentBindings.
type ManageCollectionSubscriptionRequest struct {
	MessageID       string
	Version         Version
	ExtendedHeaders []ExtendedHeader
	CollectionName  string
	Action          SubscriptionAction
	// SubscriptionID is required for UNSUBSCRIBE, PAUSE and RESUME.
	SubscriptionID string
	// Parameters is for SUBSCRIBE only (TAXII 1.1).
	Parameters *SubscriptionParameters
	// Push asks the producer to push to an inbox (SUBSCRIBE only); nil = I will poll.
	Push      *PushParameters
	Signature []byte
}

// SubscriptionParameters is Subscription_Parameters: what a subscription delivers.
type SubscriptionParameters struct {
	ResponseType    ResponseType
	ContentBindings []ContentBinding
	Query           *Query
}

// ManageCollectionSubscriptionResponse is Subscription_Management_Response (XML §3.7).
type ManageCollectionSubscriptionResponse struct {
	MessageID       string
	InResponseTo    string
	Version         Version
	ExtendedHeaders []ExtendedHeader
	CollectionName  string
	Message         string
	Subscriptions   []Subscription
	Signature       []byte
}

// Subscription is one Subscription record of a subscription response.
type Subscription struct {
	// Status is empty when absent (ACTIVE). TAXII 1.0 has no status.
	Status         SubscriptionStatus
	SubscriptionID string
	// Parameters is TAXII 1.1 only.
	Parameters    *SubscriptionParameters
	Push          *PushParameters
	PollInstances []ServiceContact
}
