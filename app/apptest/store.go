package apptest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/storage"
)

// Store is an in-memory app.Store. It keeps content once per SHA-256, lists
// a block once per (server, collection), moves a cursor only forward and
// together with the part that carries it, like storage.Store. The zero
// value is not usable; call NewStore. It is safe for concurrent use.
type Store struct {
	// Now is the clock for Updated/Received times; nil uses time.Now.
	Now func() time.Time
	// CommitHook, when set, runs before each CommitPart; an error fails the
	// commit with nothing stored (to simulate a full disk).
	CommitHook func(server, collection string, blocks []app.NewBlock, cursor time.Time) error

	mu          sync.Mutex
	profiles    map[string]storage.Profile
	services    map[string]app.ServicesSnapshot
	collections map[string]app.CollectionsSnapshot
	cursors     map[[2]string]app.Cursor
	blocks      map[app.BlockID]*blockRec
	listed      map[[2]string][]app.BlockID
	receipts    []app.Receipt
	commits     int
}

type blockRec struct {
	meta      app.BlockMeta
	content   []byte
	sightings []app.Sighting
}

var _ app.Store = (*Store)(nil)

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{
		profiles: map[string]storage.Profile{}, services: map[string]app.ServicesSnapshot{},
		collections: map[string]app.CollectionsSnapshot{}, cursors: map[[2]string]app.Cursor{},
		blocks: map[app.BlockID]*blockRec{}, listed: map[[2]string][]app.BlockID{},
	}
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func notFound(what string) error { return fmt.Errorf("apptest: %s: %w", what, storage.ErrNotFound) }

// PutProfile stores p (Created kept, Updated set).
func (s *Store) PutProfile(_ context.Context, p storage.Profile) error {
	if p.Name == "" {
		return errors.New("apptest: empty profile name")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.profiles[p.Name]; ok {
		p.Created = old.Created
	} else if p.Created.IsZero() {
		p.Created = s.now()
	}
	p.Updated = s.now()
	s.profiles[p.Name] = cloneProfile(p)
	return nil
}

func cloneProfile(p storage.Profile) storage.Profile {
	p.HeaderNames = slices.Clone(p.HeaderNames)
	if p.Settings != nil {
		m := make(map[string]string, len(p.Settings))
		for k, v := range p.Settings {
			m[k] = v
		}
		p.Settings = m
	}
	return p
}

// Profile returns a profile or ErrNotFound.
func (s *Store) Profile(_ context.Context, name string) (storage.Profile, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.profiles[name]
	if !ok {
		return storage.Profile{}, notFound("profile " + name)
	}
	return cloneProfile(p), nil
}

// Profiles returns all profiles sorted by name.
func (s *Store) Profiles(context.Context) ([]storage.Profile, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []storage.Profile
	for _, p := range s.profiles {
		out = append(out, cloneProfile(p))
	}
	slices.SortFunc(out, func(a, b storage.Profile) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// DeleteProfile removes a profile, its snapshots and cursors.
func (s *Store) DeleteProfile(_ context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.profiles[name]; !ok {
		return notFound("profile " + name)
	}
	delete(s.profiles, name)
	delete(s.services, name)
	delete(s.collections, name)
	for k := range s.cursors {
		if k[0] == name {
			delete(s.cursors, k)
		}
	}
	return nil
}

// PutServices stores a discovery snapshot.
func (s *Store) PutServices(_ context.Context, snap app.ServicesSnapshot) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.services[snap.Server] = snap
	return nil
}

// Services returns a discovery snapshot or ErrNotFound.
func (s *Store) Services(_ context.Context, server string) (app.ServicesSnapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap, ok := s.services[server]
	if !ok {
		return snap, notFound("services of " + server)
	}
	return snap, nil
}

// PutCollections stores a collection snapshot.
func (s *Store) PutCollections(_ context.Context, snap app.CollectionsSnapshot) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.collections[snap.Server] = snap
	return nil
}

// Collections returns a collection snapshot or ErrNotFound.
func (s *Store) Collections(_ context.Context, server string) (app.CollectionsSnapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap, ok := s.collections[server]
	if !ok {
		return snap, notFound("collections of " + server)
	}
	return snap, nil
}

// Cursor returns a cursor or ErrNotFound.
func (s *Store) Cursor(_ context.Context, server, collection string) (app.Cursor, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.cursors[[2]string{server, collection}]
	if !ok {
		return c, notFound("cursor of " + server + "/" + collection)
	}
	return c, nil
}

// SetCursor sets a cursor, forwards or backwards.
func (s *Store) SetCursor(_ context.Context, server, collection string, label time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cursors[[2]string{server, collection}] = app.Cursor{Label: label.UTC(), Updated: s.now()}
	return nil
}

// ResetCursor forgets a cursor.
func (s *Store) ResetCursor(_ context.Context, server, collection string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.cursors, [2]string{server, collection})
	return nil
}

