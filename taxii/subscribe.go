package taxii

import (
	"context"
	"fmt"
	"net/url"
)

// SubscribeParams are the parameters of a new subscription.
type SubscribeParams struct {
	// InboxAddress, when set, asks the producer to push content to this
	// inbox; empty means the subscriber will poll.
	InboxAddress string
	// InboxProtocol defaults to HTTP or HTTPS after InboxAddress's scheme;
	// InboxMessageBinding defaults to the client's XML binding.
	InboxProtocol, InboxMessageBinding string
	// ContentBindings the subscriber accepts; none means all.
	ContentBindings []ContentBinding
	ResponseType    ResponseType
	Query           *Query
}

// ManageSubscription sends a subscription management request as is and
// returns the response; a Status Message becomes a *StatusError. Only a
// STATUS request is retried.
func (c *Client) ManageSubscription(ctx context.Context, rawURL string, req *ManageCollectionSubscriptionRequest) (*ManageCollectionSubscriptionResponse, error) {
	req.Version = c.version()
	reply, err := c.Do(ctx, rawURL, req)
	if err != nil {
		return nil, err
	}
	switch m := reply.(type) {
	case *ManageCollectionSubscriptionResponse:
		return m, nil
	case *StatusMessage:
		return nil, statusError(rawURL, m)
	default:
		return nil, unexpected("subscription management", rawURL, reply)
	}
}

// Subscribe subscribes to collection at the collection management service
// rawURL and returns the subscription the server created (or the existing
// identical one).
func (c *Client) Subscribe(ctx context.Context, rawURL, collection string, p SubscribeParams) (*Subscription, error) {
	req := &ManageCollectionSubscriptionRequest{CollectionName: collection, Action: ActionSubscribe}
	if c.version() == V11 {
		req.Parameters = &SubscriptionParameters{ResponseType: p.ResponseType, ContentBindings: p.ContentBindings, Query: p.Query}
	}
	if p.InboxAddress != "" {
		push := &PushParameters{Address: p.InboxAddress, ProtocolBinding: p.InboxProtocol, MessageBinding: p.InboxMessageBinding}
		if push.ProtocolBinding == "" {
			push.ProtocolBinding = ProtocolHTTP
			if u, err := url.Parse(p.InboxAddress); err == nil && u.Scheme == "https" {
				push.ProtocolBinding = ProtocolHTTPS
			}
		}
		if push.MessageBinding == "" {
			push.MessageBinding = c.version().MessageBinding()
		}
		if c.version() == V10 {
			push.ContentBindings = p.ContentBindings
		}
		req.Push = push
	}
	return c.oneSubscription(ctx, rawURL, req)
}

// SubscriptionStatus returns the subscriptions to collection; with an id,
// only that one.
func (c *Client) SubscriptionStatus(ctx context.Context, rawURL, collection, id string) ([]Subscription, error) {
	res, err := c.ManageSubscription(ctx, rawURL, &ManageCollectionSubscriptionRequest{CollectionName: collection, Action: ActionStatus, SubscriptionID: id})
	if err != nil {
		return nil, err
	}
	return res.Subscriptions, nil
}

// PauseSubscription pauses subscription id (TAXII 1.1).
func (c *Client) PauseSubscription(ctx context.Context, rawURL, collection, id string) (*Subscription, error) {
	return c.oneSubscription(ctx, rawURL, &ManageCollectionSubscriptionRequest{CollectionName: collection, Action: ActionPause, SubscriptionID: id})
}

// ResumeSubscription resumes subscription id (TAXII 1.1).
func (c *Client) ResumeSubscription(ctx context.Context, rawURL, collection, id string) (*Subscription, error) {
	return c.oneSubscription(ctx, rawURL, &ManageCollectionSubscriptionRequest{CollectionName: collection, Action: ActionResume, SubscriptionID: id})
}

// Unsubscribe ends subscription id.
func (c *Client) Unsubscribe(ctx context.Context, rawURL, collection, id string) (*Subscription, error) {
	return c.oneSubscription(ctx, rawURL, &ManageCollectionSubscriptionRequest{CollectionName: collection, Action: ActionUnsubscribe, SubscriptionID: id})
}

func (c *Client) oneSubscription(ctx context.Context, rawURL string, req *ManageCollectionSubscriptionRequest) (*Subscription, error) {
	if req.Action != ActionSubscribe && req.SubscriptionID == "" {
		return nil, fmt.Errorf("taxii: %s needs a subscription id; get it with a STATUS request", req.Action)
	}
	if c.version() == V10 && (req.Action == ActionPause || req.Action == ActionResume) {
		return nil, fmt.Errorf("taxii: TAXII 1.0 has no %s; unsubscribe and subscribe again instead", req.Action)
	}
	res, err := c.ManageSubscription(ctx, rawURL, req)
	if err != nil {
		return nil, err
	}
	if len(res.Subscriptions) == 0 {
		return nil, fmt.Errorf("taxii: %s of %q at %s: the server answered without a subscription record, so it is unknown what it did (server says: %q)", req.Action, req.CollectionName, redactURL(rawURL), res.Message)
	}
	s := res.Subscriptions[0]
	return &s, nil
}
