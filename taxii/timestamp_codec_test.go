package taxii

import (
	"testing"
	"time"
)

func TestParseTimestamp(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Time
		noZone  bool
		encoded string
	}{
		{"2024-01-31T12:00:00Z", time.Date(2024, 1, 31, 12, 0, 0, 0, time.UTC), false, "2024-01-31T12:00:00Z"},
		{"2024-01-31T12:00:00+00:00", time.Date(2024, 1, 31, 12, 0, 0, 0, time.UTC), false, "2024-01-31T12:00:00Z"},
		{"2024-01-31T12:00:00-04:00", time.Date(2024, 1, 31, 16, 0, 0, 0, time.UTC), false, "2024-01-31T12:00:00-04:00"},
		{"2024-01-31T12:00:00.5Z", time.Date(2024, 1, 31, 12, 0, 0, 5e8, time.UTC), false, "2024-01-31T12:00:00.5Z"},
		{"2024-01-31T12:00:00.123456Z", time.Date(2024, 1, 31, 12, 0, 0, 123456000, time.UTC), false, "2024-01-31T12:00:00.123456Z"},
		{"2024-01-31T12:00:00.123456789+02:00", time.Date(2024, 1, 31, 10, 0, 0, 123456789, time.UTC), false, "2024-01-31T12:00:00.123456+02:00"},
		{"2024-01-31T12:00:00", time.Date(2024, 1, 31, 12, 0, 0, 0, time.UTC), true, "2024-01-31T12:00:00Z"},
		{" 2024-01-31T12:00:00.1234567 ", time.Date(2024, 1, 31, 12, 0, 0, 123456700, time.UTC), true, "2024-01-31T12:00:00.123456Z"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			ts, err := ParseTimestamp(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if !ts.Time.Equal(tc.want) || ts.NoZone != tc.noZone {
				t.Errorf("got %v noZone=%v, want %v noZone=%v", ts.Time, ts.NoZone, tc.want, tc.noZone)
			}
			if got := ts.String(); got != tc.encoded {
				t.Errorf("encoded %q, want %q", got, tc.encoded)
			}
		})
	}
	for _, bad := range []string{"", "yesterday", "2024-01-31", "2024-13-01T00:00:00Z", "2024-01-31T12:00:00+25:00x"} {
		if _, err := ParseTimestamp(bad); err == nil {
			t.Errorf("ParseTimestamp(%q) succeeded, want an error", bad)
		}
	}
}
