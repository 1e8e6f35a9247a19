package taxii

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"iter"
	"time"
)

// Defaults for PollOptions.
const (
	DefaultMaxParts        = 100000
	DefaultMaxPendingWait  = 5 * time.Minute
	DefaultMaxPendingTries = 20
)

// PollOptions control how Poll follows a result.
type PollOptions struct {
	// OnPart receives every part as it arrives, in order; the blocks are in
	// part.ContentBlocks. The part is dropped after the call, so memory stays
	// bounded by one part. Returning an error stops the poll with it.
	OnPart func(part *PollResponse) error

	// OnProgress receives progress: one event per part, and a countdown
	// while waiting for an asynchronous result.
	OnProgress func(PollProgress)

	// MaxParts stops a multi-part result after this many parts
	// (0 = DefaultMaxParts).
	MaxParts int

	// MaxPendingWait caps one wait for a PENDING result, whatever the
	// server estimates (0 = DefaultMaxPendingWait). MaxPendingTries caps how
	// many PENDING answers are waited for (0 = DefaultMaxPendingTries).
	MaxPendingWait  time.Duration
	MaxPendingTries int
}

// PollEvent says what a PollProgress reports.
type PollEvent int

// Poll progress events.
const (
	PollPartReceived PollEvent = iota + 1 // a part arrived and was handed to OnPart
	PollWaiting                           // waiting for an asynchronous result (countdown)
)

// PollProgress is a snapshot of a running poll.
type PollProgress struct {
	Event       PollEvent
	Part        int          // number of the part just received (or awaited)
	Blocks      int          // content blocks received so far
	Bytes       int64        // content bytes received so far
	RecordCount *RecordCount // the server's latest record count, when given
	More        bool         // the server says more parts follow
	ResultID    string
	// Remaining and Total are the countdown while waiting (PollWaiting).
	Remaining, Total time.Duration
}

// PollResult sums up a finished poll.
type PollResult struct {
	CollectionName string
	SubscriptionID string
	ResultID       string
	Parts          int
	Blocks         int
	Bytes          int64
	RecordCount    *RecordCount // from the last part that carried one
	Message        string       // the last non-empty message of the server
	// ExclusiveBegin is the first part's lower bound; InclusiveEnd the
	// highest upper bound of any part.
	ExclusiveBegin, InclusiveEnd *Timestamp
	// NewestLabel is the newest Timestamp_Label among the blocks.
	NewestLabel *Timestamp
}

// NextBegin is where the next poll of a data feed should start
// (its Exclusive_Begin_Timestamp): the server's end timestamp, else the
// newest timestamp label received, else nil. Never the local clock.
func (r *PollResult) NextBegin() *Timestamp {
	if r.InclusiveEnd != nil {
		return r.InclusiveEnd
	}
	return r.NewestLabel
}

// Poll sends req to the poll service at rawURL and follows the result to
// its end: multi-part results through Poll Fulfillment until more is false,
// and asynchronous results (PENDING) by waiting the server's estimate
// (capped, cancellable, reported as a countdown) and fetching them.
//
// It stops with an error wrapping ErrPollLoop on an empty part that still
// says more, a repeated part or too many parts; with a *StatusError on a
// Status Message; and with ctx's error when ctx ends. The PollResult sums
// up what was received until then, also on error.
//
// req.Version and an empty req.MessageID are filled in by the client.
func (c *Client) Poll(ctx context.Context, rawURL string, req *PollRequest, opts PollOptions) (*PollResult, error) {
	req.Version = c.version()
	if req.Version == V11 && req.SubscriptionID == "" && req.Parameters == nil {
		req.Parameters = &PollParameters{} // 1.1 needs one of the two; empty = everything, FULL
	}
	p := &poller{c: c, url: rawURL, opts: opts, res: &PollResult{CollectionName: req.CollectionName}}
	if req.Parameters != nil && req.Parameters.ResponseType == ResponseCountOnly {
		p.countOnly = true
	}
	reply, err := c.Do(ctx, rawURL, req)
	for {
		if err != nil {
			return p.res, err
		}
		var next Message
		next, err = p.handle(ctx, reply)
		if err != nil || next == nil {
			return p.res, err
		}
		reply, err = c.Do(ctx, rawURL, next)
	}
}

