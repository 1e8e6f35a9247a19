package taxii

import (
	"errors"
	"net"
	"net/http"
)

// Sender is who sent a request, as far as the server can tell.
type Sender struct {
	// Identity is the name the Authenticator returned (an account name, or
	// the name registered for a client certificate). It is empty when the
	// handler has no Authenticator.
	Identity string
	// RemoteAddr is the peer's host:port (http.Request.RemoteAddr).
	RemoteAddr string
	// CertFingerprint is the SHA-256 fingerprint of the TLS client
	// certificate in Fingerprint's format, or "" when none was presented.
	CertFingerprint string
	// CertSubject is the client certificate's subject, or "".
	CertSubject string
}

// Key returns the identity, or for anonymous senders the remote host (the
// port dropped): the key a rate limiter counts requests under.
func (s Sender) Key() string {
	if s.Identity != "" {
		return s.Identity
	}
	if host, _, err := net.SplitHostPort(s.RemoteAddr); err == nil {
		return host
	}
	return s.RemoteAddr
}

// String returns the identity and address for logs, e.g. "alice@192.0.2.7:51234".
func (s Sender) String() string {
	if s.Identity == "" {
		return "anonymous@" + s.RemoteAddr
	}
	return s.Identity + "@" + s.RemoteAddr
}

// senderOf reads the transport facts of r; Identity is filled in later.
func senderOf(r *http.Request) Sender {
	s := Sender{RemoteAddr: r.RemoteAddr}
	if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
		leaf := r.TLS.PeerCertificates[0]
		s.CertFingerprint = Fingerprint(leaf.Raw)
		s.CertSubject = leaf.Subject.String()
	}
	return s
}

// ClientCertFingerprint returns the SHA-256 fingerprint of the TLS client
// certificate r was sent with, in the format of Fingerprint (uppercase hex
// pairs joined by colons, as openssl prints it and as TLSConfig.PinSHA256
// accepts it), or "" when r came without one.
//
// The server must ask for certificates for there to be one: set
// tls.Config.ClientAuth to tls.RequestClientCert (accept any certificate and
// check its fingerprint here) or tls.VerifyClientCertIfGiven (also require
// a trusted CA). With Go's default, NoClientCert, no certificate is sent.
func ClientCertFingerprint(r *http.Request) string {
	return senderOf(r).CertFingerprint
}

// Authenticator decides who sent a request. It is given the whole request
// (basic credentials in the Authorization header, TLS peer certificates in
// r.TLS) and returns the sender's identity, or an error when the sender is
// not allowed in; the handler then answers UNAUTHORIZED without reading
// the body. The error is logged locally and never sent to the sender.
// Authenticate is called concurrently and must not read r.Body.
type Authenticator interface {
	Authenticate(r *http.Request) (identity string, err error)
}

// AuthenticatorFunc adapts a function to Authenticator.
type AuthenticatorFunc func(r *http.Request) (string, error)

// Authenticate calls f(r).
func (f AuthenticatorFunc) Authenticate(r *http.Request) (string, error) { return f(r) }

// Errors returned by CredentialAuth. Senders only ever see UNAUTHORIZED.
var (
	ErrNoCredentials      = errors.New("taxii: no credentials: neither basic authentication nor a client certificate")
	ErrBadPassword        = errors.New("taxii: wrong user name or password")
	ErrUnknownCertificate = errors.New("taxii: client certificate not registered")
)

// CredentialAuth is an Authenticator over two lookups the application
// provides: accounts with passwords, and registered client-certificate
// fingerprints. Every credential the sender presents that has a lookup must
// check out (a wrong password fails even with a good certificate), and at
// least one must. A certificate is ignored when Certificate is nil, basic
// credentials when Password is nil.
type CredentialAuth struct {
	// Password reports whether password is right for user. It should compare
	// a stored hash in constant time (e.g. bcrypt or argon2id).
	Password func(user, password string) bool
	// Certificate maps a client certificate fingerprint (Fingerprint format)
	// to an identity; ok is false for unknown certificates.
	Certificate func(fingerprint string) (identity string, ok bool)
}

// Authenticate implements Authenticator. The identity is the user name
// when basic credentials were given, else the certificate's identity.
func (a CredentialAuth) Authenticate(r *http.Request) (string, error) {
	identity := ""
	if user, pass, ok := r.BasicAuth(); ok && a.Password != nil {
		if user == "" || !a.Password(user, pass) {
			return "", ErrBadPassword
		}
		identity = user
	}
	if fp := ClientCertFingerprint(r); fp != "" && a.Certificate != nil {
		name, ok := a.Certificate(fp)
		if !ok {
			return "", ErrUnknownCertificate
		}
		if identity == "" {
			identity = name
		}
	}
	if identity == "" {
		return "", ErrNoCredentials
	}
	return identity, nil
}

// authenticate runs the handler's Authenticator, if any.
func authenticate(a Authenticator, r *http.Request, s *Sender) *Refusal {
	if a == nil {
		return nil
	}
	id, err := a.Authenticate(r)
	if err != nil {
		return refuse(StatusUnauthorized, err,
			"authentication failed or missing: send the user name and password or the client certificate this receiver registered for you")
	}
	s.Identity = id
	return nil
}
