package app

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/taxii-workstation/taxii-workstation/taxii"
)

// SubscriptionRecord is what the App remembers of a subscription: the
// server's answer to the last request about it.
type SubscriptionRecord struct {
	Server     string `json:"server"`
	Collection string `json:"collection"`
	ID         string `json:"id"`
	// Status is ACTIVE, PAUSED or UNSUBSCRIBED as the server said.
	Status string `json:"status"`
	// InboxAddress is where the server was asked to push ("" = we poll).
	InboxAddress string    `json:"inbox_address,omitempty"`
	Updated      time.Time `json:"updated"`
}

// SubscribeOptions are the parameters of a new subscription.
type SubscribeOptions struct {
	// InboxAddress asks the server to push to this inbox; "" means poll.
	InboxAddress string
	// Bindings the subscriber accepts; none means all.
	Bindings  []string
	CountOnly bool
}

// SubscribeCollection subscribes to a collection and records the subscription.
func (a *App) SubscribeCollection(ctx context.Context, server, collection string, o SubscribeOptions) (SubscriptionRecord, error) {
	cl, addr, err := a.subClient(ctx, server, collection)
	if err != nil {
		return SubscriptionRecord{}, err
	}
	p := taxii.SubscribeParams{InboxAddress: o.InboxAddress, ResponseType: taxii.ResponseFull}
	if o.CountOnly {
		p.ResponseType = taxii.ResponseCountOnly
	}
	for _, b := range o.Bindings {
		p.ContentBindings = append(p.ContentBindings, taxii.ContentBinding{ID: b})
	}
	s, err := cl.Subscribe(ctx, addr, collection, p)
	if err != nil {
		return SubscriptionRecord{}, fmt.Errorf("app: subscribe to %s/%s: %w", server, collection, err)
	}
	rec := a.record(server, collection, *s)
	if rec.InboxAddress == "" {
		rec.InboxAddress = o.InboxAddress
	}
	return rec, a.saveSubs(ctx, server, rec)
}

// SubscriptionStatus asks the server for the subscriptions to a collection
// (only id's, when given) and records what it says.
func (a *App) SubscriptionStatus(ctx context.Context, server, collection, id string) ([]SubscriptionRecord, error) {
	cl, addr, err := a.subClient(ctx, server, collection)
	if err != nil {
		return nil, err
	}
	subs, err := cl.SubscriptionStatus(ctx, addr, collection, id)
	if err != nil {
		return nil, fmt.Errorf("app: subscription status of %s/%s: %w", server, collection, err)
	}
	recs := make([]SubscriptionRecord, 0, len(subs))
	for _, s := range subs {
		recs = append(recs, a.record(server, collection, s))
	}
	return recs, a.saveSubs(ctx, server, recs...)
}

// PauseSubscription pauses a subscription (TAXII 1.1) and records it.
func (a *App) PauseSubscription(ctx context.Context, server, collection, id string) (SubscriptionRecord, error) {
	return a.manage(ctx, server, collection, id, "pause", Client.PauseSubscription)
}

// ResumeSubscription resumes a paused subscription (TAXII 1.1) and records it.
func (a *App) ResumeSubscription(ctx context.Context, server, collection, id string) (SubscriptionRecord, error) {
	return a.manage(ctx, server, collection, id, "resume", Client.ResumeSubscription)
}

// Unsubscribe ends a subscription and records it as UNSUBSCRIBED.
func (a *App) Unsubscribe(ctx context.Context, server, collection, id string) (SubscriptionRecord, error) {
	return a.manage(ctx, server, collection, id, "unsubscribe", Client.Unsubscribe)
}

func (a *App) manage(ctx context.Context, server, collection, id, what string,
	do func(Client, context.Context, string, string, string) (*taxii.Subscription, error),
) (SubscriptionRecord, error) {
	cl, addr, err := a.subClient(ctx, server, collection)
	if err != nil {
		return SubscriptionRecord{}, err
	}
	s, err := do(cl, ctx, addr, collection, id)
	if err != nil {
		return SubscriptionRecord{}, fmt.Errorf("app: %s subscription %s of %s/%s: %w", what, id, server, collection, err)
	}
	rec := a.record(server, collection, *s)
	if rec.ID == "" {
		rec.ID = id
	}
	if what == "unsubscribe" && rec.Status == string(taxii.SubscriptionActive) {
		rec.Status = string(taxii.SubscriptionUnsubscribed) // TAXII 1.0 answers without a status
	}
	return rec, a.saveSubs(ctx, server, rec)
}

func (a *App) subClient(ctx context.Context, server, collection string) (Client, string, error) {
	if collection == "" {
		return nil, "", fmt.Errorf("app: subscriptions need a collection name")
	}
	cl, _, err := a.client(ctx, server)
	if err != nil {
		return nil, "", err
	}
	addr, err := a.serviceAddress(ctx, server, taxii.ServiceCollectionManagement, collection)
	return cl, addr, err
}

func (a *App) record(server, collection string, s taxii.Subscription) SubscriptionRecord {
	rec := SubscriptionRecord{Server: server, Collection: collection, ID: s.SubscriptionID, Status: string(s.Status), Updated: a.clock.Now().UTC()}
	if rec.Status == "" {
		rec.Status = string(taxii.SubscriptionActive)
	}
	if s.Push != nil {
		rec.InboxAddress = s.Push.Address
	}
	return rec
}

// Subscriptions returns the recorded subscriptions of a server (offline).
func (a *App) Subscriptions(ctx context.Context, server string) ([]SubscriptionRecord, error) {
	sp, err := a.store.Profile(ctx, server)
	if err != nil {
		return nil, fmt.Errorf("app: subscriptions of %q: %w", server, err)
	}
	return decodeSubs(sp.Settings[setSubs]), nil
}

func decodeSubs(s string) []SubscriptionRecord {
	var recs []SubscriptionRecord
	if s != "" {
		_ = json.Unmarshal([]byte(s), &recs)
	}
	return recs
}

// saveSubs merges recs into the profile's recorded subscriptions. Storage
// has no subscription records, so they live in the profile's settings.
func (a *App) saveSubs(ctx context.Context, server string, recs ...SubscriptionRecord) error {
	if len(recs) == 0 {
		return nil
	}
	err := a.editSettings(ctx, server, func(set map[string]string) {
		all := decodeSubs(set[setSubs])
		for _, r := range recs {
			i := slices.IndexFunc(all, func(x SubscriptionRecord) bool { return x.Collection == r.Collection && x.ID == r.ID })
			if i >= 0 {
				if r.InboxAddress == "" {
					r.InboxAddress = all[i].InboxAddress
				}
				all[i] = r
			} else {
				all = append(all, r)
			}
		}
		slices.SortFunc(all, func(x, y SubscriptionRecord) int {
			if c := strings.Compare(x.Collection, y.Collection); c != 0 {
				return c
			}
			return strings.Compare(x.ID, y.ID)
		})
		b, _ := json.Marshal(all)
		set[setSubs] = string(b)
	})
	if err != nil {
		return err
	}
	a.publish(Event{Kind: ProfileUpdated, Server: server, Collection: recs[0].Collection})
	return nil
}