type poller struct {
	c         *Client
	url       string
	opts      PollOptions
	res       *PollResult
	countOnly bool
	want      int      // part number expected next
	lastSum   [32]byte // hash of the previous part's content
	pending   int
}

// handle processes one reply and returns the next request, or nil when done.
func (p *poller) handle(ctx context.Context, reply Message) (Message, error) {
	switch m := reply.(type) {
	case *PollResponse:
		return p.part(m)
	case *StatusMessage:
		if m.Type != StatusPending {
			return nil, statusError(p.url, m)
		}
		return p.wait(ctx, m)
	default:
		return nil, unexpected("poll", p.url, reply)
	}
}

func (p *poller) part(m *PollResponse) (Message, error) {
	n := m.ResultPartNumber
	if n == 0 {
		n = max(p.want, 1)
	}
	if p.want > 0 && n != p.want {
		return nil, fmt.Errorf("taxii: poll %s: asked for part %d of result %s but got part %d: %w", p.res.CollectionName, p.want, p.res.ResultID, n, ErrPollLoop)
	}
	sum := partSum(m)
	if p.res.Parts > 0 && len(m.ContentBlocks) > 0 && sum == p.lastSum {
		return nil, fmt.Errorf("taxii: poll %s: part %d repeats the content of part %d: %w", p.res.CollectionName, n, n-1, ErrPollLoop)
	}
	p.lastSum = sum
	r := p.res
	r.Parts++
	if m.ResultID != "" {
		r.ResultID = m.ResultID
	}
	if m.SubscriptionID != "" {
		r.SubscriptionID = m.SubscriptionID
	}
	if m.RecordCount != nil {
		rc := *m.RecordCount
		r.RecordCount = &rc
	}
	if m.Message != "" {
		r.Message = m.Message
	}
	if r.Parts == 1 {
		r.ExclusiveBegin = m.ExclusiveBegin
		if r.ExclusiveBegin == nil {
			r.ExclusiveBegin = m.InclusiveBegin
		}
	}
	if m.InclusiveEnd != nil && (r.InclusiveEnd == nil || m.InclusiveEnd.Time.After(r.InclusiveEnd.Time)) {
		r.InclusiveEnd = m.InclusiveEnd
	}
	for i := range m.ContentBlocks {
		b := &m.ContentBlocks[i]
		r.Blocks++
		r.Bytes += int64(len(b.Content))
		if b.TimestampLabel != nil && (r.NewestLabel == nil || b.TimestampLabel.Time.After(r.NewestLabel.Time)) {
			ts := *b.TimestampLabel
			r.NewestLabel = &ts
		}
	}
	if p.opts.OnPart != nil {
		if err := p.opts.OnPart(m); err != nil {
			return nil, err
		}
	}
	p.progress(PollProgress{Event: PollPartReceived, Part: n, More: m.More, ResultID: r.ResultID})

	switch {
	case !m.More:
		return nil, nil
	case p.countOnly && len(m.ContentBlocks) == 0:
		return nil, nil // COUNT_ONLY answers may say more="true"; there is nothing to fetch
	case m.ResultID == "":
		return nil, fmt.Errorf("taxii: poll %s: the server says more parts follow but gives no result_id to fetch them: %w", r.CollectionName, ErrPollLoop)
	case len(m.ContentBlocks) == 0:
		return nil, fmt.Errorf("taxii: poll %s: part %d is empty but says more parts follow: %w", r.CollectionName, n, ErrPollLoop)
	case r.Parts >= p.maxParts():
		return nil, fmt.Errorf("taxii: poll %s: stopped after %d parts (the limit) although the server says more follow: %w", r.CollectionName, r.Parts, ErrPollLoop)
	}
	p.want = n + 1
	return &PollFulfillmentRequest{Version: p.c.version(), CollectionName: r.CollectionName, ResultID: m.ResultID, ResultPartNumber: n + 1}, nil
}

