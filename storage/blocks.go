package storage

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// delta is what one transaction adds to the counters.
type delta struct {
	blocks, bytes, sightings int64
	coll                     map[[2]string]int64
}

func (d *delta) addColl(server, collection string, n int64) {
	if d.coll == nil {
		d.coll = map[[2]string]int64{}
	}
	d.coll[[2]string{server, collection}] += n
}

// CommitPart stores one poll part of server/collection and moves the cursor
// to cursor (if it is non-zero and later than the stored one) in the same
// Badger transaction, so the cursor is never ahead of the stored data. A part
// too big for one transaction is split; the cursor then moves in the last
// one. Re-committing the same blocks is harmless: content is keyed by its
// SHA-256 and a block is listed once per collection.
//
// Pass the cursor only when everything up to it is stored once this part
// is: the response's end timestamp on the last part of a result set (or the
// newest timestamp label when the server sent none), and the zero time on
// earlier parts, whose labels servers do not promise to order, and on polls
// of a chosen window.
func (s *Store) CommitPart(ctx context.Context, server, collection string, blocks []NewBlock, cursor time.Time) (CommitResult, error) {
	if err := checkPair(server, collection); err != nil {
		return CommitResult{}, err
	}
	now := s.now().UTC()
	apply := func(txn *badger.Txn, b *NewBlock, d *delta, r *CommitResult) error {
		received := orNow(b.Received, now)
		id, isNew, err := putContent(txn, b, received)
		if err != nil {
			return err
		}
		r.count(id, isNew)
		if isNew {
			d.blocks++
			d.bytes += int64(len(b.Content))
		}
		key := seenPollKey(id, server, collection)
		var sg Sighting
		switch err := getJSON(txn, key, &sg); {
		case err == nil: // already listed in this collection
			if received.After(sg.LastSeen) {
				sg.LastSeen = received
				return setJSON(txn, key, &sg)
			}
			return nil
		case !errors.Is(err, ErrNotFound):
			return err
		}
		sg = Sighting{
			Block: id, Kind: FromPoll, Server: server, Collection: collection,
			Received: received, LastSeen: received, MessageID: b.MessageID,
			TimestampLabel: b.TimestampLabel.UTC(), Binding: b.Binding, Subtype: b.Subtype,
		}
		if err := setJSON(txn, key, &sg); err != nil {
			return err
		}
		if err := txn.Set(collEntryKey(server, collection, sg.sortTime(), id), nil); err != nil {
			return err
		}
		d.sightings++
		d.addColl(server, collection, 1)
		r.NewSightings++
		return nil
	}
	finish := func(txn *badger.Txn, r *CommitResult) error {
		if cursor.IsZero() {
			return nil
		}
		key := pairKey(pfxCursor, server, collection)
		var c Cursor
		switch err := getJSON(txn, key, &c); {
		case err == nil && !cursor.After(c.Label):
			return nil
		case err != nil && !errors.Is(err, ErrNotFound):
			return err
		}
		r.CursorMoved = true
		return setJSON(txn, key, Cursor{Label: cursor.UTC(), Updated: now})
	}
	res, err := s.commit(ctx, blocks, apply, finish)
	if err != nil {
		return res, fmt.Errorf("storage: commit part of %s/%s: %w", server, collection, err)
	}
	return res, nil
}

// CommitReceived stores blocks that sender pushed to the workstation's
// listener (collection: the destination collection, if the message named
// one). Each arrival is a sighting in the review queue, state Unreviewed.
func (s *Store) CommitReceived(ctx context.Context, sender, collection string, blocks []NewBlock) (CommitResult, error) {
	if err := checkName("sender", sender); err != nil {
		return CommitResult{}, err
	}
	now := s.now().UTC()
	apply := func(txn *badger.Txn, b *NewBlock, d *delta, r *CommitResult) error {
		received := orNow(b.Received, now)
		id, isNew, err := putContent(txn, b, received)
		if err != nil {
			return err
		}
		r.count(id, isNew)
		if isNew {
			d.blocks++
			d.bytes += int64(len(b.Content))
		}
		key := seenListenerKey(id, received)
		if _, err := txn.Get(key); err == nil {
			return nil // the same arrival committed twice
		} else if !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		sg := Sighting{
			Block: id, Kind: FromListener, Sender: sender, Collection: collection,
			Received: received, LastSeen: received, MessageID: b.MessageID,
			TimestampLabel: b.TimestampLabel.UTC(), Binding: b.Binding, Subtype: b.Subtype,
		}
		if err := setJSON(txn, key, &sg); err != nil {
			return err
		}
		if err := txn.Set(listenerKey(received, id), []byte{byte(Unreviewed)}); err != nil {
			return err
		}
		if err := txn.Set(reviewKey(Unreviewed, received, id), nil); err != nil {
			return err
		}
		d.sightings++
		r.NewSightings++
		return nil
	}
	res, err := s.commit(ctx, blocks, apply, nil)
	if err != nil {
		return res, fmt.Errorf("storage: store blocks received from %s: %w", sender, err)
	}
	return res, nil
}

