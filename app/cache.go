package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ListBlocks lists the cached blocks of a server's collection newest first
// (by timestamp label), one page at a time.
func (a *App) ListBlocks(ctx context.Context, server, collection string, page PageRequest) (Page[Entry], error) {
	return a.store.ListBlocks(ctx, server, collection, page)
}

// CachedCollections lists every (server, collection) with cached blocks.
func (a *App) CachedCollections(ctx context.Context) ([]CollectionCount, error) {
	return a.store.CachedCollections(ctx)
}

// BlockDetail is everything known about one cached block.
type BlockDetail struct {
	Meta       BlockMeta  `json:"meta"`
	Content    []byte     `json:"-"`
	Provenance Provenance `json:"provenance"`
}

// GetBlock returns a block's metadata, original bytes and every sighting.
func (a *App) GetBlock(ctx context.Context, id BlockID) (BlockDetail, error) {
	var d BlockDetail
	var err error
	if d.Meta, err = a.store.Block(ctx, id); err != nil {
		return d, fmt.Errorf("app: block %s: %w", id.Short(), err)
	}
	if d.Content, err = a.store.Content(ctx, id); err != nil {
		return d, fmt.Errorf("app: content of block %s: %w", id.Short(), err)
	}
	if d.Provenance, err = a.store.Provenance(ctx, id); err != nil {
		return d, fmt.Errorf("app: provenance of block %s: %w", id.Short(), err)
	}
	return d, nil
}

// Search finds cached blocks whose content or labels contain query, up to
// limit (0: the store's default). It is the one entry point for search, so
// a real index can replace the store's substring scan later.
func (a *App) Search(ctx context.Context, query string, limit int) ([]Hit, error) {
	if strings.TrimSpace(query) == "" {
		return nil, errors.New("app: search needs some text to look for")
	}
	return a.store.Search(ctx, query, limit)
}

// Stats summarises the cache.
func (a *App) Stats(ctx context.Context) (Stats, error) { return a.store.Stats(ctx) }

// Prune removes what was last seen more than keep ago (retention) and
// returns what went. keep must be positive; keeping forever means not
// calling Prune.
func (a *App) Prune(ctx context.Context, keep time.Duration) (PruneResult, error) {
	if keep <= 0 {
		return PruneResult{}, fmt.Errorf("app: retention must be positive (got %s)", keep)
	}
	r, err := a.store.Prune(ctx, a.clock.Now().Add(-keep))
	if err != nil {
		return r, fmt.Errorf("app: prune: %w", err)
	}
	a.publish(Event{Kind: CacheChanged})
	return r, nil
}

// CursorOf returns the cursor of a collection; ok is false when it has none
// (never synced, or reset).
func (a *App) CursorOf(ctx context.Context, server, collection string) (c Cursor, ok bool, err error) {
	c, err = a.store.Cursor(ctx, server, collection)
	if errors.Is(err, ErrNotFound) {
		return Cursor{}, false, nil
	}
	if err != nil {
		return Cursor{}, false, fmt.Errorf("app: cursor of %s/%s: %w", server, collection, err)
	}
	return c, true, nil
}

// ResetCursor forgets a collection's cursor: the next since-last sync asks
// for everything (what is cached stays; it is recognised as known).
func (a *App) ResetCursor(ctx context.Context, server, collection string) error {
	if err := a.store.ResetCursor(ctx, server, collection); err != nil {
		return fmt.Errorf("app: reset the cursor of %s/%s: %w", server, collection, err)
	}
	a.publish(Event{Kind: CacheChanged, Server: server, Collection: collection})
	return nil
}

// CollectionView is one row of a server's collections view: what the
// server said, plus what is known locally.
type CollectionView struct {
	Collection
	Cursor   time.Time     `json:"cursor,omitzero"` // "cached up to"
	Schedule time.Duration `json:"schedule,omitempty"`
	Cached   int64         `json:"cached"`
	// Running is the id of the sync job running for it, if any.
	Running string `json:"running,omitempty"`
}

