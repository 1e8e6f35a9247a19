package apptest

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/taxii"
)

// Fake service addresses the default discovery answer lists.
const (
	DiscoveryURL   = "https://taxii.test/discovery"
	PollURL        = "https://taxii.test/poll"
	InboxURL       = "https://taxii.test/inbox"
	CollectionsURL = "https://taxii.test/collections"
)

// Client is a scripted app.Client: a TAXII server in memory. Set its
// exported fields before use; Add feeds content. It is safe for concurrent use.
type Client struct {
	// Discovery answers Discover; nil answers with poll, inbox and
	// collection management services at the fake addresses.
	Discovery *taxii.Discovery
	// PartSize splits poll results into parts (0: one part).
	PartSize int
	// ServerTime, when set, is sent as every part's Inclusive_End_Timestamp
	// (unless the request set one); nil omits it, as many servers do.
	ServerTime func() time.Time
	// Errs fails a method by name ("Discover", "CollectionInformation",
	// "Poll", "Push", "Subscribe", ...) with the error.
	Errs map[string]error
	// PushStatus is the status pushes get (empty: SUCCESS).
	PushStatus taxii.StatusType
	// Countdown, when set, makes every poll report PENDING first: one
	// waiting progress event per value (the remaining time; the first is
	// the total), before the first part.
	Countdown []time.Duration
	// BeforePart, when set, runs before each poll part is handed over
	// (part numbers from 1); an error stops the poll with it.
	BeforePart func(ctx context.Context, collection string, part int) error

	mu          sync.Mutex
	collections []taxii.Collection
	feeds       map[string][]taxii.ContentBlock
	pushed      []*taxii.InboxMessage
	polls       []taxii.PollRequest
	subs        map[string]*taxii.Subscription
	profiles    []app.Profile
	creds       []app.Credentials
	nextSub     int
}

var _ app.Client = (*Client)(nil)

// NewClient returns a fake with no collections.
func NewClient() *Client {
	return &Client{feeds: map[string][]taxii.ContentBlock{}, subs: map[string]*taxii.Subscription{}}
}

// Factory returns an app.ClientFactory that hands out c for every profile
// and records the profiles and credentials it was asked for.
func (c *Client) Factory() app.ClientFactory {
	return func(p app.Profile, cr app.Credentials, _ *slog.Logger) (app.Client, error) {
		c.mu.Lock()
		c.profiles = append(c.profiles, p)
		c.creds = append(c.creds, cr)
		c.mu.Unlock()
		return c, nil
	}
}

// Made returns the profiles and credentials the factory was called with.
func (c *Client) Made() ([]app.Profile, []app.Credentials) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.profiles), slices.Clone(c.creds)
}

// AddCollection advertises a collection (a data feed accepting anything).
func (c *Client) AddCollection(col taxii.Collection) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.collections = append(c.collections, col)
	if _, ok := c.feeds[col.Name]; !ok {
		c.feeds[col.Name] = nil
	}
}

// Add appends blocks to a collection's content (the collection is
// advertised if it was not).
func (c *Client) Add(collection string, blocks ...taxii.ContentBlock) {
	c.mu.Lock()
	_, ok := c.feeds[collection]
	c.mu.Unlock()
	if !ok {
		c.AddCollection(taxii.Collection{Name: collection, Type: taxii.DataFeed})
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.feeds[collection] = append(c.feeds[collection], blocks...)
}

// Block makes a STIX 1.2 content block with a title and a timestamp label.
func Block(title string, label time.Time) taxii.ContentBlock {
	doc := fmt.Sprintf(`<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" version="1.2"><stix:STIX_Header><stix:Title>%s</stix:Title></stix:STIX_Header></stix:STIX_Package>`, title)
	return taxii.ContentBlock{Binding: taxii.ContentBinding{ID: taxii.ContentSTIX12}, Content: []byte(doc), ContentIsXML: true, TimestampLabel: taxii.NewTimestamp(label.UTC())}
}

// Pushed returns the Inbox messages received.
func (c *Client) Pushed() []*taxii.InboxMessage {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.pushed)
}

// Polls returns the poll requests received.
func (c *Client) Polls() []taxii.PollRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.polls)
}

func (c *Client) err(method string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.Errs[method]
}

