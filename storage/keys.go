package storage

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"time"
)

// Key prefixes, one byte per record kind. The layout is documented in doc.go;
// change it only together with a schema migration.
const (
	pfxMeta            byte = '!' // '!' name                         -> store metadata (schema version)
	pfxProfile         byte = 'P' // 'P' name 0x00                    -> JSON Profile
	pfxServices        byte = 'S' // 'S' server 0x00                  -> JSON ServicesSnapshot
	pfxCollSnap        byte = 'C' // 'C' server 0x00                  -> JSON CollectionsSnapshot
	pfxCursor          byte = 'U' // 'U' server 0x00 collection 0x00  -> JSON Cursor
	pfxContent         byte = 'K' // 'K' sha256                       -> content bytes
	pfxBlockMeta       byte = 'M' // 'M' sha256                       -> JSON BlockMeta
	pfxByColl          byte = 'B' // 'B' server 0x00 coll 0x00 BE(t) sha256 -> empty
	pfxSeen            byte = 'W' // 'W' sha256 'p' server 0x00 coll 0x00 | 'W' sha256 'l' BE(t) -> JSON Sighting
	pfxListener        byte = 'L' // 'L' BE(received) sha256          -> review state (1 byte)
	pfxReview          byte = 'Q' // 'Q' state BE(received) sha256    -> empty
	pfxReceipt         byte = 'X' // 'X' BE(sent) id                  -> JSON Receipt
	pfxTotals          byte = 'G' // 'G'                              -> totals (3 x BE uint64)
	pfxCollCount       byte = 'N' // 'N' server 0x00 collection 0x00  -> BE uint64 entries
	seenPoll           byte = 'p'
	seenListener       byte = 'l'
	hashLen                 = sha256.Size
	timeLen                 = 8
	schemaKeyName           = "schema"
	maxKeyFieldLen          = 4096 // names longer than this are rejected (Badger keys max 64 KiB)
	tokenVersionPrefix      = "v1."
)

var (
	keySchema = []byte{pfxMeta, 's', 'c', 'h', 'e', 'm', 'a'}
	keyTotals = []byte{pfxTotals}
)

// BlockID identifies a content block: the SHA-256 of its content bytes.
type BlockID [sha256.Size]byte

// IDOf returns the BlockID of content.
func IDOf(content []byte) BlockID { return sha256.Sum256(content) }

// String returns the ID as 64 lowercase hex digits.
func (id BlockID) String() string { return hex.EncodeToString(id[:]) }

// Short returns the first 12 hex digits, enough to tell blocks apart on screen.
func (id BlockID) Short() string { return hex.EncodeToString(id[:6]) }

// MarshalText encodes the ID as hex, so JSON shows the familiar sha256 form.
func (id BlockID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText decodes 64 hex digits.
func (id *BlockID) UnmarshalText(b []byte) error {
	p, err := ParseBlockID(string(b))
	if err != nil {
		return err
	}
	*id = p
	return nil
}

// ParseBlockID parses the 64-hex-digit form returned by String.
func ParseBlockID(s string) (BlockID, error) {
	var id BlockID
	if len(s) != 2*hashLen {
		return id, fmt.Errorf("storage: block id %q: want %d hex digits (a SHA-256), got %d", s, 2*hashLen, len(s))
	}
	if _, err := hex.Decode(id[:], []byte(s)); err != nil {
		return id, fmt.Errorf("storage: block id %q: %w", s, err)
	}
	return id, nil
}

// appendTime appends t as big-endian nanoseconds since 1970, so byte order is
// time order. Times before 1970 (and the zero time) clamp to 0; times past
// 2262 clamp to the maximum.
func appendTime(b []byte, t time.Time) []byte {
	return binary.BigEndian.AppendUint64(b, timeBits(t))
}

func timeBits(t time.Time) uint64 {
	if t.IsZero() || t.Unix() < 0 {
		return 0
	}
	if t.Unix() >= math.MaxInt64/int64(time.Second) {
		return math.MaxInt64
	}
	return uint64(t.UnixNano())
}

func readTime(b []byte) time.Time {
	n := binary.BigEndian.Uint64(b)
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, int64(n)).UTC()
}

// appendString appends s and its 0x00 terminator. Names with a NUL byte are
// rejected by checkName before any key is built.
func appendString(b []byte, s string) []byte {
	b = append(b, s...)
	return append(b, 0x00)
}

func checkName(what, s string) error {
	if s == "" {
		return fmt.Errorf("storage: %s is empty", what)
	}
	if len(s) > maxKeyFieldLen {
		return fmt.Errorf("storage: %s is %d bytes long; at most %d are allowed", what, len(s), maxKeyFieldLen)
	}
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return fmt.Errorf("storage: %s %q contains a NUL byte", what, s)
		}
	}
	return nil
}

func nameKey(pfx byte, name string) []byte {
	return appendString([]byte{pfx}, name)
}

func pairKey(pfx byte, server, collection string) []byte {
	k := make([]byte, 0, 3+len(server)+len(collection))
	k = append(k, pfx)
	k = appendString(k, server)
	return appendString(k, collection)
}

func contentKey(id BlockID) []byte { return append([]byte{pfxContent}, id[:]...) }
func metaKey(id BlockID) []byte    { return append([]byte{pfxBlockMeta}, id[:]...) }

// collPrefix is 'B' server 0x00 collection 0x00; entries follow as BE(t) sha256.
func collPrefix(server, collection string) []byte { return pairKey(pfxByColl, server, collection) }

func collEntryKey(server, collection string, t time.Time, id BlockID) []byte {
	k := appendTime(collPrefix(server, collection), t)
	return append(k, id[:]...)
}

func seenPrefix(id BlockID) []byte { return append([]byte{pfxSeen}, id[:]...) }

func seenPollKey(id BlockID, server, collection string) []byte {
	k := append(seenPrefix(id), seenPoll)
	k = appendString(k, server)
	return appendString(k, collection)
}

func seenListenerKey(id BlockID, received time.Time) []byte {
	k := append(seenPrefix(id), seenListener)
	return appendTime(k, received)
}

func listenerKey(received time.Time, id BlockID) []byte {
	k := appendTime([]byte{pfxListener}, received)
	return append(k, id[:]...)
}

func reviewKey(state ReviewState, received time.Time, id BlockID) []byte {
	k := appendTime([]byte{pfxReview, byte(state)}, received)
	return append(k, id[:]...)
}

// splitPair splits "server 0x00 collection 0x00" (after the prefix byte).
func splitPair(b []byte) (server, collection string, ok bool) {
	i := indexZero(b)
	if i < 0 {
		return "", "", false
	}
	rest := b[i+1:]
	j := indexZero(rest)
	if j < 0 {
		return "", "", false
	}
	return string(b[:i]), string(rest[:j]), true
}

func indexZero(b []byte) int {
	for i, c := range b {
		if c == 0 {
			return i
		}
	}
	return -1
}

// prefixEnd returns the smallest key greater than every key with prefix p,
// used to start reverse iteration at the end of a prefix.
func prefixEnd(p []byte) []byte {
	end := append([]byte{}, p...)
	return append(end, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)
}
