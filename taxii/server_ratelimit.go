package taxii

import (
	"sync"
	"time"
)

// TokenBucket is a RateLimiter that gives every sender (by Sender.Key) a
// bucket of Burst tokens refilled at PerMinute tokens a minute; a request
// takes one token. Set the fields before first use; it is safe for
// concurrent use. Buckets that are full again are forgotten, so memory
// stays bounded by the number of senders active within a refill period.
type TokenBucket struct {
	PerMinute float64 // average requests per minute per sender; <= 0 allows everything
	Burst     int     // requests allowed at once; < 1 means 1
	// Now returns the current time; nil means time.Now.
	Now func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// pruneAt is the map size at which full buckets are dropped.
const pruneAt = 1024

// Allow implements RateLimiter.
func (l *TokenBucket) Allow(s Sender) (bool, time.Duration) {
	if l.PerMinute <= 0 {
		return true, 0
	}
	now := time.Now()
	if l.Now != nil {
		now = l.Now()
	}
	burst := float64(max(l.Burst, 1))
	perSec := l.PerMinute / 60
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil {
		l.buckets = make(map[string]*bucket)
	}
	if len(l.buckets) >= pruneAt {
		for k, b := range l.buckets {
			if b.tokens+now.Sub(b.at).Seconds()*perSec >= burst {
				delete(l.buckets, k)
			}
		}
	}
	key := s.Key()
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: burst, at: now}
		l.buckets[key] = b
	}
	b.tokens = min(burst, b.tokens+now.Sub(b.at).Seconds()*perSec)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / perSec * float64(time.Second))
	return false, wait
}
