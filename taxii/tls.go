package taxii

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
)

// TLSConfig says how the client checks the server on HTTPS. The zero value
// verifies against the system roots.
type TLSConfig struct {
	// CAFile names a PEM file of extra CA certificates to trust, added to the
	// system roots (for partners with a private CA). CAPEM is the same as bytes.
	CAFile string
	CAPEM  []byte

	// InsecureSkipVerify switches certificate verification off for this
	// server. Every request then triggers a warning through Client.Warn.
	InsecureSkipVerify bool

	// PinSHA256, when set, is the SHA-256 fingerprint the server's leaf
	// certificate must have (hex, colons and case ignored). It is checked
	// in addition to normal verification, and also when that is switched off.
	PinSHA256 string

	// ServerName overrides the name checked in the server certificate.
	ServerName string
}

// ErrPinMismatch is wrapped when the server certificate is not the pinned one.
var ErrPinMismatch = errors.New("the server certificate does not match the pinned fingerprint (it changed, or someone is intercepting the connection)")

// Fingerprint returns the SHA-256 fingerprint of a DER certificate as
// uppercase hex pairs separated by colons, as openssl prints it.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	var b strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

func normalizeFingerprint(s string) string {
	r := strings.NewReplacer(":", "", " ", "", "-", "")
	return strings.ToLower(r.Replace(strings.TrimSpace(s)))
}

// tlsClientConfig builds the crypto/tls configuration for this client.
func (c *Client) tlsClientConfig() (*tls.Config, error) {
	cfg := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: c.TLS.InsecureSkipVerify,
		ServerName:         c.TLS.ServerName,
	}
	if c.TLS.CAFile != "" || len(c.TLS.CAPEM) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		pemData := c.TLS.CAPEM
		if c.TLS.CAFile != "" {
			b, err := os.ReadFile(c.TLS.CAFile)
			if err != nil {
				return nil, fmt.Errorf("taxii: read CA file: %w", err)
			}
			pemData = append(append([]byte(nil), pemData...), b...)
		}
		if !pool.AppendCertsFromPEM(pemData) {
			return nil, fmt.Errorf("taxii: CA file %q holds no PEM certificate; export the CA certificate as PEM", c.TLS.CAFile)
		}
		cfg.RootCAs = pool
	}
	cert, err := c.Auth.clientCertificate()
	if err != nil {
		return nil, err
	}
	if cert != nil {
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return cert, nil }
	}
	if pin := normalizeFingerprint(c.TLS.PinSHA256); pin != "" {
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("taxii: server sent no certificate")
			}
			got := Fingerprint(cs.PeerCertificates[0].Raw)
			if normalizeFingerprint(got) != pin {
				return fmt.Errorf("taxii: server certificate fingerprint %s does not match the pinned %s: %w", got, c.TLS.PinSHA256, ErrPinMismatch)
			}
			return nil
		}
	}
	return cfg, nil
}

func tlsInfo(cs *tls.ConnectionState, verified bool) *TLSInfo {
	if cs == nil || len(cs.PeerCertificates) == 0 {
		return nil
	}
	leaf := cs.PeerCertificates[0]
	return &TLSInfo{
		Version:     tls.VersionName(cs.Version),
		Subject:     leaf.Subject.String(),
		Issuer:      leaf.Issuer.String(),
		NotAfter:    leaf.NotAfter,
		Fingerprint: Fingerprint(leaf.Raw),
		Verified:    verified,
	}
}

// FetchCertificate connects to the HTTPS server of rawURL and returns its
// certificate without verifying it, so a user can compare the fingerprint
// with one the partner gave them and pin it. It sends no request.
func (c *Client) FetchCertificate(ctx context.Context, rawURL string) (*TLSInfo, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("taxii: parse URL: %w", err)
	}
	if u.Scheme != "https" {
		return nil, fmt.Errorf("taxii: %s is not an https address", u.Redacted())
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "443")
	}
	d := &tls.Dialer{
		NetDialer: &net.Dialer{Timeout: c.connectTimeout()},
		Config:    &tls.Config{InsecureSkipVerify: true, ServerName: u.Hostname()}, // #nosec: inspection only, no data sent
	}
	ctx, cancel := context.WithTimeout(ctx, c.connectTimeout())
	defer cancel()
	conn, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return nil, fmt.Errorf("taxii: connect to %s: %w", host, err)
	}
	defer conn.Close()
	cs := conn.(*tls.Conn).ConnectionState()
	return tlsInfo(&cs, false), nil
}
