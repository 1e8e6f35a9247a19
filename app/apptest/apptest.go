package apptest

import (
	"testing"
	"time"

	"github.com/taxii-workstation/taxii-workstation/app"
)

// Fakes are the dependencies NewApp built the App from.
type Fakes struct {
	Store   *Store
	Secrets *Secrets
	Clock   *Clock
	Client  *Client
}

// Start returns the fake clock's initial time.
func Start() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

// NewApp builds an App on fakes and closes it when the test ends.
func NewApp(tb testing.TB) (*app.App, *Fakes) {
	tb.Helper()
	f := &Fakes{Store: NewStore(), Secrets: NewSecrets(), Clock: NewClock(Start()), Client: NewClient()}
	f.Store.Now = f.Clock.Now
	a, err := app.New(app.Deps{Store: f.Store, Secrets: f.Secrets, NewClient: f.Client.Factory(), Clock: f.Clock})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = a.Close() })
	return a, f
}
