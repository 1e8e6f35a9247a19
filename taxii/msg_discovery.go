package taxii

// DiscoveryRequest is Discovery_Request (XML §3.2): asks which services exist.
type DiscoveryRequest struct {
	MessageID       string
	Version         Version
	ExtendedHeaders []ExtendedHeader
	Signature       []byte
}

// DiscoveryResponse is Discovery_Response (XML §3.3).
type DiscoveryResponse struct {
	MessageID       string
	InResponseTo    string
	Version         Version
	ExtendedHeaders []ExtendedHeader
	Services        []ServiceInstance
	Signature       []byte
}

// ServiceInstance is one Service_Instance: a service of one type at one
// address with one protocol binding.
type ServiceInstance struct {
	Type ServiceType
	// ServiceVersion is the services version ID (ServicesV11 or ServicesV10).
	ServiceVersion string
	// Available is nil when the server did not say.
	Available       *bool
	ProtocolBinding string
	Address         string
	MessageBindings []string
	// SupportedQueries is meaningful for POLL and COLLECTION_MANAGEMENT (TAXII 1.1 only).
	SupportedQueries []SupportedQuery
	// ContentBindings is meaningful for INBOX; none means all are accepted.
	ContentBindings []ContentBinding
	Message         string
}

// SupportedQuery is Supported_Query: a query format the service accepts. For
// the Default Query format Default holds the parsed Default_Query_Info;
// for other formats the body is kept raw in Body (BodyIsXML as for
// ContentBlock.Content).
type SupportedQuery struct {
	FormatID  string
	Default   *DefaultQueryInfo
	Body      []byte
	BodyIsXML bool
}
