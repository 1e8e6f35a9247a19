package taxii

import (
	"errors"

	"bytes"
	"strings"
	"testing"
)

// TestContentNamespaces checks that an XML payload comes out standalone: it
// declares the namespaces declared only on ancestors, and it parses alone.
func TestContentNamespaces(t *testing.T) {
	tests := []struct {
		name    string
		msg     string
		want    []string // substrings of the payload
		notWant []string
	}{{
		name: "prefixes declared on the root",
		msg: `<taxii_11:Inbox_Message xmlns:taxii_11="` + NS11 + `" xmlns:stix="urn:stix" xmlns:ind="urn:ind" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" message_id="1">
<taxii_11:Content_Block><taxii_11:Content_Binding binding_id="b"/><taxii_11:Content><stix:Package><stix:I xsi:type="ind:T"/></stix:Package></taxii_11:Content></taxii_11:Content_Block></taxii_11:Inbox_Message>`,
		want:    []string{`xmlns:stix="urn:stix"`, `xmlns:ind="urn:ind"`, `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`},
		notWant: []string{NS11},
	}, {
		name: "default namespace of the message",
		msg: `<Inbox_Message xmlns="` + NS11 + `" message_id="1">
<Content_Block><Content_Binding binding_id="b"/><Content><Package xmlns="urn:stix"><Child/></Package></Content></Content_Block></Inbox_Message>`,
		want:    []string{`<Package xmlns="urn:stix"><Child/></Package>`},
		notWant: []string{NS11},
	}, {
		name: "payload in the TAXII default namespace keeps it",
		msg: `<Inbox_Message xmlns="` + NS11 + `" message_id="1">
<Content_Block><Content_Binding binding_id="b"/><Content><Odd/></Content></Content_Block></Inbox_Message>`,
		want: []string{`<Odd xmlns="` + NS11 + `"/>`},
	}, {
		name: "TAXII prefix used inside the payload is declared",
		msg: `<t:Inbox_Message xmlns:t="` + NS11 + `" message_id="1">
<t:Content_Block><t:Content_Binding binding_id="b"/><t:Content><p:X xmlns:p="urn:p"><t:Y/></p:X></t:Content></t:Content_Block></t:Inbox_Message>`,
		want: []string{`xmlns:t="` + NS11 + `"`, `xmlns:p="urn:p"`},
	}, {
		name: "nearest declaration wins",
		msg: `<t:Inbox_Message xmlns:t="` + NS11 + `" xmlns:s="urn:outer" message_id="1">
<t:Content_Block xmlns:s="urn:inner"><t:Content_Binding binding_id="b"/><t:Content><s:X/></t:Content></t:Content_Block></t:Inbox_Message>`,
		want:    []string{`<s:X xmlns:s="urn:inner"/>`},
		notWant: []string{"urn:outer"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Unmarshal([]byte(tc.msg))
			if err != nil {
				t.Fatal(err)
			}
			b := m.(*InboxMessage).ContentBlocks[0]
			if !b.ContentIsXML {
				t.Fatalf("ContentIsXML = false for %q", b.Content)
			}
			for _, w := range tc.want {
				if !bytes.Contains(b.Content, []byte(w)) {
					t.Errorf("payload %s lacks %s", b.Content, w)
				}
			}
			for _, w := range tc.notWant {
				if bytes.Contains(b.Content, []byte(w)) {
					t.Errorf("payload %s has %s", b.Content, w)
				}
			}
			if _, err := checkXML(b.Content); err != nil {
				t.Errorf("payload is not standalone: %v", err)
			}
		})
	}
}

// TestTextPayloadExact checks that text payloads survive byte for byte,
// including CDATA, entities, carriage returns and surrounding whitespace.
func TestTextPayloadExact(t *testing.T) {
	payloads := []string{
		"{\"a\": [1, 2], \"b\": \"<x> & y\"}",
		"  base64==\n  more\n",
		"line1\r\nline2\r",
		"<STIX_Package>escaped</STIX_Package>",
		"   ",
		"tab\there ]]> end",
	}
	for _, p := range payloads {
		in := &InboxMessage{ContentBlocks: []ContentBlock{{Binding: ContentBinding{ID: "urn:x"}, Content: []byte(p)}}}
		b, err := Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Unmarshal(b)
		if err != nil {
			t.Fatalf("%q: %v\n%s", p, err, b)
		}
		got := m.(*InboxMessage).ContentBlocks[0]
		if string(got.Content) != p || got.ContentIsXML {
			t.Errorf("payload %q came back as %q (xml=%v)", p, got.Content, got.ContentIsXML)
		}
	}
	// CDATA in the input is read as its text.
	msg := `<t:Inbox_Message xmlns:t="` + NS11 + `" message_id="1"><t:Content_Block><t:Content_Binding binding_id="b"/><t:Content>a<![CDATA[<b>&amp;]]>c</t:Content></t:Content_Block></t:Inbox_Message>`
	m, err := Unmarshal([]byte(msg))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(m.(*InboxMessage).ContentBlocks[0].Content); got != "a<b>&amp;c" {
		t.Errorf("CDATA payload = %q", got)
	}
}

