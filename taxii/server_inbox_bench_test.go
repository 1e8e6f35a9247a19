package taxii_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/taxii-workstation/taxii-workstation/taxii"
	"github.com/taxii-workstation/taxii-workstation/taxii/taxiitest"
)

// countReceiver is an in-memory receiver that keeps counts only.
type countReceiver struct{ msgs, blocks atomic.Int64 }

func (c *countReceiver) Receive(_ context.Context, in *taxii.Received) error {
	c.msgs.Add(1)
	c.blocks.Add(int64(len(in.Blocks)))
	return nil
}

// BenchmarkInboxPush measures the inbox over HTTP on 127.0.0.1 with 64
// concurrent pushers, each with its own connection, sending pre-encoded
// Inbox messages of 1 or 50 STIX blocks of ~2 KB. It reports messages per
// second and the p50/p99 latency of one push (request sent to Status read).
func BenchmarkInboxPush(b *testing.B) {
	for _, blocks := range []int{1, 50} {
		b.Run(fmt.Sprintf("blocks=%d", blocks), func(b *testing.B) {
			const pushers = 64
			recv := &countReceiver{}
			srv := startInbox(b, &taxii.InboxHandler{Receiver: recv}, nil)
			m := &taxii.InboxMessage{}
			for i := range blocks {
				m.ContentBlocks = append(m.ContentBlocks, taxii.ContentBlock{Binding: taxii.ContentBinding{ID: taxii.ContentSTIX12}, Content: taxiitest.STIXPackage(i, 2048), ContentIsXML: true})
			}
			body := mustMarshal(b, m)
			tr := &http.Transport{MaxIdleConnsPerHost: pushers, MaxConnsPerHost: pushers}
			defer tr.CloseIdleConnections()
			hc := &http.Client{Transport: tr}
			lat := make([][]time.Duration, pushers)
			var next atomic.Int64
			var failed atomic.Int64
			b.SetBytes(int64(len(body)))
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for p := range pushers {
				wg.Go(func() {
					for next.Add(1) <= int64(b.N) {
						t0 := time.Now()
						if err := postOnce(hc, srv.URL, body); err != nil {
							failed.Add(1)
						}
						lat[p] = append(lat[p], time.Since(t0))
					}
				})
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			if failed.Load() > 0 || recv.msgs.Load() != int64(b.N) {
				b.Fatalf("%d failed pushes, %d of %d stored", failed.Load(), recv.msgs.Load(), b.N)
			}
			all := slices.Concat(lat...)
			slices.Sort(all)
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
			b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}

func postOnce(hc *http.Client, url string, body []byte) error {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/xml")
	req.Header.Set("X-TAXII-Content-Type", taxii.BindingXML11)
	req.Header.Set("X-TAXII-Services", taxii.ServicesV11)
	res, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	reply, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if !bytes.Contains(reply, []byte(`status_type="SUCCESS"`)) {
		return fmt.Errorf("not SUCCESS: %s", reply)
	}
	return nil
}

// BenchmarkInboxReceive64MiB measures memory while the handler receives one
// message just under the 64 MiB default cap, called directly (no client in
// the process to blur the figures). It reports the peak heap above the
// baseline (sampled every millisecond, the request body itself excluded)
// and that peak as a multiple of the message size.
func BenchmarkInboxReceive64MiB(b *testing.B) {
	for _, size := range []int{64 << 10, 2 << 10} {
		b.Run(fmt.Sprintf("block=%dKiB", size>>10), func(b *testing.B) {
			m := &taxii.InboxMessage{}
			total := 0
			for i := 0; total < taxii.DefaultInboxMaxBytes-(1<<20); i++ {
				c := taxiitest.STIXPackage(i, size)
				m.ContentBlocks = append(m.ContentBlocks, taxii.ContentBlock{Binding: taxii.ContentBinding{ID: taxii.ContentSTIX12}, Content: c, ContentIsXML: true})
				total += len(c) + 200
			}
			body := mustMarshal(b, m)
			m = nil
			if len(body) > taxii.DefaultInboxMaxBytes {
				b.Fatalf("message of %d bytes is over the cap", len(body))
			}
			recv := &countReceiver{}
			h := &taxii.InboxHandler{Receiver: recv}
			b.SetBytes(int64(len(body)))
			var peak uint64
			for b.Loop() {
				runtime.GC()
				base := heapBytes()
				stop := samplePeak(&peak)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, taxii.DefaultInboxPath, bytes.NewReader(body)))
				stop()
				if !bytes.Contains(rec.Body.Bytes(), []byte(`status_type="SUCCESS"`)) {
					b.Fatalf("reply: %s", rec.Body.Bytes())
				}
				peak -= min(peak, base)
			}
			b.ReportMetric(float64(len(body))/(1<<20), "msg-MiB")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(peak)/float64(len(body)), "peak/msg")
			b.ReportMetric(float64(recv.blocks.Load())/float64(recv.msgs.Load()), "blocks/msg")
		})
	}
}

func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// samplePeak records the highest heap size into *peak until stop is called.
func samplePeak(peak *uint64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	*peak = heapBytes()
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			if h := heapBytes(); h > *peak {
				*peak = h
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}