// Discover answers with Discovery or the default services.
func (c *Client) Discover(_ context.Context, rawURL string) (*taxii.Discovery, error) {
	if err := c.err("Discover"); err != nil {
		return nil, err
	}
	if c.Discovery != nil {
		return c.Discovery, nil
	}
	svc := func(t taxii.ServiceType, addr string) taxii.Service {
		yes := true
		return taxii.Service{ServiceInstance: taxii.ServiceInstance{
			Type: t, ServiceVersion: taxii.ServicesV11, Available: &yes, ProtocolBinding: taxii.ProtocolHTTPS,
			Address: addr, MessageBindings: []string{taxii.BindingXML11},
		}, AdvertisedAddress: addr, Version: taxii.V11}
	}
	return &taxii.Discovery{URL: rawURL, Version: taxii.V11, Services: []taxii.Service{
		svc(taxii.ServiceDiscovery, DiscoveryURL), svc(taxii.ServicePoll, PollURL),
		svc(taxii.ServiceInbox, InboxURL), svc(taxii.ServiceCollectionManagement, CollectionsURL),
	}}, nil
}

// CollectionInformation lists the collections.
func (c *Client) CollectionInformation(context.Context, string) ([]taxii.Collection, error) {
	if err := c.err("CollectionInformation"); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.collections), nil
}

// Poll serves the blocks of the collection inside the request's window,
// in parts of PartSize, through opts.OnPart.
func (c *Client) Poll(ctx context.Context, _ string, req *taxii.PollRequest, opts taxii.PollOptions) (*taxii.PollResult, error) {
	res := &taxii.PollResult{CollectionName: req.CollectionName}
	if err := c.err("Poll"); err != nil {
		return res, err
	}
	c.mu.Lock()
	c.polls = append(c.polls, *req)
	feed, ok := c.feeds[req.CollectionName]
	feed = slices.Clone(feed)
	partSize := c.PartSize
	c.mu.Unlock()
	if !ok {
		return res, &taxii.StatusError{Type: taxii.StatusNotFound, Message: "no collection " + req.CollectionName}
	}
	var sel []taxii.ContentBlock
	for _, b := range feed {
		if b.TimestampLabel != nil {
			if req.ExclusiveBegin != nil && !b.TimestampLabel.Time.After(req.ExclusiveBegin.Time) {
				continue
			}
			if req.InclusiveEnd != nil && b.TimestampLabel.Time.After(req.InclusiveEnd.Time) {
				continue
			}
		}
		sel = append(sel, b)
	}
	end := req.InclusiveEnd
	if end == nil && c.ServerTime != nil {
		end = taxii.NewTimestamp(c.ServerTime().UTC())
	}
	if req.Parameters != nil && req.Parameters.ResponseType == taxii.ResponseCountOnly {
		rc := &taxii.RecordCount{Count: uint64(len(sel))}
		part := &taxii.PollResponse{MessageID: taxii.NewMessageID(), CollectionName: req.CollectionName, InclusiveEnd: end, RecordCount: rc}
		res.Parts, res.RecordCount, res.InclusiveEnd = 1, rc, end
		if opts.OnPart != nil {
			if err := opts.OnPart(part); err != nil {
				return res, err
			}
		}
		return res, nil
	}
	for _, rem := range c.Countdown {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if opts.OnProgress != nil {
			opts.OnProgress(taxii.PollProgress{Event: taxii.PollWaiting, Part: 1, ResultID: "result-1", Remaining: rem, Total: c.Countdown[0]})
		}
	}
	if partSize <= 0 {
		partSize = max(len(sel), 1)
	}
	n := 0
	for start := 0; start == 0 || start < len(sel); start += partSize {
		n++
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if c.BeforePart != nil {
			if err := c.BeforePart(ctx, req.CollectionName, n); err != nil {
				return res, err
			}
		}
		blocks := sel[start:min(start+partSize, len(sel))]
		part := &taxii.PollResponse{
			MessageID: taxii.NewMessageID(), CollectionName: req.CollectionName, ResultID: "result-1",
			ResultPartNumber: n, More: start+partSize < len(sel), InclusiveEnd: end,
			RecordCount: &taxii.RecordCount{Count: uint64(len(sel))}, ContentBlocks: blocks,
		}
		res.Parts++
		res.RecordCount = part.RecordCount
		for _, b := range blocks {
			res.Blocks++
			res.Bytes += int64(len(b.Content))
			if b.TimestampLabel != nil && (res.NewestLabel == nil || b.TimestampLabel.Time.After(res.NewestLabel.Time)) {
				res.NewestLabel = b.TimestampLabel
			}
		}
		res.InclusiveEnd = end
		if opts.OnPart != nil {
			if err := opts.OnPart(part); err != nil {
				return res, err
			}
		}
		if opts.OnProgress != nil {
			opts.OnProgress(taxii.PollProgress{Event: taxii.PollPartReceived, Part: n, Blocks: res.Blocks, Bytes: res.Bytes, RecordCount: res.RecordCount, More: part.More})
		}
		if len(sel) == 0 {
			break
		}
	}
	return res, nil
}