// TestXMLPayloadRoundTrip checks that an XML payload with an XML
// declaration is embedded and comes back as the same standalone document.
func TestXMLPayloadRoundTrip(t *testing.T) {
	doc := `<s:P xmlns:s="urn:s" id="1"><s:Q a="x&amp;y">t</s:Q></s:P>`
	for _, in := range []string{doc, `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + doc} {
		m := &PollResponse{InResponseTo: "1", CollectionName: "c", ContentBlocks: []ContentBlock{{
			Binding: ContentBinding{ID: ContentSTIX12}, Content: []byte(in), ContentIsXML: true}}}
		b, err := Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Unmarshal(b)
		if err != nil {
			t.Fatal(err)
		}
		if c := string(got.(*PollResponse).ContentBlocks[0].Content); c != doc {
			t.Errorf("payload = %s, want %s", c, doc)
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	tests := []struct {
		name  string
		m     Message
		field string
	}{
		{"response without in_response_to", &StatusMessage{Type: StatusFailure}, "InResponseTo"},
		{"status without type", &StatusMessage{InResponseTo: "1"}, "Type"},
		{"1.0 id not numeric", &DiscoveryRequest{Version: V10, MessageID: "urn:x"}, "MessageID"},
		{"1.0 has no PENDING", &StatusMessage{Version: V10, InResponseTo: "1", Type: StatusPending}, "Type"},
		{"pending without details", &StatusMessage{InResponseTo: "1", Type: StatusPending}, "Details"},
		{"poll without subscription or parameters", &PollRequest{CollectionName: "c"}, "Parameters"},
		{"poll delivery without asynch", &PollRequest{CollectionName: "c", Parameters: &PollParameters{Delivery: &PushParameters{ProtocolBinding: "p", Address: "a", MessageBinding: "m"}}}, "Parameters"},
		{"1.0 poll with query", &PollRequest{Version: V10, CollectionName: "c", Parameters: &PollParameters{Query: &Query{FormatID: "q"}}}, "Parameters"},
		{"poll fulfillment in 1.0", &PollFulfillmentRequest{Version: V10, CollectionName: "c", ResultID: "r", ResultPartNumber: 1}, "Version"},
		{"poll fulfillment without part", &PollFulfillmentRequest{CollectionName: "c", ResultID: "r"}, "ResultPartNumber"},
		{"more without result id", &PollResponse{InResponseTo: "1", CollectionName: "c", More: true}, "ResultID"},
		{"1.0 poll response without end", &PollResponse{Version: V10, InResponseTo: "1", CollectionName: "c"}, "InclusiveEnd"},
		{"bad service type", &DiscoveryResponse{InResponseTo: "1", Services: []ServiceInstance{{Type: "X"}}}, "Services[0].Type"},
		{"service without message binding", &DiscoveryResponse{InResponseTo: "1", Services: []ServiceInstance{{Type: ServicePoll, ServiceVersion: ServicesV11, ProtocolBinding: "p", Address: "a"}}}, "Services[0].MessageBindings"},
		{"1.0 data set", &CollectionInformationResponse{Version: V10, InResponseTo: "1", Collections: []Collection{{Name: "c", Type: DataSet}}}, "Collections[0].Type"},
		{"subtypes in 1.0", &InboxMessage{Version: V10, ContentBlocks: []ContentBlock{{Binding: ContentBinding{ID: "b", Subtypes: []string{"s"}}}}}, "ContentBlocks[0].Binding.Subtypes"},
		{"payload not XML", &InboxMessage{ContentBlocks: []ContentBlock{{Binding: ContentBinding{ID: "b"}, Content: []byte("<a>"), ContentIsXML: true}}}, "ContentBlocks[0].Content"},
		{"payload with undeclared prefix", &InboxMessage{ContentBlocks: []ContentBlock{{Binding: ContentBinding{ID: "b"}, Content: []byte("<s:a/>"), ContentIsXML: true}}}, "ContentBlocks[0].Content"},
		{"payload with DOCTYPE", &InboxMessage{ContentBlocks: []ContentBlock{{Binding: ContentBinding{ID: "b"}, Content: []byte("<!DOCTYPE a><a/>"), ContentIsXML: true}}}, "ContentBlocks[0].Content"},
		{"unsubscribe without id", &ManageCollectionSubscriptionRequest{CollectionName: "c", Action: ActionUnsubscribe}, "Action"},
		{"bad query operator", &PollRequest{CollectionName: "c", Parameters: &PollParameters{Query: &Query{FormatID: QueryDefault10, Default: &DefaultQuery{TargetingExpressionID: "x", Criteria: Criteria{Operator: "and"}}}}}, "Parameters.Query.Default.Criteria.Operator"},
		{"unknown version", &DiscoveryRequest{Version: 7}, "Version"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Marshal(tc.m)
			ee, ok := err.(*EncodeError)
			if !ok {
				t.Fatalf("Marshal error = %v, want *EncodeError", err)
			}
			if ee.Field != tc.field {
				t.Errorf("field = %q, want %q (%v)", ee.Field, tc.field, err)
			}
			if !strings.Contains(err.Error(), tc.field) {
				t.Errorf("message %q does not name the field", err)
			}
		})
	}
}

func TestCharsets(t *testing.T) {
	latin1 := []byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<t:Status_Message xmlns:t=\"" + NS11 + "\" message_id=\"1\" in_response_to=\"2\" status_type=\"FAILURE\"><t:Message>caf\xe9</t:Message></t:Status_Message>")
	m, err := Unmarshal(latin1)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.(*StatusMessage).Message; got != "café" {
		t.Errorf("Latin-1 message = %q, want café", got)
	}
	bom := []byte("\xef\xbb\xbf<?xml version=\"1.0\"?><t:Discovery_Request xmlns:t=\"" + NS11 + "\" message_id=\"1\"/>")
	if _, err := Unmarshal(bom); err != nil {
		t.Errorf("document with a byte order mark: %v", err)
	}
	ebcdic := []byte(`<?xml version="1.0" encoding="EBCDIC"?><t:Discovery_Request xmlns:t="` + NS11 + `" message_id="1"/>`)
	var de *DecodeError
	if _, err := Unmarshal(ebcdic); !errors.As(err, &de) || de.Kind != ErrNotXML || !strings.Contains(err.Error(), "EBCDIC") {
		t.Errorf("unsupported encoding gave %v", err)
	}
}

func TestCheckXML(t *testing.T) {
	good := []string{
		`<a/>`,
		"\xef\xbb\xbf<?xml version=\"1.0\"?>\n<a xmlns:p=\"urn:p\"><p:b p:c=\"1\"/></a>",
		`<!-- note --><a/><b/>`,
		`<a><![CDATA[<x>]]></a>`,
	}
	for _, g := range good {
		if _, err := checkXML([]byte(g)); err != nil {
			t.Errorf("checkXML(%q): %v", g, err)
		}
	}
	bad := map[string]string{
		`<a></b>`:                         "end tag",
		`x<a/>`:                           "text outside",
		`<a>`:                             "not closed",
		``:                                "no XML element",
		`<p:a/>`:                          `prefix "p"`,
		`<a p:x="1"/>`:                    `prefix "p"`,
		`<a><p:b xmlns:p="u"/><p:c/></a>`: `prefix "p"`,
		`<!DOCTYPE a><a/>`:                "DOCTYPE",
		`<a>&nbsp;</a>`:                   "not well-formed",
		`<a/><?xml version="1.0"?>`:       "misplaced",
	}
	for in, want := range bad {
		if _, err := checkXML([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("checkXML(%q) = %v, want an error with %q", in, err, want)
		}
	}
}

// TestPayloadBytesExact: an XML payload keeps its bytes as received (quotes,
// comments, entity references, CDATA, whitespace), apart from the namespace
// declarations added to its root, so signatures inside it stay valid.
func TestPayloadBytesExact(t *testing.T) {
	payload := "<s:P a='1' b=\"&lt;&#x41;\"><!-- keep --><s:Q><![CDATA[<raw>]]></s:Q>\r\n\t<x:R/>  </s:P>"
	msg := `<t:Poll_Response xmlns:t="` + NS11 + `" xmlns:s="urn:s" message_id="1" in_response_to="2" collection_name="c"><t:Content_Block><t:Content_Binding binding_id="b"/><t:Content xmlns:x="urn:x">` +
		payload + `</t:Content></t:Content_Block><ds:Signature xmlns:ds="` + NSXMLDSig + `"><ds:SignedInfo  Id='x' /></ds:Signature></t:Poll_Response>`
	m, err := Unmarshal([]byte(msg))
	if err != nil {
		t.Fatal(err)
	}
	r := m.(*PollResponse)
	want := `<s:P xmlns:s="urn:s" xmlns:x="urn:x"` + payload[len("<s:P"):]
	if got := string(r.ContentBlocks[0].Content); got != want {
		t.Errorf("payload\n got: %q\nwant: %q", got, want)
	}
	if got, want := string(r.Signature), `<ds:Signature xmlns:ds="`+NSXMLDSig+`"><ds:SignedInfo  Id='x' /></ds:Signature>`; got != want {
		t.Errorf("signature\n got: %q\nwant: %q", got, want)
	}
	// Latin-1 input: offsets refer to the converted text.
	latin := []byte("<?xml version='1.0' encoding='ISO-8859-1'?><t:Inbox_Message xmlns:t=\"" + NS11 + "\" message_id=\"1\"><t:Content_Block><t:Content_Binding binding_id=\"b\"/><t:Content><p>\xe9t\xe9</p></t:Content></t:Content_Block></t:Inbox_Message>")
	m, err = Unmarshal(latin)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(m.(*InboxMessage).ContentBlocks[0].Content); got != "<p>été</p>" {
		t.Errorf("Latin-1 payload = %q", got)
	}
}
