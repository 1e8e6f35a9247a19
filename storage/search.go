package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dgraph-io/badger/v4"
)

// Search returns up to limit blocks whose content, title, binding or subtype
// contains query, ignoring case, most recently seen first. It scans the
// cache; callers depend only on this method, so an index can replace the
// scan without changing them.
func (s *Store) Search(ctx context.Context, query string, limit int) ([]Hit, error) {
	if strings.TrimSpace(query) == "" {
		return nil, errors.New("storage: search: empty query; type some text to look for")
	}
	if limit <= 0 {
		limit = 50
	}
	q := bytes.ToLower([]byte(query))
	var hits []Hit
	err := s.view(ctx, func(txn *badger.Txn) error {
		mo := badger.DefaultIteratorOptions
		mo.Prefix = []byte{pfxBlockMeta}
		metas := txn.NewIterator(mo)
		defer metas.Close()
		co := badger.DefaultIteratorOptions
		co.Prefix = []byte{pfxContent}
		co.PrefetchValues = false // content is read only when the labels do not match
		contents := txn.NewIterator(co)
		defer contents.Close()
		contents.Rewind()

		var buf []byte
		n := 0
		for metas.Rewind(); metas.Valid() && len(hits) < limit; metas.Next() {
			if n++; n%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			var m BlockMeta
			if err := metas.Item().Value(func(v []byte) error { return json.Unmarshal(v, &m) }); err != nil {
				return err
			}
			match := containsFold([]byte(m.Title), q, &buf) || containsFold([]byte(m.Binding), q, &buf) ||
				containsFold([]byte(m.Subtype), q, &buf)
			if !match {
				// Both prefixes are ordered by the same hash, so the content
				// iterator walks in step with the metadata one.
				ck := contentKey(m.ID)
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
			if match {
				hits = append(hits, Hit{Block: m})
			}
		}
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
	slices.SortStableFunc(hits, func(a, b Hit) int { return b.Block.LastSeen.Compare(a.Block.LastSeen) })
	return hits, nil
}

// containsFold reports whether s contains the lower-case needle q, ignoring
// case. ASCII text is folded into buf without allocating; other text falls
// back to Unicode lower-casing.
func containsFold(s, q []byte, buf *[]byte) bool {
	if len(s) < len(q) {
		return false
	}
	b := (*buf)[:0]
	for _, c := range s {
		if c >= 0x80 {
			return bytes.Contains(bytes.ToLower(s), q)
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	*buf = b
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
