package app

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/taxii-workstation/taxii-workstation/storage"
	"github.com/taxii-workstation/taxii-workstation/taxii"
)

// ReviewState is the analyst's decision on a received block.
type ReviewState = storage.ReviewState

// Review states of received blocks.
const (
	Unreviewed = storage.Unreviewed
	Accepted   = storage.Accepted
	Discarded  = storage.Discarded
)

// receivedStore is what the listener and the review queue need of the
// cache beyond Store; *storage.Store has it.
type receivedStore interface {
	CommitReceived(ctx context.Context, sender, collection string, blocks []NewBlock) (CommitResult, error)
	ListReceived(ctx context.Context, state storage.ReviewState, page PageRequest) (Page[storage.Received], error)
	SetReview(ctx context.Context, ref string, state storage.ReviewState) error
}

// syncer is a store that can flush its commits to disk (fsync).
type syncer interface{ Sync() error }

// route is where received content goes when accepted. It is kept in the
// listener sighting's collection field: a plain name for the usual single
// destination, else routeMark and JSON (storage has no field for the
// subscription).
type route struct {
	Destinations   []string `json:"d,omitempty"`
	SubscriptionID string   `json:"s,omitempty"`
	SubCollection  string   `json:"c,omitempty"`
	Server         string   `json:"v,omitempty"` // profile of the subscription, if known
}

const routeMark = "\x1droute:"

func (r route) encode() string {
	if r.SubscriptionID == "" && len(r.Destinations) <= 1 {
		if len(r.Destinations) == 1 {
			return r.Destinations[0]
		}
		return ""
	}
	b, _ := json.Marshal(r)
	return routeMark + string(b)
}

func decodeRoute(s string) route {
	if rest, ok := strings.CutPrefix(s, routeMark); ok {
		var r route
		if json.Unmarshal([]byte(rest), &r) == nil {
			return r
		}
	}
	if s == "" {
		return route{}
	}
	return route{Destinations: []string{s}}
}

// targets are the cache collections accepted content is listed in.
func (r route) targets() []pair {
	if r.SubscriptionID != "" && r.Server != "" && r.SubCollection != "" {
		return []pair{{r.Server, r.SubCollection}}
	}
	var out []pair
	for _, d := range r.Destinations {
		out = append(out, pair{LocalServer, d})
	}
	if len(out) == 0 {
		name := DefaultListenerCollection
		if r.SubCollection != "" {
			name = r.SubCollection
		}
		out = append(out, pair{LocalServer, name})
	}
	return out
}

// receive is the listener's taxii.Receiver: it stores every block of the
// message in one commit in the review queue and returns nil only after the
// commit (and, when the store can, an fsync) finished, so SUCCESS is never
// sent for content that was not stored whole. Any error means nothing of
// this message is answered SUCCESS (the handler says FAILURE).
func (l *Listener) receive(ctx context.Context, in *taxii.Received) error {
	r := route{Destinations: in.Destinations}
	if in.Subscription != nil {
		r.SubscriptionID, r.SubCollection = in.Subscription.SubscriptionID, in.Subscription.CollectionName
		if rec, ok := l.app.findSubscription(ctx, r.SubscriptionID, r.SubCollection); ok {
			r.Server = rec.Server
		}
	}
	sender := in.Identity
	if sender == "" {
		sender = "anonymous@" + taxii.Sender{RemoteAddr: in.RemoteAddr}.Key()
	}
	now := l.app.clock.Now().UTC()
	blocks := make([]NewBlock, len(in.Blocks))
	for i, b := range in.Blocks {
		nb := NewBlock{Content: b.Content, Binding: b.Binding.ID, MessageID: in.MessageID, Received: now, Title: titleOf(b.Content)}
		if len(b.Binding.Subtypes) > 0 {
			nb.Subtype = b.Binding.Subtypes[0]
		}
		if b.TimestampLabel != nil {
			nb.TimestampLabel = b.TimestampLabel.UTC()
		}
		blocks[i] = nb
	}
	res, err := l.commit(ctx, sender, r.encode(), blocks)
	if err != nil {
		l.app.log.Error("listener: storing a received message failed; the sender was told FAILURE", "sender", sender, "message", in.MessageID, "err", err)
		return fmt.Errorf("app: store %d received block(s): %w", len(blocks), err)
	}
	l.messages.Add(1)
	l.blocks.Add(int64(len(blocks)))

	arr := &Arrival{Sender: sender, Address: in.RemoteAddr, Time: now, MessageID: in.MessageID,
		Destinations: in.Destinations, Subscription: r.SubscriptionID, Blocks: len(blocks), New: res.New}
	t := r.targets()[0]
	arr.Server, arr.Collection = t.server, t.collection
	seen := map[string]bool{}
	for _, b := range blocks {
		ref := receivedRef(now, storage.IDOf(b.Content))
		if !seen[ref] {
			seen[ref] = true
			arr.Refs = append(arr.Refs, ref)
		}
	}
	if l.autoAccept(in.Identity) {
		// The content is stored; a failure here leaves it in the queue.
		if err := l.app.AcceptReceived(ctx, arr.Refs...); err != nil {
			l.app.log.Warn("listener: auto-accept failed; the content waits in the review queue", "err", err)
		} else {
			arr.AutoAccepted = true
		}
	}
	l.emit(ListenerEvent{Kind: ContentArrived, Time: now, Arrival: arr})
	l.app.publish(Event{Kind: CacheChanged, Server: arr.Server, Collection: arr.Collection})
	return nil
}

