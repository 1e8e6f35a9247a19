package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/zalando/go-keyring"
)

// ErrNoKeyring means no OS keyring is reachable (a headless box without a
// Secret Service, for example) and the user has not opted into the file
// fallback. Secrets are never written in plain text by default.
var ErrNoKeyring = errors.New("storage: no OS keyring is reachable")

// FallbackWarning is what the user must be told before opting into the file
// fallback.
const FallbackWarning = "secrets will be stored unencrypted, protected only by file permissions (0600)"

// SecretsOptions configure NewSecrets.
type SecretsOptions struct {
	// FallbackFile, if set, is where secrets go when no keyring is
	// reachable: stored unencrypted, protected only by file permissions
	// (0600). Set it only after the user explicitly opted in (see
	// FallbackWarning). Empty means keyring only.
	FallbackFile string
}

// Secrets stores passwords, key passphrases and tokens in the OS keyring
// (github.com/zalando/go-keyring), by (service, account). It is safe for
// concurrent use.
type Secrets struct {
	fallback string
	mu       sync.Mutex // serialises fallback file rewrites
}

// NewSecrets returns a Secrets over the OS keyring. Tests call
// keyring.MockInit (or MockInitWithError) first.
func NewSecrets(opts SecretsOptions) *Secrets {
	return &Secrets{fallback: opts.FallbackFile}
}

// FallbackFile returns the opted-in fallback file, or "".
func (s *Secrets) FallbackFile() string { return s.fallback }

// Set stores secret for (service, account), replacing any previous one.
func (s *Secrets) Set(ctx context.Context, service, account, secret string) error {
	if service == "" || account == "" {
		return errors.New("storage: secret needs a service and an account name")
	}
	err := call(ctx, func() error { return keyring.Set(service, account, secret) })
	switch {
	case err == nil:
		if s.fallback != "" { // do not leave an older copy in the file
			if err := s.editFile(func(m fileSecrets) bool { return m.remove(service, account) }); err != nil {
				return err
			}
		}
		return nil
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return fmt.Errorf("storage: the secret for %s/%s is too big for the OS keyring: %w", service, account, err)
	case errors.Is(err, ErrNoKeyring) && s.fallback != "":
		return s.editFile(func(m fileSecrets) bool { m.put(service, account, secret); return true })
	}
	return s.wrap(err)
}

// Get returns the secret for (service, account), or ErrNotFound.
func (s *Secrets) Get(ctx context.Context, service, account string) (string, error) {
	var secret string
	err := call(ctx, func() error {
		var err error
		secret, err = keyring.Get(service, account)
		return err
	})
	if err == nil {
		return secret, nil
	}
	if s.fallback != "" && (errors.Is(err, ErrNotFound) || errors.Is(err, ErrNoKeyring)) {
		m, ferr := s.readFile()
		if ferr != nil {
			return "", ferr
		}
		if v, ok := m[service][account]; ok {
			return v, nil
		}
		return "", fmt.Errorf("storage: no secret stored for %s/%s: %w", service, account, ErrNotFound)
	}
	if errors.Is(err, ErrNotFound) {
		return "", fmt.Errorf("storage: no secret stored for %s/%s: %w", service, account, ErrNotFound)
	}
	return "", s.wrap(err)
}

// Delete removes the secret for (service, account); ErrNotFound if there
// was none.
func (s *Secrets) Delete(ctx context.Context, service, account string) error {
	err := call(ctx, func() error { return keyring.Delete(service, account) })
	found := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) && !(errors.Is(err, ErrNoKeyring) && s.fallback != "") {
		return s.wrap(err)
	}
	if s.fallback != "" {
		var inFile bool
		if err := s.editFile(func(m fileSecrets) bool { inFile = m.remove(service, account); return inFile }); err != nil {
			return err
		}
		found = found || inFile
	}
	if !found {
		return fmt.Errorf("storage: no secret stored for %s/%s: %w", service, account, ErrNotFound)
	}
	return nil
}

