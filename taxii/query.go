package taxii

// Query is a Query element: a query in format FormatID. For the TAXII
// Default Query (QueryDefault10) Default holds it parsed; any other format is
// kept raw in Body (BodyIsXML as for ContentBlock.Content).
type Query struct {
	FormatID  string
	Default   *DefaultQuery
	Body      []byte
	BodyIsXML bool
}

// DefaultQuery is tdq:Default_Query (TDQ §3.1).
type DefaultQuery struct {
	// TargetingExpressionID is the targeting vocabulary, e.g. ContentSTIX111.
	TargetingExpressionID string
	Criteria              Criteria
}

// Criteria is tdq:Criteria: Operator (AND/OR) over nested Criteria and
// Criterion; all Criteria are written before all Criterion.
type Criteria struct {
	Operator  string
	Criteria  []Criteria
	Criterion []Criterion
}

// Criterion is tdq:Criterion: a Test applied to a Target, optionally negated.
type Criterion struct {
	Negate bool
	Target string
	Test   Test
}

// Test is tdq:Test: a relationship of a capability module with parameters.
type Test struct {
	CapabilityID string
	Relationship string
	Parameters   []QueryParameter
}

// QueryParameter is tdq:Parameter.
type QueryParameter struct {
	Name  string
	Value string
}

// DefaultQueryInfo is tdq:Default_Query_Info in Supported_Query (TDQ §3.2).
type DefaultQueryInfo struct {
	TargetingExpressions []TargetingExpressionInfo
	CapabilityModules    []string
}

// TargetingExpressionInfo is tdq:Targeting_Expression_Info.
type TargetingExpressionInfo struct {
	ID             string
	PreferredScope []string
	AllowedScope   []string
}
