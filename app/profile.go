package app

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// TAXIIVersion is the protocol version a profile speaks.
type TAXIIVersion string

// Versions. VersionAuto (the empty string) detects it from discovery.
const (
	VersionAuto TAXIIVersion = ""
	Version10   TAXIIVersion = "1.0"
	Version11   TAXIIVersion = "1.1"
)

// TimestampPrecision says how precise the timestamps we send a server are,
// for servers that reject fractional seconds. Begin timestamps are rounded
// down, so nothing is skipped (a few blocks may come again; they are known).
type TimestampPrecision string

// Precisions. PrecisionFull (the empty string) sends up to microseconds.
const (
	PrecisionFull    TimestampPrecision = ""
	PrecisionMillis  TimestampPrecision = "ms"
	PrecisionSeconds TimestampPrecision = "s"
)

// Header is an extra HTTP header sent with every request to a server, such
// as an API key. A Secret value lives in the keyring, not in the store;
// profiles read back from the App carry Secret values as "".
type Header struct {
	Name   string `json:"name"`
	Value  string `json:"value,omitempty"`
	Secret bool   `json:"secret,omitempty"`
}

// Profile is a saved server connection. Secrets are not part of it: they
// travel in Credentials and are kept by the Secrets keeper.
type Profile struct {
	Name         string       `json:"name"`
	DiscoveryURL string       `json:"discovery_url"`
	Version      TAXIIVersion `json:"version,omitempty"`

	// Basic authentication (password in Credentials).
	Username string `json:"username,omitempty"`
	// Client certificate: PEM certificate and key (key passphrase in
	// Credentials; KeyFile may be empty when the key is in CertFile), or a
	// PKCS#12 bundle (its password in Credentials.KeyPassword).
	CertFile   string `json:"cert_file,omitempty"`
	KeyFile    string `json:"key_file,omitempty"`
	PKCS12File string `json:"pkcs12_file,omitempty"`
	// JWT login: the token URL and user (password in Credentials.JWTPassword).
	JWTURL      string   `json:"jwt_url,omitempty"`
	JWTUsername string   `json:"jwt_username,omitempty"`
	Headers     []Header `json:"headers,omitempty"`

	// CAFile adds a private CA to the system roots.
	CAFile string `json:"ca_file,omitempty"`
	// InsecureSkipVerify turns certificate verification off for this
	// server; every request then logs a warning.
	InsecureSkipVerify bool `json:"insecure_skip_verify,omitempty"`
	// Proxy is "" for the environment's proxy, "direct" for none, or a URL.
	Proxy string `json:"proxy,omitempty"`
	// ServiceAddresses overrides discovered addresses by service type
	// ("POLL", "INBOX", "COLLECTION_MANAGEMENT", "DISCOVERY"), for servers
	// that advertise addresses unusable from here.
	ServiceAddresses map[string]string `json:"service_addresses,omitempty"`
	// TimestampPrecision is for servers that reject fractional seconds.
	TimestampPrecision TimestampPrecision `json:"timestamp_precision,omitempty"`
	// Timeout bounds one request; zero means the client's default.
	Timeout time.Duration `json:"timeout,omitempty"`

	// Read-only, filled in by the App.
	Created time.Time  `json:"created,omitzero"`
	Updated time.Time  `json:"updated,omitzero"`
	Status  ConnStatus `json:"status,omitzero"`
	// AdHoc is true for a profile built from command-line flags with
	// UseAdHoc: it lives in memory only.
	AdHoc bool `json:"ad_hoc,omitempty"`
	// DetectedVersion is the version the last stored discovery found
	// (filled in for a ClientFactory when Version is auto), so a TAXII 1.0
	// server is spoken to in 1.0 without discovering it again.
	DetectedVersion TAXIIVersion `json:"detected_version,omitempty"`
}

// Credentials are a profile's secrets. In Update an empty field keeps the
// stored secret; secrets the profile no longer uses are deleted.
type Credentials struct {
	Password    string            // HTTP basic password
	KeyPassword string            // passphrase of the PEM key or the PKCS#12 bundle
	JWTPassword string            // JWT login password
	Headers     map[string]string // values of the profile's Secret headers, by name
}

