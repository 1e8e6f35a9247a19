package taxii

import (
	"fmt"
	"slices"
	"strings"
)

// Status detail names (TAXII 1.1 XML binding §3.1, Default Query §2).
const (
	DetailAcceptableDestination = "ACCEPTABLE_DESTINATION"
	DetailMaxPartNumber         = "MAX_PART_NUMBER"
	DetailItem                  = "ITEM"
	DetailEstimatedWait         = "ESTIMATED_WAIT"
	DetailResultID              = "RESULT_ID"
	DetailWillPush              = "WILL_PUSH"
	DetailSupportedBinding      = "SUPPORTED_BINDING"
	DetailSupportedContent      = "SUPPORTED_CONTENT"
	DetailSupportedProtocol     = "SUPPORTED_PROTOCOL"
	DetailSupportedQuery        = "SUPPORTED_QUERY"
	DetailCapabilityModule      = "CAPABILITY_MODULE"
	DetailPreferredScope        = "PREFERRED_SCOPE"
	DetailAllowedScope          = "ALLOWED_SCOPE"
	DetailTargetingExpressionID = "TARGETING_EXPRESSION_ID"
)

// statusWord is the plain-words explanation of one status type: what
// happened and what to try. %s verbs are filled from details by words().
type statusWord struct {
	what, try string
}

var statusWordTable = map[string]statusWord{
	"SUCCESS":                 {"The server accepted the message", ""},
	"ASYNCHRONOUS_POLL_ERROR": {"The server could not produce the result of an earlier asynchronous poll, or it no longer has it", "poll again from the start"},
	"BAD_MESSAGE":             {"The server could not read or did not understand our message", "try forcing the other TAXII version (1.0 or 1.1) and show the exchange log to the server's operator"},
	"DENIED":                  {"The server refused the request for a reason other than your login (for example a quota, or it requires a subscription)", "read the server's message and ask its operator what access you have"},
	"DESTINATION_COLLECTION_ERROR": {"The server did not accept the destination collections named for this push",
		"name an accepted destination collection"},
	"FAILURE":               {"The server failed while handling the request and gave no specific reason", "try again later; if it keeps failing, send the exchange log to the server's operator"},
	"INVALID_RESPONSE_PART": {"We asked for a part of a multi-part result that does not exist", "poll again from the start"},
	"NETWORK_ERROR":         {"The server reported a network error on its side", "try again later"},
	"NOT_FOUND":             {"The server says what we named does not exist (or that you may not see it)", "check the collection or subscription name, and that your account may read it"},
	"PENDING":               {"The server accepted the poll and is still preparing the result", "wait and fetch it later"},
	"POLLING_UNSUPPORTED":   {"This collection cannot be polled by you, so a subscription without push delivery is useless", "subscribe with an inbox address to have content pushed to you"},
	"RETRY":                 {"The server is busy and cannot do this now; nothing was changed", "try again later"},
	"UNAUTHORIZED":          {"The server did not accept your credentials, or they are missing or not enough for this request", "check the user name, password, client certificate or token for this server"},
	"UNSUPPORTED_MESSAGE":   {"The server does not support the message format (binding) we used", "try forcing the other TAXII version (1.0 or 1.1)"},
	"UNSUPPORTED_CONTENT":   {"The server does not accept the content binding (format) we asked for or sent", "use a content binding the server supports"},
	"UNSUPPORTED_PROTOCOL":  {"The server does not support the protocol we asked for (for example HTTP vs HTTPS for push delivery)", "use a protocol the server supports"},
	"UNSUPPORTED_QUERY":     {"The server does not support the query we sent", "poll without a query, or use a query format it supports"},
	"UNSUPPORTED_CAPABILITY_MODULE": {"The server does not support a test (capability module) used in the query",
		"simplify the query"},
	"UNSUPPORTED_TARGETING_EXPRESSION": {"The server cannot search the part of the content the query targets",
		"target a field inside the allowed scope"},
	"UNSUPPORTED_TARGETING_EXPRESSION_ID": {"The server does not know the targeting vocabulary of the query",
		"use a supported vocabulary"},
}

