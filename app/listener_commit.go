package app

import (
	"context"
	"fmt"

	"github.com/taxii-workstation/taxii-workstation/storage"
)

// Group commit. Every receipt updates the cache's counters, so concurrent
// Badger transactions for receipts would conflict and retry; receipts are
// therefore committed one transaction at a time. To keep throughput up
// under many concurrent pushers, the request that gets the commit lock
// commits every receipt waiting at that moment (up to maxBatchBytes and
// maxBatchMessages) in one transaction per (sender, route), then syncs once.
// Batches stay far below Badger's transaction limit, so a batch is never
// split: each message is stored whole or not at all, and a receipt is
// answered SUCCESS only after the transaction holding it committed.

const (
	maxBatchBytes    = 1 << 20
	maxBatchMessages = 256
)

// pendingCommit is one receipt waiting to be committed.
type pendingCommit struct {
	sender, collection string
	blocks             []NewBlock
	size               int
	res                CommitResult
	err                error
	done               bool // set under commitMu
}

// commit stores blocks received from sender for collection (the encoded
// route) and returns once they are committed (and synced, when the store
// can), or failed.
func (l *Listener) commit(ctx context.Context, sender, collection string, blocks []NewBlock) (CommitResult, error) {
	p := &pendingCommit{sender: sender, collection: collection, blocks: blocks}
	for _, b := range blocks {
		p.size += len(b.Content)
	}
	l.queueMu.Lock()
	l.queue = append(l.queue, p)
	l.queueMu.Unlock()

	l.commitMu.Lock()
	defer l.commitMu.Unlock()
	for !p.done {
		if err := ctx.Err(); err != nil && l.dequeue(p) {
			return CommitResult{}, err // the sender left before anything was stored
		}
		l.commitBatch(l.takeBatch())
	}
	return p.res, p.err
}

// dequeue removes p from the queue if it is still there.
func (l *Listener) dequeue(p *pendingCommit) bool {
	l.queueMu.Lock()
	defer l.queueMu.Unlock()
	for i, q := range l.queue {
		if q == p {
			l.queue = append(l.queue[:i:i], l.queue[i+1:]...)
			return true
		}
	}
	return false
}

// takeBatch removes the oldest waiting receipts that fit in one batch (at
// least one).
func (l *Listener) takeBatch() []*pendingCommit {
	l.queueMu.Lock()
	defer l.queueMu.Unlock()
	n, size := 0, 0
	for n < len(l.queue) && n < maxBatchMessages {
		if n > 0 && size+l.queue[n].size > maxBatchBytes {
			break
		}
		size += l.queue[n].size
		n++
	}
	batch := l.queue[:n:n]
	l.queue = append([]*pendingCommit(nil), l.queue[n:]...)
	return batch
}

// commitBatch commits a batch, one transaction per (sender, route) group,
// then syncs once; it runs under commitMu and marks every receipt done.
func (l *Listener) commitBatch(batch []*pendingCommit) {
	type key struct{ sender, collection string }
	var order []key
	groups := map[key][]*pendingCommit{}
	for _, p := range batch {
		k := key{p.sender, p.collection}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], p)
	}
	// The batch outlives any one sender's request: commit under the app's
	// context, so one sender leaving does not fail the others.
	ctx := l.app.ctx
	var committed []*pendingCommit
	for _, k := range order {
		ps := groups[k]
		var blocks []NewBlock
		for _, p := range ps {
			blocks = append(blocks, p.blocks...)
		}
		res, err := l.store.CommitReceived(ctx, k.sender, k.collection, blocks)
		if err == nil && res.Transactions > 1 {
			// Cannot happen below maxBatchBytes; say so loudly if it does.
			l.app.log.Error("listener: a batch of receipts was split over several transactions", "transactions", res.Transactions)
		}
		isNew := map[BlockID]bool{}
		for _, id := range res.NewIDs {
			isNew[id] = true
		}
		for _, p := range ps {
			p.err = err
			if err == nil {
				p.res = CommitResult{Transactions: res.Transactions}
				for _, b := range p.blocks {
					id := storage.IDOf(b.Content)
					if isNew[id] {
						p.res.New++
						p.res.NewIDs = append(p.res.NewIDs, id)
						delete(isNew, id)
					} else {
						p.res.Known++
					}
				}
				committed = append(committed, p)
			}
		}
	}
	if s, ok := l.store.(syncer); ok && len(committed) > 0 {
		if err := s.Sync(); err != nil {
			for _, p := range committed {
				p.err = fmt.Errorf("flush to disk: %w", err)
			}
		}
	}
	for _, p := range batch {
		p.done = true
	}
}
