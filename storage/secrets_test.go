package storage

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"
)

// The keyring mock is go-keyring's global provider, so these tests do not
// run in parallel.

func TestSecretsKeyring(t *testing.T) {
	keyring.MockInit()
	ctx := context.Background()
	s := NewSecrets(SecretsOptions{})
	if _, err := s.Get(ctx, "taxii-workstation", "partner"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get of a missing secret: %v, want ErrNotFound", err)
	}
	if err := s.Set(ctx, "taxii-workstation", "partner", "s3cret"); err != nil {
		t.Fatal(err)
	}
	if err := s.Set(ctx, "taxii-workstation", "partner/key", "pass"); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, "taxii-workstation", "partner")
	if err != nil || got != "s3cret" {
		t.Fatalf("Get = %q, %v", got, err)
	}
	if err := s.Delete(ctx, "taxii-workstation", "partner"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "taxii-workstation", "partner"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Delete: %v", err)
	}
	if err := s.Delete(ctx, "taxii-workstation", "partner"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Delete: %v, want ErrNotFound", err)
	}
	if got, _ := s.Get(ctx, "taxii-workstation", "partner/key"); got != "pass" {
		t.Errorf("other account lost: %q", got)
	}
	if err := s.Probe(ctx); err != nil {
		t.Errorf("Probe with a keyring: %v", err)
	}
	if err := s.Set(ctx, "", "x", "y"); err == nil {
		t.Error("empty service accepted")
	}
}

func TestSecretsNoKeyring(t *testing.T) {
	keyring.MockInitWithError(errors.New("The name org.freedesktop.secrets was not provided by any .service files"))
	defer keyring.MockInit()
	ctx := context.Background()
	dir := t.TempDir()
	s := NewSecrets(SecretsOptions{})
	ops := map[string]error{
		"Set":    s.Set(ctx, "svc", "acct", "pw"),
		"Get":    second(s.Get(ctx, "svc", "acct")),
		"Delete": s.Delete(ctx, "svc", "acct"),
		"Probe":  s.Probe(ctx),
	}
	for op, err := range ops {
		if !errors.Is(err, ErrNoKeyring) || !strings.Contains(err.Error(), "file fallback") || !strings.Contains(err.Error(), "unencrypted") {
			t.Errorf("%s without keyring: %v; want ErrNoKeyring naming the opt-in fallback", op, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("something was written without opt-in: %v", entries)
	}

	file := filepath.Join(dir, "secrets.json")
	f := NewSecrets(SecretsOptions{FallbackFile: file})
	if err := f.Set(ctx, "svc", "acct", "pw"); err != nil {
		t.Fatal(err)
	}
	if err := f.Set(ctx, "svc", "other", "pw2"); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm() != 0o600 {
		t.Errorf("fallback file mode %v, want 0600", info.Mode().Perm())
	}
	raw, _ := os.ReadFile(file)
	if !strings.Contains(string(raw), "unencrypted") {
		t.Errorf("fallback file does not say it is unencrypted:\n%s", raw)
	}
	if got, err := f.Get(ctx, "svc", "acct"); err != nil || got != "pw" {
		t.Errorf("fallback Get = %q, %v", got, err)
	}
	if err := f.Delete(ctx, "svc", "acct"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Get(ctx, "svc", "acct"); !errors.Is(err, ErrNotFound) {
		t.Errorf("fallback Get after Delete: %v", err)
	}
	if runtime.GOOS != "windows" {
		if err := os.Chmod(file, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Get(ctx, "svc", "other"); err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("world-readable fallback file accepted: %v", err)
		}
	}

	// When the keyring comes back, Set moves the secret out of the file.
	if err := os.Chmod(file, 0o600); err != nil {
		t.Fatal(err)
	}
	keyring.MockInit()
	if err := f.Set(ctx, "svc", "other", "pw3"); err != nil {
		t.Fatal(err)
	}
	raw, _ = os.ReadFile(file)
	if strings.Contains(string(raw), "pw2") || strings.Contains(string(raw), "pw3") {
		t.Errorf("secret left in the file after it went to the keyring:\n%s", raw)
	}
}

func TestSecretsCancelled(t *testing.T) {
	keyring.MockInit()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := NewSecrets(SecretsOptions{}).Set(ctx, "svc", "acct", "pw"); !errors.Is(err, context.Canceled) {
		t.Errorf("Set with a cancelled context: %v", err)
	}
}
