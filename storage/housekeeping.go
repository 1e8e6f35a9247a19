package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// gcDiscardRatio: rewrite a value-log file when at least half of it is garbage.
const gcDiscardRatio = 0.5

// GC runs value-log garbage collection until there is nothing left to
// rewrite, and returns how many files it rewrote. In memory it does nothing.
func (s *Store) GC(ctx context.Context) (int, error) {
	for n := 0; ; n++ {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		switch err := s.db.RunValueLogGC(gcDiscardRatio); {
		case err == nil:
			continue
		case errors.Is(err, badger.ErrNoRewrite), errors.Is(err, badger.ErrGCInMemoryMode),
			errors.Is(err, badger.ErrRejected): // another GC is running
			return n, nil
		default:
			return n, fmt.Errorf("storage: value log GC: %w", mapErr(err))
		}
	}
}

// RunGC runs GC every interval until ctx is done; start it with
// `go store.RunGC(ctx, 10*time.Minute)`. Failures go to Options.Logf and the
// loop goes on.
func (s *Store) RunGC(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := s.GC(ctx); err != nil && ctx.Err() == nil {
			if errors.Is(err, ErrClosed) {
				return
			}
			s.logf("storage: background GC: %v", err)
		}
	}
}

// PruneResult reports what Prune removed.
type PruneResult struct {
	Sightings int64 // sightings removed
	Blocks    int64 // blocks removed because no sighting was left
	Bytes     int64 // their content bytes
}

// pruneBatch is how many blocks one Prune transaction handles.
const pruneBatch = 256

// Prune removes sightings last seen before olderThan, and the blocks left
// with no sighting. Keeping everything (never calling Prune) is the default.
// Blocks of a collection re-polled since olderThan stay. It is safe to run
// during syncs: a batch that races with a commit retries.
func (s *Store) Prune(ctx context.Context, olderThan time.Time) (PruneResult, error) {
	var res PruneResult
	var candidates []BlockID
	err := s.scanJSON(ctx, []byte{pfxSeen}, func(k, v []byte) error {
		var sg Sighting
		if err := json.Unmarshal(v, &sg); err != nil {
			return err
		}
		if sg.LastSeen.Before(olderThan) && (len(candidates) == 0 || candidates[len(candidates)-1] != sg.Block) {
			candidates = append(candidates, sg.Block)
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("storage: prune: %w", err)
	}
	for len(candidates) > 0 {
		batch := candidates[:min(pruneBatch, len(candidates))]
		candidates = candidates[len(batch):]
		var r PruneResult
		err := s.update(ctx, func(txn *badger.Txn) error {
			r = PruneResult{}
			var d delta
			for _, id := range batch {
				if err := pruneBlock(ctx, txn, id, olderThan, &d, &r); err != nil {
					return err
				}
			}
			return addCounters(txn, &d)
		})
		if err != nil {
			return res, fmt.Errorf("storage: prune: %w", err)
		}
		res.Sightings += r.Sightings
		res.Blocks += r.Blocks
		res.Bytes += r.Bytes
	}
	return res, nil
}

func pruneBlock(ctx context.Context, txn *badger.Txn, id BlockID, olderThan time.Time, d *delta, r *PruneResult) error {
	var meta BlockMeta
	if err := getJSON(txn, metaKey(id), &meta); err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil // pruned meanwhile
		}
		return err
	}
	seen, err := sightingsOf(ctx, txn, id)
	if err != nil {
		return err
	}
	kept := 0
	for i := range seen {
		sg := &seen[i]
		if !sg.LastSeen.Before(olderThan) {
			kept++
			continue
		}
		var keys [][]byte
		switch sg.Kind {
		case FromPoll:
			keys = [][]byte{seenPollKey(id, sg.Server, sg.Collection), collEntryKey(sg.Server, sg.Collection, sg.sortTime(), id)}
			d.addColl(sg.Server, sg.Collection, -1)
		case FromListener:
			st, err := reviewOf(txn, sg.Received, id)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			keys = [][]byte{seenListenerKey(id, sg.Received), listenerKey(sg.Received, id)}
			if err == nil {
				keys = append(keys, reviewKey(st, sg.Received, id))
			}
		default:
			return fmt.Errorf("sighting of %s has unknown kind %q", id.Short(), sg.Kind)
		}
		for _, k := range keys {
			if err := txn.Delete(k); err != nil {
				return err
			}
		}
		d.sightings--
		r.Sightings++
	}
	if kept > 0 {
		return nil
	}
	if err := txn.Delete(contentKey(id)); err != nil {
		return err
	}
	if err := txn.Delete(metaKey(id)); err != nil {
		return err
	}
	d.blocks--
	d.bytes -= meta.Size
	r.Blocks++
	r.Bytes += meta.Size
	return nil
}
