package taxii

import (
	"slices"
	"strings"
)

// checkDestinations applies InboxHandler.Destinations and
// RequireDestination to a decoded message.
func (h *InboxHandler) checkDestinations(in *InboxMessage) *Refusal {
	acceptable := func(format string, args ...any) *Refusal {
		rf := refuse(StatusDestinationCollectionError, nil, format, args...)
		for _, d := range h.Destinations {
			rf.Details = append(rf.Details, StatusDetail{Name: DetailAcceptableDestination, Value: d})
		}
		return rf
	}
	for _, name := range in.DestinationCollectionNames {
		if len(h.Destinations) == 0 {
			return acceptable("this inbox does not take destination collection names (got %q); send without Destination_Collection_Name", name)
		}
		if !slices.Contains(h.Destinations, name) {
			return acceptable("destination collection %q does not exist here; name one of: %s", name, strings.Join(h.Destinations, ", "))
		}
	}
	if h.RequireDestination && len(in.DestinationCollectionNames) == 0 && in.SourceSubscription == nil && in.Version == V11 {
		return acceptable("name a destination collection (Destination_Collection_Name): one of %s", strings.Join(h.Destinations, ", "))
	}
	return nil
}

// checkBindings applies InboxHandler.ContentBindings to every block; one
// unsupported block refuses the whole message.
func (h *InboxHandler) checkBindings(blocks []ContentBlock) *Refusal {
	if len(h.ContentBindings) == 0 {
		return nil
	}
	for i := range blocks {
		b := &blocks[i].Binding
		if acceptsBinding(h.ContentBindings, *b) {
			continue
		}
		claim := b.ID
		if len(b.Subtypes) > 0 {
			claim += " (subtype " + strings.Join(b.Subtypes, ", ") + ")"
		}
		rf := refuse(StatusUnsupportedContent, nil,
			"content block %d has content binding %s, which this inbox does not accept; nothing was kept", i+1, claim)
		rf.Details = supportedContentDetails(h.ContentBindings)
		return rf
	}
	return nil
}

// contentBlockToken names Content Block nesting in a nesting expression
// (ERR TAXII-Serv-1.1-Err-02); it is always allowed (SVC §5.3.4).
const contentBlockToken = "ContentBlock"

// acceptsBinding reports whether a content block's binding is in the
// accepted list (see InboxHandler.ContentBindings for the rules).
func acceptsBinding(accepted []ContentBinding, b ContentBinding) bool {
	parts := strings.Split(b.ID, "|")
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == contentBlockToken && len(parts) > 1 {
			continue
		}
		i := slices.IndexFunc(accepted, func(a ContentBinding) bool { return sameBinding(a.ID, p) })
		if i < 0 {
			return false
		}
		if a := accepted[i]; len(parts) == 1 && len(a.Subtypes) > 0 {
			for _, st := range b.Subtypes {
				if !slices.Contains(a.Subtypes, st) {
					return false
				}
			}
		}
	}
	return true
}

func sameBinding(a, b string) bool {
	smime := func(s string) bool { return s == ContentSMIME || s == ContentSMIMEAlt }
	return a == b || (smime(a) && smime(b))
}

// supportedContentDetails lists accepted bindings as SUPPORTED_CONTENT
// values; a binding limited to subtypes is written as libtaxii does,
// "binding_id>subtype1,subtype2".
func supportedContentDetails(accepted []ContentBinding) []StatusDetail {
	out := make([]StatusDetail, 0, len(accepted))
	for _, a := range accepted {
		v := a.ID
		if len(a.Subtypes) > 0 {
			v += ">" + strings.Join(a.Subtypes, ",")
		}
		out = append(out, StatusDetail{Name: DetailSupportedContent, Value: v})
	}
	return out
}
