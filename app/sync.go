package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/taxii-workstation/taxii-workstation/taxii"
)

// SyncMode says which time window a sync asks for.
type SyncMode string

// Sync modes.
const (
	// SinceLast continues from the collection's cursor (everything when
	// there is none yet).
	SinceLast SyncMode = "since-last"
	// Window asks for Begin (exclusive) to End (inclusive); either may be zero.
	Window SyncMode = "window"
	// Everything asks for the whole collection.
	Everything SyncMode = "everything"
)

// SyncRequest says what to sync.
type SyncRequest struct {
	Server     string    `json:"server"`
	Collection string    `json:"collection"`
	Mode       SyncMode  `json:"mode"`
	Begin      time.Time `json:"begin,omitzero"` // Window only
	End        time.Time `json:"end,omitzero"`   // Window only
	// Bindings restricts the content bindings asked for; none means all.
	Bindings []string `json:"bindings,omitempty"`
	// CountOnly asks only how many records there are: nothing is stored
	// and the cursor does not move.
	CountOnly bool `json:"count_only,omitempty"`
	// SubscriptionID polls on behalf of a subscription (TAXII 1.1: the
	// subscription's parameters apply instead of Bindings and CountOnly).
	SubscriptionID string `json:"subscription_id,omitempty"`
}

// RecordCount is the number of records a server reported, and whether it
// is only a lower bound.
type RecordCount struct {
	Count   uint64 `json:"count"`
	Partial bool   `json:"partial,omitempty"`
}

// SyncResult sums up a sync, also one that failed part way (what was
// stored until then).
type SyncResult struct {
	Server     string   `json:"server"`
	Collection string   `json:"collection"`
	Mode       SyncMode `json:"mode"`
	CountOnly  bool     `json:"count_only,omitempty"`
	// New blocks were not cached before; Known ones were (by content hash).
	New   int `json:"new"`
	Known int `json:"known"`
	// Parts, Blocks and Bytes are what the server sent.
	Parts       int          `json:"parts"`
	Blocks      int          `json:"blocks"`
	Bytes       int64        `json:"bytes"`
	RecordCount *RecordCount `json:"record_count,omitempty"`
	// Begin and End are the window asked for (zero: open).
	Begin time.Time `json:"begin,omitzero"`
	End   time.Time `json:"end,omitzero"`
	// Cursor is the collection's cursor after the sync (zero: none);
	// CursorMoved says whether this sync moved it.
	Cursor      time.Time `json:"cursor,omitzero"`
	CursorMoved bool      `json:"cursor_moved"`
	// Message is the server's last message, if any.
	Message string `json:"message,omitempty"`
}

// Progress is a snapshot of a running sync.
type Progress struct {
	Parts       int          `json:"parts"`
	Blocks      int          `json:"blocks"`
	Bytes       int64        `json:"bytes"`
	New         int          `json:"new"`
	Known       int          `json:"known"`
	RecordCount *RecordCount `json:"record_count,omitempty"`
	// Waiting is true while the server prepares an asynchronous result
	// (PENDING): Remaining counts down from WaitTotal.
	Waiting   bool          `json:"waiting,omitempty"`
	Remaining time.Duration `json:"remaining,omitempty"`
	WaitTotal time.Duration `json:"wait_total,omitempty"`
}

func (r SyncRequest) check() error {
	if r.Server == "" || r.Collection == "" {
		return errors.New("app: a sync needs a server and a collection name")
	}
	switch r.Mode {
	case SinceLast, Everything:
		if !r.Begin.IsZero() || !r.End.IsZero() {
			return fmt.Errorf("app: a %s sync takes no begin or end time; use the window mode", r.Mode)
		}
	case Window:
		if !r.Begin.IsZero() && !r.End.IsZero() && !r.End.After(r.Begin) {
			return fmt.Errorf("app: the window's end (%s) must be after its begin (%s)", r.End.Format(time.RFC3339), r.Begin.Format(time.RFC3339))
		}
	default:
		return fmt.Errorf("app: unknown sync mode %q (since-last, window, everything)", r.Mode)
	}
	return nil
}

// roundDown applies the profile's timestamp precision to a begin time.
func roundDown(t time.Time, p TimestampPrecision) time.Time {
	switch p {
	case PrecisionSeconds:
		return t.Truncate(time.Second)
	case PrecisionMillis:
		return t.Truncate(time.Millisecond)
	}
	return t.Truncate(time.Microsecond) // what the wire format carries
}

// roundUp applies the precision to an end time, so the window never shrinks.
func roundUp(t time.Time, p TimestampPrecision) time.Time {
	d := time.Microsecond
	switch p {
	case PrecisionSeconds:
		d = time.Second
	case PrecisionMillis:
		d = time.Millisecond
	}
	if r := t.Truncate(d); !r.Equal(t) {
		return r.Add(d)
	}
	return t
}

