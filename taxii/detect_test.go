package taxii_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/taxii-workstation/taxii-workstation/taxii"
)

func TestDetectBinding(t *testing.T) {
	pkg := func(attrs string) string {
		return `<?xml version="1.0" encoding="UTF-8"?>
<!-- exported -->
<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" ` + attrs + `><stix:STIX_Header/></stix:STIX_Package>`
	}
	tests := []struct {
		name, doc, want string
		wantErr         string // substring of the error, "" for none
	}{
		{"1.0", pkg(`version="1.0"`), taxii.ContentSTIX10, ""},
		{"1.0.1", pkg(`version="1.0.1"`), taxii.ContentSTIX101, ""},
		{"1.1", pkg(`version="1.1"`), taxii.ContentSTIX11, ""},
		{"1.1.1", pkg(`id="x:1" version=" 1.1.1 "`), taxii.ContentSTIX111, ""},
		{"1.2", pkg(`version="1.2"`), taxii.ContentSTIX12, ""},
		{"default namespace", `<STIX_Package xmlns="http://stix.mitre.org/stix-1" version="1.2"/>`, taxii.ContentSTIX12, ""},
		{"CAP 1.2", `<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>`, taxii.ContentCAP12, ""},
		{"no version", pkg(``), "", "no version attribute"},
		{"unknown version", pkg(`version="2.0"`), "", `"2.0"`},
		{"wrong namespace", `<stix:STIX_Package xmlns:stix="http://example.com/stix" version="1.2"/>`, "", "not a STIX 1.x"},
		{"STIX 2 JSON", `{"type": "bundle"}`, "", "not XML but JSON"},
		{"broken XML", `<stix:STIX_Package`, "", "not well-formed"},
		{"empty", ``, "", "no XML root"},
		{"doctype", `<!DOCTYPE x [<!ENTITY e "x">]><x/>`, "", "DOCTYPE"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := taxii.DetectBinding([]byte(tc.doc))
			if tc.wantErr != "" {
				if !errors.Is(err, taxii.ErrUnknownBinding) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want ErrUnknownBinding mentioning %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestDetectBindingFileReadsOnlyTheHead(t *testing.T) {
	// A huge package: detection needs only the root element.
	var b strings.Builder
	b.WriteString(`<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" version="1.1.1"><stix:Indicators>`)
	for b.Len() < 1<<20 {
		b.WriteString(`<stix:Indicator/>`)
	}
	b.WriteString(`</stix:Indicators></stix:STIX_Package>`)
	p := filepath.Join(t.TempDir(), "big.xml")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := taxii.DetectBindingFile(p)
	if err != nil || got != taxii.ContentSTIX111 {
		t.Fatalf("got %q, %v", got, err)
	}
	if _, err := taxii.DetectBindingFile(filepath.Join(t.TempDir(), "missing.xml")); err == nil {
		t.Fatal("missing file detected")
	}
}
