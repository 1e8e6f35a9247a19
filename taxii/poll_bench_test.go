package taxii_test

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/taxii-workstation/taxii-workstation/taxii"
	"github.com/taxii-workstation/taxii-workstation/taxii/taxiitest"
)

// BenchmarkClientPoll measures poll throughput against a local server that
// serves a 10-part result of 50 blocks of ~2 KB per part. "replay" sends
// recorded parts (client cost only, plus HTTP); "live" encodes every part.
//
//	go test -run '^$' -bench ClientPoll -benchmem ./taxii/
func BenchmarkClientPoll(b *testing.B) {
	for _, mode := range []struct {
		name   string
		replay bool
	}{{"replay", true}, {"live", false}} {
		b.Run(mode.name, func(b *testing.B) {
			const blocks, partSize, blockSize = 500, 50, 2048
			srv := newServer(b, taxiitest.Options{Replay: mode.replay})
			srv.AddCollection(taxiitest.Collection{Name: "feed", Blocks: blocks, PartSize: partSize, BlockSize: blockSize})
			c := &taxii.Client{}
			ctx := context.Background()
			var content int64
			total := 0
			b.ResetTimer()
			for b.Loop() {
				res, err := c.Poll(ctx, srv.PollURL(), &taxii.PollRequest{CollectionName: "feed"}, taxii.PollOptions{})
				if err != nil {
					b.Fatal(err)
				}
				if res.Blocks != blocks {
					b.Fatalf("%d blocks", res.Blocks)
				}
				content = res.Bytes
				total += res.Blocks
			}
			b.SetBytes(content)
			b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "blocks/s")
		})
	}
}

// BenchmarkPollPeakMemory polls a 200 MB result (102400 blocks of 2 KB in
// 2048 parts of 50) and reports the peak heap in use while polling, sampled
// every 5 ms. The fake server runs in the same process, so its transient
// allocations are included: the figure is an upper bound for the client.
//
//	go test -run '^$' -bench PollPeakMemory -benchtime 1x ./taxii/
func BenchmarkPollPeakMemory(b *testing.B) {
	const blockSize, partSize = 2048, 50
	const blocks = 200 << 20 / blockSize
	srv := newServer(b, taxiitest.Options{})
	srv.AddCollection(taxiitest.Collection{Name: "big", Blocks: blocks, PartSize: partSize, BlockSize: blockSize})
	c := &taxii.Client{}
	for b.Loop() {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		base := ms.HeapInuse
		peak := base
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			t := time.NewTicker(5 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					runtime.ReadMemStats(&ms)
					peak = max(peak, ms.HeapInuse)
				}
			}
		})
		start := time.Now()
		res, err := c.Poll(context.Background(), srv.PollURL(), &taxii.PollRequest{CollectionName: "big"}, taxii.PollOptions{})
		elapsed := time.Since(start)
		close(stop)
		wg.Wait()
		if err != nil {
			b.Fatal(err)
		}
		if res.Blocks != blocks || res.Parts != blocks/partSize {
			b.Fatalf("%d blocks in %d parts", res.Blocks, res.Parts)
		}
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		b.ReportMetric(float64(base)/(1<<20), "base-heap-MB")
		b.ReportMetric(float64(res.Bytes)/(1<<20), "content-MB")
		b.ReportMetric(float64(res.Bytes)/(1<<20)/elapsed.Seconds(), "MB/s")
	}
}