// AuthSummary describes the profile's authentication in a few words, such
// as "basic + certificate".
func (p *Profile) AuthSummary() string {
	var parts []string
	if p.Username != "" {
		parts = append(parts, "basic")
	}
	if p.CertFile != "" || p.PKCS12File != "" {
		parts = append(parts, "certificate")
	}
	if p.JWTURL != "" {
		parts = append(parts, "JWT")
	}
	if len(p.Headers) > 0 {
		parts = append(parts, "headers")
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " + ")
}

// ConnState is a server's connection status, shown as a dot.
type ConnState string

// Connection states.
const (
	NeverTried ConnState = ""
	Reachable  ConnState = "reachable"
	Failing    ConnState = "failing"
)

// ConnStatus is the outcome of the latest connection test (or request).
type ConnStatus struct {
	State   ConnState `json:"state,omitempty"`
	At      time.Time `json:"at,omitzero"`
	Message string    `json:"message,omitempty"` // the error in words when Failing
}

// ListProfiles returns the saved profiles sorted by name.
func (a *App) ListProfiles(ctx context.Context) ([]Profile, error) {
	sps, err := a.store.Profiles(ctx)
	if err != nil {
		return nil, fmt.Errorf("app: list profiles: %w", err)
	}
	out := make([]Profile, 0, len(sps))
	for _, sp := range sps {
		out = append(out, fromStored(sp))
	}
	return out, nil
}

// GetProfile returns a profile (saved, or ad hoc from UseAdHoc) by name.
func (a *App) GetProfile(ctx context.Context, name string) (Profile, error) {
	a.mu.Lock()
	ah, ok := a.adhoc[name]
	a.mu.Unlock()
	if ok {
		return ah.p, nil
	}
	sp, err := a.store.Profile(ctx, name)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return Profile{}, fmt.Errorf("app: no server profile named %q; add it first (profiles add) or check the name: %w", name, ErrNotFound)
		}
		return Profile{}, fmt.Errorf("app: read profile %q: %w", name, err)
	}
	return fromStored(sp), nil
}

// AddProfile validates p and its credentials (names, URLs, readable files,
// certificate and key with their passphrase) before anything is stored or
// sent, then saves p in the store and the credentials in Secrets. A profile
// of that name must not exist.
func (a *App) AddProfile(ctx context.Context, p Profile, c Credentials) error {
	p = normalize(p)
	if err := Validate(p, c); err != nil {
		return err
	}
	a.profMu.Lock()
	if _, err := a.store.Profile(ctx, p.Name); err == nil {
		a.profMu.Unlock()
		return &ValidationError{Problems: []Problem{{Field: FieldName, Message: fmt.Sprintf("a profile named %q exists already; choose another name or edit that one", p.Name)}}}
	} else if !errors.Is(err, ErrNotFound) {
		a.profMu.Unlock()
		return fmt.Errorf("app: add profile %q: %w", p.Name, err)
	}
	if err := a.saveSecrets(p, c, nil); err != nil {
		a.profMu.Unlock()
		return err
	}
	err := a.store.PutProfile(ctx, toStored(p, nil))
	a.profMu.Unlock()
	if err != nil {
		return fmt.Errorf("app: save profile %q: %w", p.Name, err)
	}
	a.publish(Event{Kind: ProfileAdded, Server: p.Name})
	return nil
}

