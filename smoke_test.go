//go:build smoke

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// screenshotDir keeps the smoke tests' screenshots as build artifacts;
// `make screenshots` copies them to docs/screenshots for the README.
const screenshotDir = "build/screenshots"

// appID must match FyneApp.toml: Fyne keeps preferences under it.
const appID = "io.github.taxiiworkstation"

// TestSmokeWindow starts the real binary with an empty data directory under
// Xvfb with software OpenGL, waits for its window, takes a screenshot and
// fails if the process died or the window did not paint.
func TestSmokeWindow(t *testing.T) {
	x := newXSession(t)
	home := t.TempDir()
	x.run(t, home, filepath.Join(home, "data"), "", "main-window.png")
}

// TestSmokeViews fills a cache from a local fake TAXII server with the
// command line, then opens the window on each main view and keeps a
// screenshot of each.
func TestSmokeViews(t *testing.T) {
	x := newXSession(t)
	home := t.TempDir()
	data := filepath.Join(home, "data")

	server := buildBinary(t, "./taxii/taxiitest/cmd/taxii-testserver")
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := exec.CommandContext(ctx, server, "--addr", addr, "--collections", "indicators,malware-samples",
		"--blocks", "180", "--part-size", "50")
	var srvLog strings.Builder
	srv.Stdout, srv.Stderr = &srvLog, &srvLog
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); _ = srv.Wait() }()
	waitTCP(t, addr)

	discovery := "http://" + addr + "/taxii-discovery-service"
	cli := func(args ...string) {
		t.Helper()
		cmd := exec.Command(x.bin, append([]string{"--data", data}, args...)...)
		cmd.Env = x.env(home)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("taxii-workstation %s: %v\n%s\nserver log:\n%s", strings.Join(args, " "), err, out, srvLog.String())
		}
	}
	cli("profiles", "add", "Partner ISAC", "--url", discovery, "--test")
	cli("poll", "--server", "Partner ISAC", "--collection", "indicators")
	cli("poll", "--server", "Partner ISAC", "--collection", "malware-samples")
	cli("push", "--server", "Partner ISAC", "--dest", "indicators", "testdata/stix/phishing-indicator.xml")

	// Clicks (window coordinates at the default size) select something to
	// show; if the layout moves they miss, and the screenshot is plainer.
	tour := []struct {
		view   string
		clicks []point
	}{
		{"Servers", []point{{530, 446}}},          // the "indicators" collection
		{"Cache", []point{{320, 88}, {700, 207}}}, // a collection, then its newest block
		{"Share", nil},
		{"Inbox", nil},
		{"Settings", nil},
	}
	for _, v := range tour {
		x.run(t, home, data, v.view, "view-"+strings.ToLower(v.view)+".png", v.clicks...)
	}
}

// point is a position in window coordinates.
type point struct{ x, y int }

// xSession is a private X server and the program built for it.
type xSession struct {
	display string
	bin     string
}

func newXSession(t *testing.T) *xSession {
	t.Helper()
	for _, tool := range []string{"Xvfb", "xdotool", "/usr/bin/import"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing: run `make deps` (it installs xvfb, xdotool and imagemagick)", tool)
		}
	}
	return &xSession{display: startXvfb(t), bin: buildBinary(t, ".")}
}

// env is the program's environment: the private display, software OpenGL,
// a private home (so preferences and keyring state are fresh), quiet locale.
func (x *xSession) env(home string) []string {
	return append(os.Environ(),
		"DISPLAY="+x.display, "LIBGL_ALWAYS_SOFTWARE=1", "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"LANG=C.UTF-8", "LANGUAGE=en_US", "GSETTINGS_BACKEND=memory", "NO_AT_BRIDGE=1")
}

// run opens the window on view (through the remembered last view; "" for
// the default), clicks at the given points, screenshots it to shot and
// closes it with SIGTERM.
func (x *xSession) run(t *testing.T, home, data, view, shot string, clicks ...point) {
	t.Helper()
	if view != "" {
		writePrefs(t, home, map[string]any{"window.lastView": view, "window.width": 1100.0, "window.height": 720.0})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	env := x.env(home)
	var logs strings.Builder
	prog := exec.CommandContext(ctx, x.bin, "--data", data)
	prog.Env = env
	prog.Stdout, prog.Stderr = &logs, &logs
	if err := prog.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- prog.Wait() }()

	winID := waitForWindow(t, ctx, env, "TAXII Workstation", exited, &logs)
	for _, c := range clicks {
		time.Sleep(1500 * time.Millisecond) // let the view load from the cache
		cmd := exec.CommandContext(ctx, "xdotool", "mousemove", "--window", winID, fmt.Sprint(c.x), fmt.Sprint(c.y), "click", "1")
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("xdotool click: %v: %s", err, out)
		}
	}
	path := filepath.Join(screenshotDir, shot)
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	// The window may map before its first frame, and views fill in from the
	// cache in the background: retry until it has painted and settled.
	var colours, prev int
	for deadline := time.Now().Add(60 * time.Second); ; {
		select {
		case err := <-exited:
			t.Fatalf("the program exited while starting (%v); its output:\n%s", err, logs.String())
		default:
		}
		time.Sleep(700 * time.Millisecond)
		cmd := exec.CommandContext(ctx, "/usr/bin/import", "-window", winID, path)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("screenshot: %v: %s", err, out)
		}
		var err error
		prev, colours = colours, 0
		if colours, err = countColours(path); err != nil {
			t.Fatal(err)
		}
		if (colours >= 32 && colours == prev) || time.Now().After(deadline) {
			break
		}
	}
	if colours < 32 {
		t.Fatalf("the window did not paint: the screenshot %s has %d colours", path, colours)
	}
	select {
	case err := <-exited:
		t.Fatalf("the program died after painting (%v); its output:\n%s", err, logs.String())
	default:
	}
	// SIGTERM quits the window cleanly (the cache is closed, its lock released).
	_ = prog.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("the program did not exit cleanly on SIGTERM: %v\n%s", err, logs.String())
		}
	case <-time.After(20 * time.Second):
		_ = prog.Process.Kill()
		<-exited
		t.Errorf("the program ignored SIGTERM for 20 s; its output:\n%s", logs.String())
	}
	abs, _ := filepath.Abs(path)
	t.Logf("%s: painted (%d colours); screenshot: %s", view, colours, abs)
}

func writePrefs(t *testing.T, home string, prefs map[string]any) {
	t.Helper()
	dir := filepath.Join(home, ".config", "fyne", appID)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(prefs)
	if err := os.WriteFile(filepath.Join(dir, "preferences.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// startXvfb starts a private X server and returns its display name.
func startXvfb(t *testing.T) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	x := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
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

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitTCP(t *testing.T, addr string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
	}
	t.Fatalf("nothing listens on %s after 30 s", addr)
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