// wait handles PENDING: count down the (capped) estimate, then ask for part 1.
func (p *poller) wait(ctx context.Context, m *StatusMessage) (Message, error) {
	p.pending++
	id := m.ResultID()
	maxTries := p.opts.MaxPendingTries
	if maxTries <= 0 {
		maxTries = DefaultMaxPendingTries
	}
	if id == "" || p.pending > maxTries {
		se := statusError(p.url, m)
		if id != "" {
			se.Message = fmt.Sprintf("still pending after %d waits; %s", maxTries, se.Message)
		}
		return nil, se
	}
	p.res.ResultID = id
	limit := p.opts.MaxPendingWait
	if limit <= 0 {
		limit = DefaultMaxPendingWait
	}
	secs, _ := m.EstimatedWait()
	total := min(time.Duration(max(secs, 1))*time.Second, limit)
	deadline := time.Now().Add(total)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	timer := time.NewTimer(total)
	defer timer.Stop()
	for {
		p.progress(PollProgress{Event: PollWaiting, Part: max(p.want, 1), ResultID: id, Remaining: max(time.Until(deadline), 0).Round(time.Second), Total: total})
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("taxii: poll %s: stopped while waiting for result %s: %w", p.res.CollectionName, id, ctx.Err())
		case <-timer.C:
			// Ask again for the part that was pending: part 1 after the poll
			// itself, or the part a fulfillment asked for.
			p.want = max(p.want, 1)
			return &PollFulfillmentRequest{Version: p.c.version(), CollectionName: p.res.CollectionName, ResultID: id, ResultPartNumber: p.want}, nil
		case <-tick.C:
		}
	}
}

func (p *poller) progress(ev PollProgress) {
	if p.opts.OnProgress == nil {
		return
	}
	ev.Blocks, ev.Bytes = p.res.Blocks, p.res.Bytes
	if ev.ResultID == "" {
		ev.ResultID = p.res.ResultID
	}
	if p.res.RecordCount != nil {
		rc := *p.res.RecordCount
		ev.RecordCount = &rc
	}
	p.opts.OnProgress(ev)
}

func (p *poller) maxParts() int {
	if p.opts.MaxParts <= 0 {
		return DefaultMaxParts
	}
	return p.opts.MaxParts
}

// partSum identifies a part's content, to notice a server that sends the
// same part again under another number.
func partSum(m *PollResponse) [32]byte {
	h := sha256.New()
	for _, b := range m.ContentBlocks {
		h.Write([]byte(b.Binding.ID))
		h.Write([]byte{0})
		h.Write(b.Content)
		h.Write([]byte{0})
	}
	var s [32]byte
	copy(s[:], h.Sum(nil))
	return s
}

// errStopParts ends a Poll whose PollParts consumer stopped iterating.
var errStopParts = errors.New("taxii: poll parts: consumer stopped")

// PollParts is Poll as an iterator over the parts of the result, for range
// loops: each part is yielded as it arrives, and an error, if any, is yielded
// last with a nil part. Breaking out of the loop stops the poll.
// opts.OnPart, if set, is called before each part is yielded.
func (c *Client) PollParts(ctx context.Context, rawURL string, req *PollRequest, opts PollOptions) iter.Seq2[*PollResponse, error] {
	return func(yield func(*PollResponse, error) bool) {
		o := opts
		o.OnPart = func(p *PollResponse) error {
			if opts.OnPart != nil {
				if err := opts.OnPart(p); err != nil {
					return err
				}
			}
			if !yield(p, nil) {
				return errStopParts
			}
			return nil
		}
		if _, err := c.Poll(ctx, rawURL, req, o); err != nil && !errors.Is(err, errStopParts) {
			yield(nil, err)
		}
	}
}
