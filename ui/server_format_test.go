package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/taxii-workstation/taxii-workstation/app"
)

func TestFormatting(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{thousands(0), "0"},
		{thousands(999), "999"},
		{thousands(1000), "1,000"},
		{thousands(int64(-1234567)), "-1,234,567"},
		{srvBytes(1023), "1023 B"},
		{srvBytes(1536), "1.5 KiB"},
		{srvBytes(5 << 30), "5.0 GiB"},
		{shortDuration(time.Hour), "1h"},
		{shortDuration(90 * time.Minute), "1h30m"},
		{shortDuration(15 * time.Minute), "15m"},
		{countdownText(272 * time.Second), "4:32"},
		{countdownText(-time.Second), "0:00"},
		{scheduleText(0), "—"},
		{scheduleText(6 * time.Hour), "every 6h"},
		{bindingName("urn:stix.mitre.org:xml:1.1.1"), "STIX 1.1.1"},
		{bindingName("urn:taxii.mitre.org:message:xml:1.1"), "TAXII XML 1.1"},
		{bindingName("urn:example:custom"), "urn:example:custom"},
		{bindingNames(nil), "any"},
		{utcStamp(time.Time{}), "—"},
		{utcStamp(time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))), "2026-01-02 02:04 UTC"},
		{modeText(app.SyncRequest{Mode: app.Window, Begin: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}), "from 2026-01-01 00:00 UTC"},
		{modeText(app.SyncRequest{Mode: app.SinceLast, CountOnly: true}), "count only, since last"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestParseSchedule(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"Off", 0, ""},
		{"", 0, ""},
		{"1h", time.Hour, ""},
		{" 30M ", 30 * time.Minute, ""},
		{"59s", 0, "at most once a minute"},
		{"daily", 0, "not an interval"},
	} {
		d, err := parseSchedule(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || d != tc.want {
			t.Errorf("%q: %v, %v; want %v", tc.in, d, err, tc.want)
		}
	}
}

func TestHeaderLines(t *testing.T) {
	hs, vals, err := parseHeaderLines("X-API-Key: abc:def\n\n  Authorization : Bearer t  \n", true)
	if err != nil || len(hs) != 2 || vals["X-API-Key"] != "abc:def" || vals["Authorization"] != "Bearer t" || !hs[0].Secret {
		t.Fatalf("parsed %v %v %v", hs, vals, err)
	}
	if got := headerLines(append(hs, app.Header{Name: "X-Org", Value: "acme"}), true); got != "X-API-Key: \nAuthorization: " {
		t.Errorf("secret lines = %q (values must not be shown)", got)
	}
	if _, _, err := parseHeaderLines("no colon", false); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("error = %v", err)
	}
}
