package taxii

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"

	"software.sslmate.com/src/go-pkcs12"
)

// Auth holds the credentials for one server. Any combination may be set:
// basic auth, a client certificate (PEM or PKCS#12), a JWT login and extra
// headers are all sent together. The zero value sends no credentials.
type Auth struct {
	// Username and Password are sent as HTTP basic authentication when
	// Username is set.
	Username, Password string

	// CertFile and KeyFile name a PEM client certificate and its key (they may
	// be the same file). KeyPassword decrypts an encrypted key: a legacy
	// "Proc-Type: 4,ENCRYPTED" PEM or an "ENCRYPTED PRIVATE KEY" (PKCS#8,
	// PBES2 with PBKDF2 and AES or 3DES).
	CertFile, KeyFile, KeyPassword string

	// PKCS12File names a PKCS#12 (.p12/.pfx) bundle holding the client
	// certificate, its key and optionally its chain; PKCS12Password opens it.
	PKCS12File, PKCS12Password string

	// Certificate is an already loaded client certificate; it wins over the
	// file fields.
	Certificate *tls.Certificate

	// JWT, when set, logs in at a token URL and sends the token as
	// "Authorization: Bearer". It replaces basic authentication.
	JWT *JWTLogin

	// Headers are extra request headers, e.g. an API key. Their values are
	// redacted in the exchange log.
	Headers map[string]string
}

// apply sets the per-request credentials (basic auth and headers). The JWT
// bearer token is set by the client, which owns the token cache.
func (a *Auth) apply(req *http.Request) {
	for k, v := range a.Headers {
		req.Header.Set(k, v)
	}
	if a.Username != "" && a.JWT == nil {
		req.SetBasicAuth(a.Username, a.Password)
	}
}

func (a *Auth) secretHeaders() []string {
	out := make([]string, 0, len(a.Headers))
	for k := range a.Headers {
		out = append(out, k)
	}
	return out
}

// clientCertificate loads the configured client certificate, or returns nil.
func (a *Auth) clientCertificate() (*tls.Certificate, error) {
	switch {
	case a.Certificate != nil:
		return a.Certificate, nil
	case a.PKCS12File != "":
		return LoadPKCS12(a.PKCS12File, a.PKCS12Password)
	case a.CertFile != "":
		key := a.KeyFile
		if key == "" {
			key = a.CertFile
		}
		return LoadClientCertificate(a.CertFile, key, a.KeyPassword)
	}
	return nil, nil
}

// ErrKeyPassword is wrapped when a client key cannot be decrypted with the
// password given (or none was given for an encrypted key).
var ErrKeyPassword = errors.New("wrong or missing password for the encrypted private key")

// LoadClientCertificate reads a PEM certificate (with optional chain) and its
// private key. An encrypted key needs password.
func LoadClientCertificate(certFile, keyFile, password string) (*tls.Certificate, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, fmt.Errorf("taxii: read client certificate: %w", err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("taxii: read client key: %w", err)
	}
	return ParseClientCertificate(certPEM, keyPEM, password)
}

// ParseClientCertificate is LoadClientCertificate on bytes.
func ParseClientCertificate(certPEM, keyPEM []byte, password string) (*tls.Certificate, error) {
	keyDER, keyType, err := decodeKeyPEM(keyPEM, password)
	if err != nil {
		return nil, err
	}
	plain := pem.EncodeToMemory(&pem.Block{Type: keyType, Bytes: keyDER})
	cert, err := tls.X509KeyPair(onlyCertificates(certPEM), plain)
	if err != nil {
		return nil, fmt.Errorf("taxii: client certificate and key do not fit together: %w", err)
	}
	return &cert, nil
}

// onlyCertificates drops key blocks from a combined PEM file.
func onlyCertificates(b []byte) []byte {
	var out []byte
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return out
		}
		if blk.Type == "CERTIFICATE" {
			out = append(out, pem.EncodeToMemory(blk)...)
		}
	}
}

// decodeKeyPEM finds the private key block and returns it decrypted, with the
// PEM type that tls.X509KeyPair understands.
func decodeKeyPEM(b []byte, password string) ([]byte, string, error) {
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return nil, "", errors.New("taxii: no private key found in the key file; give the PEM key that belongs to the certificate")
		}
		switch {
		case blk.Type == "ENCRYPTED PRIVATE KEY":
			if password == "" {
				return nil, "", fmt.Errorf("taxii: the client key is encrypted: %w", ErrKeyPassword)
			}
			der, err := decryptPKCS8(blk.Bytes, []byte(password))
			if err != nil {
				return nil, "", fmt.Errorf("taxii: decrypt client key: %w", err)
			}
			return der, "PRIVATE KEY", nil
		case blk.Headers["Proc-Type"] == "4,ENCRYPTED":
			if password == "" {
				return nil, "", fmt.Errorf("taxii: the client key is encrypted: %w", ErrKeyPassword)
			}
			//lint:ignore SA1019 legacy encrypted PEM keys are still issued by partners; insecure but we only read them.
			der, err := x509.DecryptPEMBlock(blk, []byte(password)) //nolint:staticcheck
			if err != nil {
				return nil, "", fmt.Errorf("taxii: decrypt client key: %w", ErrKeyPassword)
			}
			return der, blk.Type, nil
		case blk.Type == "PRIVATE KEY" || blk.Type == "RSA PRIVATE KEY" || blk.Type == "EC PRIVATE KEY":
			return blk.Bytes, blk.Type, nil
		}
	}
}

// LoadPKCS12 reads a PKCS#12 bundle with the client certificate and key.
func LoadPKCS12(file, password string) (*tls.Certificate, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("taxii: read PKCS#12 bundle: %w", err)
	}
	return ParsePKCS12(b, password)
}

// ParsePKCS12 is LoadPKCS12 on bytes.
func ParsePKCS12(b []byte, password string) (*tls.Certificate, error) {
	key, leaf, chain, err := pkcs12.DecodeChain(b, password)
	if err != nil {
		if errors.Is(err, pkcs12.ErrIncorrectPassword) {
			return nil, fmt.Errorf("taxii: open PKCS#12 bundle: %w", ErrKeyPassword)
		}
		return nil, fmt.Errorf("taxii: open PKCS#12 bundle: %w", err)
	}
	cert := &tls.Certificate{PrivateKey: key, Leaf: leaf, Certificate: [][]byte{leaf.Raw}}
	for _, ca := range chain {
		cert.Certificate = append(cert.Certificate, ca.Raw)
	}
	return cert, nil
}
