package taxii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
)

// Encrypted PKCS#8 (RFC 5958 EncryptedPrivateKeyInfo with PBES2, RFC 8018),
// the format of "openssl pkcs8 -topk8" and of keys written by OpenSSL 1.1+.

var (
	oidPBES2      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACSHA384 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 10}
	oidHMACSHA512 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
	oidAES128CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	oidDESEDE3CBC = asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}
)

type pkcs8Encrypted struct {
	Algo struct {
		OID    asn1.ObjectIdentifier
		Params asn1.RawValue
	}
	Data []byte
}

type pbes2Params struct {
	KDF struct {
		OID    asn1.ObjectIdentifier
		Params asn1.RawValue
	}
	Cipher struct {
		OID asn1.ObjectIdentifier
		IV  []byte
	}
}

type pbkdf2Params struct {
	Salt       []byte
	Iterations int
	KeyLength  int `asn1:"optional"`
	PRF        struct {
		OID    asn1.ObjectIdentifier
		Params asn1.RawValue `asn1:"optional"`
	} `asn1:"optional"`
}

func decryptPKCS8(der, password []byte) ([]byte, error) {
	var info pkcs8Encrypted
	if _, err := asn1.Unmarshal(der, &info); err != nil {
		return nil, fmt.Errorf("read encrypted PKCS#8: %w", err)
	}
	if !info.Algo.OID.Equal(oidPBES2) {
		return nil, fmt.Errorf("encrypted PKCS#8 scheme %v is not supported (only PBES2); convert the key with openssl pkcs8 -topk8 -v2 aes256", info.Algo.OID)
	}
	var p pbes2Params
	if _, err := asn1.Unmarshal(info.Algo.Params.FullBytes, &p); err != nil {
		return nil, fmt.Errorf("read PBES2 parameters: %w", err)
	}
	if !p.KDF.OID.Equal(oidPBKDF2) {
		return nil, fmt.Errorf("key derivation %v is not supported (only PBKDF2)", p.KDF.OID)
	}
	var kp pbkdf2Params
	if _, err := asn1.Unmarshal(p.KDF.Params.FullBytes, &kp); err != nil {
		return nil, fmt.Errorf("read PBKDF2 parameters: %w", err)
	}
	var prf func() hash.Hash
	switch {
	case len(kp.PRF.OID) == 0 || kp.PRF.OID.Equal(oidHMACSHA1):
		prf = sha1.New
	case kp.PRF.OID.Equal(oidHMACSHA256):
		prf = sha256.New
	case kp.PRF.OID.Equal(oidHMACSHA384):
		prf = sha512.New384
	case kp.PRF.OID.Equal(oidHMACSHA512):
		prf = sha512.New
	default:
		return nil, fmt.Errorf("PBKDF2 hash %v is not supported", kp.PRF.OID)
	}
	var keyLen int
	var newCipher func([]byte) (cipher.Block, error)
	switch {
	case p.Cipher.OID.Equal(oidAES128CBC):
		keyLen, newCipher = 16, aes.NewCipher
	case p.Cipher.OID.Equal(oidAES192CBC):
		keyLen, newCipher = 24, aes.NewCipher
	case p.Cipher.OID.Equal(oidAES256CBC):
		keyLen, newCipher = 32, aes.NewCipher
	case p.Cipher.OID.Equal(oidDESEDE3CBC):
		keyLen, newCipher = 24, des.NewTripleDESCipher
	default:
		return nil, fmt.Errorf("cipher %v is not supported", p.Cipher.OID)
	}
	key, err := pbkdf2.Key(prf, string(password), kp.Salt, kp.Iterations, keyLen)
	if err != nil {
		return nil, err
	}
	block, err := newCipher(key)
	if err != nil {
		return nil, err
	}
	if len(p.Cipher.IV) != block.BlockSize() || len(info.Data) == 0 || len(info.Data)%block.BlockSize() != 0 {
		return nil, errors.New("malformed encrypted key")
	}
	out := make([]byte, len(info.Data))
	cipher.NewCBCDecrypter(block, p.Cipher.IV).CryptBlocks(out, info.Data)
	// PKCS#7 padding; a wrong password almost always shows up here or in the parse below.
	n := int(out[len(out)-1])
	if n == 0 || n > block.BlockSize() || n > len(out) {
		return nil, ErrKeyPassword
	}
	for _, b := range out[len(out)-n:] {
		if int(b) != n {
			return nil, ErrKeyPassword
		}
	}
	out = out[:len(out)-n]
	var probe asn1.RawValue
	if _, err := asn1.Unmarshal(out, &probe); err != nil {
		return nil, ErrKeyPassword
	}
	return out, nil
}
