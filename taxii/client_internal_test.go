package taxii

import (
	"net/http"
	"testing"
	"time"
)

func TestRetryBackoff(t *testing.T) {
	tests := []struct {
		p     RetryPolicy
		retry int
		want  time.Duration
	}{
		{RetryPolicy{}, 1, DefaultBackoff},
		{RetryPolicy{}, 2, 2 * DefaultBackoff},
		{RetryPolicy{}, 20, DefaultMaxBackoff},
		{RetryPolicy{Backoff: 100 * time.Millisecond, MaxBackoff: 300 * time.Millisecond}, 2, 200 * time.Millisecond},
		{RetryPolicy{Backoff: 100 * time.Millisecond, MaxBackoff: 300 * time.Millisecond}, 3, 300 * time.Millisecond},
	}
	for _, tc := range tests {
		if got := tc.p.wait(tc.retry); got != tc.want {
			t.Errorf("%+v.wait(%d) = %v, want %v", tc.p, tc.retry, got, tc.want)
		}
	}
	if (RetryPolicy{}).attempts() != DefaultAttempts || (RetryPolicy{Attempts: 1}).attempts() != 1 {
		t.Error("attempts defaults wrong")
	}
}

func TestSafeToRepeat(t *testing.T) {
	tests := []struct {
		m    Message
		safe bool
	}{
		{&DiscoveryRequest{}, true},
		{&CollectionInformationRequest{}, true},
		{&PollRequest{}, true},
		{&PollFulfillmentRequest{}, true},
		{&ManageCollectionSubscriptionRequest{Action: ActionStatus}, true},
		{&ManageCollectionSubscriptionRequest{Action: ActionSubscribe}, false},
		{&ManageCollectionSubscriptionRequest{Action: ActionUnsubscribe}, false},
		{&InboxMessage{}, false},
	}
	for _, tc := range tests {
		if got := safeToRepeat(tc.m); got != tc.safe {
			t.Errorf("safeToRepeat(%s %+v) = %v", kindOf(tc.m), tc.m, got)
		}
	}
}

func TestRedactHeader(t *testing.T) {
	h := http.Header{}
	h.Set("Authorization", "Basic YW5uOnB3")
	h.Set("Proxy-Authorization", "secret")
	h.Set("Cookie", "sid=1")
	h.Set("X-Api-Key", "k")
	h.Set("Accept", "application/xml")
	got := redactHeader(h, []string{"x-api-key"})
	want := map[string]string{"Authorization": "Basic REDACTED", "Proxy-Authorization": "REDACTED", "Cookie": "REDACTED", "X-Api-Key": "REDACTED", "Accept": "application/xml"}
	for k, v := range want {
		if got.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, got.Get(k), v)
		}
	}
	if h.Get("Authorization") != "Basic YW5uOnB3" {
		t.Error("redactHeader changed the request's own header")
	}
}

func TestNormalizeFingerprint(t *testing.T) {
	a := normalizeFingerprint("AB:CD:ef 01")
	if a != "abcdef01" || normalizeFingerprint("ab-cd-EF-01") != a {
		t.Errorf("normalizeFingerprint = %q", a)
	}
}