// Probe reports whether the keyring answers: nil, or an error wrapping
// ErrNoKeyring that tells the user what to do. Use it to warn early.
func (s *Secrets) Probe(ctx context.Context) error {
	err := call(ctx, func() error {
		_, err := keyring.Get("taxii-workstation-probe", "probe")
		return err
	})
	if err == nil || errors.Is(err, ErrNotFound) {
		return nil
	}
	return s.wrap(err)
}

func (s *Secrets) wrap(err error) error {
	if !errors.Is(err, ErrNoKeyring) {
		return err
	}
	if s.fallback != "" {
		return fmt.Errorf("%w; using %s (%s)", err, s.fallback, FallbackWarning)
	}
	return fmt.Errorf("%w. Secrets are never written in plain text by default: start a keyring (on Linux a Secret Service such as GNOME Keyring or KWallet on the D-Bus session), or opt into the file fallback, where %s", err, FallbackWarning)
}

// call runs a keyring operation, which may block on D-Bus, until ctx is done,
// and classifies its error: ErrNotFound, ErrNoKeyring, or as is.
func call(ctx context.Context, op func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- op() }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		return ctx.Err()
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return err
	}
	// Anything else (unsupported platform, no D-Bus session, no Secret
	// Service, a locked collection the user refused to unlock) means the
	// keyring cannot be used.
	return fmt.Errorf("%w (%v)", ErrNoKeyring, err)
}

// fileSecrets is the fallback file's content: service -> account -> secret.
type fileSecrets map[string]map[string]string

func (m fileSecrets) put(service, account, secret string) {
	if m[service] == nil {
		m[service] = map[string]string{}
	}
	m[service][account] = secret
}

func (m fileSecrets) remove(service, account string) bool {
	if _, ok := m[service][account]; !ok {
		return false
	}
	delete(m[service], account)
	if len(m[service]) == 0 {
		delete(m, service)
	}
	return true
}

type fallbackDoc struct {
	Warning string      `json:"warning"`
	Secrets fileSecrets `json:"secrets"`
}

func (s *Secrets) readFile() (fileSecrets, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.readFileLocked()
}

func (s *Secrets) readFileLocked() (fileSecrets, error) {
	f, err := os.Open(s.fallback)
	if errors.Is(err, fs.ErrNotExist) {
		return fileSecrets{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("storage: open secrets file: %w", err)
	}
	defer f.Close()
	if runtime.GOOS != "windows" {
		info, err := f.Stat()
		if err != nil {
			return nil, fmt.Errorf("storage: secrets file: %w", err)
		}
		if info.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("storage: secrets file %s is readable by other users (mode %v); run chmod 600 %s", s.fallback, info.Mode().Perm(), s.fallback)
		}
	}
	var doc fallbackDoc
	if err := json.NewDecoder(f).Decode(&doc); err != nil {
		return nil, fmt.Errorf("storage: secrets file %s is damaged: %w", s.fallback, err)
	}
	if doc.Secrets == nil {
		doc.Secrets = fileSecrets{}
	}
	return doc.Secrets, nil
}

// editFile applies change and rewrites the file atomically (0600, temp file
// and rename) if change reports a modification.
func (s *Secrets) editFile(change func(fileSecrets) bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.readFileLocked()
	if err != nil {
		return err
	}
	if !change(m) {
		return nil
	}
	b, err := json.MarshalIndent(fallbackDoc{Warning: "TAXII Workstation: " + FallbackWarning, Secrets: m}, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(s.fallback)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("storage: secrets file: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".secrets-*") // CreateTemp makes the file 0600
	if err != nil {
		return fmt.Errorf("storage: secrets file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("storage: write secrets file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("storage: write secrets file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("storage: write secrets file: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.fallback); err != nil {
		return fmt.Errorf("storage: replace secrets file: %w", err)
	}
	return nil
}
