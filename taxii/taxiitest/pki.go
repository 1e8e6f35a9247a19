package taxiitest

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// PKI is a throw-away certificate authority for tests: a CA, a server
// certificate for 127.0.0.1 and localhost, and client certificates in every
// form a partner may hand out (PEM, encrypted PEM, encrypted PKCS#8, PKCS#12).
type PKI struct {
	CA    *x509.Certificate
	CAPEM []byte
	caKey *ecdsa.PrivateKey

	// Server is the server certificate (with its key) for 127.0.0.1/localhost.
	Server tls.Certificate
}

// NewPKI creates a CA and a server certificate.
func NewPKI() (*PKI, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "taxiitest CA", Organization: []string{"TAXII Workstation tests"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	p := &PKI{CA: ca, CAPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), caKey: key}
	certPEM, keyPEM, err := p.issue("127.0.0.1", true)
	if err != nil {
		return nil, err
	}
	p.Server, err = tls.X509KeyPair(certPEM, keyPEM)
	return p, err
}

// IssueClient returns a new client certificate and its unencrypted key
// (PKCS#8 PEM), signed by the CA.
func (p *PKI) IssueClient(commonName string) (certPEM, keyPEM []byte, err error) {
	return p.issue(commonName, false)
}

func (p *PKI) issue(cn string, server bool) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	sn, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: sn,
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
		tmpl.DNSNames = []string{"localhost"}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.CA, &key.PublicKey, p.caKey)
	if err != nil {
		return nil, nil, err
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), nil
}

// ServerTLS returns a server configuration with the server certificate that
// trusts client certificates signed by the CA. With requireClientCert the
// TLS handshake itself fails without one; otherwise Options.Auth.ClientCert
// makes the server answer UNAUTHORIZED instead.
func (p *PKI) ServerTLS(requireClientCert bool) *tls.Config {
	pool := x509.NewCertPool()
	pool.AddCert(p.CA)
	cfg := &tls.Config{Certificates: []tls.Certificate{p.Server}, MinVersion: tls.VersionTLS12, ClientCAs: pool}
	if requireClientCert {
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return cfg
}

// EncryptKeyLegacy encrypts a PEM private key the old OpenSSL way
// ("Proc-Type: 4,ENCRYPTED", AES-256-CBC).
func EncryptKeyLegacy(keyPEM []byte, password string) ([]byte, error) {
	blk, _ := pem.Decode(keyPEM)
	if blk == nil {
		return nil, fmt.Errorf("taxiitest: no PEM key")
	}
	//lint:ignore SA1019 tests must produce the legacy format partners still use.
	enc, err := x509.EncryptPEMBlock(rand.Reader, blk.Type, blk.Bytes, []byte(password), x509.PEMCipherAES256) //nolint:staticcheck
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(enc), nil
}

// EncryptKeyPKCS8 encrypts a PEM private key as "ENCRYPTED PRIVATE KEY"
// (PKCS#8 PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC), as "openssl pkcs8 -topk8
// -v2 aes256" writes it.
func EncryptKeyPKCS8(keyPEM []byte, password string) ([]byte, error) {
	blk, _ := pem.Decode(keyPEM)
	if blk == nil {
		return nil, fmt.Errorf("taxiitest: no PEM key")
	}
	salt, iv := make([]byte, 16), make([]byte, aes.BlockSize)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	if _, err := rand.Read(iv); err != nil {
		return nil, err
	}
	const iter = 2048
	key, err := pbkdf2.Key(sha256.New, password, salt, iter, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	n := aes.BlockSize - len(blk.Bytes)%aes.BlockSize
	plain := append(append([]byte(nil), blk.Bytes...), make([]byte, n)...)
	for i := len(blk.Bytes); i < len(plain); i++ {
		plain[i] = byte(n)
	}
	ct := make([]byte, len(plain))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(ct, plain)

	type algo struct {
		OID    asn1.ObjectIdentifier
		Params asn1.RawValue `asn1:"optional"`
	}
	raw := func(v any) (asn1.RawValue, error) {
		b, err := asn1.Marshal(v)
		return asn1.RawValue{FullBytes: b}, err
	}
	prf := algo{OID: asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}, Params: asn1.RawValue{Tag: asn1.TagNull}}
	kdfParams, err := raw(struct {
		Salt       []byte
		Iterations int
		PRF        algo
	}{salt, iter, prf})
	if err != nil {
		return nil, err
	}
	encScheme := struct {
		OID asn1.ObjectIdentifier
		IV  []byte
	}{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}, iv}
	pbes2, err := raw(struct {
		KDF algo
		Enc any
	}{algo{OID: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}, Params: kdfParams}, encScheme})
	if err != nil {
		return nil, err
	}
	der, err := asn1.Marshal(struct {
		Algo algo
		Data []byte
	}{algo{OID: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}, Params: pbes2}, ct})
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: der}), nil
}

// PKCS12 bundles a client certificate, its key and the CA into a
// password-protected PKCS#12 file.
func (p *PKI) PKCS12(certPEM, keyPEM []byte, password string) ([]byte, error) {
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, err
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		return nil, err
	}
	return pkcs12.Modern.Encode(cert.PrivateKey, leaf, []*x509.Certificate{p.CA}, password)
}

// ClientFiles are the paths written by WriteClientFiles.
type ClientFiles struct {
	CA, Cert, Key, KeyLegacy, KeyPKCS8, PKCS12 string
	Password                                   string // for the encrypted forms
}

// WriteClientFiles issues a client certificate and writes it to dir in every
// form: plain PEM key, legacy encrypted PEM, encrypted PKCS#8 and PKCS#12,
// all encrypted with password; plus the CA certificate.
func (p *PKI) WriteClientFiles(dir, commonName, password string) (ClientFiles, error) {
	certPEM, keyPEM, err := p.IssueClient(commonName)
	if err != nil {
		return ClientFiles{}, err
	}
	legacy, err := EncryptKeyLegacy(keyPEM, password)
	if err != nil {
		return ClientFiles{}, err
	}
	p8, err := EncryptKeyPKCS8(keyPEM, password)
	if err != nil {
		return ClientFiles{}, err
	}
	p12, err := p.PKCS12(certPEM, keyPEM, password)
	if err != nil {
		return ClientFiles{}, err
	}
	f := ClientFiles{
		CA: filepath.Join(dir, "ca.pem"), Cert: filepath.Join(dir, "client.pem"), Key: filepath.Join(dir, "client.key"),
		KeyLegacy: filepath.Join(dir, "client-legacy.key"), KeyPKCS8: filepath.Join(dir, "client-pkcs8.key"),
		PKCS12: filepath.Join(dir, "client.p12"), Password: password,
	}
	for path, data := range map[string][]byte{f.CA: p.CAPEM, f.Cert: certPEM, f.Key: keyPEM, f.KeyLegacy: legacy, f.KeyPKCS8: p8, f.PKCS12: p12} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return ClientFiles{}, err
		}
	}
	return f, nil
}
