package taxii

import (
	"fmt"

	"github.com/beevik/etree"
)

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

// query writes a Query element.
func (e *encoder) query(parent *etree.Element, field string, q *Query) error {
	if q == nil {
		return nil
	}
	el := e.el(parent, "Query")
	if err := e.reqAttr(el, field+".FormatID", "format_id", q.FormatID); err != nil {
		return err
	}
	if q.Default == nil {
		e.mixed(el, field+".Body", q.Body, q.BodyIsXML)
		return nil
	}
	dq := q.Default
	de := el.CreateElement("tdq:Default_Query")
	de.CreateAttr("xmlns:tdq", NSDefaultQuery)
	if err := e.reqAttr(de, field+".Default.TargetingExpressionID", "targeting_expression_id", dq.TargetingExpressionID); err != nil {
		return err
	}
	return e.criteria(de, field+".Default.Criteria", &dq.Criteria, 0)
}

// maxCriteriaDepth bounds the recursion of nested Criteria on encode.
const maxCriteriaDepth = 100

func (e *encoder) criteria(parent *etree.Element, field string, c *Criteria, depth int) error {
	if depth > maxCriteriaDepth {
		return e.errf(field, "criteria nest deeper than %d", maxCriteriaDepth)
	}
	el := parent.CreateElement("tdq:Criteria")
	if c.Operator != QueryOperatorAND && c.Operator != QueryOperatorOR {
		return e.errf(field+".Operator", "%q is not AND or OR", c.Operator)
	}
	el.CreateAttr("operator", c.Operator)
	if len(c.Criteria)+len(c.Criterion) == 0 {
		return e.errf(field, "a Criteria needs at least one Criteria or Criterion")
	}
	for i := range c.Criteria {
		if err := e.criteria(el, fmt.Sprintf("%s.Criteria[%d]", field, i), &c.Criteria[i], depth+1); err != nil {
			return err
		}
	}
	for i, cr := range c.Criterion {
		f := fmt.Sprintf("%s.Criterion[%d]", field, i)
		ce := el.CreateElement("tdq:Criterion")
		if cr.Negate {
			ce.CreateAttr("negate", "true")
		}
		if cr.Target == "" {
			return e.errf(f+".Target", "required, is empty")
		}
		ce.CreateElement("tdq:Target").CreateText(cr.Target)
		te := ce.CreateElement("tdq:Test")
		if err := e.reqAttr(te, f+".Test.CapabilityID", "capability_id", cr.Test.CapabilityID); err != nil {
			return err
		}
		if err := e.reqAttr(te, f+".Test.Relationship", "relationship", cr.Test.Relationship); err != nil {
			return err
		}
		for j, p := range cr.Test.Parameters {
			pe := te.CreateElement("tdq:Parameter")
			if err := e.reqAttr(pe, fmt.Sprintf("%s.Test.Parameters[%d].Name", f, j), "name", p.Name); err != nil {
				return err
			}
			if p.Value != "" {
				pe.CreateText(p.Value)
			}
		}
	}
	return nil
}

func (e *encoder) defaultQueryInfo(parent *etree.Element, field string, info *DefaultQueryInfo) error {
	el := parent.CreateElement("tdq:Default_Query_Info")
	el.CreateAttr("xmlns:tdq", NSDefaultQuery)
	if len(info.TargetingExpressions) == 0 {
		return e.errf(field+".TargetingExpressions", "at least one is required")
	}
	if len(info.CapabilityModules) == 0 {
		return e.errf(field+".CapabilityModules", "at least one is required")
	}
	for i, t := range info.TargetingExpressions {
		f := fmt.Sprintf("%s.TargetingExpressions[%d]", field, i)
		te := el.CreateElement("tdq:Targeting_Expression_Info")
		if err := e.reqAttr(te, f+".ID", "targeting_expression_id", t.ID); err != nil {
			return err
		}
		if len(t.PreferredScope)+len(t.AllowedScope) == 0 {
			return e.errf(f, "needs a preferred or an allowed scope")
		}
		for _, s := range t.PreferredScope {
			te.CreateElement("tdq:Preferred_Scope").CreateText(s)
		}
		for _, s := range t.AllowedScope {
			te.CreateElement("tdq:Allowed_Scope").CreateText(s)
		}
	}
	for i, c := range info.CapabilityModules {
		if c == "" {
			return e.errf(fmt.Sprintf("%s.CapabilityModules[%d]", field, i), "required, is empty")
		}
		el.CreateElement("tdq:Capability_Module").CreateText(c)
	}
	return nil
}

// tdq returns a decoder for the Default Query namespace.
func tdq() *decoder { return &decoder{v: V11, ns: NSDefaultQuery} }

