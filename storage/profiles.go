package storage

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// PutProfile creates or replaces a server profile. Created is kept from the
// stored profile; Updated is set to now.
func (s *Store) PutProfile(ctx context.Context, p Profile) error {
	if err := checkName("profile name", p.Name); err != nil {
		return err
	}
	key := nameKey(pfxProfile, p.Name)
	return s.update(ctx, func(txn *badger.Txn) error {
		var old Profile
		switch err := getJSON(txn, key, &old); {
		case err == nil:
			p.Created = old.Created
		case errors.Is(err, ErrNotFound):
			if p.Created.IsZero() {
				p.Created = s.now().UTC()
			}
		default:
			return err
		}
		p.Updated = s.now().UTC()
		return setJSON(txn, key, p)
	})
}

// Profile returns the named profile, or ErrNotFound.
func (s *Store) Profile(ctx context.Context, name string) (Profile, error) {
	var p Profile
	if err := checkName("profile name", name); err != nil {
		return p, err
	}
	err := s.view(ctx, func(txn *badger.Txn) error { return getJSON(txn, nameKey(pfxProfile, name), &p) })
	if err != nil {
		return Profile{}, fmt.Errorf("storage: profile %q: %w", name, err)
	}
	return p, nil
}

// Profiles returns all profiles sorted by name.
func (s *Store) Profiles(ctx context.Context) ([]Profile, error) {
	var out []Profile
	err := s.scanJSON(ctx, []byte{pfxProfile}, func(_ []byte, v []byte) error {
		var p Profile
		if err := json.Unmarshal(v, &p); err != nil {
			return err
		}
		out = append(out, p)
		return nil
	})
	return out, err
}

