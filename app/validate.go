package app

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"unicode"

	"github.com/taxii-workstation/taxii-workstation/taxii"
)

// Form fields a Problem can point at, so a form can show it beside the field.
const (
	FieldName       = "name"
	FieldURL        = "discovery_url"
	FieldVersion    = "version"
	FieldCertFile   = "cert_file"
	FieldKeyFile    = "key_file"
	FieldPKCS12File = "pkcs12_file"
	FieldKeyPass    = "key_password"
	FieldJWTURL     = "jwt_url"
	FieldHeaders    = "headers"
	FieldCAFile     = "ca_file"
	FieldProxy      = "proxy"
	FieldServices   = "service_addresses"
	FieldPrecision  = "timestamp_precision"
)

// Problem is one thing wrong with a profile, in words.
type Problem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError lists everything wrong with a profile. Nothing was stored
// or sent.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Message
	}
	return "app: the profile is not valid: " + strings.Join(msgs, "; ")
}

// For returns the message for field, or "".
func (e *ValidationError) For(field string) string {
	for _, p := range e.Problems {
		if p.Field == field {
			return p.Message
		}
	}
	return ""
}

// maxNameLen bounds profile names (they are part of cache keys).
const maxNameLen = 200

// Validate checks a profile and its credentials without any network
// request: a usable name, a well-formed http/https URL, files that exist
// and are readable, a client certificate and key that parse with the
// passphrase, a CA file holding certificates, well-formed proxy and
// override URLs and header names. It returns a *ValidationError.
func Validate(p Profile, c Credentials) error {
	var v ValidationError
	add := func(field, format string, args ...any) {
		v.Problems = append(v.Problems, Problem{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	switch {
	case p.Name == "":
		add(FieldName, "give the server a name")
	case len(p.Name) > maxNameLen:
		add(FieldName, "the name is longer than %d characters; shorten it", maxNameLen)
	case strings.ContainsFunc(p.Name, func(r rune) bool { return r == 0 || unicode.IsControl(r) }):
		add(FieldName, "the name contains control characters; use letters, digits and punctuation")
	}
	if msg := checkHTTPURL(p.DiscoveryURL); msg != "" {
		add(FieldURL, "discovery URL: %s", msg)
	}
	switch p.Version {
	case VersionAuto, Version10, Version11:
	default:
		add(FieldVersion, "TAXII version %q is not one of auto, 1.0, 1.1", p.Version)
	}
	certOK := true
	for _, f := range []struct{ field, what, path string }{
		{FieldCertFile, "client certificate", p.CertFile},
		{FieldKeyFile, "client key", p.KeyFile},
		{FieldPKCS12File, "PKCS#12 bundle", p.PKCS12File},
		{FieldCAFile, "CA file", p.CAFile},
	} {
		if f.path == "" {
			continue
		}
		if msg := checkReadable(f.path); msg != "" {
			add(f.field, "%s %s", f.what, msg)
			if f.field != FieldCAFile {
				certOK = false
			}
		}
	}
	if p.KeyFile != "" && p.CertFile == "" {
		add(FieldCertFile, "a client key was given without its certificate; choose the certificate file too")
		certOK = false
	}
	if p.PKCS12File != "" && p.CertFile != "" {
		add(FieldPKCS12File, "choose either a PEM certificate and key or a PKCS#12 bundle, not both")
		certOK = false
	}
	if certOK && p.CertFile != "" {
		key := p.KeyFile
		if key == "" {
			key = p.CertFile
		}
		if _, err := taxii.LoadClientCertificate(p.CertFile, key, c.KeyPassword); err != nil {
			field := FieldCertFile
			if errors.Is(err, taxii.ErrKeyPassword) {
				field = FieldKeyPass
			}
			add(field, "client certificate: %v", trimPrefix(err))
		}
	}
	if certOK && p.PKCS12File != "" {
		if _, err := taxii.LoadPKCS12(p.PKCS12File, c.KeyPassword); err != nil {
			field := FieldPKCS12File
			if errors.Is(err, taxii.ErrKeyPassword) {
				field = FieldKeyPass
			}
			add(field, "PKCS#12 bundle: %v", trimPrefix(err))
		}
	}
	if p.CAFile != "" && checkReadable(p.CAFile) == "" {
		if b, err := os.ReadFile(p.CAFile); err == nil && !x509.NewCertPool().AppendCertsFromPEM(b) {
			add(FieldCAFile, "CA file %s holds no PEM certificate", p.CAFile)
		}
	}
	if p.JWTURL != "" {
		if msg := checkHTTPURL(p.JWTURL); msg != "" {
			add(FieldJWTURL, "JWT login URL: %s", msg)
		}
		if p.JWTUsername == "" {
			add(FieldJWTURL, "a JWT login needs a user name")
		}
	}
	seen := map[string]bool{}
	for _, h := range p.Headers {
		canon := http.CanonicalHeaderKey(h.Name)
		switch {
		case h.Name == "" || strings.ContainsFunc(h.Name, func(r rune) bool { return r <= ' ' || r >= 0x7f || strings.ContainsRune("()<>@,;:\\\"/[]?={}", r) }):
			add(FieldHeaders, "header name %q is not valid; use letters, digits and '-', like X-API-Key", h.Name)
		case seen[canon]:
			add(FieldHeaders, "header %s is given twice", h.Name)
		case strings.ContainsAny(h.Value, "\r\n") || strings.ContainsAny(c.Headers[h.Name], "\r\n"):
			add(FieldHeaders, "the value of header %s contains a line break", h.Name)
		}
		seen[canon] = true
	}
	if p.Proxy != "" && p.Proxy != "direct" {
		u, err := url.Parse(p.Proxy)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "socks5") {
			add(FieldProxy, "proxy %q is not a URL like http://proxy.example.org:3128 (or \"direct\" for none)", p.Proxy)
		}
	}
	for typ, addr := range p.ServiceAddresses {
		switch taxii.ServiceType(typ) {
		case taxii.ServiceDiscovery, taxii.ServicePoll, taxii.ServiceInbox, taxii.ServiceCollectionManagement:
		default:
			add(FieldServices, "%q is not a TAXII service type (POLL, INBOX, COLLECTION_MANAGEMENT, DISCOVERY)", typ)
			continue
		}
		if msg := checkHTTPURL(addr); msg != "" {
			add(FieldServices, "address for %s: %s", typ, msg)
		}
	}
	switch p.TimestampPrecision {
	case PrecisionFull, PrecisionMillis, PrecisionSeconds:
	default:
		add(FieldPrecision, "timestamp precision %q is not one of full, ms, s", p.TimestampPrecision)
	}
	if len(v.Problems) > 0 {
		return &v
	}
	return nil
}

func checkHTTPURL(raw string) string {
	if raw == "" {
		return "give the address, like https://taxii.example.org/taxii-discovery-service"
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Sprintf("%q is not a well-formed URL", raw)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Sprintf("%q must start with https:// (or http://)", raw)
	case u.Host == "" || u.Hostname() == "":
		return fmt.Sprintf("%q has no host name", raw)
	}
	return ""
}

func checkReadable(path string) string {
	f, err := os.Open(path)
	if err != nil {
		switch {
		case errors.Is(err, os.ErrNotExist):
			return fmt.Sprintf("%s does not exist; choose the file again", path)
		case errors.Is(err, os.ErrPermission):
			return fmt.Sprintf("%s cannot be read (permission denied); fix its permissions", path)
		}
		return fmt.Sprintf("%s cannot be opened: %v", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err == nil && st.IsDir() {
		return fmt.Sprintf("%s is a folder, not a file", path)
	}
	if _, err := f.Read(make([]byte, 1)); err != nil {
		return fmt.Sprintf("%s cannot be read or is empty", path)
	}
	return ""
}

// trimPrefix drops the "taxii: " package prefix from messages meant for users.
func trimPrefix(err error) string { return strings.TrimPrefix(err.Error(), "taxii: ") }
