package taxiitest

import (
	"context"
	"fmt"

	"github.com/taxii-workstation/taxii-workstation/taxii"
)

// Deliver acts as a producer: it pushes the whole content of each
// subscribed collection, as one Inbox Message, to the inbox of every ACTIVE
// subscription that has push parameters, using c (which must be able to
// reach those inboxes). Paused and poll-only subscriptions get nothing. It
// returns the receipts in subscription order and stops at the first error.
func (s *Server) Deliver(ctx context.Context, c *taxii.Client) ([]*taxii.Receipt, error) {
	type delivery struct {
		addr string
		msg  *taxii.InboxMessage
	}
	var todo []delivery
	s.mu.Lock()
	for _, rec := range s.subscriptions {
		col, ok := s.collections[rec.Collection]
		if !ok || rec.Status != taxii.SubscriptionActive || rec.Push == nil {
			continue
		}
		n := col.count()
		msg := &taxii.InboxMessage{
			Message:            "delivery for subscription " + rec.ID,
			SourceSubscription: &taxii.SourceSubscription{CollectionName: col.Name, SubscriptionID: rec.ID},
			RecordCount:        &taxii.RecordCount{Count: uint64(n)},
		}
		if col.Type != taxii.DataSet {
			msg.SourceSubscription.InclusiveEnd = label(max(n-1, 0))
		}
		for i := range n {
			msg.ContentBlocks = append(msg.ContentBlocks, col.block(i))
		}
		todo = append(todo, delivery{rec.Push.Address, msg})
	}
	s.mu.Unlock()

	var out []*taxii.Receipt
	for _, d := range todo {
		rc, err := c.Push(ctx, d.addr, d.msg)
		if err != nil {
			return out, fmt.Errorf("taxiitest: deliver %s to %s: %w", d.msg.SourceSubscription.SubscriptionID, d.addr, err)
		}
		out = append(out, rc)
	}
	return out, nil
}