// CommitPart stores blocks and moves the cursor forward, atomically.
func (s *Store) CommitPart(ctx context.Context, server, collection string, blocks []app.NewBlock, cursor time.Time) (app.CommitResult, error) {
	if err := ctx.Err(); err != nil {
		return app.CommitResult{}, err
	}
	if s.CommitHook != nil {
		if err := s.CommitHook(server, collection, blocks, cursor); err != nil {
			return app.CommitResult{}, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commits++
	key := [2]string{server, collection}
	var r app.CommitResult
	now := s.now()
	for _, b := range blocks {
		received := b.Received
		if received.IsZero() {
			received = now
		}
		id := storage.IDOf(b.Content)
		rec, ok := s.blocks[id]
		if ok {
			r.Known++
			if received.After(rec.meta.LastSeen) {
				rec.meta.LastSeen = received
			}
		} else {
			r.New++
			r.NewIDs = append(r.NewIDs, id)
			rec = &blockRec{content: bytes.Clone(b.Content), meta: app.BlockMeta{
				ID: id, Size: int64(len(b.Content)), Binding: b.Binding, Subtype: b.Subtype,
				FirstSeen: received, LastSeen: received, Title: b.Title,
			}}
			s.blocks[id] = rec
		}
		i := slices.IndexFunc(rec.sightings, func(sg app.Sighting) bool { return sg.Server == server && sg.Collection == collection })
		if i >= 0 {
			if received.After(rec.sightings[i].LastSeen) {
				rec.sightings[i].LastSeen = received
			}
			continue
		}
		rec.sightings = append(rec.sightings, app.Sighting{
			Block: id, Kind: storage.FromPoll, Server: server, Collection: collection,
			Received: received, LastSeen: received, MessageID: b.MessageID,
			TimestampLabel: b.TimestampLabel.UTC(), Binding: b.Binding, Subtype: b.Subtype,
		})
		s.listed[key] = append(s.listed[key], id)
		r.NewSightings++
	}
	if !cursor.IsZero() {
		if c, ok := s.cursors[key]; !ok || cursor.After(c.Label) {
			s.cursors[key] = app.Cursor{Label: cursor.UTC(), Updated: now}
			r.CursorMoved = true
		}
	}
	r.Transactions = 1
	return r, nil
}

// Commits returns how many CommitPart calls stored something.
func (s *Store) Commits() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commits
}

// PutReceipt stores (or replaces, by ID) a receipt.
func (s *Store) PutReceipt(_ context.Context, r *app.Receipt) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Sent.IsZero() {
		r.Sent = s.now()
	}
	if r.ID == "" {
		r.ID = fmt.Sprintf("%020d-%04d", r.Sent.UnixNano(), len(s.receipts))
	}
	for i := range s.receipts {
		if s.receipts[i].ID == r.ID {
			s.receipts[i] = *r
			return nil
		}
	}
	s.receipts = append(s.receipts, *r)
	return nil
}

// Receipts lists receipts newest first.
func (s *Store) Receipts(_ context.Context, page app.PageRequest) (app.Page[app.Receipt], error) {
	s.mu.Lock()
	all := slices.Clone(s.receipts)
	s.mu.Unlock()
	slices.SortStableFunc(all, func(a, b app.Receipt) int { return strings.Compare(b.ID, a.ID) })
	return paginate(all, page)
}

func paginate[T any](all []T, page app.PageRequest) (app.Page[T], error) {
	off := page.Offset
	if page.Token != "" {
		n, err := strconv.Atoi(page.Token)
		if err != nil {
			return app.Page[T]{}, fmt.Errorf("apptest: bad page token %q", page.Token)
		}
		off = n
	}
	limit := page.Limit
	if limit <= 0 {
		limit = 50
	}
	off = min(off, len(all))
	end := min(off+limit, len(all))
	p := app.Page[T]{Items: all[off:end]}
	if end < len(all) {
		p.Next = strconv.Itoa(end)
	}
	return p, nil
}

func sortTime(sg app.Sighting) time.Time {
	if !sg.TimestampLabel.IsZero() {
		return sg.TimestampLabel
	}
	return sg.Received
}

