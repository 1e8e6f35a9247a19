package taxii

import (
	"fmt"

	"github.com/beevik/etree"
)

// InboxMessage is Inbox_Message (XML §3.10): content pushed to an inbox.
// TAXII 1.0 has no ResultID, DestinationCollectionNames or RecordCount.
type InboxMessage struct {
	MessageID       string
	Version         Version
	ExtendedHeaders []ExtendedHeader
	// ResultID is set when pushing asynchronous poll results.
	ResultID                   string
	DestinationCollectionNames []string
	Message                    string
	SourceSubscription         *SourceSubscription
	RecordCount                *RecordCount
	ContentBlocks              []ContentBlock
	Signature                  []byte
}

// SourceSubscription says which subscription an Inbox_Message fulfils.
// InclusiveBegin is TAXII 1.0 only (1.1 has ExclusiveBegin).
type SourceSubscription struct {
	CollectionName string
	SubscriptionID string
	ExclusiveBegin *Timestamp
	InclusiveBegin *Timestamp
	InclusiveEnd   *Timestamp
}

func (m *InboxMessage) encode(e *encoder) (*etree.Element, error) {
	el, err := e.root("Inbox_Message", m.MessageID, "", false)
	if err != nil {
		return nil, err
	}
	v10 := e.v == V10
	if v10 && (m.ResultID != "" || len(m.DestinationCollectionNames) > 0 || m.RecordCount != nil) {
		return nil, e.errf("ResultID", "TAXII 1.0 has no result_id, Destination_Collection_Name or Record_Count")
	}
	optAttr(el, "result_id", m.ResultID)
	if err := e.extendedHeaders(el, m.ExtendedHeaders); err != nil {
		return nil, err
	}
	for i, n := range m.DestinationCollectionNames {
		if err := e.req(el, fmt.Sprintf("DestinationCollectionNames[%d]", i), "Destination_Collection_Name", n); err != nil {
			return nil, err
		}
	}
	e.opt(el, "Message", m.Message)
	if s := m.SourceSubscription; s != nil {
		se := e.el(el, "Source_Subscription")
		if v10 {
			if err := e.reqAttr(se, "SourceSubscription.CollectionName", "feed_name", s.CollectionName); err != nil {
				return nil, err
			}
			optAttr(se, "subscription_id", s.SubscriptionID)
			if s.ExclusiveBegin != nil {
				return nil, e.errf("SourceSubscription.ExclusiveBegin", "TAXII 1.0 uses InclusiveBegin")
			}
			if s.InclusiveEnd == nil {
				return nil, e.errf("SourceSubscription.InclusiveEnd", "required in TAXII 1.0")
			}
			e.timestamp(se, "Inclusive_Begin_Timestamp", s.InclusiveBegin)
		} else {
			if err := e.reqAttr(se, "SourceSubscription.CollectionName", "collection_name", s.CollectionName); err != nil {
				return nil, err
			}
			if err := e.req(se, "SourceSubscription.SubscriptionID", "Subscription_ID", s.SubscriptionID); err != nil {
				return nil, err
			}
			if s.InclusiveBegin != nil {
				return nil, e.errf("SourceSubscription.InclusiveBegin", "TAXII 1.1 has only ExclusiveBegin")
			}
			e.timestamp(se, "Exclusive_Begin_Timestamp", s.ExclusiveBegin)
		}
		e.timestamp(se, "Inclusive_End_Timestamp", s.InclusiveEnd)
	}
	e.recordCount(el, m.RecordCount)
	if err := e.contentBlocks(el, m.ContentBlocks); err != nil {
		return nil, err
	}
	e.signature(el, "Signature", m.Signature)
	return el, nil
}

func decodeInbox(d *decoder, el *etree.Element, path string) (Message, error) {
	m := &InboxMessage{Version: d.v}
	var err error
	if m.MessageID, _, err = d.header(el, path, false); err != nil {
		return nil, err
	}
	var k kids
	if d.v == V10 {
		k, err = d.kids(el, path, "Extended_Headers?", "Message?", "Source_Subscription?", "Content_Block*", "Signature?")
	} else {
		m.ResultID = optAttrValue(el, "result_id")
		k, err = d.kids(el, path, "Extended_Headers?", "Destination_Collection_Name*", "Message?", "Source_Subscription?", "Record_Count?", "Content_Block*", "Signature?")
	}
	if err != nil {
		return nil, err
	}
	if m.ExtendedHeaders, err = d.extendedHeaders(k); err != nil {
		return nil, err
	}
	if m.DestinationCollectionNames, err = uris(k, "Destination_Collection_Name"); err != nil {
		return nil, err
	}
	if m.Message, err = optText(k, "Message"); err != nil {
		return nil, err
	}
	if c := k.one("Source_Subscription"); c != nil {
		s := &SourceSubscription{}
		var sk kids
		if d.v == V10 {
			if s.CollectionName, err = reqAttr(c.el, c.path, "feed_name"); err != nil {
				return nil, err
			}
			s.SubscriptionID = optAttrValue(c.el, "subscription_id")
			if sk, err = d.kids(c.el, c.path, "Inclusive_Begin_Timestamp?", "Inclusive_End_Timestamp"); err != nil {
				return nil, err
			}
			if s.InclusiveBegin, err = optTimestamp(sk, "Inclusive_Begin_Timestamp"); err != nil {
				return nil, err
			}
		} else {
			if s.CollectionName, err = reqAttr(c.el, c.path, "collection_name"); err != nil {
				return nil, err
			}
			if sk, err = d.kids(c.el, c.path, "Subscription_ID", "Exclusive_Begin_Timestamp?", "Inclusive_End_Timestamp?"); err != nil {
				return nil, err
			}
			if s.SubscriptionID, err = uri(sk.one("Subscription_ID")); err != nil {
				return nil, err
			}
			if s.ExclusiveBegin, err = optTimestamp(sk, "Exclusive_Begin_Timestamp"); err != nil {
				return nil, err
			}
		}
		if s.InclusiveEnd, err = optTimestamp(sk, "Inclusive_End_Timestamp"); err != nil {
			return nil, err
		}
		m.SourceSubscription = s
	}
	if m.RecordCount, err = recordCount(k); err != nil {
		return nil, err
	}
	if m.ContentBlocks, err = d.contentBlocks(k); err != nil {
		return nil, err
	}
	if m.Signature, err = d.signature(k); err != nil {
		return nil, err
	}
	return m, nil
}