// StatusWords explains a status type and its details in one plain sentence:
// what happened and what to try. Unknown (third-party) types are explained as
// failures, as the spec requires (SVC §4.4.1.1).
func StatusWords(t StatusType, details map[string][]string, message string) string {
	name := string(t)
	w, known := statusWordTable[name]
	if !known {
		w = statusWord{fmt.Sprintf("The server reported an error of a kind we do not know (%s)", name), "read the server's message, and try again later"}
	}
	what := w.what
	try := w.try
	d := func(k string) []string { return details[k] }
	first := func(k string) string {
		if v := d(k); len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	switch name {
	case "DESTINATION_COLLECTION_ERROR":
		if v, ok := details[DetailAcceptableDestination]; ok {
			if len(v) == 0 || (len(v) == 1 && strings.TrimSpace(v[0]) == "") {
				try = "send it again without naming destination collections"
			} else {
				try = "name one of these destination collections: " + strings.Join(v, ", ")
			}
		} else {
			try = "name a destination collection if you did not, or leave them out if you did"
		}
	case "INVALID_RESPONSE_PART":
		if n := first(DetailMaxPartNumber); n != "" {
			what += fmt.Sprintf(" (the last part is %s)", n)
		}
	case "NOT_FOUND":
		if it := first(DetailItem); it != "" {
			what = fmt.Sprintf("The server says %q does not exist (or that you may not see it)", it)
		}
	case "PENDING":
		if s := first(DetailEstimatedWait); s != "" {
			try = fmt.Sprintf("wait about %s seconds and fetch it", s)
			if id := first(DetailResultID); id != "" {
				try += fmt.Sprintf(" (result %s)", id)
			}
		}
	case "RETRY":
		if s := first(DetailEstimatedWait); s != "" {
			try = fmt.Sprintf("try again in about %s seconds", s)
		}
	case "UNSUPPORTED_MESSAGE":
		if v := d(DetailSupportedBinding); len(v) > 0 {
			try = "use one of the message bindings it supports: " + strings.Join(v, ", ")
		}
	case "UNSUPPORTED_CONTENT":
		if v := d(DetailSupportedContent); len(v) > 0 {
			try = "use one of the content bindings it supports: " + strings.Join(v, ", ")
		}
	case "UNSUPPORTED_PROTOCOL":
		if v := d(DetailSupportedProtocol); len(v) > 0 {
			try = "use one of the protocols it supports: " + strings.Join(v, ", ")
		}
	case "UNSUPPORTED_QUERY":
		if v, ok := details[DetailSupportedQuery]; ok {
			if len(v) == 0 {
				try = "poll without a query; this service does not support queries"
			} else {
				try = "use one of the query formats it supports: " + strings.Join(v, ", ")
			}
		}
	case "UNSUPPORTED_CAPABILITY_MODULE":
		if v := d(DetailCapabilityModule); len(v) > 0 {
			try = "use only these capability modules: " + strings.Join(v, ", ")
		}
	case "UNSUPPORTED_TARGETING_EXPRESSION":
		scope := append(slices.Clone(d(DetailPreferredScope)), d(DetailAllowedScope)...)
		if len(scope) > 0 {
			try = "target a field inside " + strings.Join(scope, ", ")
		}
	case "UNSUPPORTED_TARGETING_EXPRESSION_ID":
		if v := d(DetailTargetingExpressionID); len(v) > 0 {
			try = "use one of these vocabularies: " + strings.Join(v, ", ")
		}
	}
	s := what
	if msg := strings.Join(strings.Fields(message), " "); msg != "" {
		s += fmt.Sprintf(" (server says: %q)", msg)
	}
	if try != "" {
		s += "; " + try
	}
	return s + "."
}

func formatDetails(details map[string][]string) string {
	var parts []string
	for _, k := range sortedKeys(details) {
		parts = append(parts, k+"="+strings.Join(details[k], ","))
	}
	return strings.Join(parts, " ")
}

// sortedKeys returns the keys of m in order (for deterministic output).
func sortedKeys[M ~map[string]V, V any](m M) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