// Push records the message and answers PushStatus (or fails with Errs["Push"]).
func (c *Client) Push(_ context.Context, rawURL string, m *taxii.InboxMessage) (*taxii.Receipt, error) {
	c.mu.Lock()
	c.pushed = append(c.pushed, m)
	st := c.PushStatus
	c.mu.Unlock()
	if err := c.err("Push"); err != nil {
		return nil, err
	}
	if st == "" {
		st = taxii.StatusSuccess
	}
	r := &taxii.Receipt{URL: rawURL, MessageID: m.MessageID, Time: time.Now().UTC(), Blocks: len(m.ContentBlocks), Destinations: m.DestinationCollectionNames, Status: st, InResponseTo: m.MessageID}
	if st != taxii.StatusSuccess {
		return r, &taxii.StatusError{Type: st, URL: rawURL, Message: "refused by the fake"}
	}
	return r, nil
}

// Subscribe creates an ACTIVE subscription.
func (c *Client) Subscribe(_ context.Context, _, collection string, p taxii.SubscribeParams) (*taxii.Subscription, error) {
	if err := c.err("Subscribe"); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nextSub++
	s := &taxii.Subscription{Status: taxii.SubscriptionActive, SubscriptionID: fmt.Sprintf("sub-%d", c.nextSub)}
	if p.InboxAddress != "" {
		s.Push = &taxii.PushParameters{Address: p.InboxAddress, ProtocolBinding: taxii.ProtocolHTTPS, MessageBinding: taxii.BindingXML11}
	}
	c.subs[collection+"\x00"+s.SubscriptionID] = s
	cp := *s
	return &cp, nil
}

// SubscriptionStatus lists the subscriptions to collection (or only id).
func (c *Client) SubscriptionStatus(_ context.Context, _, collection, id string) ([]taxii.Subscription, error) {
	if err := c.err("SubscriptionStatus"); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []taxii.Subscription
	for k, s := range c.subs {
		if strings.HasPrefix(k, collection+"\x00") && (id == "" || s.SubscriptionID == id) {
			out = append(out, *s)
		}
	}
	slices.SortFunc(out, func(a, b taxii.Subscription) int {
		if a.SubscriptionID < b.SubscriptionID {
			return -1
		}
		return 1
	})
	return out, nil
}

func (c *Client) setStatus(method, collection, id string, st taxii.SubscriptionStatus) (*taxii.Subscription, error) {
	if err := c.err(method); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.subs[collection+"\x00"+id]
	if !ok {
		return nil, &taxii.StatusError{Type: taxii.StatusNotFound, Message: "no subscription " + id}
	}
	s.Status = st
	cp := *s
	return &cp, nil
}

// PauseSubscription marks a subscription PAUSED.
func (c *Client) PauseSubscription(_ context.Context, _, collection, id string) (*taxii.Subscription, error) {
	return c.setStatus("PauseSubscription", collection, id, taxii.SubscriptionPaused)
}

// ResumeSubscription marks a subscription ACTIVE.
func (c *Client) ResumeSubscription(_ context.Context, _, collection, id string) (*taxii.Subscription, error) {
	return c.setStatus("ResumeSubscription", collection, id, taxii.SubscriptionActive)
}

// Unsubscribe marks a subscription UNSUBSCRIBED.
func (c *Client) Unsubscribe(_ context.Context, _, collection, id string) (*taxii.Subscription, error) {
	return c.setStatus("Unsubscribe", collection, id, taxii.SubscriptionUnsubscribed)
}
