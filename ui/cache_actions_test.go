package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/taxii"
)

func TestCacheExportWritesOriginalBytes(t *testing.T) {
	fx, v := newCacheFixture(t)
	v.tree.Select(collectionNode("acme", "feed-a"))
	v.t.wait()
	v.ExportSelected()
	if !strings.Contains(v.status.Text(), "Select a block") {
		t.Errorf("export with nothing chosen says %q", v.status.Text())
	}
	var marked []app.BlockID
	for _, o := range test.LaidOutObjects(v.list) {
		if r, ok := o.(*blockRow); ok && (r.title.Text == "Report 0" || r.title.Text == "Report 2") {
			test.Tap(r.mark)
		}
	}
	for id := range v.marks {
		marked = append(marked, id)
	}
	if len(marked) != 2 || v.marked.Text != "2 blocks marked" {
		t.Fatalf("marked %d blocks, label %q", len(marked), v.marked.Text)
	}
	dir := filepath.Join(t.TempDir(), "out")
	fx.picker.dirs = []string{dir}
	v.ExportSelected()
	v.t.wait()
	if !strings.Contains(v.status.Text(), "Exported 2 blocks to "+dir) {
		t.Errorf("status = %q", v.status.Text())
	}
	for _, title := range []string{"Report 0", "Report 2"} {
		want := stixDoc(title, "")
		got, err := os.ReadFile(filepath.Join(dir, app.BlockID(sha(want)).String()+".xml"))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s exported as %q (%v), want the original bytes", title, got, err)
		}
	}
	v.ExportSelected() // cancelled dialog: nothing happens
	v.t.wait()
	if v.status.Text() != "Export cancelled." {
		t.Errorf("cancelled export says %q", v.status.Text())
	}
}

func TestCacheCopyAndShareTo(t *testing.T) {
	fx, v := newCacheFixture(t)
	share := newShareView(fx.env)
	share.t.useManual()
	v.shareTo = share.AddItems
	v.tree.Select(collectionNode("acme", "feed-a"))
	v.t.wait()
	v.list.Select(0)
	v.t.wait()
	v.CopySelected()
	v.t.wait()
	if got := fx.app.Clipboard().Content(); got != string(stixDoc("Report 2", "")) {
		t.Errorf("clipboard = %q", got)
	}
	v.ShareSelected()
	v.t.wait()
	share.t.wait()
	if len(share.files) != 1 || share.files[0].item == nil || !bytes.Equal(share.files[0].item.Content, stixDoc("Report 2", "")) {
		t.Fatalf("share view got %d files", len(share.files))
	}
	if c := share.files[0].check; c == nil || !c.OK() || c.Binding != taxii.ContentSTIX12 {
		t.Errorf("handed-over block checked as %+v", c)
	}
	if fx.shown[len(fx.shown)-1] != ViewShare {
		t.Errorf("views shown %q, want Share last", fx.shown)
	}
}

func TestCacheOpenCollection(t *testing.T) {
	fx := newViewFixture(t)
	fx.seed(t, "acme", "feed-a", "Report", 2, day1)
	v := newCacheView(fx.env)
	v.t.useManual()
	v.OpenCollection("acme", "feed-a") // before the view was ever shown
	fx.show(v)
	v.t.wait()
	if got := listTitles(v); !slices.Equal(got, []string{"Report 1", "Report 0"}) {
		t.Errorf("rows %q after opening acme/feed-a", got)
	}
}

func TestCacheExportConflictShownInWords(t *testing.T) {
	fx, v := newCacheFixture(t)
	v.tree.Select(collectionNode("acme", "feed-a"))
	v.t.wait()
	v.list.Select(0)
	v.t.wait()
	dir := t.TempDir()
	taken := filepath.Join(dir, reportID(2)+".xml")
	if err := os.WriteFile(taken, []byte("something else"), 0o644); err != nil {
		t.Fatal(err)
	}
	fx.picker.dirs = []string{dir}
	v.ExportSelected()
	v.t.wait()
	if got := v.status.Text(); !strings.HasPrefix(got, "Exported 0 of 1 blocks: ") || !strings.Contains(got, "choose an empty folder") {
		t.Errorf("status %q", got)
	}
	if !v.status.details.Visible() {
		t.Fatal("no Details button for the error")
	}
	test.Tap(v.status.details)
	top := fx.win.Canvas().Overlays().Top()
	if top == nil || !strings.Contains(labelTexts(top), taken) {
		t.Errorf("Details do not show the full error")
	}
	if got, _ := os.ReadFile(taken); string(got) != "something else" {
		t.Errorf("the existing file was overwritten: %q", got)
	}
}
