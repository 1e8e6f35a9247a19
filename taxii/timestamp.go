package taxii

import (
	"fmt"
	"strings"
	"time"
)

// Timestamp is an xs:dateTime Timestamp Label (XML §2.2.1). Decoding accepts
// "Z" or ±hh:mm, and 0 to 9 fractional digits; a value without a zone is read
// as UTC and NoZone is set so callers can warn. Encoding always writes a zone
// and at most 6 fractional digits (extra digits are truncated).
type Timestamp struct {
	time.Time
	// NoZone is true when the decoded text carried no timezone.
	NoZone bool
}

// timestampLayout is the encoding layout: never more than 6 digits.
const timestampLayout = "2006-01-02T15:04:05.999999Z07:00"

// NewTimestamp returns t as a Timestamp (keeping t's zone offset).
func NewTimestamp(t time.Time) *Timestamp { return &Timestamp{Time: t} }

// ParseTimestamp parses an xs:dateTime as servers send it.
func ParseTimestamp(s string) (Timestamp, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		if _, offset := t.Zone(); offset == 0 {
			t = t.UTC() // "+00:00" and "Z" are the same instant and zone
		}
		return Timestamp{Time: t}, nil
	}
	if t, err := time.Parse("2006-01-02T15:04:05.999999999", s); err == nil {
		return Timestamp{Time: t.UTC(), NoZone: true}, nil
	}
	return Timestamp{}, fmt.Errorf("%q is not an xs:dateTime like 2024-01-31T12:00:00Z", s)
}

// String formats the timestamp as it is encoded on the wire.
func (t Timestamp) String() string { return t.Time.Format(timestampLayout) }

// Equal reports whether t and u are the same instant with the same NoZone flag.
func (t Timestamp) Equal(u Timestamp) bool { return t.Time.Equal(u.Time) && t.NoZone == u.NoZone }
