package taxii

// InboxMessage is Inbox_Message (XML §3.10): content pushed to an inbox.
// TAXII 1.0 has no ResultID, DestinationCollectionNames or RecordCount.
type InboxMessage struct {
	MessageID       string
	Version         Version
	ExtendedHeaders []ExtendedHeader
	// ResultID is set when pushing asynchronous poll results.
	ResultID                   string
	DestinationCollectionNames []string
	Message                    string
	SourceSubscription         *SourceSubscription
	RecordCount                *RecordCount
	ContentBlocks              []ContentBlock
	Signature                  []byte
}

// SourceSubscription says which subscription an Inbox_Message fulfils.
// InclusiveBegin is TAXII 1.0 only (1.1 has ExclusiveBegin).
type SourceSubscription struct {
	CollectionName string
	SubscriptionID string
	ExclusiveBegin *Timestamp
	InclusiveBegin *Timestamp
	InclusiveEnd   *Timestamp
}
