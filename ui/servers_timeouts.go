package ui

import (
	"context"
	"time"
)

// Timeouts of calls the window makes on the user's behalf. The profile's own
// request timeout applies inside; these only stop a view from waiting forever.
const (
	srvNetTimeout  = 5 * time.Minute
	srvDiskTimeout = time.Minute
)

func srvNetCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), srvNetTimeout)
}

func srvDiskCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), srvDiskTimeout)
}
