package storage

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"
)

// Figures for the closing note (on disk, in a temp dir):
//
//	go test ./storage -run '^$' -bench . -benchtime 3x
//	STORAGE_BENCH_1M=1 go test ./storage -run '^$' -bench Cache/blocks=1000000 -benchtime 1x -timeout 60m
//
// Contents are ~2 KB STIX-like XML with random hashes, addresses and words
// (stixDoc), so the disk/content ratio reflects real compression.

const benchPart = 50

func BenchmarkIngest100k(b *testing.B) {
	const n = 100_000
	blocks := feedBlocks(0, 0, n)
	var content int64
	for _, bl := range blocks {
		content += int64(len(bl.Content))
	}
	ctx := context.Background()
	var disk int64
	var elapsed, cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := b.TempDir()
		s := openDir(b, dir)
		b.StartTimer()
		start, cpu0 := time.Now(), processCPU()
		for p := 0; p < n; p += benchPart {
			part := blocks[p : p+benchPart]
			if _, err := s.CommitPart(ctx, "srv", "feed", part, part[len(part)-1].TimestampLabel); err != nil {
				b.Fatal(err)
			}
		}
		elapsed += time.Since(start)
		cpu += processCPU() - cpu0
		b.StopTimer()
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		d, err := dirBytes(dir)
		if err != nil {
			b.Fatal(err)
		}
		disk += d
		b.StartTimer()
	}
	b.ReportMetric(float64(n)*float64(b.N)/elapsed.Seconds(), "blocks/s")
	b.ReportMetric(float64(content)*float64(b.N)/elapsed.Seconds()/1e6, "MB/s")
	b.ReportMetric(float64(elapsed.Nanoseconds())/float64(n*b.N)/1e3, "µs/block")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(n*b.N)/1e3, "cpu-µs/block")
	b.ReportMetric(float64(disk)/float64(content)/float64(b.N), "disk/content")
	b.ReportMetric(float64(content)/float64(n), "bytes/block")
}

func dirBytes(dir string) (int64, error) {
	s := &Store{dir: dir}
	return s.DiskBytes()
}

// benchColls spreads fixtures over 4 collections on 2 servers.
var benchColls = [][2]string{{"alpha", "feed-a"}, {"alpha", "feed-b"}, {"beta", "feed-a"}, {"beta", "feed-c"}}

// buildFixture stores n distinct blocks, round-robin over benchColls, with
// CommitPart in parts of 500, and returns the directory and content bytes.
func buildFixture(b *testing.B, n int) (string, int64) {
	ctx := context.Background()
	dir := b.TempDir()
	s := openDir(b, dir)
	start, cpu0 := time.Now(), processCPU()
	var content int64
	const part = 500
	for p := 0; p < n; p += part {
		c := benchColls[(p/part)%len(benchColls)]
		blocks := feedBlocks(0, p, min(n, p+part))
		for _, bl := range blocks {
			content += int64(len(bl.Content))
		}
		if _, err := s.CommitPart(ctx, c[0], c[1], blocks, blocks[len(blocks)-1].TimestampLabel); err != nil {
			b.Fatal(err)
		}
	}
	built, cpu := time.Since(start), processCPU()-cpu0
	// Settle the tree as background compaction soon would, so the figures
	// below are not taken while compactions compete for the two cores.
	if err := s.db.Flatten(2); err != nil {
		b.Fatal(err)
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	disk, _ := dirBytes(dir)
	b.Logf("fixture: %d blocks, %.1f MB content, built in %v (%.0f blocks/s, %.1f cpu-µs/block incl. generation and compaction), %.1f MB on disk (%.3f disk/content)",
		n, float64(content)/1e6, built.Round(time.Millisecond), float64(n)/built.Seconds(), float64(cpu.Microseconds())/float64(n),
		float64(disk)/1e6, float64(disk)/float64(content))
	return dir, content
}

func BenchmarkCache(b *testing.B) {
	sizes := []int{100_000}
	if os.Getenv("STORAGE_BENCH_1M") != "" {
		sizes = append(sizes, 1_000_000)
	}
	ctx := context.Background()
	for _, n := range sizes {
		b.Run(fmt.Sprintf("blocks=%d", n), func(b *testing.B) {
			dir, content := buildFixture(b, n)
			b.Run("disk", func(b *testing.B) {
				var disk int64
				for b.Loop() {
					disk, _ = dirBytes(dir)
				}
				b.ReportMetric(float64(disk)/float64(content), "disk/content")
				b.ReportMetric(float64(disk)/1e6, "MB-on-disk")
			})
			b.Run("open", func(b *testing.B) {
				for b.Loop() {
					s := openDir(b, dir)
					b.StopTimer()
					s.Close()
					b.StartTimer()
				}
			})
			b.Run("first-page-after-open", func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					s := openDir(b, dir)
					b.StartTimer()
					p, err := s.ListBlocks(ctx, "alpha", "feed-a", PageRequest{Limit: 50})
					if err != nil || len(p.Items) != 50 {
						b.Fatalf("first page: %d items, %v", len(p.Items), err)
					}
					b.StopTimer()
					s.Close()
					b.StartTimer()
				}
			})
			s := openDir(b, dir)
			defer s.Close()
			b.Run("first-page-warm", func(b *testing.B) {
				for b.Loop() {
					if _, err := s.ListBlocks(ctx, "alpha", "feed-a", PageRequest{Limit: 50}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("page-at-offset-10000", func(b *testing.B) {
				for b.Loop() {
					if _, err := s.ListBlocks(ctx, "alpha", "feed-a", PageRequest{Limit: 50, Offset: 10000}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("stats", func(b *testing.B) {
				for b.Loop() {
					if _, err := s.Stats(ctx); err != nil {
						b.Fatal(err)
					}
				}
			})
			searches := []struct{ name, query string }{
				{"search-miss", "no-such-indicator-anywhere"}, // scans every block
				{"search-common", "ransomware"},               // 50 hits early
				{"search-one", fmt.Sprintf("block-%d", n/2)},  // not in content: also a full scan, different case
			}
			for _, q := range searches {
				b.Run(q.name, func(b *testing.B) {
					if _, err := s.Search(ctx, q.query, 50); err != nil { // warm the block cache
						b.Fatal(err)
					}
					var hits int
					cpu0 := processCPU()
					for b.Loop() {
						h, err := s.Search(ctx, q.query, 50)
						if err != nil {
							b.Fatal(err)
						}
						hits = len(h)
					}
					b.ReportMetric(float64(hits), "hits")
					b.ReportMetric(float64((processCPU()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
					if q.name == "search-miss" {
						b.ReportMetric(float64(content)/1e6/(b.Elapsed().Seconds()/float64(b.N)), "MB/s-scanned")
					}
				})
			}
		})
	}
}
