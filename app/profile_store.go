package app

import (
	"encoding/json"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/taxii-workstation/taxii-workstation/storage"
)

// Keys of storage.Profile.Settings, which storage keeps opaque for us.
const (
	setPKCS12      = "pkcs12_file"
	setJWTURL      = "jwt_url"
	setJWTUser     = "jwt_username"
	setHeaders     = "headers" // JSON []Header, secret values blanked
	setInsecure    = "insecure_skip_verify"
	setProxy       = "proxy"
	setServices    = "service_addresses" // JSON map
	setPrecision   = "timestamp_precision"
	setTimeout     = "timeout"
	setStatusState = "status.state"
	setStatusAt    = "status.at"
	setStatusMsg   = "status.message"
	setSchedule    = "schedule." // + collection name: a Go duration
	setSubs        = "subscriptions"
)

// ownSettings are the keys a profile edit rewrites; others (status,
// schedules, subscriptions) survive an UpdateProfile.
var ownSettings = []string{setPKCS12, setJWTURL, setJWTUser, setHeaders, setInsecure, setProxy, setServices, setPrecision, setTimeout}

// Secret keys in the Secrets keeper, per profile.
const (
	secPassword    = "password"
	secKeyPassword = "key-password"
	secJWTPassword = "jwt-password"
	secHeader      = "header:" // + header name
)

func toStored(p Profile, keep map[string]string) storage.Profile {
	set := maps.Clone(keep)
	if set == nil {
		set = map[string]string{}
	}
	for _, k := range ownSettings {
		delete(set, k)
	}
	put := func(k, v string) {
		if v != "" {
			set[k] = v
		}
	}
	put(setPKCS12, p.PKCS12File)
	put(setJWTURL, p.JWTURL)
	put(setJWTUser, p.JWTUsername)
	var secretNames []string
	if len(p.Headers) > 0 {
		hs := make([]Header, len(p.Headers))
		for i, h := range p.Headers {
			if h.Secret {
				h.Value = ""
				secretNames = append(secretNames, h.Name)
			}
			hs[i] = h
		}
		b, _ := json.Marshal(hs)
		set[setHeaders] = string(b)
	}
	if p.InsecureSkipVerify {
		set[setInsecure] = "true"
	}
	put(setProxy, p.Proxy)
	if len(p.ServiceAddresses) > 0 {
		b, _ := json.Marshal(p.ServiceAddresses)
		set[setServices] = string(b)
	}
	put(setPrecision, string(p.TimestampPrecision))
	if p.Timeout > 0 {
		set[setTimeout] = p.Timeout.String()
	}
	if len(set) == 0 {
		set = nil
	}
	return storage.Profile{
		Name: p.Name, DiscoveryURL: p.DiscoveryURL, Version: string(p.Version), AuthKind: p.AuthSummary(),
		Username: p.Username, CertFile: p.CertFile, KeyFile: p.KeyFile, CAFile: p.CAFile,
		HeaderNames: secretNames, Settings: set,
	}
}

func fromStored(sp storage.Profile) Profile {
	set := sp.Settings
	p := Profile{
		Name: sp.Name, DiscoveryURL: sp.DiscoveryURL, Version: TAXIIVersion(sp.Version),
		Username: sp.Username, CertFile: sp.CertFile, KeyFile: sp.KeyFile, CAFile: sp.CAFile,
		PKCS12File: set[setPKCS12], JWTURL: set[setJWTURL], JWTUsername: set[setJWTUser],
		InsecureSkipVerify: set[setInsecure] == "true", Proxy: set[setProxy],
		TimestampPrecision: TimestampPrecision(set[setPrecision]),
		Created:            sp.Created, Updated: sp.Updated, Status: statusFromSettings(set),
	}
	if s := set[setHeaders]; s != "" {
		_ = json.Unmarshal([]byte(s), &p.Headers)
	}
	for _, n := range sp.HeaderNames { // secret headers not in the JSON (written by another tool)
		found := false
		for _, h := range p.Headers {
			found = found || h.Name == n
		}
		if !found {
			p.Headers = append(p.Headers, Header{Name: n, Secret: true})
		}
	}
	if s := set[setServices]; s != "" {
		_ = json.Unmarshal([]byte(s), &p.ServiceAddresses)
	}
	if d, err := time.ParseDuration(set[setTimeout]); err == nil {
		p.Timeout = d
	}
	return p
}