// UpdateProfile replaces the saved profile p.Name (renaming is not
// supported: the cache is keyed by the name). Empty credential fields keep
// the stored secrets; secrets p no longer uses are deleted. The schedule,
// status and subscriptions recorded for the profile are kept.
func (a *App) UpdateProfile(ctx context.Context, p Profile, c Credentials) error {
	p = normalize(p)
	a.profMu.Lock()
	old, err := a.store.Profile(ctx, p.Name)
	if err != nil {
		a.profMu.Unlock()
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("app: no server profile named %q to update: %w", p.Name, ErrNotFound)
		}
		return fmt.Errorf("app: update profile %q: %w", p.Name, err)
	}
	merged, err := a.mergeCredentials(p, c)
	if err != nil {
		a.profMu.Unlock()
		return err
	}
	if err := Validate(p, merged); err != nil {
		a.profMu.Unlock()
		return err
	}
	oldP := fromStored(old)
	if err := a.saveSecrets(p, merged, &oldP); err != nil {
		a.profMu.Unlock()
		return err
	}
	err = a.store.PutProfile(ctx, toStored(p, old.Settings))
	a.profMu.Unlock()
	if err != nil {
		return fmt.Errorf("app: save profile %q: %w", p.Name, err)
	}
	a.dropClient(p.Name)
	a.publish(Event{Kind: ProfileUpdated, Server: p.Name})
	return nil
}

// RemoveProfile deletes a profile, its secrets, its discovery snapshots and
// cursors. Cached blocks stay (they may be seen elsewhere); prune removes them.
func (a *App) RemoveProfile(ctx context.Context, name string) error {
	a.profMu.Lock()
	sp, err := a.store.Profile(ctx, name)
	if err != nil {
		a.profMu.Unlock()
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("app: no server profile named %q to remove: %w", name, ErrNotFound)
		}
		return fmt.Errorf("app: remove profile %q: %w", name, err)
	}
	p := fromStored(sp)
	var serr error
	for _, k := range secretKeys(p) {
		if err := a.secrets.Delete(name, k); err != nil && serr == nil {
			serr = fmt.Errorf("app: remove secret %s of %q from the keyring: %w", k, name, err)
		}
	}
	err = a.store.DeleteProfile(ctx, name)
	a.profMu.Unlock()
	if err != nil {
		return fmt.Errorf("app: remove profile %q: %w", name, err)
	}
	a.dropClient(name)
	a.publish(Event{Kind: ProfileRemoved, Server: name})
	return serr
}

// adhocProfile is a profile from command-line flags, held in memory.
type adhocProfile struct {
	p Profile
	c Credentials
}

// UseAdHoc registers a profile built from command-line flags (--url and the
// auth flags) for this App's lifetime, without storing it or its secrets.
// It is validated like a saved profile. Its name is p.Name, or the URL's
// host when empty, and is what the cache files its blocks and cursors
// under. It returns the name to pass to the other methods.
func (a *App) UseAdHoc(p Profile, c Credentials) (string, error) {
	if p.Name == "" {
		u, err := url.Parse(strings.TrimSpace(p.DiscoveryURL))
		if err != nil || u.Host == "" {
			return "", &ValidationError{Problems: []Problem{{Field: FieldURL, Message: fmt.Sprintf("%q is not a URL like https://taxii.example.org/taxii-discovery-service", p.DiscoveryURL)}}}
		}
		p.Name = u.Host
	}
	p = normalize(p)
	p.AdHoc = true
	if err := Validate(p, c); err != nil {
		return "", err
	}
	a.mu.Lock()
	a.adhoc[p.Name] = adhocProfile{p: p, c: c}
	a.mu.Unlock()
	a.dropClient(p.Name)
	return p.Name, nil
}

// profileAndCredentials loads what a client for server needs.
func (a *App) profileAndCredentials(ctx context.Context, server string) (Profile, Credentials, error) {
	a.mu.Lock()
	ah, ok := a.adhoc[server]
	a.mu.Unlock()
	if ok {
		return ah.p, ah.c, nil
	}
	p, err := a.GetProfile(ctx, server)
	if err != nil {
		return Profile{}, Credentials{}, err
	}
	c, err := a.loadCredentials(p)
	return p, c, err
}

func normalize(p Profile) Profile {
	p.Name = strings.TrimSpace(p.Name)
	p.DiscoveryURL = strings.TrimSpace(p.DiscoveryURL)
	p.Headers = slices.Clone(p.Headers)
	for i := range p.Headers {
		p.Headers[i].Name = strings.TrimSpace(p.Headers[i].Name)
	}
	return p
}