// sync runs one sync. It reports progress through onProgress (called on
// this goroutine). See the package documentation for the cursor rule.
func (a *App) sync(ctx context.Context, req SyncRequest, onProgress func(Progress)) (SyncResult, error) {
	res := SyncResult{Server: req.Server, Collection: req.Collection, Mode: req.Mode, CountOnly: req.CountOnly}
	cl, p, err := a.client(ctx, req.Server)
	if err != nil {
		return res, err
	}
	var cursor time.Time
	switch c, err := a.store.Cursor(ctx, req.Server, req.Collection); {
	case err == nil:
		cursor = c.Label
	case !errors.Is(err, ErrNotFound):
		return res, fmt.Errorf("app: read the cursor of %s/%s: %w", req.Server, req.Collection, err)
	}
	res.Cursor = cursor

	// The window asked for, and whether its result may move the cursor:
	// only when it is contiguous with what is stored (no gap before it).
	var begin, end time.Time
	moves := !req.CountOnly
	switch req.Mode {
	case SinceLast:
		begin = cursor
	case Window:
		begin, end = req.Begin, req.End
		moves = moves && (begin.IsZero() || (!cursor.IsZero() && !begin.After(cursor)))
	}
	if !begin.IsZero() {
		begin = roundDown(begin, p.TimestampPrecision)
	}
	if !end.IsZero() {
		end = roundUp(end, p.TimestampPrecision)
	}
	res.Begin, res.End = begin, end

	addr, err := a.serviceAddress(ctx, req.Server, taxii.ServicePoll, req.Collection)
	if err != nil {
		return res, err
	}
	preq := &taxii.PollRequest{CollectionName: req.Collection, SubscriptionID: req.SubscriptionID}
	if !begin.IsZero() {
		preq.ExclusiveBegin = taxii.NewTimestamp(begin.UTC())
	}
	if !end.IsZero() {
		preq.InclusiveEnd = taxii.NewTimestamp(end.UTC())
	}
	if req.SubscriptionID == "" {
		pp := &taxii.PollParameters{AllowAsynch: true, ResponseType: taxii.ResponseFull}
		if req.CountOnly {
			pp.ResponseType = taxii.ResponseCountOnly
		}
		for _, b := range req.Bindings {
			pp.ContentBindings = append(pp.ContentBindings, taxii.ContentBinding{ID: b})
		}
		preq.Parameters = pp
	}

	var prog Progress
	var newestEnd, newestLabel time.Time // across all parts, for the cursor
	onPart := func(part *taxii.PollResponse) error {
		prog.Parts++
		if part.InclusiveEnd != nil && part.InclusiveEnd.Time.After(newestEnd) {
			newestEnd = part.InclusiveEnd.Time
		}
		if part.RecordCount != nil {
			prog.RecordCount = &RecordCount{Count: part.RecordCount.Count, Partial: part.RecordCount.Partial}
		}
		blocks := make([]NewBlock, 0, len(part.ContentBlocks))
		now := a.clock.Now().UTC()
		for i := range part.ContentBlocks {
			b := &part.ContentBlocks[i]
			prog.Blocks++
			prog.Bytes += int64(len(b.Content))
			nb := NewBlock{Content: b.Content, Binding: b.Binding.ID, MessageID: part.MessageID, Received: now, Title: titleOf(b.Content)}
			if len(b.Binding.Subtypes) > 0 {
				nb.Subtype = b.Binding.Subtypes[0]
			}
			if b.TimestampLabel != nil {
				nb.TimestampLabel = b.TimestampLabel.Time.UTC()
				if b.TimestampLabel.Time.After(newestLabel) {
					newestLabel = b.TimestampLabel.Time
				}
			}
			blocks = append(blocks, nb)
		}
		if req.CountOnly {
			return nil
		}
		// Intermediate parts store blocks only; the final part stores its
		// blocks and the new cursor in one transaction.
		var next time.Time
		if !part.More && moves {
			next = newestEnd
			if next.IsZero() {
				next = newestLabel // the server gave no end: the newest label received
			}
		}
		if len(blocks) == 0 && next.IsZero() {
			return nil
		}
		cr, err := a.store.CommitPart(ctx, req.Server, req.Collection, blocks, next)
		if err != nil {
			return fmt.Errorf("app: store part %d of %s/%s: %w", prog.Parts, req.Server, req.Collection, err)
		}
		prog.New += cr.New
		prog.Known += cr.Known
		res.New, res.Known = prog.New, prog.Known
		if cr.CursorMoved {
			res.CursorMoved, res.Cursor = true, next.UTC()
		}
		if cr.New > 0 || cr.NewSightings > 0 || cr.CursorMoved {
			a.publish(Event{Kind: CacheChanged, Server: req.Server, Collection: req.Collection})
		}
		return nil
	}
	onPollProgress := func(pp taxii.PollProgress) {
		prog.Waiting = pp.Event == taxii.PollWaiting
		prog.Remaining, prog.WaitTotal = 0, 0
		if prog.Waiting {
			prog.Remaining, prog.WaitTotal = pp.Remaining, pp.Total
		}
		if pp.RecordCount != nil {
			prog.RecordCount = &RecordCount{Count: pp.RecordCount.Count, Partial: pp.RecordCount.Partial}
		}
		if onProgress != nil {
			onProgress(prog)
		}
	}
	pr, perr := cl.Poll(ctx, addr, preq, taxii.PollOptions{OnPart: onPart, OnProgress: onPollProgress})
	res.Parts, res.Blocks, res.Bytes, res.RecordCount = prog.Parts, prog.Blocks, prog.Bytes, prog.RecordCount
	if pr != nil {
		res.Message = pr.Message
		if pr.RecordCount != nil {
			res.RecordCount = &RecordCount{Count: pr.RecordCount.Count, Partial: pr.RecordCount.Partial}
		}
	}
	if perr != nil {
		return res, fmt.Errorf("app: sync %s/%s: %w", req.Server, req.Collection, perr)
	}
	return res, nil
}
