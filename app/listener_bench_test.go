package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/storage"
	"github.com/taxii-workstation/taxii-workstation/taxii"
)

// benchWorkstation is a listener over a cache on disk (a temp dir).
func benchWorkstation(b *testing.B, cfg app.ListenerConfig) *workstation {
	b.Helper()
	st, err := storage.Open(context.Background(), filepath.Join(b.TempDir(), "cache"), storage.Options{Logf: func(string, ...any) {}})
	if err != nil {
		b.Fatal(err)
	}
	return newWorkstationOn(b, st, cfg, "")
}

// BenchmarkListener pushes through the full listener (HTTP, auth, decode,
// storage on disk) from 64 concurrent pushers and reports messages per
// second and the p99 latency of one push.
func BenchmarkListener(b *testing.B) {
	for _, blocks := range []int{1, 50} {
		b.Run(fmt.Sprintf("pushers=64/blocks=%d", blocks), func(b *testing.B) {
			cfg := withAccount(b, app.ListenerConfig{Collections: []string{"bench"}, RatePerMinute: -1}, "u", "pw")
			w := benchWorkstation(b, cfg)
			inbox := w.l.Status().InboxURL
			hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}} // a keep-alive connection per pusher
			defer hc.CloseIdleConnections()
			tr := &taxii.Client{HTTPClient: hc, Auth: taxii.Auth{Username: "u", Password: "pw"}}
			var (
				next atomic.Int64
				mu   sync.Mutex
				lat  []time.Duration
			)
			msg := func(n int64) *taxii.InboxMessage {
				m := &taxii.InboxMessage{DestinationCollectionNames: []string{"bench"}}
				for i := range blocks {
					m.ContentBlocks = append(m.ContentBlocks, taxii.ContentBlock{Binding: taxii.ContentBinding{ID: taxii.ContentSTIX12},
						ContentIsXML: true, Content: loadBlock(int(n%1000), int(n/1000)*blocks+i, 2048)})
				}
				return m
			}
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for range 64 {
				wg.Go(func() {
					var mine []time.Duration
					for {
						n := next.Add(1) - 1
						if n >= int64(b.N) {
							break
						}
						m := msg(n)
						t0 := time.Now()
						if _, err := tr.Push(context.Background(), inbox, m); err != nil {
							b.Error(err)
							return
						}
						mine = append(mine, time.Since(t0))
					}
					mu.Lock()
					lat = append(lat, mine...)
					mu.Unlock()
				})
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			slices.Sort(lat)
			if len(lat) > 0 {
				b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "msgs/s")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			}
		})
	}
}

// BenchmarkListenerLargeMessage receives one 63 MiB message (63 blocks of
// 1 MiB) and reports the peak heap in use while receiving and storing it,
// over the heap before the push (which holds the encoded body).
func BenchmarkListenerLargeMessage(b *testing.B) {
	w := benchWorkstation(b, app.ListenerConfig{Collections: []string{"big"}, RatePerMinute: -1})
	inbox := w.l.Status().InboxURL
	for i := range b.N {
		m := &taxii.InboxMessage{DestinationCollectionNames: []string{"big"}}
		for j := range 63 {
			m.ContentBlocks = append(m.ContentBlocks, taxii.ContentBlock{Binding: taxii.ContentBinding{ID: taxii.ContentSTIX12},
				ContentIsXML: true, Content: loadBlock(i, j, 1<<20)})
		}
		body, err := taxii.Marshal(m)
		if err != nil {
			b.Fatal(err)
		}
		m = nil // only the encoded body stays: the client's side is in the base
		runtime.GC()
		var base runtime.MemStats
		runtime.ReadMemStats(&base)
		var peak atomic.Uint64
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			var ms runtime.MemStats
			for {
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
				select {
				case <-stop:
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
		}()
		req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, inbox, bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/xml")
		req.Header.Set("X-TAXII-Content-Type", taxii.BindingXML11)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		reply, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if sm, err := taxii.Unmarshal(reply); err != nil || sm.(*taxii.StatusMessage).Type != taxii.StatusSuccess {
			b.Fatalf("reply %v: %s", err, reply[:min(len(reply), 500)])
		}
		close(stop)
		<-done
		b.ReportMetric(float64(len(body))/(1<<20), "msg-MiB")
		b.ReportMetric(float64(peak.Load()-min(peak.Load(), base.HeapInuse))/(1<<20), "peak-heap-MiB-over-base")
	}
}
