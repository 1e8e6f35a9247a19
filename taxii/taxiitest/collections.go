package taxiitest

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/taxii-workstation/taxii-workstation/taxii"
)

// Misbehaviour makes a collection's multi-part results break the rules the
// way buggy servers do.
type Misbehaviour int

// Misbehaviours of multi-part results.
const (
	Behave Misbehaviour = iota
	// RepeatPartNumber answers every Poll Fulfillment with part 1 again,
	// numbered 1.
	RepeatPartNumber
	// RepeatPartContent answers Poll Fulfillment with part 1's content
	// under the requested number.
	RepeatPartContent
	// EmptyMore answers Poll Fulfillment with an empty part that still says
	// more="true".
	EmptyMore
	// EndlessMore never says more="false": it makes up new parts forever.
	EndlessMore
)

// DefaultStart is the Timestamp_Label of block 0; block i is i seconds later.
var DefaultStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Collection is a collection served by the fake server.
type Collection struct {
	Name, Description string
	Type              taxii.CollectionType // "" = DATA_FEED
	Binding           string               // content binding of its blocks; "" = STIX 1.2

	// Blocks generated STIX 1.2 packages of about BlockSize bytes each
	// (default 2048), unless Content gives the blocks themselves.
	Blocks    int
	BlockSize int
	Content   [][]byte

	// PartSize splits results into parts of this many blocks (0 = one part).
	PartSize int
	// Pending answers PENDING this many times (to the poll and then to each
	// Poll Fulfillment) before the result is ready, announcing
	// EstimatedWait seconds (default 1).
	Pending       int
	EstimatedWait int

	Misbehave Misbehaviour
}

func (c *Collection) binding() string {
	if c.Binding == "" {
		return taxii.ContentSTIX12
	}
	return c.Binding
}

func (c *Collection) count() int {
	if c.Content != nil {
		return len(c.Content)
	}
	return c.Blocks
}

func label(i int) *taxii.Timestamp {
	return taxii.NewTimestamp(DefaultStart.Add(time.Duration(i) * time.Second))
}

// block returns block i of the collection.
func (c *Collection) block(i int) taxii.ContentBlock {
	var content []byte
	isXML := true
	if c.Content != nil {
		content = c.Content[i]
		isXML = strings.HasPrefix(strings.TrimSpace(string(content)), "<")
	} else {
		content = STIXPackage(i, c.BlockSize)
	}
	return taxii.ContentBlock{Binding: taxii.ContentBinding{ID: c.binding()}, Content: content, ContentIsXML: isXML, TimestampLabel: label(i)}
}

// STIXPackage returns a STIX 1.2 package numbered n of about size bytes
// (default 2048).
func STIXPackage(n, size int) []byte {
	if size <= 0 {
		size = 2048
	}
	head := fmt.Sprintf(`<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" xmlns:example="http://example.com" id="example:Package-%08d" version="1.2"><stix:STIX_Header><stix:Title>Package %d</stix:Title><stix:Description>`, n, n)
	tail := `</stix:Description></stix:STIX_Header></stix:STIX_Package>`
	pad := max(size-len(head)-len(tail), 0)
	var b strings.Builder
	b.Grow(size)
	b.WriteString(head)
	const words = "indicator observable campaign actor malware infrastructure "
	for b.Len() < len(head)+pad {
		b.WriteString(words[:min(len(words), len(head)+pad-b.Len())])
	}
	b.WriteString(tail)
	return []byte(b.String())
}

// AddCollection adds (or replaces) a collection.
func (s *Server) AddCollection(c Collection) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.collections[c.Name]; !ok {
		s.order = append(s.order, c.Name)
	}
	s.collections[c.Name] = &c
}

type result struct {
	id         string
	collection *Collection
	lo, hi     int // block range [lo, hi)
	begin      *taxii.Timestamp
	end        *taxii.Timestamp
	pending    int
	countOnly  bool
}

func (r *result) parts() int {
	n := r.hi - r.lo
	ps := r.collection.PartSize
	if ps <= 0 || n == 0 {
		return 1
	}
	return (n + ps - 1) / ps
}

