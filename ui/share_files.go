package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/taxii-workstation/taxii-workstation/app"
)

// shareFile is one file (or cached block) waiting to be shared, with the
// verdict of its check and, once sent, its receipt.
type shareFile struct {
	path    string        // a file, or "" for an item
	item    *app.PushItem // a block handed over from the Cache view
	check   *app.FileCheck
	outcome *app.PushOutcome
}

func (f *shareFile) name() string {
	if f.item != nil {
		return f.item.Name
	}
	return filepath.Base(f.path)
}

// stixExt are the extensions a folder is searched for.
var stixExt = []string{".xml", ".json"}

// PickFiles opens the native file dialog to add a file to share (Ctrl+S,
// File → Share files…). The dialog takes one file at a time: pick again
// for more, or add a whole folder.
func (v *shareView) PickFiles() {
	picker := v.env.picker
	runTask(&v.t, func() (string, error) {
		return picker.OpenFile("Choose a STIX file to share", "STIX files (XML, JSON)", "xml", "json")
	}, func(path string, err error) {
		switch {
		case errors.Is(err, ErrPickCancelled):
			return
		case err != nil:
			v.status.Error("The file dialog failed", err)
			return
		}
		v.AddFiles([]string{path})
		v.status.Info("Added " + filepath.Base(path) + ". Use Add file… again for more, or Add folder… for all STIX files of a folder.")
	})
}

// PickFolder adds every .xml and .json file of a folder the user chooses.
func (v *shareView) PickFolder() {
	picker := v.env.picker
	runTask(&v.t, func() (string, error) {
		return picker.OpenDir("Choose a folder of STIX files to share")
	}, func(dir string, err error) {
		switch {
		case errors.Is(err, ErrPickCancelled):
			return
		case err != nil:
			v.status.Error("The folder dialog failed", err)
			return
		}
		v.AddFiles([]string{dir})
	})
}

// AddFiles adds files dropped on the window or picked; a folder adds its
// .xml and .json files. Every file is checked before anything can be sent.
func (v *shareView) AddFiles(paths []string) {
	runTask(&v.t, func() ([]string, error) { return expandFolders(paths) }, func(files []string, err error) {
		if err != nil {
			v.status.Error("Some files could not be added", err)
		}
		added := 0
		for _, p := range files {
			if slices.ContainsFunc(v.files, func(f *shareFile) bool { return f.path == p }) {
				continue
			}
			v.files = append(v.files, &shareFile{path: p})
			added++
		}
		if added == 0 && err == nil && len(files) == 0 {
			v.status.Info("No .xml or .json files were found there.")
		}
		v.filesChanged()
	})
}

// AddItems adds cached blocks handed over by the Cache view.
func (v *shareView) AddItems(items []app.PushItem) {
	for i := range items {
		it := items[i]
		v.files = append(v.files, &shareFile{item: &it})
	}
	v.filesChanged()
}

// expandFolders replaces folders by their STIX files (not recursively).
func expandFolders(paths []string) ([]string, error) {
	var out []string
	var errs []error
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil || !st.IsDir() {
			out = append(out, p) // the check says what is wrong with it
			continue
		}
		ents, err := os.ReadDir(p)
		if err != nil {
			errs = append(errs, fmt.Errorf("read folder %s: %w", p, err))
			continue
		}
		for _, e := range ents {
			if !e.IsDir() && slices.Contains(stixExt, strings.ToLower(filepath.Ext(e.Name()))) {
				out = append(out, filepath.Join(p, e.Name()))
			}
		}
	}
	return out, errors.Join(errs...)
}

func (v *shareView) remove(f *shareFile) {
	v.files = slices.DeleteFunc(v.files, func(x *shareFile) bool { return x == f })
	v.filesChanged()
}

func (v *shareView) clearFiles() {
	v.files = nil
	v.status.Info("")
	v.filesChanged()
}

func (v *shareView) filesChanged() {
	v.refreshFiles()
	v.recheck()
}

// request is what would be sent now; order maps the core's checks and
// outcomes (files first, then items) back to v.files.
func (v *shareView) request() (app.PushRequest, []*shareFile) {
	req := app.PushRequest{Server: v.server.Selected, Collections: v.destinations()}
	if in := v.inbox.Selected; in != "" && in != autoInbox {
		req.Inbox = in
	}
	var order, items []*shareFile
	for _, f := range v.files {
		if f.outcome != nil {
			continue // sent already: its receipt stays shown
		}
		if f.item != nil {
			req.Items = append(req.Items, *f.item)
			items = append(items, f)
		} else {
			req.Files = append(req.Files, f.path)
			order = append(order, f)
		}
	}
	return req, append(order, items...)
}

// recheck checks every file against the chosen destination, sending nothing.
func (v *shareView) recheck() {
	v.checkGen++
	gen := v.checkGen
	req, order := v.request()
	if len(order) == 0 {
		v.updateSend()
		return
	}
	for _, f := range order {
		f.check = nil
	}
	v.refreshFiles()
	core := v.env.core
	runTask(&v.t, func() ([]app.FileCheck, error) {
		return core.CheckPush(context.Background(), req)
	}, func(checks []app.FileCheck, err error) {
		if gen != v.checkGen {
			return
		}
		var ce *app.CheckError
		if err != nil && !errors.As(err, &ce) {
			v.status.Error("The files could not be checked", err)
		}
		for i := range checks {
			if i < len(order) {
				c := checks[i]
				order[i].check = &c
			}
		}
		v.refreshFiles()
		v.updateSend()
	})
}

// problems counts the files not sent yet, those that failed their check
// and those still being checked.
func (v *shareView) problems() (unsent, bad, pending int) {
	for _, f := range v.files {
		if f.outcome != nil {
			continue
		}
		unsent++
		switch {
		case f.check == nil:
			pending++
		case !f.check.OK():
			bad++
		}
	}
	return unsent, bad, pending
}