func statusFromSettings(set map[string]string) ConnStatus {
	st := ConnStatus{State: ConnState(set[setStatusState]), Message: set[setStatusMsg]}
	if ns, err := strconv.ParseInt(set[setStatusAt], 10, 64); err == nil {
		st.At = time.Unix(0, ns).UTC()
	}
	return st
}

// secretKeys lists the keyring keys p uses. Updates delete the keys a
// profile stops using, so these are all the keys it has.
func secretKeys(p Profile) []string {
	var ks []string
	if p.Username != "" {
		ks = append(ks, secPassword)
	}
	if p.CertFile != "" || p.PKCS12File != "" {
		ks = append(ks, secKeyPassword)
	}
	if p.JWTURL != "" {
		ks = append(ks, secJWTPassword)
	}
	for _, h := range p.Headers {
		if h.Secret {
			ks = append(ks, secHeader+h.Name)
		}
	}
	return ks
}

func credentialValue(c Credentials, key string) string {
	switch key {
	case secPassword:
		return c.Password
	case secKeyPassword:
		return c.KeyPassword
	case secJWTPassword:
		return c.JWTPassword
	}
	if name, ok := strings.CutPrefix(key, secHeader); ok {
		return c.Headers[name]
	}
	return ""
}

func setCredential(c *Credentials, key, v string) {
	switch key {
	case secPassword:
		c.Password = v
	case secKeyPassword:
		c.KeyPassword = v
	case secJWTPassword:
		c.JWTPassword = v
	default:
		if name, ok := strings.CutPrefix(key, secHeader); ok {
			if c.Headers == nil {
				c.Headers = map[string]string{}
			}
			c.Headers[name] = v
		}
	}
}

// loadCredentials reads p's secrets from the keeper.
func (a *App) loadCredentials(p Profile) (Credentials, error) {
	var c Credentials
	for _, k := range secretKeys(p) {
		v, err := a.secrets.Get(p.Name, k)
		if err != nil {
			return c, fmt.Errorf("app: read secret %s of %q from the keyring: %w", k, p.Name, err)
		}
		setCredential(&c, k, v)
	}
	return c, nil
}

// mergeCredentials fills the fields of c left empty from the stored secrets.
func (a *App) mergeCredentials(p Profile, c Credentials) (Credentials, error) {
	stored, err := a.loadCredentials(p)
	if err != nil {
		return c, err
	}
	out := Credentials{Headers: maps.Clone(c.Headers)}
	for _, k := range secretKeys(p) {
		v := credentialValue(c, k)
		if v == "" {
			v = credentialValue(stored, k)
		}
		setCredential(&out, k, v)
	}
	return out, nil
}

// saveSecrets writes the secrets p uses and deletes those old used but p
// does not.
func (a *App) saveSecrets(p Profile, c Credentials, old *Profile) error {
	used := map[string]bool{}
	for _, k := range secretKeys(p) {
		used[k] = true
		v := credentialValue(c, k)
		var err error
		if v == "" {
			err = a.secrets.Delete(p.Name, k)
		} else {
			err = a.secrets.Set(p.Name, k, v)
		}
		if err != nil {
			return fmt.Errorf("app: store secret %s of %q in the keyring (nothing was saved in plain text): %w", k, p.Name, err)
		}
	}
	if old != nil {
		for _, k := range secretKeys(*old) {
			if !used[k] {
				if err := a.secrets.Delete(p.Name, k); err != nil {
					return fmt.Errorf("app: remove unused secret %s of %q from the keyring: %w", k, p.Name, err)
				}
			}
		}
	}
	return nil
}
