// Command taxii-testserver runs the fake TAXII 1.x server of package
// taxiitest on a fixed address, for manual runs of the command line and
// the window against something local:
//
//	go run ./taxii/taxiitest/cmd/taxii-testserver --addr 127.0.0.1:9000 --blocks 120 --part-size 50
//
// It serves discovery at /taxii-discovery-service, collection management at
// /collection-management (subscriptions also at /subscriptions), poll at
// /poll and an inbox at /inbox, and logs each request. --grow adds blocks
// to every collection at an interval, so incremental polls find new ones;
// --deliver-every pushes subscribed content to the subscribers' inboxes.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync"
	"time"

	"github.com/taxii-workstation/taxii-workstation/taxii"
	"github.com/taxii-workstation/taxii-workstation/taxii/taxiitest"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9000", "listen on `HOST:PORT`")
	names := flag.String("collections", "feed", "comma-separated collection `NAMES`")
	blocks := flag.Int("blocks", 120, "STIX 1.2 blocks per collection")
	blockSize := flag.Int("block-size", 2048, "approximate bytes per block")
	partSize := flag.Int("part-size", 50, "blocks per result part (0: one part)")
	pending := flag.Int("pending", 0, "answer PENDING this many times before each result")
	grow := flag.Int("grow", 0, "add this many blocks to every collection every --every")
	every := flag.Duration("every", time.Minute, "interval of --grow")
	deliverEvery := flag.Duration("deliver-every", 0, "push each collection's content to every active subscription's inbox at this interval (0: never)")
	user := flag.String("user", "", "require HTTP basic auth with this user (password from $TAXII_PASSWORD)")
	flag.Parse()

	opts := taxiitest.Options{AdvertiseBase: "http://" + *addr}
	if *user != "" {
		opts.Auth = taxiitest.Auth{Username: *user, Password: os.Getenv("TAXII_PASSWORD")}
	}
	srv := taxiitest.New(opts)
	defer srv.Close()
	var cols []string
	for _, n := range strings.Split(*names, ",") {
		if n = strings.TrimSpace(n); n != "" {
			cols = append(cols, n)
		}
	}
	add := func(n int) {
		for _, c := range cols {
			srv.AddCollection(taxiitest.Collection{Name: c, Description: "taxii-testserver collection " + c,
				Blocks: n, BlockSize: *blockSize, PartSize: *partSize, Pending: *pending})
		}
	}
	add(*blocks)

	// The fake server listens on a random port; this address proxies to it
	// and logs each request.
	inner, _ := url.Parse(srv.URL)
	proxy := httputil.NewSingleHostReverseProxy(inner)
	var mu sync.Mutex
	seen := 0
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		proxy.ServeHTTP(w, r)
		mu.Lock()
		defer mu.Unlock()
		reqs := srv.Requests()
		for _, q := range reqs[min(seen, len(reqs)):] {
			log.Printf("%s %s %s (TAXII %s) %s", r.RemoteAddr, q.Path, q.Kind, q.Version, time.Since(start).Round(time.Millisecond))
		}
		seen = len(reqs)
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("taxii-testserver: %v", err)
	}
	hs := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *grow > 0 {
		go func() {
			n := *blocks
			t := time.NewTicker(*every)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					n += *grow
					add(n)
					log.Printf("collections now hold %d blocks each", n)
				}
			}
		}()
	}
	if *deliverEvery > 0 {
		go deliver(ctx, srv, *deliverEvery)
	}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
	}()
	fmt.Printf("taxii-testserver: discovery at http://%s%s; collections %s with %d blocks (parts of %d)\n",
		*addr, taxiitest.PathDiscovery, strings.Join(cols, ", "), *blocks, *partSize)
	if err := hs.Serve(ln); err != nil && err != http.ErrServerClosed {
		log.Fatalf("taxii-testserver: %v", err)
	}
}

// deliver acts as a hub with subscribers: every interval it pushes each
// subscribed collection's content to the subscribers' inboxes.
func deliver(ctx context.Context, srv *taxiitest.Server, every time.Duration) {
	client := &taxii.Client{}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		receipts, err := srv.Deliver(ctx, client)
		for _, r := range receipts {
			log.Printf("delivered to a subscriber: %s", r.Words())
		}
		if err != nil {
			log.Printf("delivery failed: %v", err)
		}
	}
}