func orNow(t, now time.Time) time.Time {
	if t.IsZero() {
		return now
	}
	return t.UTC()
}

func (r *CommitResult) count(id BlockID, isNew bool) {
	if isNew {
		r.New++
		r.NewIDs = append(r.NewIDs, id)
	} else {
		r.Known++
	}
}

// putContent stores content and metadata of a block not seen before, or
// moves LastSeen of a known one. Rewriting the metadata of a known block also
// makes a concurrent Prune of that block conflict and retry.
func putContent(txn *badger.Txn, b *NewBlock, received time.Time) (BlockID, bool, error) {
	id := IDOf(b.Content)
	var meta BlockMeta
	err := getJSON(txn, metaKey(id), &meta)
	switch {
	case errors.Is(err, ErrNotFound):
		meta = BlockMeta{
			ID: id, Size: int64(len(b.Content)), Binding: b.Binding, Subtype: b.Subtype,
			FirstSeen: received, LastSeen: received, Title: b.Title,
		}
		if err := txn.Set(contentKey(id), b.Content); err != nil {
			return id, false, err
		}
		return id, true, setJSON(txn, metaKey(id), &meta)
	case err != nil:
		return id, false, err
	}
	if received.After(meta.LastSeen) {
		meta.LastSeen = received
	}
	if meta.Title == "" {
		meta.Title = b.Title
	}
	return id, false, setJSON(txn, metaKey(id), &meta)
}

// commit applies blocks in as few transactions as fit. Each block's writes
// land whole in one transaction; finish (the cursor move) runs in the last.
func (s *Store) commit(ctx context.Context, blocks []NewBlock,
	apply func(*badger.Txn, *NewBlock, *delta, *CommitResult) error,
	finish func(*badger.Txn, *CommitResult) error,
) (CommitResult, error) {
	var total CommitResult
	for start := 0; ; {
		n := len(blocks) - start
		for {
			last := start+n == len(blocks)
			var r CommitResult
			fitted := 0
			err := s.update(ctx, func(txn *badger.Txn) error {
				r, fitted = CommitResult{}, 0
				var d delta
				for i := start; i < start+n; i++ {
					if err := apply(txn, &blocks[i], &d, &r); err != nil {
						return err
					}
					fitted++
				}
				if err := addCounters(txn, &d); err != nil {
					return err
				}
				if last && finish != nil {
					return finish(txn, &r)
				}
				return nil
			})
			if errors.Is(err, badger.ErrTxnTooBig) {
				if fitted < n {
					n = fitted
				} else {
					n--
				}
				if n <= 0 {
					return total, fmt.Errorf("block %d (%d bytes) does not fit in one transaction: %w", start, len(blocks[start].Content), err)
				}
				continue
			}
			if err != nil {
				return total, err
			}
			total.New += r.New
			total.Known += r.Known
			total.NewSightings += r.NewSightings
			total.NewIDs = append(total.NewIDs, r.NewIDs...)
			total.CursorMoved = total.CursorMoved || r.CursorMoved
			total.Transactions++
			break
		}
		if start += n; start == len(blocks) {
			return total, nil
		}
	}
}

// Counters: 'G' holds blocks, content bytes and sightings; 'N' server
// collection holds the number of entries listed in a collection.

