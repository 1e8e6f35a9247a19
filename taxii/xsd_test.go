package taxii

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// xsdDir finds the TAXII schemas: $TAXII_XSD_DIR, else the shared/ folder
// beside the repository checkout (../../shared/spec/xsd from taxii/).
func xsdDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("TAXII_XSD_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "spec", "xsd")
	}
	if _, err := os.Stat(filepath.Join(dir, "TAXII_XMLMessageBinding_Schema_11.xsd")); err != nil {
		t.Fatalf("TAXII schemas not found in %s (set TAXII_XSD_DIR): %v", dir, err)
	}
	return dir
}

// xmllint validates files against schema, all in one run, and fails the
// test for each file that does not validate.
func xmllint(t *testing.T, schema string, env []string, files []string) {
	t.Helper()
	if len(files) == 0 {
		t.Fatal("no files to validate")
	}
	path, err := exec.LookPath("xmllint")
	if err != nil {
		if testing.Short() {
			t.Skip("xmllint not installed (apt-get install libxml2-utils); skipped in -short mode")
		}
		t.Fatal("xmllint not installed: run `make deps` or apt-get install libxml2-utils")
	}
	args := append([]string{"--noout", "--nonet", "--schema", schema}, files...)
	cmd := exec.Command(path, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("xmllint %s: %v\n%s", filepath.Base(schema), err, out)
	}
	for _, f := range files {
		if !bytes.Contains(out, []byte(f+" validates")) {
			t.Errorf("%s does not validate against %s", f, filepath.Base(schema))
		}
	}
}

// TestEncoderOutputValidates checks every message the encoder produces from
// the fixtures, and from messages built in Go, against the official schemas.
func TestEncoderOutputValidates(t *testing.T) {
	dir := xsdDir(t)
	tmp := t.TempDir()
	files := map[Version][]string{}
	var queryFiles []string // 1.1 without typed payloads: also check tdq content
	write := func(name string, m Message) {
		b, err := Marshal(m)
		if err != nil {
			t.Fatalf("%s: Marshal: %v", name, err)
		}
		f := filepath.Join(tmp, m.TAXIIVersion().String()+"-"+name)
		if err := os.WriteFile(f, b, 0o644); err != nil {
			t.Fatal(err)
		}
		files[m.TAXIIVersion()] = append(files[m.TAXIIVersion()], f)
		if m.TAXIIVersion() == V11 && !bytes.Contains(b, []byte("Content_Block")) {
			queryFiles = append(queryFiles, f)
		}
	}
	for _, d := range []string{"taxii11", "taxii10"} {
		for _, file := range fixtures(t, d) {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			m, err := Unmarshal(b)
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			write(filepath.Base(file), m)
		}
	}
	for name, m := range builtMessages() {
		write(name+".xml", m)
	}
	xmllint(t, filepath.Join(dir, "TAXII_XMLMessageBinding_Schema_11.xsd"), nil, files[V11])
	xmllint(t, filepath.Join(dir, "TAXII_XMLMessageBinding_Schema.xsd"), nil, files[V10])
	xmllint(t, filepath.Join(dir, "taxii11-with-query.xsd"), []string{"XML_CATALOG_FILES=" + filepath.Join(dir, "catalog.xml")}, queryFiles)
}

// builtMessages are messages constructed in Go, as the client and the inbox
// server build them, covering what the fixtures do not.
func builtMessages() map[string]Message {
	yes := true
	begin := NewTimestamp(time.Date(2024, 5, 1, 8, 0, 0, 123456789, time.UTC))
	end := NewTimestamp(time.Date(2024, 5, 2, 8, 0, 0, 0, time.FixedZone("", 2*3600)))
	stix := []byte(`<?xml version="1.0" encoding="UTF-8"?>
<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" id="example:p-1" version="1.2"/>`)
	return map[string]Message{
		"discovery_request_noid": &DiscoveryRequest{},
		"poll_request_query": &PollRequest{CollectionName: "c", ExclusiveBegin: begin, InclusiveEnd: end,
			Parameters: &PollParameters{ResponseType: ResponseFull, Query: &Query{FormatID: QueryDefault10, Default: &DefaultQuery{
				TargetingExpressionID: ContentSTIX12,
				Criteria: Criteria{Operator: QueryOperatorAND, Criterion: []Criterion{{
					Target: "**/@id", Test: Test{CapabilityID: CapabilityCore, Relationship: "exists"}}}},
			}}}},
		"poll_fulfillment": &PollFulfillmentRequest{CollectionName: "c", ResultID: "r", ResultPartNumber: 2},
		"inbox_stix": &InboxMessage{DestinationCollectionNames: []string{"c"}, ContentBlocks: []ContentBlock{
			{Binding: ContentBinding{ID: ContentSTIX12}, Content: stix, ContentIsXML: true, TimestampLabel: begin},
			{Binding: ContentBinding{ID: "urn:example.com:json"}, Content: []byte("{\"a\":\"<b>\"}\r\n")},
		}},
		"inbox_10": &InboxMessage{Version: V10, ContentBlocks: []ContentBlock{
			{Binding: ContentBinding{ID: ContentSTIX10}, Content: stix, ContentIsXML: true}}},
		"status_pending": func() Message {
			m := &StatusMessage{InResponseTo: "1", Type: StatusPending}
			m.AddDetail("ESTIMATED_WAIT", "300")
			m.AddDetail("RESULT_ID", "r1")
			m.AddDetail("WILL_PUSH", "true")
			return m
		}(),
		"status_10_unsupported": func() Message {
			m := &StatusMessage{Version: V10, InResponseTo: "1", Type: StatusUnsupportedMessage}
			m.AddDetail("SUPPORTED_BINDING", BindingXML10, BindingXML11)
			return m
		}(),
		"discovery_response_10": &DiscoveryResponse{Version: V10, InResponseTo: "1", Services: []ServiceInstance{{
			Type: ServiceCollectionManagement, ServiceVersion: ServicesV10, Available: &yes,
			ProtocolBinding: ProtocolHTTPS, Address: "https://x/feeds", MessageBindings: []string{BindingXML10}}}},
		"subscription_pause": &ManageCollectionSubscriptionRequest{CollectionName: "c", Action: ActionPause, SubscriptionID: "s"},
		"poll_request_10": &PollRequest{Version: V10, CollectionName: "f", Parameters: &PollParameters{
			ContentBindings: []ContentBinding{{ID: ContentSTIX10}}}},
	}
}

func TestBuiltMessagesRoundTrip(t *testing.T) {
	for name, m := range builtMessages() {
		t.Run(name, func(t *testing.T) {
			b, err := Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			if m.ID() == "" || strings.Trim(m.ID(), "0123456789") != "" {
				t.Errorf("Marshal left message id %q, want a fresh decimal id", m.ID())
			}
			got, err := Unmarshal(b)
			if err != nil {
				t.Fatalf("Unmarshal: %v\n%s", err, b)
			}
			if got.ID() != m.ID() || got.TAXIIVersion() != m.TAXIIVersion() {
				t.Errorf("got id %q version %s, want %q %s", got.ID(), got.TAXIIVersion(), m.ID(), m.TAXIIVersion())
			}
		})
	}
}