func (l *Listener) autoAccept(identity string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cfg.AutoAccept || (identity != "" && slices.Contains(l.cfg.AutoAcceptSenders, identity))
}

// receivedRef is storage's reference of a received block: its arrival time
// (big-endian nanoseconds) and content hash, in hex (storage's key layout
// 'L' BE(received) sha256; ListReceived's Ref).
func receivedRef(received time.Time, id BlockID) string {
	ns := received.UnixNano()
	if ns < 0 {
		ns = 0
	}
	b := binary.BigEndian.AppendUint64(nil, uint64(ns))
	return hex.EncodeToString(append(b, id[:]...))
}

// parseRef splits a received-block reference.
func parseRef(ref string) (time.Time, BlockID, error) {
	var id BlockID
	raw, err := hex.DecodeString(ref)
	if err != nil || len(raw) != 8+len(id) {
		return time.Time{}, id, fmt.Errorf("app: %q is not a received-block reference", ref)
	}
	copy(id[:], raw[8:])
	return time.Unix(0, int64(binary.BigEndian.Uint64(raw[:8]))).UTC(), id, nil
}

// findSubscription finds the recorded subscription with this id (and
// collection) among the server profiles.
func (a *App) findSubscription(ctx context.Context, id, collection string) (SubscriptionRecord, bool) {
	if id == "" {
		return SubscriptionRecord{}, false
	}
	profiles, err := a.store.Profiles(ctx)
	if err != nil {
		return SubscriptionRecord{}, false
	}
	for _, p := range profiles {
		for _, rec := range decodeSubs(p.Settings[setSubs]) {
			if rec.ID == id && (collection == "" || rec.Collection == collection) {
				if rec.Server == "" {
					rec.Server = p.Name
				}
				return rec, true
			}
		}
	}
	return SubscriptionRecord{}, false
}

// ReviewItem is one received block in the review queue ("Inbox
// (unreviewed)"): who sent it, when, where it goes when accepted.
type ReviewItem struct {
	Ref      string      `json:"ref"`
	Block    BlockMeta   `json:"block"`
	Sender   string      `json:"sender"`
	Received time.Time   `json:"received"`
	State    ReviewState `json:"-"`
	// Destinations the sender named; Subscription the subscription id the
	// message fulfilled; Server and Collection where accepting lists it.
	Destinations []string `json:"destinations,omitempty"`
	Subscription string   `json:"subscription,omitempty"`
	Server       string   `json:"server"`
	Collection   string   `json:"collection"`
	MessageID    string   `json:"message_id,omitempty"`
}

func (a *App) receivedStore() (receivedStore, error) {
	rs, ok := a.store.(receivedStore)
	if !ok {
		return nil, errors.New("app: this cache has no review queue (its store lacks CommitReceived, ListReceived and SetReview)")
	}
	return rs, nil
}

