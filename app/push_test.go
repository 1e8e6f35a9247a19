package app_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/taxii"
	"github.com/taxii-workstation/taxii-workstation/taxii/taxiitest"
)

const stixDoc = `<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" version="1.2"><stix:STIX_Header><stix:Title>Shared</stix:Title></stix:STIX_Header></stix:STIX_Package>`

func receipts(t *testing.T, ra *realApp) []app.Receipt {
	t.Helper()
	p, err := ra.Receipts(context.Background(), app.PageRequest{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return p.Items
}

func TestPushReceipts(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	good := writeFile(t, dir, "good.xml", []byte(stixDoc))

	for _, tc := range []struct {
		name       string
		step       *taxiitest.Step
		wantStatus string
		wantOK     bool
	}{
		{name: "success", wantStatus: "SUCCESS", wantOK: true},
		{name: "refused", step: &taxiitest.Step{Kind: "InboxMessage", Status: taxii.StatusDestinationCollectionError, Message: "no such collection"}, wantStatus: "DESTINATION_COLLECTION_ERROR"},
		{name: "connection dropped", step: &taxiitest.Step{Kind: "InboxMessage", Fault: taxiitest.Drop}, wantStatus: app.PushUnknown},
		{name: "html error page", step: &taxiitest.Step{Kind: "InboxMessage", Fault: taxiitest.HTMLError}, wantStatus: app.PushUnknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ra := newRealApp(t, nil)
			srv := ra.serve(t, taxiitest.Options{}, taxiitest.Collection{Name: "shared"})
			if tc.step != nil {
				srv.Script(*tc.step)
			}
			outs, err := ra.Push(ctx, app.PushRequest{Server: "hub", Collections: []string{"shared"}, Files: []string{good}})
			if tc.wantOK != (err == nil) {
				t.Fatalf("Push err = %v, want ok=%v", err, tc.wantOK)
			}
			if len(outs) != 1 || outs[0].OK != tc.wantOK || outs[0].Words == "" {
				t.Fatalf("outcomes = %+v", outs)
			}
			if n := srv.Count("InboxMessage"); n != 1 {
				t.Errorf("the server got %d pushes, want exactly 1 (never retried)", n)
			}
			rs := receipts(t, ra)
			if len(rs) != 1 {
				t.Fatalf("receipts = %+v, want 1", rs)
			}
			r := rs[0]
			if r.Status != tc.wantStatus || r.Server != "hub" || r.Inbox != srv.InboxURL() || len(r.Collections) != 1 || r.Collections[0] != "shared" ||
				r.MessageID == "" || r.Sent.IsZero() || r.Binding != taxii.ContentSTIX12 || len(r.Files) != 1 || r.Files[0] != "good.xml" || r.StatusMessage == "" {
				t.Errorf("receipt = %+v", r)
			}
			if tc.wantOK {
				in := srv.Inbox()
				if len(in) != 1 || len(in[0].DestinationCollectionNames) != 1 || in[0].ContentBlocks[0].Binding.ID != taxii.ContentSTIX12 {
					t.Errorf("server inbox = %+v", in)
				}
			}
		})
	}
}

func TestPushChecksBeforeSending(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	good := writeFile(t, dir, "good.xml", []byte(stixDoc))
	broken := writeFile(t, dir, "broken.xml", []byte(`<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" version="1.2"><oops>`))
	unknown := writeFile(t, dir, "note.xml", []byte(`<note>hello</note>`))
	doctype := writeFile(t, dir, "doctype.xml", []byte(`<!DOCTYPE x [<!ENTITY a "b">]><stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" version="1.2"/>`))
	big := writeFile(t, dir, "big.xml", []byte(stixDoc))
	empty := writeFile(t, dir, "empty.xml", nil)

	for _, tc := range []struct {
		name    string
		files   []string
		binding string
		max     int64
		bad     string // the file whose check fails
	}{
		{name: "not well-formed", files: []string{good, broken}, bad: broken},
		{name: "binding unknown", files: []string{unknown, good}, bad: unknown},
		{name: "doctype", files: []string{good, doctype}, bad: doctype},
		{name: "too big", files: []string{big}, max: 10, bad: big},
		{name: "empty", files: []string{empty}, bad: empty},
		{name: "missing", files: []string{filepath.Join(dir, "nope.xml")}, bad: filepath.Join(dir, "nope.xml")},
		{name: "binding not accepted by the collection", files: []string{good}, binding: taxii.ContentCAP12, bad: good},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ra := newRealApp(t, nil)
			srv := ra.serve(t, taxiitest.Options{}, taxiitest.Collection{Name: "shared"})
			if _, err := ra.RefreshCollections(ctx, "hub"); err != nil {
				t.Fatal(err)
			}
			_, err := ra.Push(ctx, app.PushRequest{Server: "hub", Collections: []string{"shared"}, Files: tc.files, Binding: tc.binding, MaxSize: tc.max})
			var ce *app.CheckError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a *CheckError", err)
			}
			for _, c := range ce.Checks {
				if (c.Name == tc.bad) == c.OK() {
					t.Errorf("check of %s = %q", c.Name, c.Problem)
				}
			}
			if n := srv.Count("InboxMessage"); n != 0 {
				t.Errorf("%d pushes were sent despite a failed check", n)
			}
			if rs := receipts(t, ra); len(rs) != 0 {
				t.Errorf("receipts for an unsent push: %+v", rs)
			}
		})
	}
}

func TestPushItemsWithGivenBinding(t *testing.T) {
	ctx := context.Background()
	ra := newRealApp(t, nil)
	srv := ra.serve(t, taxiitest.Options{})
	outs, err := ra.Push(ctx, app.PushRequest{Server: "hub", Collections: []string{"any"}, Inbox: srv.InboxURL(),
		Items: []app.PushItem{{Name: "note.json", Content: []byte(`{"type": "bundle"}`), Binding: "application/json"}}})
	if err != nil || len(outs) != 1 || !outs[0].OK {
		t.Fatalf("Push = %+v, %v", outs, err)
	}
	in := srv.Inbox()
	if len(in) != 1 || string(in[0].ContentBlocks[0].Content) != `{"type": "bundle"}` || in[0].ContentBlocks[0].Binding.ID != "application/json" {
		t.Errorf("server inbox = %+v", in)
	}
	if srv.Count("DiscoveryRequest") != 0 {
		t.Error("discovery ran although the inbox was given")
	}
}
