package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"

	"github.com/taxii-workstation/taxii-workstation/app"
)

// actionIDs are the blocks an action applies to: the marked ones, or else
// the one selected.
func (v *cacheView) actionIDs() []app.BlockID {
	if len(v.marks) > 0 {
		ids := make([]app.BlockID, 0, len(v.marks))
		for id := range v.marks {
			ids = append(ids, id)
		}
		slices.SortFunc(ids, func(a, b app.BlockID) int { return bytes.Compare(a[:], b[:]) })
		return ids
	}
	if v.selected != nil && v.selected.ID != (app.BlockID{}) {
		return []app.BlockID{v.selected.ID}
	}
	return nil
}

const chooseFirst = "Select a block in the list, or mark several with their boxes, first."

// ExportSelected exports the selected blocks to a folder (File → Export…):
// the marked blocks, or the one selected, each as its original bytes.
func (v *cacheView) ExportSelected() {
	ids := v.actionIDs()
	if len(ids) == 0 {
		v.status.Info(chooseFirst)
		return
	}
	v.exportIDs(ids)
}

func (v *cacheView) exportIDs(ids []app.BlockID) {
	picker, core := v.env.picker, v.env.core
	v.status.Info(fmt.Sprintf("Choose the folder for %s…", nOf(len(ids), "block")))
	runTask(&v.t, func() (string, error) {
		return picker.OpenDir("Export blocks to folder")
	}, func(dir string, err error) {
		if errors.Is(err, ErrPickCancelled) {
			v.status.Info("Export cancelled.")
			return
		}
		if err != nil {
			v.status.Error("The folder dialog failed", err)
			return
		}
		runTask(&v.t, func() ([]string, error) {
			return core.ExportBlocks(context.Background(), ids, dir)
		}, func(paths []string, err error) {
			if err != nil {
				v.status.Error(fmt.Sprintf("Exported %d of %d blocks", len(paths), len(ids)), err)
				return
			}
			v.status.Info(fmt.Sprintf("Exported %s to %s.", nOf(len(paths), "block"), dir))
		})
	})
}

// CopySelected puts the selected block's original content on the clipboard.
func (v *cacheView) CopySelected() {
	if v.selected == nil || v.selected.ID == (app.BlockID{}) {
		v.status.Info("Select a block in the list first.")
		return
	}
	id := v.selected.ID
	if d := v.detail.detail; d != nil && d.Meta.ID == id {
		v.copyContent(d.Content)
		return
	}
	core := v.env.core
	runTask(&v.t, func() (app.BlockDetail, error) {
		return core.GetBlock(context.Background(), id)
	}, func(bd app.BlockDetail, err error) {
		if err != nil {
			v.status.Error("Copying failed", err)
			return
		}
		v.copyContent(bd.Content)
	})
}

func (v *cacheView) copyContent(b []byte) {
	fyne.CurrentApp().Clipboard().SetContent(string(b))
	v.status.Info(fmt.Sprintf("Copied %s to the clipboard.", humanBytes(int64(len(b)))))
}

// ShareSelected hands the marked (or selected) blocks to the Share view,
// which checks them and sends them to an inbox like files.
func (v *cacheView) ShareSelected() {
	ids := v.actionIDs()
	if len(ids) == 0 {
		v.status.Info(chooseFirst)
		return
	}
	if v.shareTo == nil {
		v.status.Info("Sharing from the cache is not connected to the Share view in this window; export the blocks and add the files there.")
		return
	}
	core := v.env.core
	runTask(&v.t, func() ([]app.PushItem, error) {
		items := make([]app.PushItem, 0, len(ids))
		for _, id := range ids {
			bd, err := core.GetBlock(context.Background(), id)
			if err != nil {
				return items, err
			}
			items = append(items, app.PushItem{Name: blockItemName(bd.Meta), Content: bd.Content, Binding: bd.Meta.Binding})
		}
		return items, nil
	}, func(items []app.PushItem, err error) {
		if err != nil {
			v.status.Error("Reading the blocks to share failed", err)
			return
		}
		v.shareTo(items)
		v.status.Info(fmt.Sprintf("%s handed to Share.", nOf(len(items), "block")))
		if v.env.show != nil {
			v.env.show(ViewShare)
		}
	})
}

// blockItemName names a cached block in the Share view and its receipt.
func blockItemName(m app.BlockMeta) string {
	name := "block " + m.ID.Short()
	if t := strings.TrimSpace(m.Title); t != "" {
		t = strings.NewReplacer("/", "-", "\\", "-").Replace(t)
		if len(t) > 60 {
			t = t[:60]
		}
		name = t + " (" + m.ID.Short() + ")"
	}
	return name
}

// OpenCollection shows a server's collection in the Cache view (the
// Servers view's "Open in cache"); its blocks are listed as soon as the
// cache has been read.
func (v *cacheView) OpenCollection(server, collection string) {
	v.tree.OpenBranch(serverNode(server))
	v.tree.Select(collectionNode(server, collection))
	v.tree.ScrollTo(collectionNode(server, collection))
}
