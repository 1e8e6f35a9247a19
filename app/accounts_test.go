package app

import (
	"sync"
	"testing"
)

// TestAccessControlPassword: right and wrong passwords, unknown users, and
// concurrent checks of the same credentials, which share one bcrypt run.
func TestAccessControlPassword(t *testing.T) {
	cfg, err := ListenerConfig{}.WithAccount("alice", "right")
	if err != nil {
		t.Fatal(err)
	}
	ac := newAccessControl(cfg)
	tests := []struct {
		user, pw string
		want     bool
	}{
		{"alice", "right", true},
		{"alice", "right", true}, // remembered
		{"alice", "wrong", false},
		{"alice", "", false},
		{"bob", "right", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if got := ac.password(tt.user, tt.pw); got != tt.want {
			t.Errorf("password(%q, %q) = %v, want %v", tt.user, tt.pw, got, tt.want)
		}
	}
	ac = newAccessControl(cfg)
	var wg sync.WaitGroup
	results := make([]bool, 32)
	for i := range results {
		pw := "right"
		if i%2 == 1 {
			pw = "wrong"
		}
		wg.Go(func() { results[i] = ac.password("alice", pw) })
	}
	wg.Wait()
	for i, ok := range results {
		if ok != (i%2 == 0) {
			t.Errorf("concurrent check %d = %v", i, ok)
		}
	}
	if len(ac.inflight) != 0 {
		t.Errorf("%d checks left in flight", len(ac.inflight))
	}
	if _, err := HashPassword(""); err == nil {
		t.Error("an empty password was hashed")
	}
}
