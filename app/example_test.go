package app_test

import (
	"context"
	"fmt"
	"time"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/app/apptest"
	"github.com/taxii-workstation/taxii-workstation/storage"
)

// A sync stores what is new, moves the cursor, and a second sync from the
// cursor finds nothing new. The same code runs on storage.Store and the
// real TAXII client in the program; here the TAXII side is a fake.
func ExampleApp_Sync() {
	ctx := context.Background()
	store, _ := storage.OpenInMemory()
	defer store.Close()
	server := apptest.NewClient()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		server.Add("feed", apptest.Block(fmt.Sprintf("Report %d", i), t0.Add(time.Duration(i)*time.Hour)))
	}
	core, _ := app.New(app.Deps{Store: store, Secrets: apptest.NewSecrets(), NewClient: server.Factory()})
	defer core.Close()
	stop := core.Subscribe(func(ev app.Event) {
		if ev.Kind == app.JobFinished {
			fmt.Println("event:", ev.Kind, ev.Job.Request.Collection)
		}
	})
	defer stop()

	_ = core.AddProfile(ctx, app.Profile{Name: "partner", DiscoveryURL: apptest.DiscoveryURL}, app.Credentials{})
	for range 2 {
		res, err := core.Sync(ctx, app.SyncRequest{Server: "partner", Collection: "feed", Mode: app.SinceLast})
		if err != nil {
			fmt.Println(app.Explain(err))
			return
		}
		fmt.Printf("new %d, known %d, cached up to %s\n", res.New, res.Known, res.Cursor.Format(time.RFC3339))
	}
	// Output:
	// event: job-finished feed
	// new 3, known 0, cached up to 2026-01-01T02:00:00Z
	// event: job-finished feed
	// new 0, known 0, cached up to 2026-01-01T02:00:00Z
}
