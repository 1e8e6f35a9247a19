package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/taxii-workstation/taxii-workstation/taxii"
	"github.com/taxii-workstation/taxii-workstation/taxii/taxiitest"
)

func writeFile(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPush(t *testing.T) {
	stix := writeFile(t, "package.xml", taxiitest.STIXPackage(7, 600))
	stix2 := writeFile(t, "package2.xml", taxiitest.STIXPackage(8, 600))
	text := writeFile(t, "notes.txt", []byte("just some words, not XML"))
	type fileOut struct {
		Name, Binding, Status string
		OK                    bool
		Receipt               string `json:"receipt_id"`
	}
	type out struct {
		Status  string    `json:"status"`
		Message string    `json:"message"`
		Files   []fileOut `json:"files"`
	}
	tests := []struct {
		name      string
		script    []taxiitest.Step
		args      []string
		code      int
		inOut     []string
		inErr     []string
		json      *out   // expected status and bindings, when --json
		delivered int    // Inbox messages the server accepted
		binding   string // of the first delivered block
	}{
		{name: "one STIX file, binding detected", args: []string{stix, "--json"}, code: ExitOK,
			json: &out{Status: "SUCCESS", Files: []fileOut{{Binding: taxii.ContentSTIX12, Status: "SUCCESS", OK: true}}}, delivered: 1, binding: taxii.ContentSTIX12},
		{name: "two files, table", args: []string{stix, stix2}, code: ExitOK,
			inOut: []string{"FILE", "package.xml", "package2.xml", "SUCCESS", "2 receipt(s) kept"}, delivered: 2},
		{name: "unknown binding asks for --binding", args: []string{text}, code: ExitFailure,
			inErr: []string{"nothing was sent", "notes.txt", "--binding URN"}},
		{name: "unknown binding named with --binding", args: []string{"--binding", "urn:example:text", text, "--json"}, code: ExitOK,
			json: &out{Status: "SUCCESS", Files: []fileOut{{Binding: "urn:example:text", Status: "SUCCESS", OK: true}}}, delivered: 1, binding: "urn:example:text"},
		{name: "missing file", args: []string{filepath.Join(t.TempDir(), "nope.xml")}, code: ExitFailure,
			inErr: []string{"nothing was sent", "does not exist"}},
		{name: "server refuses the destination", args: []string{stix, "--json"}, code: ExitFailure,
			script: []taxiitest.Step{{Kind: "InboxMessage", Status: taxii.StatusDestinationCollectionError, Message: "no such collection",
				Details: map[string][]string{"ACCEPTABLE_DESTINATION": {"incoming"}}}},
			json:  &out{Status: "DESTINATION_COLLECTION_ERROR", Files: []fileOut{{Binding: taxii.ContentSTIX12, Status: "DESTINATION_COLLECTION_ERROR"}}},
			inErr: []string{"incoming"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, taxiitest.Options{})
			h.srv.Script(tt.script...)
			args := append([]string{"push", "--url", "$DISCOVERY", "--dest", "incoming"}, tt.args...)
			r := h.run(args...)
			r.check(t, tt.code, tt.inOut, tt.inErr)
			if tt.json != nil {
				var got out
				r.decode(t, &got)
				if got.Status != tt.json.Status || got.Message == "" || len(got.Files) != len(tt.json.Files) {
					t.Fatalf("push = %+v, want status %s and %d files", got, tt.json.Status, len(tt.json.Files))
				}
				for i, f := range got.Files {
					w := tt.json.Files[i]
					if f.Binding != w.Binding || f.Status != w.Status || f.OK != w.OK || f.Receipt == "" {
						t.Errorf("file %d = %+v, want %+v with a receipt id", i, f, w)
					}
				}
			}
			inbox := h.srv.Inbox()
			if len(inbox) != tt.delivered {
				t.Fatalf("server accepted %d messages, want %d", len(inbox), tt.delivered)
			}
			if tt.delivered > 0 {
				m := inbox[0]
				if len(m.DestinationCollectionNames) != 1 || m.DestinationCollectionNames[0] != "incoming" || m.ContentBlocks[0].Binding.ID != tt.binding && tt.binding != "" {
					t.Errorf("delivered %v with binding %s", m.DestinationCollectionNames, m.ContentBlocks[0].Binding.ID)
				}
			}
		})
	}
}