func (d *decoder) query(k kids) (*Query, error) {
	c := k.one("Query")
	if c == nil {
		return nil, nil
	}
	q := &Query{}
	var err error
	if q.FormatID, err = reqAttr(c.el, c.path, "format_id"); err != nil {
		return nil, err
	}
	if q.FormatID != QueryDefault10 || !hasElement(c.el) {
		q.Body, q.BodyIsXML, err = readMixed(c)
		return q, err
	}
	qk, err := tdq().kids(c.el, c.path, "Default_Query")
	if err != nil {
		return nil, err
	}
	dc := qk.one("Default_Query")
	dq := &DefaultQuery{}
	if dq.TargetingExpressionID, err = reqAttr(dc.el, dc.path, "targeting_expression_id"); err != nil {
		return nil, err
	}
	dk, err := tdq().kids(dc.el, dc.path, "Criteria")
	if err != nil {
		return nil, err
	}
	if dq.Criteria, err = criteria(dk.one("Criteria")); err != nil {
		return nil, err
	}
	q.Default = dq
	return q, nil
}

// criteria reads tdq:Criteria; nesting is bounded by the decoder's MaxDepth.
func criteria(c *child) (Criteria, error) {
	var out Criteria
	var err error
	if out.Operator, err = enumAttr(c.el, c.path, "operator", true, QueryOperatorAND, QueryOperatorOR); err != nil {
		return out, err
	}
	k, err := tdq().kids(c.el, c.path, "Criteria*", "Criterion*")
	if err != nil {
		return out, err
	}
	if len(k["Criteria"])+len(k["Criterion"]) == 0 {
		return out, decodeErr(ErrMissingElement, c.path+"/Criterion", "", "a Criteria needs at least one Criteria or Criterion")
	}
	for i := range k["Criteria"] {
		sub, err := criteria(&k["Criteria"][i])
		if err != nil {
			return out, err
		}
		out.Criteria = append(out.Criteria, sub)
	}
	for i := range k["Criterion"] {
		cc := &k["Criterion"][i]
		var cr Criterion
		neg, err := boolAttr(cc.el, cc.path, "negate")
		if err != nil {
			return out, err
		}
		cr.Negate = neg != nil && *neg
		ck, err := tdq().kids(cc.el, cc.path, "Target", "Test")
		if err != nil {
			return out, err
		}
		if cr.Target, err = uri(ck.one("Target")); err != nil {
			return out, err
		}
		t := ck.one("Test")
		if cr.Test.CapabilityID, err = reqAttr(t.el, t.path, "capability_id"); err != nil {
			return out, err
		}
		if cr.Test.Relationship, err = reqAttr(t.el, t.path, "relationship"); err != nil {
			return out, err
		}
		tk, err := tdq().kids(t.el, t.path, "Parameter*")
		if err != nil {
			return out, err
		}
		for i := range tk["Parameter"] {
			p := &tk["Parameter"][i]
			name, err := reqAttr(p.el, p.path, "name")
			if err != nil {
				return out, err
			}
			v, err := text(p)
			if err != nil {
				return out, err
			}
			cr.Test.Parameters = append(cr.Test.Parameters, QueryParameter{Name: name, Value: v})
		}
		out.Criterion = append(out.Criterion, cr)
	}
	return out, nil
}

func (d *decoder) defaultQueryInfo(c *child) (*DefaultQueryInfo, error) {
	qk, err := tdq().kids(c.el, c.path, "Default_Query_Info")
	if err != nil {
		return nil, err
	}
	ic := qk.one("Default_Query_Info")
	ik, err := tdq().kids(ic.el, ic.path, "Targeting_Expression_Info+", "Capability_Module+")
	if err != nil {
		return nil, err
	}
	info := &DefaultQueryInfo{}
	for i := range ik["Targeting_Expression_Info"] {
		t := &ik["Targeting_Expression_Info"][i]
		var ti TargetingExpressionInfo
		if ti.ID, err = reqAttr(t.el, t.path, "targeting_expression_id"); err != nil {
			return nil, err
		}
		tk, err := tdq().kids(t.el, t.path, "Preferred_Scope*", "Allowed_Scope*")
		if err != nil {
			return nil, err
		}
		if len(tk["Preferred_Scope"])+len(tk["Allowed_Scope"]) == 0 {
			return nil, decodeErr(ErrMissingElement, t.path+"/Preferred_Scope", "", "Targeting_Expression_Info needs a Preferred_Scope or an Allowed_Scope")
		}
		if ti.PreferredScope, err = uris(tk, "Preferred_Scope"); err != nil {
			return nil, err
		}
		if ti.AllowedScope, err = uris(tk, "Allowed_Scope"); err != nil {
			return nil, err
		}
		info.TargetingExpressions = append(info.TargetingExpressions, ti)
	}
	if info.CapabilityModules, err = uris(ik, "Capability_Module"); err != nil {
		return nil, err
	}
	return info, nil
}
