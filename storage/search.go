package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/dgraph-io/badger/v4"
)

// Search returns up to limit blocks whose content, title, binding or subtype
// contains query, ignoring case, most recently seen first (which matches are
// returned when more than limit exist is unspecified). It scans the cache,
// split by hash range over the available cores; callers depend only on this
// method, so an index can replace the scan without changing them.
func (s *Store) Search(ctx context.Context, query string, limit int) ([]Hit, error) {
	if strings.TrimSpace(query) == "" {
		return nil, errors.New("storage: search: empty query; type some text to look for")
	}
	if limit <= 0 {
		limit = 50
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("storage: search %q: %w", query, err)
	}
	q := bytes.ToLower([]byte(query))
	workers := min(runtime.GOMAXPROCS(0), 8)
	var found atomic.Int64
	results := make([][]BlockMeta, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := 256*w/workers, 256*(w+1)/workers
		wg.Go(func() { results[w], errs[w] = s.searchRange(ctx, q, byte(lo), hi, limit, &found) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("storage: search %q: %w", query, mapErr(err))
	}
	var hits []Hit
	for _, r := range results {
		for _, m := range r {
			hits = append(hits, Hit{Block: m})
		}
	}
	slices.SortStableFunc(hits, func(a, b Hit) int { return b.Block.LastSeen.Compare(a.Block.LastSeen) })
	hits = hits[:min(len(hits), limit)]
	err := s.view(ctx, func(txn *badger.Txn) error {
		for i := range hits {
			var err error
			if hits[i].Seen, err = sightingsOf(ctx, txn, hits[i].Block.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: search %q: %w", query, err)
	}
	return hits, nil
}

// searchRange scans blocks whose hash starts with a byte in [lo, hi), until
// found reaches limit.
func (s *Store) searchRange(ctx context.Context, q []byte, lo byte, hi, limit int, found *atomic.Int64) ([]BlockMeta, error) {
	var hits []BlockMeta
	err := s.db.View(func(txn *badger.Txn) error {
		mo := badger.DefaultIteratorOptions
		mo.Prefix = []byte{pfxBlockMeta}
		metas := txn.NewIterator(mo)
		defer metas.Close()
		co := badger.DefaultIteratorOptions
		co.Prefix = []byte{pfxContent}
		co.PrefetchValues = false // content is read only when the labels do not match
		contents := txn.NewIterator(co)
		defer contents.Close()
		contents.Seek([]byte{pfxContent, lo})

		var buf []byte
		n := 0
		for metas.Seek([]byte{pfxBlockMeta, lo}); metas.Valid(); metas.Next() {
			if int(metas.Item().Key()[1]) >= hi || found.Load() >= int64(limit) {
				return nil
			}
			if n++; n%256 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			item := metas.Item()
			var id BlockID
			copy(id[:], item.Key()[1:])
			var m BlockMeta
			decoded, match := false, false
			err := item.Value(func(v []byte) error {
				// Decoding JSON costs more than scanning it: decode only
				// when the raw record could hold a matching label.
				if !jsonSafe(q) || containsFold(v, q, &buf) {
					if err := json.Unmarshal(v, &m); err != nil {
						return err
					}
					decoded = true
					match = containsFold([]byte(m.Title), q, &buf) || containsFold([]byte(m.Binding), q, &buf) ||
						containsFold([]byte(m.Subtype), q, &buf)
				}
				return nil
			})
			if err != nil {
				return err
			}
			if !match {
				// Both prefixes are ordered by the same hash, so the content
				// iterator walks in step with the metadata one.
				ck := contentKey(id)
				if !contents.Valid() || !bytes.Equal(contents.Item().Key(), ck) {
					contents.Seek(ck)
				}
				if contents.Valid() && bytes.Equal(contents.Item().Key(), ck) {
					err := contents.Item().Value(func(v []byte) error {
						match = containsFold(v, q, &buf)
						return nil
					})
					if err != nil {
						return err
					}
					contents.Next()
				}
			}
			if match && !decoded {
				if err := item.Value(func(v []byte) error { return json.Unmarshal(v, &m) }); err != nil {
					return err
				}
			}
			if match {
				hits = append(hits, m)
				found.Add(1)
			}
		}
		return nil
	})
	return hits, err
}

// jsonSafe reports whether q appears verbatim in JSON-encoded text that
// contains it: true unless q has bytes encoding/json escapes.
func jsonSafe(q []byte) bool {
	for _, c := range q {
		if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' || c >= 0x80 {
			return false
		}
	}
	return true
}

// lowerASCII maps ASCII upper-case letters to lower case and every other
// byte to itself.
var lowerASCII = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
		if 'A' <= i && i <= 'Z' {
			t[i] = byte(i + 'a' - 'A')
		}
	}
	return t
}()

// containsFold reports whether s contains the lower-case needle q, ignoring
// case. ASCII text is folded into buf without allocating; other text falls
// back to Unicode lower-casing.
func containsFold(s, q []byte, buf *[]byte) bool {
	if len(s) < len(q) {
		return false
	}
	if cap(*buf) < len(s) {
		*buf = make([]byte, len(s), 2*len(s))
	}
	b := (*buf)[:len(s)]
	for i, c := range s {
		if c >= 0x80 {
			return bytes.Contains(bytes.ToLower(s), q)
		}
		b[i] = lowerASCII[c]
	}
	return bytes.Contains(b, q)
}

// Stats returns the cache totals, kept as counters, so it is instant at any size.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	err := s.view(ctx, func(txn *badger.Txn) error {
		t, err := readTotals(txn)
		st.Blocks, st.ContentBytes, st.Sightings = t[0], t[1], t[2]
		return err
	})
	if err != nil {
		return st, fmt.Errorf("storage: stats: %w", err)
	}
	st.DiskBytes, err = s.DiskBytes()
	return st, err
}
