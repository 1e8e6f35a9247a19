package ui

import (
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/taxii-workstation/taxii-workstation/app"
)

// fileField is an entry for a path with a Choose… button that opens the
// native file dialog off the Fyne goroutine (STYLE pitfall 6).
type fileField struct {
	entry  *widget.Entry
	choose *widget.Button
	row    *fyne.Container
}

func newFileField(picker FilePicker, work *viewTasks, title, filter string, exts ...string) *fileField {
	f := &fileField{entry: widget.NewEntry()}
	f.entry.SetPlaceHolder("No file")
	f.choose = widget.NewButton("Choose…", func() {
		runTask(work, func() (string, error) { return picker.OpenFile(title, filter, exts...) },
			func(path string, err error) {
				if err == nil && path != "" {
					f.entry.SetText(path)
				}
			})
	})
	f.row = container.NewBorder(nil, nil, nil, f.choose, f.entry)
	return f
}

// Service types a profile can override the address of, in form order.
var overrideTypes = []struct{ typ, label string }{
	{"DISCOVERY", "Discovery"},
	{"COLLECTION_MANAGEMENT", "Collection management"},
	{"POLL", "Poll"},
	{"INBOX", "Inbox"},
}

// Choices of the selects, as shown.
var (
	versionChoices   = []string{"Auto-detect", "TAXII 1.1", "TAXII 1.0"}
	precisionChoices = []string{"Full (microseconds)", "Milliseconds", "Whole seconds"}
)

func versionFromChoice(s string) app.TAXIIVersion {
	switch s {
	case versionChoices[1]:
		return app.Version11
	case versionChoices[2]:
		return app.Version10
	}
	return app.VersionAuto
}

func choiceFromVersion(v app.TAXIIVersion) string {
	switch v {
	case app.Version11:
		return versionChoices[1]
	case app.Version10:
		return versionChoices[2]
	}
	return versionChoices[0]
}

func precisionFromChoice(s string) app.TimestampPrecision {
	switch s {
	case precisionChoices[1]:
		return app.PrecisionMillis
	case precisionChoices[2]:
		return app.PrecisionSeconds
	}
	return app.PrecisionFull
}

func choiceFromPrecision(p app.TimestampPrecision) string {
	switch p {
	case app.PrecisionMillis:
		return precisionChoices[1]
	case app.PrecisionSeconds:
		return precisionChoices[2]
	}
	return precisionChoices[0]
}

// parseHeaderLines reads "Name: value" lines; blank lines are skipped.
func parseHeaderLines(text string, secret bool) ([]app.Header, map[string]string, error) {
	var hs []app.Header
	vals := map[string]string{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, nil, fmt.Errorf("line %d (%q) is not “Name: value”, like X-API-Key: 1234", i+1, line)
		}
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if secret {
			hs = append(hs, app.Header{Name: name, Secret: true})
			vals[name] = value
		} else {
			hs = append(hs, app.Header{Name: name, Value: value})
		}
	}
	return hs, vals, nil
}

// headerLines writes headers back as "Name: value" lines; secret values are
// never shown (the keyring keeps them), only their names.
func headerLines(hs []app.Header, secret bool) string {
	var b strings.Builder
	for _, h := range hs {
		if h.Secret != secret {
			continue
		}
		b.WriteString(h.Name + ": " + h.Value + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// errProblems is a local check failure shown like the core's.
func errProblems(field, msg string) error {
	return &app.ValidationError{Problems: []app.Problem{{Field: field, Message: msg}}}
}

// asValidation returns err's problems, or nil when err is another failure.
func asValidation(err error) *app.ValidationError {
	var ve *app.ValidationError
	if errors.As(err, &ve) {
		return ve
	}
	return nil
}
