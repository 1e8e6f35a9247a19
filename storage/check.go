package storage

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// maxProblems caps how many problems Check lists.
const maxProblems = 20

// Check verifies the cache in one consistent snapshot: every content hashes
// to its key and has metadata, every sighting and listing entry points at a
// stored block, and the counters equal a recount. It returns nil or an error
// listing the first problems found.
func (s *Store) Check(ctx context.Context) error {
	var problems []error
	report := func(format string, args ...any) {
		if len(problems) < maxProblems {
			problems = append(problems, fmt.Errorf(format, args...))
		}
	}
	err := s.view(ctx, func(txn *badger.Txn) error {
		sizes := map[BlockID]int64{}
		var totals [3]int64
		err := eachItem(ctx, txn, []byte{pfxContent}, func(k, v []byte) error {
			var id BlockID
			copy(id[:], k[1:])
			if len(k) != 1+hashLen || sha256.Sum256(v) != id {
				report("content %x does not hash to its key", k[1:])
			}
			sizes[id] = int64(len(v))
			return nil
		})
		if err != nil {
			return err
		}
		metas := map[BlockID]bool{}
		err = eachItem(ctx, txn, []byte{pfxBlockMeta}, func(k, v []byte) error {
			var m BlockMeta
			if err := json.Unmarshal(v, &m); err != nil {
				report("metadata %x: %v", k[1:], err)
				return nil
			}
			metas[m.ID] = true
			size, ok := sizes[m.ID]
			switch {
			case !ok:
				report("block %s has metadata but no content", m.ID.Short())
			case size != m.Size:
				report("block %s: metadata says %d bytes, content has %d", m.ID.Short(), m.Size, size)
			}
			totals[0]++
			totals[1] += m.Size
			return nil
		})
		if err != nil {
			return err
		}
		for id := range sizes {
			if !metas[id] {
				report("block %s has content but no metadata", id.Short())
			}
		}
		seenBlocks := map[BlockID]bool{}
		err = eachItem(ctx, txn, []byte{pfxSeen}, func(k, v []byte) error {
			var sg Sighting
			if err := json.Unmarshal(v, &sg); err != nil {
				report("sighting %x: %v", k[1:], err)
				return nil
			}
			totals[2]++
			seenBlocks[sg.Block] = true
			if !metas[sg.Block] {
				report("sighting of missing block %s", sg.Block.Short())
			}
			var other []byte
			if sg.Kind == FromPoll {
				other = collEntryKey(sg.Server, sg.Collection, sg.sortTime(), sg.Block)
			} else {
				other = listenerKey(sg.Received, sg.Block)
			}
			if _, err := txn.Get(other); err != nil {
				report("sighting of %s (%s %s/%s%s) has no listing entry: %v", sg.Block.Short(), sg.Kind, sg.Server, sg.Collection, sg.Sender, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for id := range metas {
			if !seenBlocks[id] {
				report("block %s has no sighting", id.Short())
			}
		}
		counts := map[string]int64{}
		err = eachItem(ctx, txn, []byte{pfxByColl}, func(k, _ []byte) error {
			server, coll, ok := splitPair(k[1:])
			if !ok || len(k) < hashLen {
				report("malformed listing key %x", k)
				return nil
			}
			var id BlockID
			copy(id[:], k[len(k)-hashLen:])
			if _, err := txn.Get(seenPollKey(id, server, coll)); err != nil {
				report("listing entry of %s in %s/%s has no sighting: %v", id.Short(), server, coll, err)
			}
			counts[string(pairKey(pfxCollCount, server, coll))]++
			return nil
		})
		if err != nil {
			return err
		}
		err = eachItem(ctx, txn, []byte{pfxCollCount}, func(k, v []byte) error {
			if len(v) != 8 || int64(binary.BigEndian.Uint64(v)) != counts[string(k)] {
				report("collection count %q is %x, recount %d", k[1:], v, counts[string(k)])
			}
			delete(counts, string(k))
			return nil
		})
		if err != nil {
			return err
		}
		for k, n := range counts {
			report("collection %q has %d entries but no count", k[1:], n)
		}
		stored, err := readTotals(txn)
		if err != nil {
			return err
		}
		if stored != totals {
			report("totals (blocks, bytes, sightings) are %v, recount %v", stored, totals)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("storage: check: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("storage: check found problems (first %d):\n%w", len(problems), errors.Join(problems...))
	}
	return nil
}

func eachItem(ctx context.Context, txn *badger.Txn, prefix []byte, fn func(k, v []byte) error) error {
	opts := badger.DefaultIteratorOptions
	opts.Prefix = prefix
	it := txn.NewIterator(opts)
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		item := it.Item()
		if err := item.Value(func(v []byte) error { return fn(item.Key(), v) }); err != nil {
			return err
		}
	}
	return nil
}
