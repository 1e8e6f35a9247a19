package taxii_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/taxii-workstation/taxii-workstation/taxii"
)

func TestTokenBucket(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := &taxii.TokenBucket{PerMinute: 60, Burst: 3, Now: func() time.Time { return now }}
	alice := taxii.Sender{Identity: "alice", RemoteAddr: "192.0.2.1:1000"}
	anon := taxii.Sender{RemoteAddr: "192.0.2.9:4000"}
	anonOtherPort := taxii.Sender{RemoteAddr: "192.0.2.9:4001"}
	steps := []struct {
		advance  time.Duration
		who      taxii.Sender
		want     bool
		wantWait time.Duration
	}{
		{0, alice, true, 0},
		{0, alice, true, 0},
		{0, alice, true, 0},
		{0, alice, false, time.Second}, // burst spent; one token a second
		{0, anon, true, 0},             // other senders have their own bucket
		{0, anonOtherPort, true, 0},    // anonymous senders are keyed by host, not port
		{0, anon, true, 0},
		{0, anon, false, time.Second},
		{500 * time.Millisecond, alice, false, 500 * time.Millisecond},
		{500 * time.Millisecond, alice, true, 0},
		{time.Hour, alice, true, 0}, // refilled, but never above the burst
		{0, alice, true, 0},
		{0, alice, true, 0},
		{0, alice, false, time.Second},
	}
	for i, st := range steps {
		now = now.Add(st.advance)
		ok, wait := l.Allow(st.who)
		if ok != st.want || wait.Round(time.Millisecond) != st.wantWait {
			t.Fatalf("step %d (%s): allow %v wait %v, want %v %v", i, st.who, ok, wait, st.want, st.wantWait)
		}
	}
	if ok, _ := (&taxii.TokenBucket{}).Allow(alice); !ok {
		t.Error("a zero TokenBucket must not limit")
	}
}

func TestRateLimitThrottlesPasswordGuessing(t *testing.T) {
	recv := &memReceiver{}
	h := rejectHandler(recv)
	h.RateLimiter = &taxii.TokenBucket{PerMinute: 1, Burst: 2}
	srv := startInbox(t, h, nil)
	guess := inboxClient(nil, taxii.Auth{Username: "alice", Password: "guess"})
	var got []taxii.StatusType
	for range 3 {
		_, err := guess.Push(context.Background(), srv.URL, &taxii.InboxMessage{ContentBlocks: []taxii.ContentBlock{stixBlock(1)}})
		var se *taxii.StatusError
		if !errors.As(err, &se) {
			t.Fatalf("push: %v, want a Status", err)
		}
		got = append(got, se.Type)
	}
	want := []taxii.StatusType{taxii.StatusUnauthorized, taxii.StatusUnauthorized, taxii.StatusRetry}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("answers %v, want %v: failed logins count against the address", got, want)
		}
	}
	// The account itself is counted separately from the guessing address.
	_, err := inboxClient(nil, taxii.Auth{Username: "alice", Password: "secret"}).Push(context.Background(), srv.URL,
		&taxii.InboxMessage{DestinationCollectionNames: []string{"inbox-a"}, ContentBlocks: []taxii.ContentBlock{stixBlock(1)}})
	if err != nil || len(recv.received()) != 1 {
		t.Fatalf("authenticated push after the guesses: %v", err)
	}
}
