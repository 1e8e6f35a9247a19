package taxii

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func decodeFixture(t *testing.T, dir, name string) Message {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", dir, name))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestVersion10Mapping checks how TAXII 1.0 decodes into the shared model.
func TestVersion10Mapping(t *testing.T) {
	d := decodeFixture(t, "taxii10", "discovery_response_full.xml").(*DiscoveryResponse)
	if d.Services[0].Type != ServiceCollectionManagement {
		t.Errorf("FEED_MANAGEMENT decoded as %q, want %q", d.Services[0].Type, ServiceCollectionManagement)
	}
	if got := d.Services[1].ContentBindings; len(got) != 2 || got[0].ID != ContentSTIX10 {
		t.Errorf("1.0 Content_Binding text decoded as %+v", got)
	}
	b, err := Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `service_type="FEED_MANAGEMENT"`) || !strings.Contains(string(b), NS10) {
		t.Errorf("1.0 discovery did not stay 1.0:\n%s", b)
	}

	f := decodeFixture(t, "taxii10", "feed_information_response_full.xml").(*CollectionInformationResponse)
	if f.Version != V10 || f.Collections[0].Name != "alerts" || len(f.Collections[0].SubscriptionServices) != 1 {
		t.Errorf("feed decoded as %+v", f.Collections[0])
	}

	p := decodeFixture(t, "taxii10", "poll_request_full.xml").(*PollRequest)
	if p.SubscriptionID != "urn:example.com:sub:9" || p.Parameters == nil || len(p.Parameters.ContentBindings) != 2 {
		t.Errorf("1.0 poll request decoded as %+v", p)
	}
	r := decodeFixture(t, "taxii10", "poll_response_full.xml").(*PollResponse)
	if r.InclusiveBegin == nil || r.ExclusiveBegin != nil || r.InclusiveEnd == nil {
		t.Errorf("1.0 poll response timestamps: %+v", r)
	}

	s := decodeFixture(t, "taxii10", "status_full.xml").(*StatusMessage)
	if got := s.SupportedProtocols(); !slices.Equal(got, []string{ProtocolHTTPS, ProtocolHTTP}) {
		t.Errorf("1.0 UNSUPPORTED_PROTOCOL list = %v", got)
	}
	retry := decodeFixture(t, "taxii10", "status_retry.xml").(*StatusMessage)
	if at, ok := retry.RetryAfter(); !ok || !at.Equal(Timestamp{Time: time.Date(2014, 1, 1, 0, 0, 0, 0, time.UTC)}) {
		t.Errorf("RetryAfter = %v, %v", at, ok)
	}
}

// TestStatusAccessors checks the typed status details.
func TestStatusAccessors(t *testing.T) {
	s := decodeFixture(t, "taxii11", "status_full.xml").(*StatusMessage)
	if w, ok := s.EstimatedWait(); !ok || w != 300 {
		t.Errorf("EstimatedWait = %d, %v", w, ok)
	}
	if s.ResultID() != "urn:example.com:result:77" {
		t.Errorf("ResultID = %q", s.ResultID())
	}
	if push, ok := s.WillPush(); !ok || push {
		t.Errorf("WillPush = %v, %v", push, ok)
	}
	if got := s.DetailValues("urn:example.com:detail:extra"); !slices.Equal(got, []string{"one", "two"}) {
		t.Errorf("repeated detail = %v", got)
	}
	if got := s.DetailMap()["RESULT_ID"]; !slices.Equal(got, []string{"urn:example.com:result:77"}) {
		t.Errorf("DetailMap = %v", s.DetailMap())
	}
	if len(s.ExtendedHeaders) != 2 || !s.ExtendedHeaders[1].ValueIsXML || len(s.Signature) == 0 {
		t.Errorf("extended headers or signature lost: %+v", s.ExtendedHeaders)
	}
	u := decodeFixture(t, "taxii11", "status_unsupported_content.xml").(*StatusMessage)
	if got := u.SupportedContent(); !slices.Equal(got, []string{ContentSTIX111, ContentSTIX12}) {
		t.Errorf("SupportedContent = %v", got)
	}
	var irp StatusMessage
	irp.AddDetail("MAX_PART_NUMBER", "4")
	if n, ok := irp.MaxPartNumber(); !ok || n != 4 {
		t.Errorf("MaxPartNumber = %d, %v", n, ok)
	}
}

func TestNewMessageID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := NewMessageID()
		if id == "" || seen[id] {
			t.Fatalf("NewMessageID gave %q twice or empty", id)
		}
		seen[id] = true
	}
}

func TestVersionString(t *testing.T) {
	var zero Version
	if zero != V11 || V11.String() != "1.1" || V10.String() != "1.0" {
		t.Errorf("zero=%v V11=%q V10=%q", zero, V11, V10)
	}
	if V10.Namespace() != NS10 || V11.MessageBinding() != BindingXML11 || V10.Services() != ServicesV10 {
		t.Error("version identifiers are wrong")
	}
}