// CollectionViews combines the stored collection snapshot of server with
// cursors, schedules, cached counts and running jobs (offline).
func (a *App) CollectionViews(ctx context.Context, server string) ([]CollectionView, error) {
	snap, err := a.store.Collections(ctx, server)
	if err != nil {
		return nil, fmt.Errorf("app: collections of %q: %w", server, err)
	}
	var set map[string]string
	if sp, err := a.store.Profile(ctx, server); err == nil {
		set = sp.Settings
	}
	out := make([]CollectionView, 0, len(snap.Collections))
	for _, c := range snap.Collections {
		v := CollectionView{Collection: c}
		if cur, ok, err := a.CursorOf(ctx, server, c.Name); err != nil {
			return nil, err
		} else if ok {
			v.Cursor = cur.Label
		}
		if d, err := time.ParseDuration(set[setSchedule+c.Name]); err == nil {
			v.Schedule = d
		}
		if v.Cached, err = a.store.CountBlocks(ctx, server, c.Name); err != nil {
			return nil, fmt.Errorf("app: count blocks of %s/%s: %w", server, c.Name, err)
		}
		a.mu.Lock()
		v.Running = a.busy[pair{server, c.Name}]
		a.mu.Unlock()
		out = append(out, v)
	}
	return out, nil
}

// ExportBlocks writes each block's original bytes to dir (created if
// needed) as <id><ext>, the extension after the content binding, and
// returns the paths. An existing file with the same bytes is left alone;
// one with other bytes is an error (nothing is overwritten).
func (a *App) ExportBlocks(ctx context.Context, ids []BlockID, dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("app: create the export folder: %w", err)
	}
	var paths []string
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return paths, err
		}
		meta, err := a.store.Block(ctx, id)
		if err != nil {
			return paths, fmt.Errorf("app: export block %s: %w", id.Short(), err)
		}
		content, err := a.store.Content(ctx, id)
		if err != nil {
			return paths, fmt.Errorf("app: export block %s: %w", id.Short(), err)
		}
		path := filepath.Join(dir, id.String()+extFor(meta.Binding, content))
		if old, err := os.ReadFile(path); err == nil {
			if !bytes.Equal(old, content) {
				return paths, fmt.Errorf("app: export block %s: %s exists with other content; choose an empty folder", id.Short(), path)
			}
		} else if err := writeFileAtomic(path, content); err != nil {
			return paths, fmt.Errorf("app: export block %s: %w", id.Short(), err)
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// ExportCollection exports every cached block of a server's collection
// (see ExportBlocks).
func (a *App) ExportCollection(ctx context.Context, server, collection, dir string) ([]string, error) {
	var ids []BlockID
	page := PageRequest{Limit: 500}
	for {
		p, err := a.store.ListBlocks(ctx, server, collection, page)
		if err != nil {
			return nil, fmt.Errorf("app: list %s/%s: %w", server, collection, err)
		}
		for _, e := range p.Items {
			ids = append(ids, e.Block.ID)
		}
		if p.Next == "" {
			break
		}
		page.Token = p.Next
	}
	return a.ExportBlocks(ctx, ids, dir)
}

func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".export-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// extFor picks a file extension from a content binding (and the content,
// for bindings that say nothing about the format).
func extFor(binding string, content []byte) string {
	b := strings.ToLower(binding)
	switch {
	case strings.Contains(b, ":xml:") || strings.HasPrefix(b, "urn:oasis:names:tc:emergency:cap") || strings.Contains(b, "xmlenc") || strings.HasSuffix(b, "+xml"):
		return ".xml"
	case strings.Contains(b, "json"):
		return ".json"
	case strings.Contains(b, "pkcs7"):
		return ".p7m"
	}
	t := bytes.TrimLeft(content, " \t\r\n\ufeff")
	switch {
	case bytes.HasPrefix(t, []byte("<")):
		return ".xml"
	case bytes.HasPrefix(t, []byte("{")) || bytes.HasPrefix(t, []byte("[")):
		return ".json"
	}
	return ".bin"
}
