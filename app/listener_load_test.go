package app_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/taxii"
)

// loadBlock is the content of pusher p's message i: distinct for every
// (p, i), about 2 KB, STIX 1.2.
func loadBlock(p, i, size int) []byte {
	head := fmt.Sprintf(`<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" id="example:Package-p%03d-m%05d" version="1.2"><stix:STIX_Header><stix:Title>pusher %d message %d</stix:Title><stix:Description>`, p, i, p, i)
	tail := `</stix:Description></stix:STIX_Header></stix:STIX_Package>`
	b := make([]byte, 0, size)
	b = append(b, head...)
	for len(b) < size-len(tail) {
		b = append(b, "indicator observable "...)
	}
	return append(b, tail...)
}

// TestListenerLoad: 64 concurrent pushers × 100 messages through the real
// client and the running listener store exactly 6,400 blocks, none twice,
// none lost.
func TestListenerLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	const pushers, perPusher = 64, 100
	cfg := withAccount(t, app.ListenerConfig{Collections: []string{"load"}, RatePerMinute: -1}, "loader", "pw")
	w := newWorkstation(t, cfg)
	inbox := w.l.Status().InboxURL
	// One keep-alive connection per pusher, as 64 partners would have.
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: pushers}}
	defer hc.CloseIdleConnections()
	c := &taxii.Client{HTTPClient: hc, Auth: taxii.Auth{Username: "loader", Password: "pw"}}

	var wg sync.WaitGroup
	errs := make(chan error, pushers)
	for p := range pushers {
		wg.Go(func() {
			for i := range perPusher {
				m := &taxii.InboxMessage{DestinationCollectionNames: []string{"load"},
					ContentBlocks: []taxii.ContentBlock{{Binding: taxii.ContentBinding{ID: taxii.ContentSTIX12}, Content: loadBlock(p, i, 2048), ContentIsXML: true}}}
				if _, err := c.Push(context.Background(), inbox, m); err != nil {
					errs <- fmt.Errorf("pusher %d message %d: %w", p, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	want := map[app.BlockID]bool{}
	for p := range pushers {
		for i := range perPusher {
			want[taxii11ID(loadBlock(p, i, 2048))] = true
		}
	}
	got := w.received(t, 0)
	seen := map[app.BlockID]int{}
	for _, it := range got {
		seen[it.Block.ID]++
		if !want[it.Block.ID] {
			t.Errorf("stored a block nobody sent: %s", it.Block.ID.Short())
		}
	}
	if len(got) != pushers*perPusher || len(seen) != pushers*perPusher {
		t.Errorf("stored %d received blocks (%d distinct), want exactly %d", len(got), len(seen), pushers*perPusher)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("block %s stored %d times", id.Short(), n)
		}
	}
	if st := w.l.Status(); st.Messages != pushers*perPusher || st.Blocks != pushers*perPusher {
		t.Errorf("status counts %d messages, %d blocks", st.Messages, st.Blocks)
	}
	if err := w.store.Check(context.Background()); err != nil {
		t.Error(err)
	}
}
