package app

import (
	"context"
	"errors"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/taxii-workstation/taxii-workstation/storage"
)

func TestOpenDataDir(t *testing.T) {
	keyring.MockInit()
	ctx := context.Background()
	dir := t.TempDir()
	o, err := OpenDataDir(ctx, dir, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// A second opener of the same directory gets a clear error, not corruption.
	if _, err := OpenDataDir(ctx, dir, OpenOptions{}); !errors.Is(err, storage.ErrLocked) {
		t.Errorf("second open: err = %v, want ErrLocked", err)
	}
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := OpenDataDir(ctx, dir, OpenOptions{})
	if err != nil {
		t.Fatalf("reopen after close: %v", err)
	}
	again.Close()
}

func TestKeyringSecrets(t *testing.T) {
	keyring.MockInit()
	s := keyringSecrets{storage.NewSecrets(storage.SecretsOptions{})}
	if v, err := s.Get("hub", "password"); v != "" || err != nil {
		t.Errorf("missing secret: %q, %v; want \"\", nil", v, err)
	}
	if err := s.Set("hub", "password", "s3cret"); err != nil {
		t.Fatal(err)
	}
	if err := s.Set("hub/x", "password", "other"); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Get("hub", "password"); v != "s3cret" {
		t.Errorf("Get = %q", v)
	}
	if err := s.Delete("hub", "password"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("hub", "password"); err != nil {
		t.Errorf("deleting a missing secret: %v", err)
	}
	if v, _ := s.Get("hub/x", "password"); v != "other" {
		t.Errorf("other profile's secret = %q", v)
	}
}