func addCounters(txn *badger.Txn, d *delta) error {
	if d.blocks != 0 || d.bytes != 0 || d.sightings != 0 {
		t, err := readTotals(txn)
		if err != nil {
			return err
		}
		t[0] += d.blocks
		t[1] += d.bytes
		t[2] += d.sightings
		v := make([]byte, 0, 24)
		for _, n := range t {
			v = binary.BigEndian.AppendUint64(v, uint64(n))
		}
		if err := txn.Set(keyTotals, v); err != nil {
			return err
		}
	}
	for sc, n := range d.coll {
		if n == 0 {
			continue
		}
		key := pairKey(pfxCollCount, sc[0], sc[1])
		c, err := readCount(txn, key)
		if err != nil {
			return err
		}
		if c += n; c <= 0 {
			err = txn.Delete(key)
		} else {
			err = txn.Set(key, binary.BigEndian.AppendUint64(nil, uint64(c)))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func readTotals(txn *badger.Txn) ([3]int64, error) {
	var t [3]int64
	it, err := txn.Get(keyTotals)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return t, nil
	}
	if err != nil {
		return t, err
	}
	err = it.Value(func(v []byte) error {
		if len(v) != 24 {
			return fmt.Errorf("totals record has %d bytes, want 24", len(v))
		}
		for i := range t {
			t[i] = int64(binary.BigEndian.Uint64(v[8*i:]))
		}
		return nil
	})
	return t, err
}

func readCount(txn *badger.Txn, key []byte) (int64, error) {
	it, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var c int64
	err = it.Value(func(v []byte) error {
		if len(v) != 8 {
			return fmt.Errorf("count record has %d bytes, want 8", len(v))
		}
		c = int64(binary.BigEndian.Uint64(v))
		return nil
	})
	return c, err
}

// ListBlocks lists the blocks of server/collection newest first (by timestamp
// label, or first receipt when a block had none). Content is not loaded.
func (s *Store) ListBlocks(ctx context.Context, server, collection string, page PageRequest) (Page[Entry], error) {
	if err := checkPair(server, collection); err != nil {
		return Page[Entry]{}, err
	}
	p, err := pageScan(ctx, s, collPrefix(server, collection), page, func(txn *badger.Txn, it *badger.Item) (Entry, error) {
		var e Entry
		k := it.Key()
		var id BlockID
		copy(id[:], k[len(k)-hashLen:])
		if err := getJSON(txn, seenPollKey(id, server, collection), &e.Sighting); err != nil {
			return e, fmt.Errorf("sighting of %s: %w", id.Short(), err)
		}
		if err := getJSON(txn, metaKey(id), &e.Block); err != nil {
			return e, fmt.Errorf("metadata of %s: %w", id.Short(), err)
		}
		return e, nil
	})
	if err != nil {
		return p, fmt.Errorf("storage: list %s/%s: %w", server, collection, err)
	}
	return p, nil
}

// CountBlocks returns how many blocks are listed in server/collection.
func (s *Store) CountBlocks(ctx context.Context, server, collection string) (int64, error) {
	if err := checkPair(server, collection); err != nil {
		return 0, err
	}
	var n int64
	err := s.view(ctx, func(txn *badger.Txn) error {
		var err error
		n, err = readCount(txn, pairKey(pfxCollCount, server, collection))
		return err
	})
	return n, err
}

// CachedCollections lists every (server, collection) with cached blocks,
// sorted by server then collection.
func (s *Store) CachedCollections(ctx context.Context) ([]CollectionCount, error) {
	var out []CollectionCount
	err := s.scanJSON(ctx, []byte{pfxCollCount}, func(k, v []byte) error {
		server, coll, ok := splitPair(k[1:])
		if !ok || len(v) != 8 {
			return fmt.Errorf("storage: malformed collection count %q", k)
		}
		out = append(out, CollectionCount{Server: server, Collection: coll, Blocks: int64(binary.BigEndian.Uint64(v))})
		return nil
	})
	return out, err
}

// Block returns a block's metadata, or ErrNotFound.
func (s *Store) Block(ctx context.Context, id BlockID) (BlockMeta, error) {
	var m BlockMeta
	err := s.view(ctx, func(txn *badger.Txn) error { return getJSON(txn, metaKey(id), &m) })
	if err != nil {
		return BlockMeta{}, fmt.Errorf("storage: block %s: %w", id.Short(), err)
	}
	return m, nil
}

// Content returns a copy of a block's original bytes (for display or
// export), or ErrNotFound.
func (s *Store) Content(ctx context.Context, id BlockID) ([]byte, error) {
	var out []byte
	err := s.view(ctx, func(txn *badger.Txn) error {
		it, err := txn.Get(contentKey(id))
		if err != nil {
			return err
		}
		out, err = it.ValueCopy(nil)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("storage: content of block %s: %w", id.Short(), err)
	}
	return out, nil
}

// SetTitle sets the display title of a block (the app derives it from the
// content, e.g. a STIX header title).
func (s *Store) SetTitle(ctx context.Context, id BlockID, title string) error {
	return s.update(ctx, func(txn *badger.Txn) error {
		var m BlockMeta
		if err := getJSON(txn, metaKey(id), &m); err != nil {
			return fmt.Errorf("storage: block %s: %w", id.Short(), err)
		}
		m.Title = title
		return setJSON(txn, metaKey(id), &m)
	})
}

// Provenance returns every sighting of a block with distinct counts, so
// "seen in 3 collections on 2 servers" is one call.
func (s *Store) Provenance(ctx context.Context, id BlockID) (Provenance, error) {
	var p Provenance
	err := s.view(ctx, func(txn *badger.Txn) error {
		var err error
		p.Sightings, err = sightingsOf(ctx, txn, id)
		return err
	})
	if err != nil {
		return p, fmt.Errorf("storage: provenance of %s: %w", id.Short(), err)
	}
	servers, colls, senders := map[string]bool{}, map[[2]string]bool{}, map[string]bool{}
	for _, sg := range p.Sightings {
		switch sg.Kind {
		case FromPoll:
			servers[sg.Server] = true
			colls[[2]string{sg.Server, sg.Collection}] = true
		case FromListener:
			senders[sg.Sender] = true
		}
	}
	p.Servers, p.Collections, p.Senders = len(servers), len(colls), len(senders)
	return p, nil
}

func sightingsOf(ctx context.Context, txn *badger.Txn, id BlockID) ([]Sighting, error) {
	var out []Sighting
	opts := badger.DefaultIteratorOptions
	opts.Prefix = seenPrefix(id)
	it := txn.NewIterator(opts)
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var sg Sighting
		if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &sg) }); err != nil {
			return nil, err
		}
		out = append(out, sg)
	}
	return out, nil
}

