//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package storage

import (
	"io/fs"
	"syscall"
)

// allocated returns the bytes a file occupies on disk. Badger's memtable
// and value-log files are sparse, so their apparent size overstates usage.
func allocated(info fs.FileInfo) int64 {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return int64(st.Blocks) * 512
	}
	return info.Size()
}
