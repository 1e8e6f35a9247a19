package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/taxii-workstation/taxii-workstation/storage"
	"github.com/taxii-workstation/taxii-workstation/taxii/taxiitest"
)

func TestCache(t *testing.T) {
	h := newHarness(t, taxiitest.Options{}).feed()
	// "mirror" carries the first 10 blocks of "feed" again: same content.
	var mirror [][]byte
	for i := range 10 {
		mirror = append(mirror, taxiitest.STIXPackage(i, 0))
	}
	h.srv.AddCollection(taxiitest.Collection{Name: "mirror", Content: mirror})
	h.run("poll", "--url", "$DISCOVERY", "--collection", "feed").check(t, ExitOK, nil, nil)
	h.run("poll", "--url", "$DISCOVERY", "--collection", "mirror").check(t, ExitOK, []string{"new:", "known:", "10 (already cached)"}, nil)
	server := strings.TrimPrefix(h.srv.URL, "http://")
	block42 := taxiitest.STIXPackage(42, 0)
	id42 := storage.IDOf(block42).String()
	id3 := storage.IDOf(taxiitest.STIXPackage(3, 0)).String()
	var total int64
	for i := range 120 {
		total += int64(len(taxiitest.STIXPackage(i, 0)))
	}
	out1, out2 := t.TempDir(), filepath.Join(t.TempDir(), "new")

	tests := []struct {
		name  string
		args  []string
		code  int
		inOut []string
		inErr []string
		check func(t *testing.T, r result)
	}{
		{name: "stats json", args: []string{"stats", "--json"}, check: func(t *testing.T, r result) {
			var st map[string]int64
			r.decode(t, &st)
			if st["blocks"] != 120 || st["bytes"] != total || st["sightings"] != 130 {
				t.Errorf("stats = %v, want 120 distinct blocks of %d bytes, 130 sightings", st, total)
			}
		}},
		{name: "stats table", args: []string{"stats"}, inOut: []string{"blocks:", "120 (distinct content)", "sightings:", "130"}},
		{name: "collections", args: []string{"collections"}, inOut: []string{"SERVER", server, "feed", "120", "mirror", "10", "2026-01-01T00:01:59Z"}},
		{name: "collections json", args: []string{"collections", "--json"}, check: func(t *testing.T, r result) {
			var cs []cachedCollectionJSON
			r.decode(t, &cs)
			if len(cs) != 2 || cs[0] != (cachedCollectionJSON{server, "feed", 120, "2026-01-01T00:01:59Z"}) {
				t.Errorf("collections = %+v", cs)
			}
		}},
		{name: "list newest first", args: []string{"list", "--collection", "feed", "--limit", "5", "--json"}, check: func(t *testing.T, r result) {
			var bs []blockJSON
			r.decode(t, &bs)
			if len(bs) != 5 || bs[0].TimestampLabel != "2026-01-01T00:01:59Z" || bs[4].TimestampLabel != "2026-01-01T00:01:55Z" ||
				bs[0].Server != server || bs[0].Collection != "feed" || bs[0].Title != "Package 119" {
				t.Errorf("list = %+v", bs)
			}
		}},
		{name: "list table pages", args: []string{"list", "--collection", "feed", "--limit", "2", "--offset", "2", "--server", server},
			inOut: []string{"ID", "TIMESTAMP LABEL", "Package 117", "Package 116"}, inErr: []string{"more blocks follow: add --offset 4"}},
		{name: "list all", args: []string{"list", "--collection", "mirror", "--limit", "0", "--json"}, check: func(t *testing.T, r result) {
			if n := strings.Count(r.stdout, `"id"`); n != 10 {
				t.Errorf("%d blocks listed, want 10", n)
			}
		}},
		{name: "list unknown collection", args: []string{"list", "--collection", "nope"}, code: ExitFailure, inErr: []string{`nothing is cached for a collection named "nope"`}},
		{name: "show", args: []string{"show", id3}, inOut: []string{"id:", id3, "Package 3", "seen in:", "2 collections on 1 servers", "mirror", "feed"}},
		{name: "show json", args: []string{"show", id3, "--json"}, check: func(t *testing.T, r result) {
			var d struct {
				ID          string           `json:"id"`
				Collections int              `json:"collections"`
				Sightings   []map[string]any `json:"sightings"`
				Content     string           `json:"content"`
			}
			r.decode(t, &d)
			if d.ID != id3 || d.Collections != 2 || len(d.Sightings) != 2 || d.Content != string(taxiitest.STIXPackage(3, 0)) {
				t.Errorf("show = %+v", d)
			}
		}},
		{name: "show raw", args: []string{"show", "--raw", id42}, check: func(t *testing.T, r result) {
			if r.stdout != string(block42) {
				t.Errorf("--raw printed %.80q", r.stdout)
			}
		}},
		{name: "show bad id", args: []string{"show", "42"}, code: ExitUsage, inErr: []string{"not a block ID"}},
		{name: "show unknown id", args: []string{"show", strings.Repeat("ab", 32)}, code: ExitFailure, inErr: []string{"not found"}},
		{name: "search json", args: []string{"search", "example:Package-00000042", "--json"}, check: func(t *testing.T, r result) {
			var hits []hitJSON
			r.decode(t, &hits)
			if len(hits) != 1 || hits[0].ID != id42 || hits[0].Collection != "feed" || hits[0].Server != server {
				t.Errorf("search = %+v", hits)
			}
		}},
		{name: "search table", args: []string{"search", "Package-00000003"}, inOut: []string{"ID", id3, server + "/", "(+1 more)", "Package 3"}},
		{name: "search nothing", args: []string{"search", "no such words anywhere"}, inOut: []string{"No cached block contains that text"}},
		{name: "search without text", args: []string{"search"}, code: ExitUsage, inErr: []string{"needs some TEXT"}},
		{name: "export collection", args: []string{"export", "--collection", "feed", "--out", out1, "--json"}, check: func(t *testing.T, r result) {
			var e struct {
				Count int      `json:"count"`
				Files []string `json:"files"`
			}
			r.decode(t, &e)
			entries, _ := os.ReadDir(out1)
			if e.Count != 120 || len(e.Files) != 120 || len(entries) != 120 {
				t.Fatalf("export = %d files listed, %d on disk", e.Count, len(entries))
			}
			b, err := os.ReadFile(filepath.Join(out1, id42+".xml"))
			if err != nil || !bytes.Equal(b, block42) {
				t.Errorf("exported block 42: %v, %.60q", err, b)
			}
		}},
		{name: "export again leaves identical files", args: []string{"export", "--collection", "feed", "--out", out1}, inOut: []string{"Exported 120 blocks to " + out1}},
		{name: "export ids", args: []string{"export", "--id", id42 + "," + id3, "--out", out2}, inOut: []string{"Exported 2 blocks"}, check: func(t *testing.T, r result) {
			if b, err := os.ReadFile(filepath.Join(out2, id3+".xml")); err != nil || !bytes.Equal(b, taxiitest.STIXPackage(3, 0)) {
				t.Errorf("exported block 3: %v", err)
			}
		}},
		{name: "export without out", args: []string{"export", "--collection", "feed"}, code: ExitUsage, inErr: []string{"--out DIR is required"}},
		{name: "export both", args: []string{"export", "--collection", "feed", "--id", id3, "--out", out2}, code: ExitUsage, inErr: []string{"--collection NAME or --id"}},
		{name: "prune keeps what is recent", args: []string{"prune", "--older-than", "30d", "--json"}, check: func(t *testing.T, r result) {
			var p map[string]int64
			r.decode(t, &p)
			if p["blocks"] != 0 || p["sightings"] != 0 {
				t.Errorf("prune removed %v", p)
			}
		}},
		{name: "prune needs a retention", args: []string{"prune"}, code: ExitUsage, inErr: []string{"--older-than is required"}},
		{name: "prune bad retention", args: []string{"prune", "--older-than", "0d"}, code: ExitUsage, inErr: []string{"not a positive duration"}},
		{name: "unknown sub-command", args: []string{"vacuum"}, code: ExitUsage, inErr: []string{"unknown sub-command"}},
		{name: "reset-cursor needs a collection", args: []string{"reset-cursor"}, code: ExitUsage, inErr: []string{"--collection is required"}},
		{name: "reset-cursor", args: []string{"reset-cursor", "--collection", "feed"}, inOut: []string{"Cursor of " + server + "/feed reset"},
			check: func(t *testing.T, r result) {
				after := h.run("cache", "collections", "--json")
				var cs []cachedCollectionJSON
				after.decode(t, &cs)
				for _, c := range cs {
					if c.Collection == "feed" && c.Cursor != "" {
						t.Errorf("feed still has cursor %q after reset-cursor", c.Cursor)
					}
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.run(append([]string{"cache"}, tt.args...)...)
			r.check(t, tt.code, tt.inOut, tt.inErr)
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
	// Stats after everything: nothing was lost by export or prune.
	r := h.run("cache", "stats", "--json")
	if !strings.Contains(r.stdout, `"blocks": 120`) {
		t.Errorf("stats after the table: %s", r.stdout)
	}
}
