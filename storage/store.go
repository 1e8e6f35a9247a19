package storage

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
)

// Errors callers can test with errors.Is.
var (
	// ErrNotFound means the record does not exist. It hides badger.ErrKeyNotFound.
	ErrNotFound = errors.New("storage: not found")
	// ErrLocked means another process (or another Store in this one) holds the data directory.
	ErrLocked = errors.New("storage: data directory is in use")
	// ErrSchemaTooNew means the directory was written by a newer TAXII Workstation.
	ErrSchemaTooNew = errors.New("storage: cache was written by a newer TAXII Workstation")
	// ErrClosed means the Store was closed.
	ErrClosed = errors.New("storage: store is closed")
)

// SchemaVersion is the key layout version this code reads and writes.
const SchemaVersion = 1

// Options tune Open. The zero value is the recommended configuration.
type Options struct {
	// InMemory keeps everything in RAM (tests, previews); dir is ignored.
	InMemory bool
	// SyncWrites fsyncs every commit. Off by default: a killed process loses
	// nothing (the OS holds the written pages); only a power cut can lose the
	// last commits, never leaving a partial one.
	SyncWrites bool
	// Logf receives Badger's warnings and errors and background GC failures.
	// Nil uses the standard logger.
	Logf func(format string, args ...any)
	// Now is the clock for received/updated times. Nil uses time.Now.
	Now func() time.Time

	// tune adjusts Badger options in tests (small value threshold for GC tests).
	tune func(badger.Options) badger.Options
	// schema overrides the schema version and migrations in tests.
	schema *schema
}

// migration upgrades the store from version From to From+1. It must be
// idempotent: after a crash it runs again, because the version key moves
// only after it returns nil.
type migration struct {
	From  int
	Apply func(ctx context.Context, db *badger.DB) error
}

type schema struct {
	version    int
	migrations []migration
}

// defaultSchema lists every upgrade step, oldest first. Version 1 is the
// first layout, so the list is empty; add a step with every layout change.
func defaultSchema() *schema { return &schema{version: SchemaVersion} }

// Store is the workstation's cache. It is safe for concurrent use.
type Store struct {
	db   *badger.DB
	dir  string // "" in memory
	now  func() time.Time
	logf func(format string, args ...any)
}

// Open opens (creating if needed) the cache in dir and upgrades its schema.
// If another process has dir open, the error wraps ErrLocked and says so.
func Open(ctx context.Context, dir string, opts Options) (*Store, error) {
	if opts.InMemory {
		dir = ""
	} else if dir == "" {
		return nil, errors.New("storage: no data directory given; pass one (or use --data DIR / TAXII_WORKSTATION_DATA)")
	}
	logf := opts.Logf
	if logf == nil {
		logf = log.Printf
	}
	bo := badger.DefaultOptions(dir).
		WithInMemory(opts.InMemory).
		WithSyncWrites(opts.SyncWrites).
		WithCompression(options.ZSTD).
		WithZSTDCompressionLevel(1).
		WithBlockSize(16 << 10). // 2 KB blocks compress better in 16 KB table blocks than in 4 KB ones
		WithMetricsEnabled(false).
		WithLogger(badgerLogger{logf}).
		WithNumCompactors(2)
	if opts.tune != nil {
		bo = opts.tune(bo)
	}
	if !opts.InMemory {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("storage: create data directory: %w", err)
		}
	}
	db, err := badger.Open(bo)
	if err != nil {
		if isLockError(err) {
			return nil, fmt.Errorf("%w: another TAXII Workstation (window or command line) is using %s; close it, or use a different data directory: %w", ErrLocked, dir, err)
		}
		return nil, fmt.Errorf("storage: open cache in %s: %w", dir, err)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	s := &Store{db: db, dir: dir, now: now, logf: logf}
	sc := opts.schema
	if sc == nil {
		sc = defaultSchema()
	}
	if err := s.migrate(ctx, sc); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// OpenInMemory opens an empty cache held in RAM, for tests and previews.
func OpenInMemory() (*Store, error) {
	return Open(context.Background(), "", Options{InMemory: true, Logf: func(string, ...any) {}})
}

// Close flushes and closes the cache. The Store must not be used afterwards.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("storage: close: %w", err)
	}
	return nil
}

// Sync flushes every committed write to disk (fsync). With SyncWrites off,
// a commit survives a killed process but not a power cut until Sync returns;
// the inbox listener calls it before it answers SUCCESS.
func (s *Store) Sync() error {
	if s.db.IsClosed() {
		return ErrClosed
	}
	if err := s.db.Sync(); err != nil {
		return fmt.Errorf("storage: flush to disk: %w", err)
	}
	return nil
}

// Dir returns the data directory ("" in memory).
func (s *Store) Dir() string { return s.dir }

func isLockError(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Another process is using this Badger database")
}

// SchemaVersion returns the schema version recorded in the store.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	v, _, err := s.readSchema(ctx)
	return v, err
}

