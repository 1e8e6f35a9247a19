package ui

import "sync"

// fakePicker answers file dialogs from queued results, so tests never open native windows.
type fakePicker struct {
	mu    sync.Mutex
	files []string // answers of OpenFile, in order; empty: cancelled
	dirs  []string // answers of OpenDir, in order; empty: cancelled
	asked []string // titles asked, in order
}

func (f *fakePicker) OpenFile(title, _ string, _ ...string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, title)
	if len(f.files) == 0 {
		return "", ErrPickCancelled
	}
	p := f.files[0]
	f.files = f.files[1:]
	return p, nil
}

func (f *fakePicker) OpenDir(title string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, title)
	if len(f.dirs) == 0 {
		return "", ErrPickCancelled
	}
	d := f.dirs[0]
	f.dirs = f.dirs[1:]
	return d, nil
}
