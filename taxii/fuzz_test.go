package taxii

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// addSeeds adds every testdata message (valid and invalid) to the corpus.
func addSeeds(f *testing.F) {
	for _, dir := range []string{"taxii11", "taxii10", "invalid"} {
		files, _ := filepath.Glob(filepath.Join("..", "testdata", dir, "*.xml"))
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
}

// FuzzUnmarshal: no input panics the decoder; errors are *DecodeError; a
// decoded message re-encodes (or says why with *EncodeError), and its
// re-encoding decodes and re-encodes to the same bytes.
func FuzzUnmarshal(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Unmarshal(b)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %v (%T) is not a *DecodeError", err, err)
			}
			return
		}
		out, err := Marshal(m)
		if err != nil {
			var ee *EncodeError
			if !errors.As(err, &ee) {
				t.Fatalf("Marshal error %v (%T) is not an *EncodeError", err, err)
			}
			return
		}
		m2, err := Unmarshal(out)
		if err != nil {
			t.Fatalf("re-encoding does not decode: %v\ninput:\n%q\nre-encoding:\n%s", err, b, out)
		}
		out2, err := Marshal(m2)
		if err != nil {
			t.Fatalf("second Marshal: %v", err)
		}
		if !bytes.Equal(out, out2) {
			t.Fatalf("re-encoding is not stable:\n%s\n---\n%s", out, out2)
		}
	})
}

// FuzzDecoderRead: the reader entry point with tight limits never panics
// and reports over-size input as ErrTooBig.
func FuzzDecoderRead(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		d := Decoder{MaxBytes: 4096, MaxDepth: 16}
		_, err := d.Read(bytes.NewReader(b))
		var de *DecodeError
		if err != nil && !errors.As(err, &de) {
			t.Fatalf("error %v (%T) is not a *DecodeError", err, err)
		}
		if len(b) > 4096 && (de == nil || de.Kind != ErrTooBig) {
			t.Fatalf("%d bytes over a 4096-byte limit gave %v", len(b), err)
		}
	})
}

// FuzzParseTimestamp: a parsed timestamp re-encodes to a string that parses
// to the same instant, truncated to microseconds, with a zone.
func FuzzParseTimestamp(f *testing.F) {
	for _, s := range []string{"2024-01-31T12:00:00Z", "2024-01-31T12:00:00.123456789+02:00", "2024-01-31T12:00:00", "0001-01-01T00:00:00-23:59"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := ParseTimestamp(s)
		if err != nil {
			return
		}
		enc := ts.String()
		back, err := ParseTimestamp(enc)
		if err != nil {
			t.Fatalf("%q encoded as %q, which does not parse: %v", s, enc, err)
		}
		if back.NoZone {
			t.Fatalf("%q encoded without a zone: %q", s, enc)
		}
		if !back.Time.Equal(ts.Time.Truncate(1000)) {
			t.Fatalf("%q -> %q -> %v, want %v", s, enc, back.Time, ts.Time.Truncate(1000))
		}
	})
}
