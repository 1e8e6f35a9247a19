package taxii

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestInvalidFixtures decodes each fixture in testdata/invalid, one per rule
// the decoder enforces, and checks the *DecodeError it gives.
func TestInvalidFixtures(t *testing.T) {
	tests := []struct {
		file     string
		maxBytes int64
		kind     DecodeErrorKind
		path     string
		attr     string
	}{
		{file: "not_xml.xml", kind: ErrNotXML},
		{file: "empty.xml", kind: ErrNotXML},
		{file: "unclosed.xml", kind: ErrNotXML},
		{file: "two_roots.xml", kind: ErrNotXML},
		{file: "doctype_entity.xml", kind: ErrDoctype},
		{file: "doctype_xxe.xml", kind: ErrDoctype},
		{file: "doctype_in_content.xml", kind: ErrDoctype, path: "/Inbox_Message/Content_Block[1]/Content/a"},
		{file: "too_deep.xml", kind: ErrTooDeep},
		{file: "../taxii11/poll_response_full.xml", maxBytes: 1000, kind: ErrTooBig},
		{file: "wrong_namespace_root.xml", kind: ErrWrongNamespace, path: "/Discovery_Request"},
		{file: "no_namespace_root.xml", kind: ErrWrongNamespace, path: "/Discovery_Request"},
		{file: "wrong_namespace_child.xml", kind: ErrWrongNamespace, path: "/Status_Message/Message"},
		{file: "wrong_namespace_signature.xml", kind: ErrWrongNamespace, path: "/Discovery_Request/Signature"},
		{file: "unknown_message_11.xml", kind: ErrUnknownMessage, path: "/Feed_Information_Request"},
		{file: "unknown_message_10.xml", kind: ErrUnknownMessage, path: "/Poll_Fulfillment"},
		{file: "missing_message_id.xml", kind: ErrMissingAttribute, path: "/Discovery_Request", attr: "message_id"},
		{file: "missing_in_response_to.xml", kind: ErrMissingAttribute, path: "/Discovery_Response", attr: "in_response_to"},
		{file: "missing_status_type.xml", kind: ErrMissingAttribute, path: "/Status_Message", attr: "status_type"},
		{file: "missing_collection_name.xml", kind: ErrMissingAttribute, path: "/Poll_Request", attr: "collection_name"},
		{file: "missing_part_number.xml", kind: ErrMissingAttribute, path: "/Poll_Fulfillment", attr: "result_part_number"},
		{file: "missing_binding_id.xml", kind: ErrMissingAttribute, path: "/Inbox_Message/Content_Block[1]/Content_Binding", attr: "binding_id"},
		{file: "missing_description.xml", kind: ErrMissingElement, path: "/Collection_Information_Response/Collection[1]/Description"},
		{file: "missing_content.xml", kind: ErrMissingElement, path: "/Inbox_Message/Content_Block[1]/Content"},
		{file: "missing_feed_content_binding_10.xml", kind: ErrMissingElement, path: "/Feed_Information_Response/Feed[1]/Content_Binding"},
		{file: "poll_response_10_without_end.xml", kind: ErrMissingElement, path: "/Poll_Response/Inclusive_End_Timestamp"},
		{file: "bad_service_type.xml", kind: ErrBadValue, path: "/Discovery_Response/Service_Instance[1]", attr: "service_type"},
		{file: "bad_collection_type.xml", kind: ErrBadValue, path: "/Collection_Information_Response/Collection[1]", attr: "collection_type"},
		{file: "bad_action.xml", kind: ErrBadValue, path: "/Subscription_Management_Request", attr: "action"},
		{file: "bad_action_pause_10.xml", kind: ErrBadValue, path: "/Subscription_Management_Request", attr: "action"},
		{file: "bad_subscription_status.xml", kind: ErrBadValue, path: "/Subscription_Management_Response/Subscription[1]", attr: "status"},
		{file: "bad_response_type.xml", kind: ErrBadValue, path: "/Poll_Request/Poll_Parameters/Response_Type"},
		{file: "bad_timestamp.xml", kind: ErrBadValue, path: "/Poll_Request/Exclusive_Begin_Timestamp"},
		{file: "bad_boolean.xml", kind: ErrBadValue, path: "/Poll_Response", attr: "more"},
		{file: "bad_record_count.xml", kind: ErrBadValue, path: "/Poll_Response/Record_Count"},
		{file: "bad_part_number.xml", kind: ErrBadValue, path: "/Poll_Fulfillment", attr: "result_part_number"},
		{file: "bad_query_operator.xml", kind: ErrBadValue, path: "/Poll_Request/Poll_Parameters/Query/Default_Query/Criteria", attr: "operator"},
		{file: "bad_status_type.xml", kind: ErrBadValue, path: "/Status_Message", attr: "status_type"},
		{file: "mixed_content.xml", kind: ErrBadValue, path: "/Inbox_Message/Content_Block[1]/Content"},
		{file: "duplicate_message.xml", kind: ErrUnexpectedElement, path: "/Status_Message/Message"},
		{file: "unknown_child.xml", kind: ErrUnexpectedElement, path: "/Discovery_Request/Bogus"},
		{file: "text_in_structure.xml", kind: ErrUnexpectedElement, path: "/Discovery_Request"},
		{file: "element_in_text.xml", kind: ErrUnexpectedElement, path: "/Status_Message/Message/b"},
		{file: "two_subtypes_in_block.xml", kind: ErrUnexpectedElement, path: "/Inbox_Message/Content_Block[1]/Content_Binding/Subtype"},
		{file: "poll_request_both.xml", kind: ErrRuleViolation, path: "/Poll_Request"},
		{file: "poll_request_neither.xml", kind: ErrRuleViolation, path: "/Poll_Request"},
		{file: "poll_delivery_without_asynch.xml", kind: ErrRuleViolation, path: "/Poll_Request"},
		{file: "poll_end_before_begin.xml", kind: ErrRuleViolation, path: "/Poll_Request"},
		{file: "more_without_result_id.xml", kind: ErrRuleViolation, path: "/Poll_Response", attr: "result_id"},
		{file: "pending_without_details.xml", kind: ErrRuleViolation, path: "/Status_Message/Status_Detail"},
		{file: "invalid_part_without_max.xml", kind: ErrRuleViolation, path: "/Status_Message/Status_Detail"},
		{file: "unsubscribe_without_id.xml", kind: ErrRuleViolation, path: "/Subscription_Management_Request", attr: "action"},
		{file: "subscribe_without_parameters.xml", kind: ErrRuleViolation, path: "/Subscription_Management_Request", attr: "action"},
	}
	seen := map[string]bool{}
	for _, tc := range tests {
		seen[tc.file] = true
		t.Run(tc.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("..", "testdata", "invalid", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			m, err := Decoder{MaxBytes: tc.maxBytes}.Unmarshal(b)
			if err == nil {
				t.Fatalf("decoded %T, want a %s error", m, tc.kind)
			}
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %v (%T) is not a *DecodeError", err, err)
			}
			if de.Kind != tc.kind || de.Path != tc.path || de.Attr != tc.attr {
				t.Errorf("got kind=%s path=%q attr=%q (%v)\nwant kind=%s path=%q attr=%q", de.Kind, de.Path, de.Attr, err, tc.kind, tc.path, tc.attr)
			}
		})
	}
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "invalid", "*.xml"))
	for _, f := range files {
		if !seen[filepath.Base(f)] {
			t.Errorf("fixture %s has no expectation in this table", f)
		}
	}
}