// ReceivedBlocks lists blocks received by the listener, newest first: all
// when state is 0, otherwise those in that state (Unreviewed: the review queue).
func (a *App) ReceivedBlocks(ctx context.Context, state ReviewState, page PageRequest) (Page[ReviewItem], error) {
	rs, err := a.receivedStore()
	if err != nil {
		return Page[ReviewItem]{}, err
	}
	p, err := rs.ListReceived(ctx, state, page)
	if err != nil {
		return Page[ReviewItem]{}, fmt.Errorf("app: list received blocks: %w", err)
	}
	out := Page[ReviewItem]{Next: p.Next, Items: make([]ReviewItem, 0, len(p.Items))}
	for _, r := range p.Items {
		sg := r.Entry.Sighting
		rt := decodeRoute(sg.Collection)
		if rt.SubscriptionID != "" && rt.Server == "" {
			if rec, ok := a.findSubscription(ctx, rt.SubscriptionID, rt.SubCollection); ok {
				rt.Server = rec.Server
			}
		}
		t := rt.targets()[0]
		out.Items = append(out.Items, ReviewItem{
			Ref: r.Ref, Block: r.Entry.Block, Sender: sg.Sender, Received: sg.Received, State: r.Review,
			Destinations: rt.Destinations, Subscription: rt.SubscriptionID, Server: t.server, Collection: t.collection,
			MessageID: sg.MessageID,
		})
	}
	return out, nil
}

// AcceptReceived accepts received blocks (refs from ReceivedBlocks): each
// is listed in its destination collection (LocalServer/name, or the
// subscribed server/collection), where the cache views and search show it
// with the polled content, and marked Accepted. Accepting twice is harmless.
func (a *App) AcceptReceived(ctx context.Context, refs ...string) error {
	rs, err := a.receivedStore()
	if err != nil {
		return err
	}
	changed := map[pair]bool{}
	for _, ref := range refs {
		received, id, err := parseRef(ref)
		if err != nil {
			return err
		}
		prov, err := a.store.Provenance(ctx, id)
		if err != nil {
			return fmt.Errorf("app: accept %s: %w", id.Short(), err)
		}
		i := slices.IndexFunc(prov.Sightings, func(s Sighting) bool {
			return s.Kind == storage.FromListener && s.Received.Equal(received)
		})
		if i < 0 {
			return fmt.Errorf("app: accept %s: no such received block: %w", id.Short(), ErrNotFound)
		}
		sg := prov.Sightings[i]
		rt := decodeRoute(sg.Collection)
		if rt.SubscriptionID != "" && rt.Server == "" {
			if rec, ok := a.findSubscription(ctx, rt.SubscriptionID, rt.SubCollection); ok {
				rt.Server = rec.Server
			}
		}
		content, err := a.store.Content(ctx, id)
		if err != nil {
			return fmt.Errorf("app: accept %s: %w", id.Short(), err)
		}
		meta, err := a.store.Block(ctx, id)
		if err != nil {
			return fmt.Errorf("app: accept %s: %w", id.Short(), err)
		}
		nb := NewBlock{Content: content, Binding: sg.Binding, Subtype: sg.Subtype, TimestampLabel: sg.TimestampLabel,
			MessageID: sg.MessageID, Received: sg.Received, Title: meta.Title}
		for _, t := range rt.targets() {
			if _, err := a.store.CommitPart(ctx, t.server, t.collection, []NewBlock{nb}, time.Time{}); err != nil {
				return fmt.Errorf("app: accept %s into %s/%s: %w", id.Short(), t.server, t.collection, err)
			}
			changed[t] = true
		}
		if err := rs.SetReview(ctx, ref, Accepted); err != nil {
			return fmt.Errorf("app: accept %s: %w", id.Short(), err)
		}
	}
	for p := range changed {
		a.publish(Event{Kind: CacheChanged, Server: p.server, Collection: p.collection})
	}
	return nil
}

// DiscardReceived marks received blocks Discarded: they leave the review
// queue and are never listed in a collection. (The content stays in the
// cache, findable by search, until retention prunes it.)
func (a *App) DiscardReceived(ctx context.Context, refs ...string) error {
	rs, err := a.receivedStore()
	if err != nil {
		return err
	}
	for _, ref := range refs {
		if _, _, err := parseRef(ref); err != nil {
			return err
		}
		if err := rs.SetReview(ctx, ref, Discarded); err != nil {
			return fmt.Errorf("app: discard %s: %w", ref, err)
		}
	}
	return nil
}

// Accept is AcceptReceived, also telling the listener's subscribers.
func (l *Listener) Accept(ctx context.Context, refs ...string) error {
	err := l.app.AcceptReceived(ctx, refs...)
	if err == nil {
		l.emit(ListenerEvent{Kind: ContentReviewed, Refs: refs, Review: Accepted})
	}
	return err
}

// Discard is DiscardReceived, also telling the listener's subscribers.
func (l *Listener) Discard(ctx context.Context, refs ...string) error {
	err := l.app.DiscardReceived(ctx, refs...)
	if err == nil {
		l.emit(ListenerEvent{Kind: ContentReviewed, Refs: refs, Review: Discarded})
	}
	return err
}
