package app

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"slices"
	"sync"

	"golang.org/x/crypto/bcrypt"

	"github.com/taxii-workstation/taxii-workstation/taxii"
)

// HashPassword returns the bcrypt hash of a listener account's password,
// the only form in which it is stored.
func HashPassword(password string) (string, error) {
	if password == "" {
		return "", fmt.Errorf("app: an account needs a password")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("app: hash the password: %w (bcrypt takes at most 72 bytes)", err)
	}
	return string(h), nil
}

// WithAccount returns c with the account name set to password (hashed),
// replacing an account of that name.
func (c ListenerConfig) WithAccount(name, password string) (ListenerConfig, error) {
	h, err := HashPassword(password)
	if err != nil {
		return c, err
	}
	c = c.clone()
	c.Accounts = slices.DeleteFunc(c.Accounts, func(a ListenerAccount) bool { return a.Name == name })
	c.Accounts = append(c.Accounts, ListenerAccount{Name: name, PasswordHash: h})
	return c, nil
}

// WithoutAccount returns c without the named account.
func (c ListenerConfig) WithoutAccount(name string) ListenerConfig {
	c = c.clone()
	c.Accounts = slices.DeleteFunc(c.Accounts, func(a ListenerAccount) bool { return a.Name == name })
	return c
}

// WithClientCert returns c allowing the client certificate with this
// SHA-256 fingerprint in as name (replacing an entry with that fingerprint).
func (c ListenerConfig) WithClientCert(name, fingerprint string) ListenerConfig {
	c = c.clone()
	fp := normalizeFP(fingerprint)
	c.ClientCerts = slices.DeleteFunc(c.ClientCerts, func(x ListenerCert) bool { return normalizeFP(x.Fingerprint) == fp })
	c.ClientCerts = append(c.ClientCerts, ListenerCert{Name: name, Fingerprint: fingerprint})
	return c
}

// accessControl checks senders against the configured accounts and client
// certificates. Verifying a bcrypt hash takes tens of milliseconds, so
// credentials that verified once are remembered (as an HMAC under a key that
// lives only in this process, never the password) until the account changes;
// failed attempts always pay the full cost.
type accessControl struct {
	accounts map[string]string // name → bcrypt hash
	certs    map[string]string // normalized fingerprint → name
	key      [32]byte

	mu       sync.Mutex
	ok       map[[32]byte]bool
	inflight map[[32]byte]*check

	dummyOnce sync.Once
	dummyHash []byte
}

// maxVerified bounds the remembered credentials.
const maxVerified = 1024

func newAccessControl(c ListenerConfig) *accessControl {
	ac := &accessControl{accounts: map[string]string{}, certs: map[string]string{}, ok: map[[32]byte]bool{}, inflight: map[[32]byte]*check{}}
	_, _ = rand.Read(ac.key[:])
	for _, a := range c.Accounts {
		ac.accounts[a.Name] = a.PasswordHash
	}
	for _, cc := range c.ClientCerts {
		ac.certs[normalizeFP(cc.Fingerprint)] = cc.Name
	}
	return ac
}

// authenticator returns the taxii Authenticator, or nil when no access
// method is configured (anyone on a loopback address may push).
func (ac *accessControl) authenticator() taxii.Authenticator {
	if len(ac.accounts) == 0 && len(ac.certs) == 0 {
		return nil
	}
	auth := taxii.CredentialAuth{Password: ac.password}
	if len(ac.certs) > 0 {
		auth.Certificate = ac.certificate
	}
	return auth
}

func (ac *accessControl) password(user, password string) bool {
	hash, ok := ac.accounts[user]
	if !ok {
		// Spend the same time as for a known user, so timing does not
		// tell which accounts exist.
		_ = bcrypt.CompareHashAndPassword(ac.dummy(), []byte(password))
		return false
	}
	m := hmac.New(sha256.New, ac.key[:])
	m.Write([]byte(user))
	m.Write([]byte{0})
	m.Write([]byte(password))
	var sum [32]byte
	copy(sum[:], m.Sum(nil))
	ac.mu.Lock()
	if ac.ok[sum] {
		ac.mu.Unlock()
		return true
	}
	// Concurrent requests with the same credentials (a partner's parallel
	// pushes after a restart) wait for one check instead of each running
	// bcrypt.
	if c, ok := ac.inflight[sum]; ok {
		ac.mu.Unlock()
		<-c.done
		return c.ok
	}
	c := &check{done: make(chan struct{})}
	ac.inflight[sum] = c
	ac.mu.Unlock()

	c.ok = bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
	ac.mu.Lock()
	delete(ac.inflight, sum)
	if c.ok {
		if len(ac.ok) >= maxVerified {
			clear(ac.ok)
		}
		ac.ok[sum] = true
	}
	ac.mu.Unlock()
	close(c.done)
	return c.ok
}

// check is a password check in progress.
type check struct {
	done chan struct{}
	ok   bool
}

func (ac *accessControl) certificate(fingerprint string) (string, bool) {
	fp := normalizeFP(fingerprint)
	for known, name := range ac.certs {
		if subtle.ConstantTimeCompare([]byte(known), []byte(fp)) == 1 {
			return name, true
		}
	}
	return "", false
}

// dummy returns a bcrypt hash of a random password, made on first use,
// compared against for unknown user names.
func (ac *accessControl) dummy() []byte {
	ac.dummyOnce.Do(func() {
		pw := make([]byte, 16)
		_, _ = rand.Read(pw)
		ac.dummyHash, _ = bcrypt.GenerateFromPassword(pw, bcrypt.DefaultCost)
	})
	return ac.dummyHash
}