func (s *Store) readSchema(ctx context.Context) (version int, found bool, err error) {
	err = s.view(ctx, func(txn *badger.Txn) error {
		it, err := txn.Get(keySchema)
		if err != nil {
			return err
		}
		return it.Value(func(v []byte) error {
			if len(v) != 4 {
				return fmt.Errorf("schema version value has %d bytes, want 4", len(v))
			}
			version = int(binary.BigEndian.Uint32(v))
			return nil
		})
	})
	if errors.Is(err, ErrNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("storage: read schema version: %w", err)
	}
	return version, true, nil
}

func setSchema(txn *badger.Txn, v int) error {
	return txn.Set(keySchema, binary.BigEndian.AppendUint32(nil, uint32(v)))
}

// migrate stamps a new store with the current version, or runs each
// migration step in turn, recording the version after each one.
func (s *Store) migrate(ctx context.Context, sc *schema) error {
	v, found, err := s.readSchema(ctx)
	if err != nil {
		return err
	}
	if !found {
		empty, err := s.empty(ctx)
		if err != nil {
			return err
		}
		if !empty {
			return errors.New("storage: the data directory holds a database without a schema version; it was not written by TAXII Workstation, so use another directory")
		}
		return s.update(ctx, func(txn *badger.Txn) error { return setSchema(txn, sc.version) })
	}
	if v > sc.version {
		return fmt.Errorf("%w: it has schema version %d, this program understands up to %d; upgrade TAXII Workstation or use another data directory", ErrSchemaTooNew, v, sc.version)
	}
	for v < sc.version {
		var step *migration
		for i := range sc.migrations {
			if sc.migrations[i].From == v {
				step = &sc.migrations[i]
			}
		}
		if step == nil {
			return fmt.Errorf("storage: no migration from schema version %d to %d; this is a bug, please report it", v, v+1)
		}
		if err := step.Apply(ctx, s.db); err != nil {
			return fmt.Errorf("storage: migrate schema %d -> %d: %w", v, v+1, err)
		}
		v++
		if err := s.update(ctx, func(txn *badger.Txn) error { return setSchema(txn, v) }); err != nil {
			return fmt.Errorf("storage: record schema version %d: %w", v, err)
		}
	}
	return nil
}

func (s *Store) empty(ctx context.Context) (bool, error) {
	empty := true
	err := s.view(ctx, func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.PrefetchValues = false
		it := txn.NewIterator(opts)
		defer it.Close()
		it.Rewind()
		empty = !it.Valid()
		return nil
	})
	return empty, err
}

// maxConflictRetries bounds retries of a transaction that lost a race with
// another writer (two syncs updating the same counters).
const maxConflictRetries = 20

// update runs fn in a read-write transaction, retrying on conflicts, and maps
// Badger's not-found error to ErrNotFound.
func (s *Store) update(ctx context.Context, fn func(txn *badger.Txn) error) error {
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := s.db.Update(fn)
		if errors.Is(err, badger.ErrConflict) && attempt < maxConflictRetries {
			backoff := time.Duration(attempt+1) * time.Millisecond
			time.Sleep(backoff + rand.N(backoff)) // jitter, so racing writers spread out
			continue
		}
		return mapErr(err)
	}
}

func (s *Store) view(ctx context.Context, fn func(txn *badger.Txn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return mapErr(s.db.View(fn))
}

func mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, badger.ErrKeyNotFound):
		return ErrNotFound
	case errors.Is(err, badger.ErrDBClosed):
		return fmt.Errorf("%w: %w", ErrClosed, err)
	}
	return err
}

// getJSON reads key into v; ErrNotFound if absent.
func getJSON(txn *badger.Txn, key []byte, v any) error {
	it, err := txn.Get(key)
	if err != nil {
		return mapErr(err)
	}
	// The value is valid only inside the callback; Unmarshal copies what it keeps.
	return it.Value(func(b []byte) error { return json.Unmarshal(b, v) })
}

func setJSON(txn *badger.Txn, key []byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return txn.Set(key, b)
}

// DiskBytes sums the disk space used by the files in the data directory (0
// in memory).
func (s *Store) DiskBytes() (int64, error) {
	if s.dir == "" {
		return 0, nil
	}
	var n int64
	err := filepath.WalkDir(s.dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			n += allocated(info)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("storage: measure %s: %w", s.dir, err)
	}
	return n, nil
}

// badgerLogger passes Badger's warnings and errors on and drops its chatter.
type badgerLogger struct{ logf func(string, ...any) }

func (l badgerLogger) Errorf(f string, a ...any) {
	l.logf("badger error: "+strings.TrimSuffix(f, "\n"), a...)
}
func (l badgerLogger) Warningf(f string, a ...any) {
	l.logf("badger warning: "+strings.TrimSuffix(f, "\n"), a...)
}
func (badgerLogger) Infof(string, ...any)  {}
func (badgerLogger) Debugf(string, ...any) {}