func (v *shareView) updateSend() {
	unsent, bad, pending := v.problems()
	if unsent == 0 || bad > 0 || pending > 0 || v.server.Selected == "" || v.sending {
		v.send.Disable()
	} else {
		v.send.Enable()
	}
	switch {
	case v.sending:
		v.sendNote.SetText("Sending…")
	case len(v.files) == 0:
		v.sendNote.SetText("")
	case unsent == 0:
		v.sendNote.SetText("Every file was sent: see its receipt. Add more files, or Clear the list.")
	case bad > 0:
		v.sendNote.SetText(fmt.Sprintf("%s cannot be sent: fix or remove %s first. Nothing is sent until every file passes.", nOf(bad, "file"), map[bool]string{true: "it", false: "them"}[bad == 1]))
	case pending > 0:
		v.sendNote.SetText("Checking the files…")
	case v.server.Selected == "":
		v.sendNote.SetText("Choose the server to share with.")
	default:
		v.sendNote.SetText(fmt.Sprintf("%s ready to send.", nOf(unsent, "file")))
	}
}

// Send pushes every file to the chosen inbox, one message each, and shows
// a receipt per file.
func (v *shareView) Send() {
	unsent, bad, pending := v.problems()
	if unsent == 0 || bad > 0 || pending > 0 || v.server.Selected == "" || v.sending {
		v.updateSend()
		return
	}
	req, order := v.request()
	v.sending = true
	v.updateSend()
	core := v.env.core
	runTask(&v.t, func() ([]app.PushOutcome, error) {
		return core.Push(context.Background(), req)
	}, func(outs []app.PushOutcome, err error) {
		v.sending = false
		var ce *app.CheckError
		if errors.As(err, &ce) {
			for i := range ce.Checks {
				if i < len(order) {
					c := ce.Checks[i]
					order[i].check = &c
				}
			}
			v.status.Error("Nothing was sent", err)
		}
		accepted := 0
		for i := range outs {
			if i < len(order) {
				o := outs[i]
				order[i].outcome = &o
				if o.OK {
					accepted++
				}
			}
		}
		switch {
		case ce != nil:
		case len(outs) == 0 && err != nil:
			v.status.Error("Nothing was sent", err)
		case accepted == len(outs) && err == nil:
			v.status.Info(fmt.Sprintf("Sent %s to %s: the server accepted %s.", nOf(len(outs), "file"), req.Server, map[bool]string{true: "it", false: "all of them"}[len(outs) == 1]))
		default:
			v.status.Error(fmt.Sprintf("Sent %s to %s: %d accepted, %d not", nOf(len(outs), "file"), req.Server, accepted, len(outs)-accepted), err)
		}
		v.refreshFiles()
		v.updateSend()
		v.reloadHistory()
	})
}

// refreshFiles rebuilds the rows of the file list.
func (v *shareView) refreshFiles() {
	if len(v.files) == 0 {
		v.filesArea.Objects = []fyne.CanvasObject{v.emptyFiles()}
		v.filesArea.Refresh()
		v.updateSend()
		return
	}
	rows := make([]fyne.CanvasObject, 0, len(v.files))
	for _, f := range v.files {
		rows = append(rows, v.fileRow(f))
	}
	v.fileRows.Objects = rows
	v.fileRows.Refresh()
	v.filesArea.Objects = []fyne.CanvasObject{v.filesScroll}
	v.filesArea.Refresh()
}

// fileRow shows one file: its name, what its check found and, once sent,
// its receipt in words.
func (v *shareView) fileRow(f *shareFile) fyne.CanvasObject {
	icon := widget.NewIcon(theme.MoreHorizontalIcon())
	name := widget.NewLabelWithStyle(f.name(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	name.Truncation = fyne.TextTruncateEllipsis
	info := widget.NewLabel("Checking…")
	info.Wrapping = fyne.TextWrapWord
	if c := f.check; c != nil {
		facts := []string{humanBytes(c.Size)}
		if c.Binding != "" {
			facts = append(facts, shortBinding(c.Binding))
		}
		if c.OK() {
			icon.SetResource(theme.ConfirmIcon())
			facts = append(facts, "ready to send")
		} else {
			icon.SetResource(theme.ErrorIcon())
			facts = append(facts, "cannot be sent: "+c.Problem)
		}
		info.SetText(strings.Join(facts, " · "))
	}
	lines := []fyne.CanvasObject{name, info}
	if o := f.outcome; o != nil {
		rc := o.Receipt
		if o.OK {
			icon.SetResource(theme.MailSendIcon())
		} else {
			icon.SetResource(theme.WarningIcon())
		}
		receipt := widget.NewLabel(fmt.Sprintf("Receipt: %s · %s · message id %s", receiptWords(rc), utcTime(rc.Sent), orNone(rc.MessageID)))
		receipt.Wrapping = fyne.TextWrapWord
		receipt.Selectable = true
		lines = append(lines, receipt)
		if o.Words != "" && !o.OK {
			why := widget.NewLabel(o.Words)
			why.Wrapping = fyne.TextWrapWord
			lines = append(lines, why)
		}
	}
	remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { v.remove(f) })
	remove.Importance = widget.LowImportance
	return container.NewBorder(nil, nil, icon, remove, container.NewVBox(lines...))
}

// receiptWords says what the server did with a push.
func receiptWords(rc app.Receipt) string {
	switch rc.Status {
	case "SUCCESS":
		return "accepted by " + rc.Server
	case app.PushUnknown:
		return "outcome unknown (the request failed before an answer)"
	case "":
		return "not answered"
	}
	return "refused by " + rc.Server + " (" + rc.Status + ")"
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