func (s *Server) poll(m *taxii.PollRequest) taxii.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.collections[m.CollectionName]
	if !ok {
		sm := status(m.Version, m.MessageID, taxii.StatusNotFound, "no collection "+m.CollectionName)
		sm.AddDetail("ITEM", m.CollectionName)
		return sm
	}
	r := &result{id: s.newID("result"), collection: c, lo: 0, hi: c.count(), begin: m.ExclusiveBegin, end: m.InclusiveEnd, pending: c.Pending}
	if c.Type != taxii.DataSet {
		if m.ExclusiveBegin != nil {
			for r.lo < r.hi && !label(r.lo).Time.After(m.ExclusiveBegin.Time) {
				r.lo++
			}
		}
		if m.InclusiveEnd != nil {
			for r.hi > r.lo && label(r.hi-1).Time.After(m.InclusiveEnd.Time) {
				r.hi--
			}
		}
	}
	if p := m.Parameters; p != nil && p.ResponseType == taxii.ResponseCountOnly {
		r.countOnly = true
	}
	s.results[r.id] = r
	return s.answer(m.Version, m.MessageID, r, 1)
}

func (s *Server) fulfil(m *taxii.PollFulfillmentRequest) taxii.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.results[m.ResultID]
	if !ok || r.collection.Name != m.CollectionName {
		sm := status(m.Version, m.MessageID, taxii.StatusNotFound, "no result "+m.ResultID)
		sm.AddDetail("ITEM", m.ResultID)
		return sm
	}
	n := m.ResultPartNumber
	switch r.collection.Misbehave {
	case RepeatPartNumber:
		n = 1
	case EmptyMore:
		if r.pending == 0 && n > 1 {
			return &taxii.PollResponse{Version: m.Version, InResponseTo: m.MessageID, CollectionName: r.collection.Name, More: true, ResultID: r.id, ResultPartNumber: n, InclusiveEnd: label(r.hi)}
		}
	}
	return s.answer(m.Version, m.MessageID, r, n)
}

// answer returns part n of r, or PENDING while r is not ready. Callers hold s.mu.
func (s *Server) answer(v taxii.Version, inResponseTo string, r *result, n int) taxii.Message {
	c := r.collection
	if r.pending > 0 {
		r.pending--
		wait := c.EstimatedWait
		if wait <= 0 {
			wait = 1
		}
		sm := status(v, inResponseTo, taxii.StatusPending, "the result is being prepared")
		sm.AddDetail("ESTIMATED_WAIT", strconv.Itoa(wait))
		sm.AddDetail("RESULT_ID", r.id)
		sm.AddDetail("WILL_PUSH", "false")
		return sm
	}
	total := r.hi - r.lo
	res := &taxii.PollResponse{Version: v, InResponseTo: inResponseTo, CollectionName: c.Name,
		RecordCount: &taxii.RecordCount{Count: uint64(total)}}
	if r.countOnly {
		return res
	}
	parts := r.parts()
	if c.Misbehave == EndlessMore {
		parts = n + 1
	}
	if n < 1 || n > parts {
		sm := status(v, inResponseTo, taxii.StatusInvalidResponsePart, fmt.Sprintf("part %d does not exist", n))
		sm.AddDetail("MAX_PART_NUMBER", strconv.Itoa(parts))
		return sm
	}
	lo, hi := r.lo, r.hi
	if ps := c.PartSize; ps > 0 {
		k := n
		if c.Misbehave == RepeatPartContent {
			k = 1
		}
		if c.Misbehave == EndlessMore {
			k = 1 + (n-1)%max(r.parts(), 1)
		}
		lo = r.lo + (k-1)*ps
		hi = min(lo+ps, r.hi)
	}
	if v == taxii.V11 {
		res.More = n < parts
		if parts > 1 || c.Pending > 0 {
			res.ResultID = r.id
			res.ResultPartNumber = n
		}
	} else {
		res.RecordCount = nil
	}
	if c.Type != taxii.DataSet {
		res.ExclusiveBegin = r.begin
		if lo > r.lo {
			res.ExclusiveBegin = label(lo - 1)
		}
		res.InclusiveEnd = r.end
		if res.InclusiveEnd == nil || n < parts {
			res.InclusiveEnd = label(max(hi-1, 0))
		}
		if v == taxii.V10 {
			res.InclusiveBegin, res.ExclusiveBegin = res.ExclusiveBegin, nil
		}
	}
	res.ContentBlocks = make([]taxii.ContentBlock, 0, hi-lo)
	for i := lo; i < hi; i++ {
		res.ContentBlocks = append(res.ContentBlocks, c.block(i))
	}
	return res
}
