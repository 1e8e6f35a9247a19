package apptest

import (
	"maps"
	"sync"
)

// Secrets is an in-memory app.Secrets. Err, when set, fails every call (a
// headless box without a keyring).
type Secrets struct {
	Err error

	mu sync.Mutex
	m  map[[2]string]string
}

// NewSecrets returns an empty keeper.
func NewSecrets() *Secrets { return &Secrets{m: map[[2]string]string{}} }

// Get returns a secret, "" when none is stored.
func (s *Secrets) Get(profile, key string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return "", s.Err
	}
	return s.m[[2]string{profile, key}], nil
}

// Set stores a secret.
func (s *Secrets) Set(profile, key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return s.Err
	}
	s.m[[2]string{profile, key}] = value
	return nil
}

// Delete removes a secret; a missing one is not an error.
func (s *Secrets) Delete(profile, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return s.Err
	}
	delete(s.m, [2]string{profile, key})
	return nil
}

// All returns a copy of every stored secret keyed by profile and key.
func (s *Secrets) All() map[[2]string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.m)
}
