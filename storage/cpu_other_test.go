//go:build !unix

package storage

import "time"

// processCPU is unknown here; CPU figures read 0.
func processCPU() time.Duration { return 0 }
