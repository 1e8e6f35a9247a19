package taxii_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"
	"weak"

	"github.com/taxii-workstation/taxii-workstation/taxii"
	"github.com/taxii-workstation/taxii-workstation/taxii/taxiitest"
)

func TestPollMultiPart(t *testing.T) {
	tests := []struct {
		blocks, partSize int
		wantParts        int
	}{
		{0, 0, 1},
		{7, 0, 1},
		{10, 10, 1},
		{11, 10, 2},
		{120, 50, 3},
		{250, 1, 250},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d_by_%d", tc.blocks, tc.partSize), func(t *testing.T) {
			srv := newServer(t, taxiitest.Options{})
			srv.AddCollection(taxiitest.Collection{Name: "feed", Blocks: tc.blocks, PartSize: tc.partSize, BlockSize: 300})
			var got []int
			var parts []int
			var events int
			res, err := fastClient().Poll(context.Background(), srv.PollURL(), &taxii.PollRequest{CollectionName: "feed"}, taxii.PollOptions{
				OnPart: func(p *taxii.PollResponse) error {
					parts = append(parts, len(p.ContentBlocks))
					for _, b := range p.ContentBlocks {
						got = append(got, int(b.TimestampLabel.Time.Sub(taxiitest.DefaultStart)/time.Second))
					}
					return nil
				},
				OnProgress: func(p taxii.PollProgress) {
					if p.Event == taxii.PollPartReceived {
						events++
					}
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.Parts != tc.wantParts || len(parts) != tc.wantParts || events != tc.wantParts {
				t.Errorf("parts: result %d, callbacks %d, events %d; want %d", res.Parts, len(parts), events, tc.wantParts)
			}
			if res.Blocks != tc.blocks || len(got) != tc.blocks {
				t.Errorf("blocks: result %d, delivered %d; want %d", res.Blocks, len(got), tc.blocks)
			}
			for i, n := range got {
				if n != i {
					t.Fatalf("block %d has label of block %d: order or duplicates wrong", i, n)
				}
			}
			for _, n := range parts {
				if tc.partSize > 0 && n > tc.partSize {
					t.Errorf("a part carried %d blocks, more than %d", n, tc.partSize)
				}
			}
			if res.RecordCount == nil || res.RecordCount.Count != uint64(tc.blocks) {
				t.Errorf("record count %+v, want %d", res.RecordCount, tc.blocks)
			}
			if want := srv.Count("PollFulfillmentRequest"); want != tc.wantParts-1 {
				t.Errorf("%d fulfillment requests, want %d", want, tc.wantParts-1)
			}
			if tc.blocks > 0 {
				last := taxiitest.DefaultStart.Add(time.Duration(tc.blocks-1) * time.Second)
				if nb := res.NextBegin(); nb == nil || !nb.Time.Equal(last) {
					t.Errorf("NextBegin %v, want %v", nb, last)
				}
			}
		})
	}
}

func TestPollTimeWindowAndCountOnly(t *testing.T) {
	srv := newServer(t, taxiitest.Options{})
	srv.AddCollection(taxiitest.Collection{Name: "feed", Blocks: 100, PartSize: 30})
	c := fastClient()
	begin := taxii.NewTimestamp(taxiitest.DefaultStart.Add(9 * time.Second))
	end := taxii.NewTimestamp(taxiitest.DefaultStart.Add(69 * time.Second))
	res, err := c.Poll(context.Background(), srv.PollURL(), &taxii.PollRequest{CollectionName: "feed", ExclusiveBegin: begin, InclusiveEnd: end}, taxii.PollOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Blocks != 60 || res.Parts != 2 || !res.NextBegin().Time.Equal(end.Time) {
		t.Errorf("window poll: %d blocks in %d parts, next begin %v", res.Blocks, res.Parts, res.NextBegin())
	}

	res, err = c.Poll(context.Background(), srv.PollURL(), &taxii.PollRequest{CollectionName: "feed",
		Parameters: &taxii.PollParameters{ResponseType: taxii.ResponseCountOnly}}, taxii.PollOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Blocks != 0 || res.RecordCount == nil || res.RecordCount.Count != 100 {
		t.Errorf("count only: %d blocks, count %+v", res.Blocks, res.RecordCount)
	}
}

func TestPollPendingThenResult(t *testing.T) {
	srv := newServer(t, taxiitest.Options{})
	srv.AddCollection(taxiitest.Collection{Name: "feed", Blocks: 25, PartSize: 10, Pending: 2, EstimatedWait: 300})
	var waits []taxii.PollProgress
	res, err := fastClient().Poll(context.Background(), srv.PollURL(),
		&taxii.PollRequest{CollectionName: "feed", Parameters: &taxii.PollParameters{AllowAsynch: true}},
		taxii.PollOptions{
			MaxPendingWait: 20 * time.Millisecond, // the server's 300 s estimate is capped
			OnProgress: func(p taxii.PollProgress) {
				if p.Event == taxii.PollWaiting {
					waits = append(waits, p)
				}
			},
		})
	if err != nil {
		t.Fatal(err)
	}
	if res.Blocks != 25 || res.Parts != 3 {
		t.Fatalf("%d blocks in %d parts", res.Blocks, res.Parts)
	}
	if len(waits) < 2 || waits[0].Total != 20*time.Millisecond || waits[0].ResultID == "" {
		t.Fatalf("countdown events %+v", waits)
	}
	// 1 poll (PENDING), 1 fulfillment (PENDING), fulfillment parts 1..3.
	if n := srv.Count("PollFulfillmentRequest"); n != 4 {
		t.Errorf("%d fulfillment requests, want 4", n)
	}
}

func TestPollPendingCancelled(t *testing.T) {
	srv := newServer(t, taxiitest.Options{})
	srv.AddCollection(taxiitest.Collection{Name: "feed", Blocks: 5, Pending: 1, EstimatedWait: 300})
	ctx, cancel := context.WithCancel(context.Background())
	start := time.Now()
	_, err := fastClient().Poll(ctx, srv.PollURL(), &taxii.PollRequest{CollectionName: "feed", Parameters: &taxii.PollParameters{AllowAsynch: true}},
		taxii.PollOptions{OnProgress: func(p taxii.PollProgress) {
			if p.Event == taxii.PollWaiting {
				cancel() // the user presses Cancel during the countdown
			}
		}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if time.Since(start) > time.Minute {
		t.Fatal("cancel did not end the wait")
	}
}

func TestPollStillPendingGivesUp(t *testing.T) {
	srv := newServer(t, taxiitest.Options{})
	srv.AddCollection(taxiitest.Collection{Name: "feed", Blocks: 5, Pending: 10})
	_, err := fastClient().Poll(context.Background(), srv.PollURL(), &taxii.PollRequest{CollectionName: "feed"},
		taxii.PollOptions{MaxPendingWait: time.Millisecond, MaxPendingTries: 3})
	var se *taxii.StatusError
	if !errors.As(err, &se) || se.Type != taxii.StatusPending {
		t.Fatalf("error %v, want a PENDING StatusError", err)
	}
	if n := srv.Count("PollFulfillmentRequest"); n != 3 {
		t.Errorf("%d fulfillment requests, want 3", n)
	}
}

func TestPollHardStops(t *testing.T) {
	tests := []struct {
		name      string
		misbehave taxiitest.Misbehaviour
		maxParts  int
		wantParts int
	}{
		{"repeated part number", taxiitest.RepeatPartNumber, 0, 1},
		{"repeated part content", taxiitest.RepeatPartContent, 0, 1},
		{"empty part says more", taxiitest.EmptyMore, 0, 2},
		{"part limit", taxiitest.EndlessMore, 7, 7},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, taxiitest.Options{})
			srv.AddCollection(taxiitest.Collection{Name: "feed", Blocks: 30, PartSize: 10, Misbehave: tc.misbehave})
			res, err := fastClient().Poll(context.Background(), srv.PollURL(), &taxii.PollRequest{CollectionName: "feed"}, taxii.PollOptions{MaxParts: tc.maxParts})
			if !errors.Is(err, taxii.ErrPollLoop) {
				t.Fatalf("error %v, want ErrPollLoop", err)
			}
			if res == nil || res.Parts != tc.wantParts {
				t.Fatalf("result %+v, want %d parts delivered before the stop", res, tc.wantParts)
			}
			if n := srv.Count(""); n > tc.wantParts+1 {
				t.Errorf("%d requests sent; the client kept asking", n)
			}
		})
	}
}

func TestPollCallbackErrorStops(t *testing.T) {
	srv := newServer(t, taxiitest.Options{})
	srv.AddCollection(taxiitest.Collection{Name: "feed", Blocks: 50, PartSize: 10})
	errDisk := errors.New("disk full")
	res, err := fastClient().Poll(context.Background(), srv.PollURL(), &taxii.PollRequest{CollectionName: "feed"},
		taxii.PollOptions{OnPart: func(p *taxii.PollResponse) error {
			if p.ResultPartNumber == 2 {
				return errDisk
			}
			return nil
		}})
	if !errors.Is(err, errDisk) || res.Parts != 2 || srv.Count("PollFulfillmentRequest") != 1 {
		t.Fatalf("error %v after %d parts and %d fulfillments", err, res.Parts, srv.Count("PollFulfillmentRequest"))
	}
}

// TestPollDoesNotRetainParts checks that memory stays bounded: once OnPart
// returns, the client keeps no reference to the part.
func TestPollDoesNotRetainParts(t *testing.T) {
	srv := newServer(t, taxiitest.Options{})
	srv.AddCollection(taxiitest.Collection{Name: "feed", Blocks: 200, PartSize: 10})
	var refs []weak.Pointer[taxii.PollResponse]
	_, err := fastClient().Poll(context.Background(), srv.PollURL(), &taxii.PollRequest{CollectionName: "feed"},
		taxii.PollOptions{OnPart: func(p *taxii.PollResponse) error {
			refs = append(refs, weak.Make(p))
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.GC()
	alive := 0
	for _, r := range refs {
		if r.Value() != nil {
			alive++
		}
	}
	if len(refs) != 20 || alive > 1 {
		t.Fatalf("%d of %d parts still reachable after the poll", alive, len(refs))
	}
}

func TestPollStatusErrors(t *testing.T) {
	srv := newServer(t, taxiitest.Options{})
	_, err := fastClient().Poll(context.Background(), srv.PollURL(), &taxii.PollRequest{CollectionName: "nope"}, taxii.PollOptions{})
	var se *taxii.StatusError
	if !errors.As(err, &se) || se.Type != taxii.StatusNotFound || se.Details[taxii.DetailItem][0] != "nope" {
		t.Fatalf("error %v, want NOT_FOUND for nope", err)
	}
}

func TestPollPartsIterator(t *testing.T) {
	srv := newServer(t, taxiitest.Options{})
	srv.AddCollection(taxiitest.Collection{Name: "feed", Blocks: 100, PartSize: 10})
	c := fastClient()
	n := 0
	for part, err := range c.PollParts(context.Background(), srv.PollURL(), &taxii.PollRequest{CollectionName: "feed"}, taxii.PollOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if part.ResultPartNumber != n {
			t.Fatalf("part %d arrived as number %d", n, part.ResultPartNumber)
		}
		if n == 3 {
			break // stops the poll: no more fulfillment requests
		}
	}
	if n != 3 || srv.Count("PollFulfillmentRequest") != 2 {
		t.Fatalf("%d parts seen, %d fulfillments sent", n, srv.Count("PollFulfillmentRequest"))
	}
	var last error
	for _, err := range c.PollParts(context.Background(), srv.PollURL(), &taxii.PollRequest{CollectionName: "missing"}, taxii.PollOptions{}) {
		last = err
	}
	var se *taxii.StatusError
	if !errors.As(last, &se) || se.Type != taxii.StatusNotFound {
		t.Fatalf("error %v", last)
	}
}

// A server may answer PENDING to a fulfillment in the middle of a result;
// the client waits and asks for the same part again.
func TestPollPendingMidResult(t *testing.T) {
	srv := newServer(t, taxiitest.Options{})
	srv.AddCollection(taxiitest.Collection{Name: "feed", Blocks: 30, PartSize: 10})
	srv.Script(taxiitest.Step{Kind: "PollFulfillmentRequest", Status: taxii.StatusPending,
		Details: map[string][]string{taxii.DetailEstimatedWait: {"5"}, taxii.DetailResultID: {"result-1"}, taxii.DetailWillPush: {"false"}}})
	res, err := fastClient().Poll(context.Background(), srv.PollURL(), &taxii.PollRequest{CollectionName: "feed"}, taxii.PollOptions{MaxPendingWait: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Blocks != 30 || res.Parts != 3 {
		t.Fatalf("%d blocks in %d parts", res.Blocks, res.Parts)
	}
	var asked []int
	for _, r := range srv.Requests() {
		if f, ok := r.Message.(*taxii.PollFulfillmentRequest); ok {
			asked = append(asked, f.ResultPartNumber)
		}
	}
	if fmt.Sprint(asked) != "[2 2 3]" {
		t.Fatalf("fulfillments asked for parts %v, want [2 2 3]", asked)
	}
}

func TestPollCancelledBetweenParts(t *testing.T) {
	srv := newServer(t, taxiitest.Options{})
	srv.AddCollection(taxiitest.Collection{Name: "feed", Blocks: 50, PartSize: 10})
	ctx, cancel := context.WithCancel(context.Background())
	res, err := fastClient().Poll(ctx, srv.PollURL(), &taxii.PollRequest{CollectionName: "feed"},
		taxii.PollOptions{OnPart: func(p *taxii.PollResponse) error {
			if p.ResultPartNumber == 2 {
				cancel() // the user presses Cancel while part 2 is stored
			}
			return nil
		}})
	if !errors.Is(err, context.Canceled) || res.Parts != 2 {
		t.Fatalf("error %v after %d parts", err, res.Parts)
	}
	if n := srv.Count("PollFulfillmentRequest"); n != 1 {
		t.Fatalf("%d fulfillment requests, want 1 (part 2; nothing after the cancel)", n)
	}
}
