package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/app/apptest"
	"github.com/taxii-workstation/taxii-workstation/taxii"
)

// newFakeApp is an App on apptest fakes with a profile "hub".
func newFakeApp(t *testing.T) (*app.App, *apptest.Fakes) {
	t.Helper()
	a, f := apptest.NewApp(t)
	if err := a.AddProfile(context.Background(), app.Profile{Name: "hub", DiscoveryURL: apptest.DiscoveryURL}, app.Credentials{}); err != nil {
		t.Fatal(err)
	}
	return a, f
}

// blocks makes n STIX blocks titled prefix-i, labelled i minutes after the clock's start.
func blocks(prefix string, n int) []taxii.ContentBlock {
	out := make([]taxii.ContentBlock, n)
	for i := range out {
		out[i] = apptest.Block(fmt.Sprintf("%s-%d", prefix, i), apptest.Start().Add(time.Duration(i)*time.Minute))
	}
	return out
}

func startTime() time.Time { return apptest.Start() }

func blockAt(title string, at time.Time) taxii.ContentBlock { return apptest.Block(title, at) }

// newFakeAppWithPrecision is newFakeApp with a timestamp precision.
func newFakeAppWithPrecision(t *testing.T, p app.TimestampPrecision) (*app.App, *apptest.Fakes) {
	t.Helper()
	a, f := apptest.NewApp(t)
	if err := a.AddProfile(context.Background(), app.Profile{Name: "hub", DiscoveryURL: apptest.DiscoveryURL, TimestampPrecision: p}, app.Credentials{}); err != nil {
		t.Fatal(err)
	}
	return a, f
}
