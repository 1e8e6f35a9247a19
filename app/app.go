package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/taxii-workstation/taxii-workstation/storage"
)

// Types of the cache, re-exported so the GUI and the command line can use
// them without importing storage.
type (
	BlockID             = storage.BlockID
	BlockMeta           = storage.BlockMeta
	Entry               = storage.Entry
	Sighting            = storage.Sighting
	Provenance          = storage.Provenance
	Hit                 = storage.Hit
	Stats               = storage.Stats
	PruneResult         = storage.PruneResult
	Receipt             = storage.Receipt
	PageRequest         = storage.PageRequest
	Page[T any]         = storage.Page[T]
	ServicesSnapshot    = storage.ServicesSnapshot
	Service             = storage.Service
	CollectionsSnapshot = storage.CollectionsSnapshot
	Collection          = storage.Collection
	Cursor              = storage.Cursor
	CollectionCount     = storage.CollectionCount
	NewBlock            = storage.NewBlock
	CommitResult        = storage.CommitResult
	StoredProfile       = storage.Profile
)

// ParseBlockID parses the 64-hex-digit form of a block ID.
func ParseBlockID(s string) (BlockID, error) { return storage.ParseBlockID(s) }

// ErrNotFound is returned (wrapped) when a profile, block, cursor or job does
// not exist. It is storage.ErrNotFound, so errors.Is works across layers.
var ErrNotFound = storage.ErrNotFound

// Store is what the app needs from the cache. *storage.Store satisfies it;
// apptest.Store is an in-memory fake.
type Store interface {
	PutProfile(ctx context.Context, p storage.Profile) error
	Profile(ctx context.Context, name string) (storage.Profile, error)
	Profiles(ctx context.Context) ([]storage.Profile, error)
	DeleteProfile(ctx context.Context, name string) error

	PutServices(ctx context.Context, snap ServicesSnapshot) error
	Services(ctx context.Context, server string) (ServicesSnapshot, error)
	PutCollections(ctx context.Context, snap CollectionsSnapshot) error
	Collections(ctx context.Context, server string) (CollectionsSnapshot, error)

	Cursor(ctx context.Context, server, collection string) (Cursor, error)
	SetCursor(ctx context.Context, server, collection string, label time.Time) error
	ResetCursor(ctx context.Context, server, collection string) error
	CommitPart(ctx context.Context, server, collection string, blocks []NewBlock, cursor time.Time) (CommitResult, error)

	PutReceipt(ctx context.Context, r *Receipt) error
	Receipts(ctx context.Context, page PageRequest) (Page[Receipt], error)

	ListBlocks(ctx context.Context, server, collection string, page PageRequest) (Page[Entry], error)
	CountBlocks(ctx context.Context, server, collection string) (int64, error)
	CachedCollections(ctx context.Context) ([]CollectionCount, error)
	Block(ctx context.Context, id BlockID) (BlockMeta, error)
	Content(ctx context.Context, id BlockID) ([]byte, error)
	Provenance(ctx context.Context, id BlockID) (Provenance, error)
	Search(ctx context.Context, query string, limit int) ([]Hit, error)
	Stats(ctx context.Context) (Stats, error)
	Prune(ctx context.Context, olderThan time.Time) (PruneResult, error)
}

var _ Store = (*storage.Store)(nil)

// Secrets keeps passwords, key passphrases, tokens and secret header values
// out of the store, normally in the OS keyring. Keys are scoped by profile
// name. Get returns "" and a nil error when nothing is stored; Delete of a
// missing secret is not an error.
type Secrets interface {
	Get(profile, key string) (string, error)
	Set(profile, key, value string) error
	Delete(profile, key string) error
}

// Clock is the app's source of time; tests use apptest.Clock.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives once d has passed.
	After(d time.Duration) <-chan time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// After is time.After.
func (SystemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Deps are what an App is built from. Store and Secrets are required.
type Deps struct {
	Store   Store
	Secrets Secrets
	// NewClient makes a TAXII client for a profile; nil uses NewTAXIIClient.
	NewClient ClientFactory
	// Clock defaults to SystemClock.
	Clock Clock
	// Logger defaults to one that discards.
	Logger *slog.Logger
}

// App is the application core: profiles, discovery, sync jobs, schedules,
// push, subscriptions and cache review. It is safe for concurrent use.
// Build it with New; Close it when done.
type App struct {
	store     Store
	secrets   Secrets
	newClient ClientFactory
	clock     Clock
	log       *slog.Logger

	ctx    context.Context // lives until Close; parent of background jobs
	cancel context.CancelFunc
	wg     sync.WaitGroup // running jobs and Run; Add only under mu while !closed

	profMu sync.Mutex // serialises read-modify-write of stored profiles

	mu      sync.Mutex
	closed  bool
	subs    []subscriber
	nextSub int
	jobs    map[string]*job
	jobSeq  int
	busy    map[pair]string // collection → running job id
	adhoc   map[string]adhocProfile
	clients map[string]Client // per profile, dropped when the profile changes
	sched   *scheduler        // set while Run runs
}

// pair names a collection of a server.
type pair struct{ server, collection string }

// New builds an App from its dependencies.
func New(d Deps) (*App, error) {
	if d.Store == nil {
		return nil, errors.New("app: New needs a Store (open the cache first)")
	}
	if d.Secrets == nil {
		return nil, errors.New("app: New needs a Secrets keeper (the OS keyring or a fallback)")
	}
	if d.NewClient == nil {
		d.NewClient = NewTAXIIClient
	}
	if d.Clock == nil {
		d.Clock = SystemClock{}
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &App{
		store: d.Store, secrets: d.Secrets, newClient: d.NewClient, clock: d.Clock, log: d.Logger,
		ctx: ctx, cancel: cancel,
		jobs: map[string]*job{}, busy: map[pair]string{},
		adhoc: map[string]adhocProfile{}, clients: map[string]Client{},
	}, nil
}

// Close cancels running jobs and scheduled loops and waits for them to
// end, so the Store may be closed right after. It does not close the
// Store, which the caller opened.
func (a *App) Close() error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil
	}
	a.closed = true
	a.mu.Unlock()
	a.cancel()
	a.wg.Wait()
	return nil
}

// ErrClosed is returned by methods called after Close.
var ErrClosed = errors.New("app: closed")