// ListBlocks lists a collection newest first.
func (s *Store) ListBlocks(_ context.Context, server, collection string, page app.PageRequest) (app.Page[app.Entry], error) {
	s.mu.Lock()
	var all []app.Entry
	for _, id := range s.listed[[2]string{server, collection}] {
		rec := s.blocks[id]
		for _, sg := range rec.sightings {
			if sg.Server == server && sg.Collection == collection {
				all = append(all, app.Entry{Block: rec.meta, Sighting: sg})
			}
		}
	}
	s.mu.Unlock()
	slices.SortStableFunc(all, func(a, b app.Entry) int {
		if c := sortTime(b.Sighting).Compare(sortTime(a.Sighting)); c != 0 {
			return c
		}
		return bytes.Compare(b.Block.ID[:], a.Block.ID[:])
	})
	return paginate(all, page)
}

// CountBlocks counts a collection's blocks.
func (s *Store) CountBlocks(_ context.Context, server, collection string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return int64(len(s.listed[[2]string{server, collection}])), nil
}

// CachedCollections lists collections with blocks, sorted.
func (s *Store) CachedCollections(context.Context) ([]app.CollectionCount, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []app.CollectionCount
	for k, ids := range s.listed {
		if len(ids) > 0 {
			out = append(out, app.CollectionCount{Server: k[0], Collection: k[1], Blocks: int64(len(ids))})
		}
	}
	slices.SortFunc(out, func(a, b app.CollectionCount) int {
		if c := strings.Compare(a.Server, b.Server); c != 0 {
			return c
		}
		return strings.Compare(a.Collection, b.Collection)
	})
	return out, nil
}

// Block returns a block's metadata.
func (s *Store) Block(_ context.Context, id app.BlockID) (app.BlockMeta, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.blocks[id]
	if !ok {
		return app.BlockMeta{}, notFound("block " + id.Short())
	}
	return rec.meta, nil
}

// Content returns a copy of a block's bytes.
func (s *Store) Content(_ context.Context, id app.BlockID) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.blocks[id]
	if !ok {
		return nil, notFound("block " + id.Short())
	}
	return bytes.Clone(rec.content), nil
}

// Provenance returns a block's sightings.
func (s *Store) Provenance(_ context.Context, id app.BlockID) (app.Provenance, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.blocks[id]
	if !ok {
		return app.Provenance{}, notFound("block " + id.Short())
	}
	p := app.Provenance{Sightings: slices.Clone(rec.sightings)}
	servers := map[string]bool{}
	for _, sg := range rec.sightings {
		servers[sg.Server] = true
	}
	p.Servers, p.Collections = len(servers), len(rec.sightings)
	return p, nil
}

// Search matches query case-insensitively in content, title and binding.
func (s *Store) Search(_ context.Context, query string, limit int) ([]app.Hit, error) {
	if limit <= 0 {
		limit = 50
	}
	q := bytes.ToLower([]byte(query))
	s.mu.Lock()
	defer s.mu.Unlock()
	var hits []app.Hit
	for _, rec := range s.blocks {
		m := rec.meta
		if bytes.Contains(bytes.ToLower(rec.content), q) || strings.Contains(strings.ToLower(m.Title+"\x00"+m.Binding), string(q)) {
			hits = append(hits, app.Hit{Block: m, Seen: slices.Clone(rec.sightings)})
		}
	}
	slices.SortFunc(hits, func(a, b app.Hit) int {
		if c := b.Block.LastSeen.Compare(a.Block.LastSeen); c != 0 {
			return c
		}
		return bytes.Compare(a.Block.ID[:], b.Block.ID[:])
	})
	if len(hits) > limit {
		hits = hits[:limit]
	}
	return hits, nil
}

// Stats sums the store.
func (s *Store) Stats(context.Context) (app.Stats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var st app.Stats
	for _, rec := range s.blocks {
		st.Blocks++
		st.ContentBytes += rec.meta.Size
		st.Sightings += int64(len(rec.sightings))
	}
	return st, nil
}

// Prune removes sightings last seen before olderThan and orphaned blocks.
func (s *Store) Prune(_ context.Context, olderThan time.Time) (app.PruneResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var r app.PruneResult
	for id, rec := range s.blocks {
		kept := rec.sightings[:0]
		for _, sg := range rec.sightings {
			if sg.LastSeen.Before(olderThan) {
				r.Sightings++
				key := [2]string{sg.Server, sg.Collection}
				s.listed[key] = slices.DeleteFunc(s.listed[key], func(x app.BlockID) bool { return x == id })
				continue
			}
			kept = append(kept, sg)
		}
		rec.sightings = kept
		if len(kept) == 0 {
			r.Blocks++
			r.Bytes += rec.meta.Size
			delete(s.blocks, id)
		}
	}
	return r, nil
}
