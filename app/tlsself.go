package app

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/taxii-workstation/taxii-workstation/taxii"
)

// Files of the self-signed listener certificate in the data directory.
const (
	selfCertFile = "listener-cert.pem"
	selfKeyFile  = "listener-key.pem" // mode 0600
)

// selfSignedValidity is how long a generated certificate is valid.
const selfSignedValidity = 5 * 365 * 24 * time.Hour

// selfSigned returns the listener's self-signed certificate: loaded from
// dir when it was generated before, else generated (ECDSA P-256, valid for
// the loopback addresses, the host name and host) and saved there, the key
// with mode 0600. dir "" keeps a fresh certificate in memory only.
func selfSigned(dir, host string) (tls.Certificate, error) {
	certPath, keyPath := filepath.Join(dir, selfCertFile), filepath.Join(dir, selfKeyFile)
	if dir != "" {
		cert, err := tls.LoadX509KeyPair(certPath, keyPath)
		if err == nil {
			return withLeaf(cert)
		}
		if !errors.Is(err, os.ErrNotExist) {
			return tls.Certificate{}, fmt.Errorf("app: load the listener's self-signed certificate from %s: %w (delete both files to make a new one; partners must then pin the new fingerprint)", dir, err)
		}
	}
	certPEM, keyPEM, err := generateSelfSigned(host)
	if err != nil {
		return tls.Certificate{}, err
	}
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return tls.Certificate{}, fmt.Errorf("app: save the self-signed certificate: %w", err)
		}
		if err := os.WriteFile(keyPath, keyPEM, 0o600); err != nil {
			return tls.Certificate{}, fmt.Errorf("app: save the self-signed key: %w", err)
		}
		if err := os.WriteFile(certPath, certPEM, 0o644); err != nil {
			return tls.Certificate{}, fmt.Errorf("app: save the self-signed certificate: %w", err)
		}
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("app: self-signed certificate: %w", err)
	}
	return withLeaf(cert)
}

func generateSelfSigned(host string) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("app: generate a key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, fmt.Errorf("app: generate a serial number: %w", err)
	}
	name, _ := os.Hostname()
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "TAXII Workstation listener", Organization: []string{"TAXII Workstation"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(selfSignedValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	if name != "" && name != "localhost" {
		tmpl.DNSNames = append(tmpl.DNSNames, name)
	}
	if ip := net.ParseIP(host); ip != nil && !ip.IsLoopback() && !ip.IsUnspecified() {
		tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
	} else if host != "" && ip == nil && host != "localhost" && host != name {
		tmpl.DNSNames = append(tmpl.DNSNames, host)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("app: create the self-signed certificate: %w", err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("app: encode the key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), nil
}

// withLeaf parses the leaf so its fingerprint can be shown.
func withLeaf(c tls.Certificate) (tls.Certificate, error) {
	if c.Leaf != nil {
		return c, nil
	}
	if len(c.Certificate) == 0 {
		return c, errors.New("app: the certificate file holds no certificate")
	}
	leaf, err := x509.ParseCertificate(c.Certificate[0])
	if err != nil {
		return c, fmt.Errorf("app: parse the certificate: %w", err)
	}
	c.Leaf = leaf
	return c, nil
}

// certFingerprint is the leaf's SHA-256 fingerprint as taxii.Fingerprint
// writes it, the form partners pin.
func certFingerprint(c tls.Certificate) string {
	if len(c.Certificate) == 0 {
		return ""
	}
	return taxii.Fingerprint(c.Certificate[0])
}