// DeleteProfile removes a profile with its discovery snapshots and poll
// cursors. Cached blocks and their sightings stay: they are history. Deleting
// a profile that does not exist returns ErrNotFound.
func (s *Store) DeleteProfile(ctx context.Context, name string) error {
	if err := checkName("profile name", name); err != nil {
		return err
	}
	cursorPrefix := nameKey(pfxCursor, name)
	return s.update(ctx, func(txn *badger.Txn) error {
		key := nameKey(pfxProfile, name)
		if _, err := txn.Get(key); err != nil {
			return fmt.Errorf("storage: profile %q: %w", name, mapErr(err))
		}
		keys := [][]byte{key, nameKey(pfxServices, name), nameKey(pfxCollSnap, name)}
		opts := badger.DefaultIteratorOptions
		opts.PrefetchValues = false
		opts.Prefix = cursorPrefix
		it := txn.NewIterator(opts)
		for it.Rewind(); it.Valid(); it.Next() {
			keys = append(keys, it.Item().KeyCopy(nil))
		}
		it.Close()
		for _, k := range keys {
			if err := txn.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

// PutServices stores the latest discovery snapshot of a server.
func (s *Store) PutServices(ctx context.Context, snap ServicesSnapshot) error {
	if err := checkName("server name", snap.Server); err != nil {
		return err
	}
	if snap.Fetched.IsZero() {
		snap.Fetched = s.now().UTC()
	}
	return s.update(ctx, func(txn *badger.Txn) error { return setJSON(txn, nameKey(pfxServices, snap.Server), snap) })
}

// Services returns the latest discovery snapshot of a server, or ErrNotFound.
func (s *Store) Services(ctx context.Context, server string) (ServicesSnapshot, error) {
	var snap ServicesSnapshot
	if err := checkName("server name", server); err != nil {
		return snap, err
	}
	err := s.view(ctx, func(txn *badger.Txn) error { return getJSON(txn, nameKey(pfxServices, server), &snap) })
	if err != nil {
		return ServicesSnapshot{}, fmt.Errorf("storage: services of %q: %w", server, err)
	}
	return snap, nil
}

// PutCollections stores the latest collection list of a server.
func (s *Store) PutCollections(ctx context.Context, snap CollectionsSnapshot) error {
	if err := checkName("server name", snap.Server); err != nil {
		return err
	}
	if snap.Fetched.IsZero() {
		snap.Fetched = s.now().UTC()
	}
	return s.update(ctx, func(txn *badger.Txn) error { return setJSON(txn, nameKey(pfxCollSnap, snap.Server), snap) })
}

// Collections returns the latest collection list of a server, or ErrNotFound.
func (s *Store) Collections(ctx context.Context, server string) (CollectionsSnapshot, error) {
	var snap CollectionsSnapshot
	if err := checkName("server name", server); err != nil {
		return snap, err
	}
	err := s.view(ctx, func(txn *badger.Txn) error { return getJSON(txn, nameKey(pfxCollSnap, server), &snap) })
	if err != nil {
		return CollectionsSnapshot{}, fmt.Errorf("storage: collections of %q: %w", server, err)
	}
	return snap, nil
}

// Cursor returns the poll cursor of a collection, or ErrNotFound if it was
// never polled incrementally (or was reset).
func (s *Store) Cursor(ctx context.Context, server, collection string) (Cursor, error) {
	var c Cursor
	if err := checkPair(server, collection); err != nil {
		return c, err
	}
	err := s.view(ctx, func(txn *badger.Txn) error { return getJSON(txn, pairKey(pfxCursor, server, collection), &c) })
	if err != nil {
		return Cursor{}, fmt.Errorf("storage: cursor of %s/%s: %w", server, collection, err)
	}
	return c, nil
}

// SetCursor sets a collection's cursor to label, forwards or backwards. Syncs
// move cursors with CommitPart; this is for an explicit user choice.
func (s *Store) SetCursor(ctx context.Context, server, collection string, label time.Time) error {
	if err := checkPair(server, collection); err != nil {
		return err
	}
	c := Cursor{Label: label.UTC(), Updated: s.now().UTC()}
	return s.update(ctx, func(txn *badger.Txn) error { return setJSON(txn, pairKey(pfxCursor, server, collection), c) })
}

// ResetCursor forgets a collection's cursor, so the next sync starts over.
// Resetting a missing cursor is not an error.
func (s *Store) ResetCursor(ctx context.Context, server, collection string) error {
	if err := checkPair(server, collection); err != nil {
		return err
	}
	return s.update(ctx, func(txn *badger.Txn) error { return txn.Delete(pairKey(pfxCursor, server, collection)) })
}

func checkPair(server, collection string) error {
	if err := checkName("server name", server); err != nil {
		return err
	}
	return checkName("collection name", collection)
}

// PutReceipt stores a push receipt, assigning ID (and Sent, if zero) for a
// new one; storing a receipt with an existing ID and Sent replaces it, so a
// receipt can be written before sending and updated with the outcome.
func (s *Store) PutReceipt(ctx context.Context, r *Receipt) error {
	if r.Sent.IsZero() {
		r.Sent = s.now().UTC()
	}
	if r.ID == "" {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return err
		}
		r.ID = hex.EncodeToString(appendTime(nil, r.Sent)) + hex.EncodeToString(b[:])
	}
	key, err := receiptKeyOf(r.ID)
	if err != nil {
		return err
	}
	return s.update(ctx, func(txn *badger.Txn) error { return setJSON(txn, key, r) })
}

func receiptKeyOf(id string) ([]byte, error) {
	raw, err := hex.DecodeString(id)
	if err != nil || len(raw) <= timeLen {
		return nil, fmt.Errorf("storage: receipt id %q is not one PutReceipt assigned", id)
	}
	return append([]byte{pfxReceipt}, raw...), nil
}

// Receipt returns one push receipt by ID, or ErrNotFound.
func (s *Store) Receipt(ctx context.Context, id string) (Receipt, error) {
	var r Receipt
	key, err := receiptKeyOf(id)
	if err != nil {
		return r, err
	}
	err = s.view(ctx, func(txn *badger.Txn) error { return getJSON(txn, key, &r) })
	if err != nil {
		return Receipt{}, fmt.Errorf("storage: receipt %s: %w", id, err)
	}
	return r, nil
}

// Receipts lists push receipts, newest first.
func (s *Store) Receipts(ctx context.Context, page PageRequest) (Page[Receipt], error) {
	return pageScan(ctx, s, []byte{pfxReceipt}, page, func(txn *badger.Txn, it *badger.Item) (Receipt, error) {
		var r Receipt
		err := it.Value(func(v []byte) error { return json.Unmarshal(v, &r) })
		return r, err
	})
}

// scanJSON calls fn with each key and value under prefix, in key order. The
// slices are valid only during the call.
func (s *Store) scanJSON(ctx context.Context, prefix []byte, fn func(k, v []byte) error) error {
	return s.view(ctx, func(txn *badger.Txn) error { return eachItem(ctx, txn, prefix, fn) })
}

// pageScan walks keys under prefix newest (largest) first, applying page, and
// decodes each with load. The token is the hex of the last key's suffix.
func pageScan[T any](ctx context.Context, s *Store, prefix []byte, page PageRequest, load func(*badger.Txn, *badger.Item) (T, error)) (Page[T], error) {
	var out Page[T]
	limit := page.Limit
	if limit <= 0 {
		limit = 50
	}
	start := prefixEnd(prefix)
	var after []byte
	if page.Token != "" {
		raw, err := decodeToken(page.Token)
		if err != nil {
			return out, err
		}
		after = append(append([]byte{}, prefix...), raw...)
		start = after
	}
	err := s.view(ctx, func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = prefix
		opts.Reverse = true
		opts.PrefetchValues = false
		it := txn.NewIterator(opts)
		defer it.Close()
		skip := page.Offset
		if after != nil {
			skip = 0
		}
		var last []byte
		for it.Seek(start); it.Valid(); it.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			item := it.Item()
			if after != nil && bytes.Equal(item.Key(), after) {
				continue
			}
			if skip > 0 {
				skip--
				continue
			}
			if len(out.Items) == limit {
				out.Next = encodeToken(last[len(prefix):])
				return nil
			}
			v, err := load(txn, item)
			if err != nil {
				return err
			}
			out.Items = append(out.Items, v)
			last = item.KeyCopy(last[:0])
		}
		return nil
	})
	return out, err
}

func encodeToken(suffix []byte) string { return tokenVersionPrefix + hex.EncodeToString(suffix) }

func decodeToken(tok string) ([]byte, error) {
	if len(tok) < len(tokenVersionPrefix) || tok[:len(tokenVersionPrefix)] != tokenVersionPrefix {
		return nil, fmt.Errorf("storage: page token %q is not from this version; start from the first page", tok)
	}
	raw, err := hex.DecodeString(tok[len(tokenVersionPrefix):])
	if err != nil {
		return nil, fmt.Errorf("storage: page token %q: %w", tok, err)
	}
	return raw, nil
}
