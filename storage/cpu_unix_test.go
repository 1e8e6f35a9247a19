//go:build unix

package storage

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time this process has used (all goroutines,
// Badger's background work included), a steadier figure than wall time on a
// shared machine.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
