package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/taxii-workstation/taxii-workstation/storage"
)

// CacheDirName is the cache's folder inside the data directory.
const CacheDirName = "cache"

// OpenOptions tune OpenDataDir.
type OpenOptions struct {
	// Logger receives the core's and the cache's log; nil discards.
	Logger *slog.Logger
	// SecretsFallbackFile, when set, keeps secrets in that file if no OS
	// keyring is reachable (see storage.FallbackWarning). Set it only after
	// the user opted in.
	SecretsFallbackFile string
	// NewClient makes the TAXII clients; nil uses NewTAXIIClient. The
	// command line's --debug wraps it to log every exchange.
	NewClient ClientFactory
}

// Opened is an App over a cache on disk, with its inbox listener; Close
// closes all three.
type Opened struct {
	*App
	// Listener is the inbox listener; the window calls Resume at start, so it
	// runs again if the user left it on.
	Listener *Listener
	store    *storage.Store
}

// Close stops the listener (keeping the user's on/off setting) and the
// core's jobs, then closes the cache.
func (o *Opened) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return errors.Join(o.Listener.Close(ctx), o.App.Close(), o.store.Close())
}

// OpenDataDir opens the cache in dataDir and builds the application core over
// it, with secrets in the OS keyring and the real TAXII client. It is the
// composition used by both the window and the command line.
func OpenDataDir(ctx context.Context, dataDir string, o OpenOptions) (*Opened, error) {
	var logf func(string, ...any)
	if o.Logger != nil {
		logf = func(format string, args ...any) { o.Logger.Warn(fmt.Sprintf(format, args...)) }
	}
	store, err := storage.Open(ctx, filepath.Join(dataDir, CacheDirName), storage.Options{Logf: logf})
	if err != nil {
		return nil, err
	}
	core, err := New(Deps{
		Store:     store,
		Secrets:   keyringSecrets{storage.NewSecrets(storage.SecretsOptions{FallbackFile: o.SecretsFallbackFile})},
		NewClient: o.NewClient,
		Logger:    o.Logger,
	})
	if err != nil {
		store.Close()
		return nil, err
	}
	listener, err := NewListener(core, ListenerOptions{DataDir: dataDir})
	if err != nil {
		return nil, errors.Join(err, core.Close(), store.Close())
	}
	return &Opened{App: core, Listener: listener, store: store}, nil
}

// KeyringService is the service name of the workstation's entries in the OS keyring
// (one entry per profile and secret, account "PROFILE/KEY").
const KeyringService = "TAXII Workstation"

// NewKeyringSecrets returns the core's Secrets over the OS keyring (and the
// opted-in fallback file of o, if any).
func NewKeyringSecrets(o storage.SecretsOptions) Secrets {
	return keyringSecrets{storage.NewSecrets(o)}
}

// keyringSecrets adapts storage.Secrets to the core's Secrets: one keyring
// entry per (profile, key), and a missing secret reads as "".
type keyringSecrets struct{ s *storage.Secrets }

func (k keyringSecrets) account(profile, key string) string { return profile + "/" + key }

func (k keyringSecrets) Get(profile, key string) (string, error) {
	v, err := k.s.Get(context.Background(), KeyringService, k.account(profile, key))
	if errors.Is(err, storage.ErrNotFound) {
		return "", nil
	}
	return v, err
}

func (k keyringSecrets) Set(profile, key, value string) error {
	return k.s.Set(context.Background(), KeyringService, k.account(profile, key), value)
}

func (k keyringSecrets) Delete(profile, key string) error {
	err := k.s.Delete(context.Background(), KeyringService, k.account(profile, key))
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	return err
}