// ListReceived lists listener-received blocks newest first; state 0 lists
// all, otherwise only those in that review state (the review queue).
func (s *Store) ListReceived(ctx context.Context, state ReviewState, page PageRequest) (Page[Received], error) {
	prefix := []byte{pfxListener}
	if state != 0 {
		if !state.valid() {
			return Page[Received]{}, fmt.Errorf("storage: unknown review state %q", byte(state))
		}
		prefix = []byte{pfxReview, byte(state)}
	}
	return pageScan(ctx, s, prefix, page, func(txn *badger.Txn, it *badger.Item) (Received, error) {
		var r Received
		suffix := it.Key()[len(prefix):]
		received := readTime(suffix)
		var id BlockID
		copy(id[:], suffix[timeLen:])
		r.Ref = hex.EncodeToString(suffix)
		st, err := reviewOf(txn, received, id)
		if err != nil {
			return r, err
		}
		r.Review = st
		if err := getJSON(txn, seenListenerKey(id, received), &r.Entry.Sighting); err != nil {
			return r, fmt.Errorf("sighting of %s: %w", id.Short(), err)
		}
		if err := getJSON(txn, metaKey(id), &r.Entry.Block); err != nil {
			return r, fmt.Errorf("metadata of %s: %w", id.Short(), err)
		}
		return r, nil
	})
}

func reviewOf(txn *badger.Txn, received time.Time, id BlockID) (ReviewState, error) {
	it, err := txn.Get(listenerKey(received, id))
	if err != nil {
		return 0, mapErr(err)
	}
	var st ReviewState
	err = it.Value(func(v []byte) error {
		if len(v) != 1 {
			return fmt.Errorf("review state has %d bytes, want 1", len(v))
		}
		st = ReviewState(v[0])
		return nil
	})
	return st, err
}

// SetReview records the analyst's decision on a received block (ref from
// ListReceived).
func (s *Store) SetReview(ctx context.Context, ref string, state ReviewState) error {
	if !state.valid() {
		return fmt.Errorf("storage: unknown review state %q", byte(state))
	}
	raw, err := hex.DecodeString(ref)
	if err != nil || len(raw) != timeLen+hashLen {
		return fmt.Errorf("storage: %q is not a received-block reference from ListReceived", ref)
	}
	received := readTime(raw)
	var id BlockID
	copy(id[:], raw[timeLen:])
	return s.update(ctx, func(txn *badger.Txn) error {
		old, err := reviewOf(txn, received, id)
		if err != nil {
			return fmt.Errorf("storage: received block %s: %w", ref, err)
		}
		if old == state {
			return nil
		}
		if err := txn.Delete(reviewKey(old, received, id)); err != nil {
			return err
		}
		if err := txn.Set(reviewKey(state, received, id), nil); err != nil {
			return err
		}
		return txn.Set(listenerKey(received, id), []byte{byte(state)})
	})
}
