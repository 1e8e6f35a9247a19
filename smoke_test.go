//go:build smoke

package main

import (
	"bufio"
	"context"
	"fmt"

	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// screenshotDir keeps the smoke test's screenshots as build artifacts.
const screenshotDir = "build/screenshots"

// TestSmokeWindow starts the real binary under Xvfb with software OpenGL,
// waits for its window, takes a screenshot and fails if the process died or
// the window did not paint. Run with `make smoke` (part of `make test`).
func TestSmokeWindow(t *testing.T) {
	for _, tool := range []string{"Xvfb", "xdotool", "/usr/bin/import"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing: run `make deps` (it installs xvfb, xdotool and imagemagick)", tool)
		}
	}
	bin := buildBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	display := startXvfb(t, ctx)
	home := t.TempDir()
	env := append(os.Environ(),
		"DISPLAY="+display, "LIBGL_ALWAYS_SOFTWARE=1", "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"LANG=C.UTF-8", "LANGUAGE=en_US", "GSETTINGS_BACKEND=memory", "NO_AT_BRIDGE=1")

	var logs strings.Builder
	prog := exec.CommandContext(ctx, bin, "--data", filepath.Join(home, "data"))
	prog.Env = env
	prog.Stdout, prog.Stderr = &logs, &logs
	if err := prog.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- prog.Wait() }()
	defer func() {
		_ = prog.Process.Kill()
		<-exited
	}()

	winID := waitForWindow(t, ctx, env, "TAXII Workstation", exited, &logs)
	shot := filepath.Join(screenshotDir, "main-window.png")
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	// The window may map before its first frame: retry until it has painted.
	var colours int
	for deadline := time.Now().Add(60 * time.Second); ; {
		select {
		case err := <-exited:
			t.Fatalf("the program exited while starting (%v); its output:\n%s", err, logs.String())
		default:
		}
		cmd := exec.CommandContext(ctx, "/usr/bin/import", "-window", winID, shot)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("screenshot: %v: %s", err, out)
		}
		var err error
		if colours, err = countColours(shot); err != nil {
			t.Fatal(err)
		}
		if colours >= 32 || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if colours < 32 {
		t.Fatalf("the window did not paint: the screenshot %s has %d colours", shot, colours)
	}
	select {
	case err := <-exited:
		t.Fatalf("the program died after painting (%v); its output:\n%s", err, logs.String())
	default:
	}
	abs, _ := filepath.Abs(shot)
	t.Logf("window painted (%d colours); screenshot: %s", colours, abs)
}

// startXvfb starts a private X server and returns its display name.
func startXvfb(t *testing.T, ctx context.Context) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	x := exec.CommandContext(ctx, "Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	x.ExtraFiles = []*os.File{w}
	if err := x.Start(); err != nil {
		t.Fatalf("start Xvfb: %v", err)
	}
	w.Close()
	t.Cleanup(func() { _ = x.Process.Kill(); _ = x.Wait() })
	line, err := bufio.NewReader(r).ReadString('\n')
	r.Close()
	if err != nil {
		t.Fatalf("Xvfb did not report its display: %v", err)
	}
	return ":" + strings.TrimSpace(line)
}

// waitForWindow returns the X id of the first visible window titled name.
func waitForWindow(t *testing.T, ctx context.Context, env []string, name string, exited <-chan error, logs fmt.Stringer) string {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			t.Fatalf("the program exited before showing a window (%v); its output:\n%s", err, logs.String())
		default:
		}
		cmd := exec.CommandContext(ctx, "xdotool", "search", "--onlyvisible", "--name", name)
		cmd.Env = env
		if out, err := cmd.Output(); err == nil {
			if ids := strings.Fields(string(out)); len(ids) > 0 {
				return ids[0]
			}
		}
		time.Sleep(300 * time.Millisecond)
	}
	t.Fatalf("no window titled %q appeared within 90 s; program output:\n%s", name, logs.String())
	return ""
}

// countColours counts the distinct colours of a PNG, stopping at 4096.
func countColours(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return 0, fmt.Errorf("decode screenshot %s: %w", path, err)
	}
	seen := map[[4]uint32]struct{}{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = struct{}{}
			if len(seen) >= 4096 {
				return len(seen), nil
			}
		}
	}
	return len(seen), nil
}
