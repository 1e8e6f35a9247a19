package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/taxii-workstation/taxii-workstation/app"
)

func testEnv() (*Env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return &Env{
		Stdin:   strings.NewReader(""),
		Stdout:  &out,
		Stderr:  &errb,
		Getenv:  func(string) string { return "" },
		Meta:    app.Metadata{ID: "test.id", Name: "TAXII Workstation", Version: "9.8.7", Build: 42},
		DataDir: "/tmp/data-dir-for-test",
	}, &out, &errb
}

func TestRun(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantStatus int
		wantOut    []string // substrings of stdout
		wantErr    []string // substrings of stderr
	}{
		{"version", []string{"version"}, ExitOK, []string{"TAXII Workstation 9.8.7 (build 42)"}, nil},
		{"--version", []string{"--version"}, ExitOK, []string{"9.8.7"}, nil},
		{"version with args", []string{"version", "x"}, ExitUsage, nil, []string{"version takes no arguments"}},
		{"help lists commands", []string{"help"}, ExitOK, []string{"version", "help", "/tmp/data-dir-for-test", "TAXII_WORKSTATION_DATA"}, nil},
		{"--help", []string{"--help"}, ExitOK, []string{"commands:"}, nil},
		{"help of a command", []string{"help", "version"}, ExitOK, []string{"usage: taxii-workstation version"}, nil},
		{"help of unknown", []string{"help", "frobnicate"}, ExitUsage, nil, []string{`unknown command "frobnicate"`}},
		{"unknown command", []string{"frobnicate"}, ExitUsage, nil, []string{`unknown command "frobnicate"`, "taxii-workstation help"}},
		{"no command", nil, ExitUsage, nil, []string{"commands:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, out, errb := testEnv()
			got := Run(context.Background(), env, tt.args)
			if got != tt.wantStatus {
				t.Errorf("exit status = %d, want %d (stderr %q)", got, tt.wantStatus, errb)
			}
			for _, s := range tt.wantOut {
				if !strings.Contains(out.String(), s) {
					t.Errorf("stdout %q lacks %q", out, s)
				}
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(errb.String(), s) {
					t.Errorf("stderr %q lacks %q", errb, s)
				}
			}
		})
	}
}

func TestParseGlobal(t *testing.T) {
	tests := []struct {
		args     []string
		wantData string
		wantRest []string
		wantErr  bool
	}{
		{nil, "", nil, false},
		{[]string{"--data", "/x"}, "/x", nil, false},
		{[]string{"--data=/y", "version"}, "/y", []string{"version"}, false},
		{[]string{"version", "--data", "/z"}, "", []string{"version", "--data", "/z"}, false},
		{[]string{"--data"}, "", nil, true},
		{[]string{"--bogus"}, "", nil, true},
		{[]string{"--", "--weird"}, "", []string{"--weird"}, false},
	}
	for _, tt := range tests {
		g, rest, err := ParseGlobal(tt.args)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseGlobal(%q) error = %v, want error %v", tt.args, err, tt.wantErr)
			continue
		}
		if g.Data != tt.wantData || strings.Join(rest, " ") != strings.Join(tt.wantRest, " ") {
			t.Errorf("ParseGlobal(%q) = %q, %q; want %q, %q", tt.args, g.Data, rest, tt.wantData, tt.wantRest)
		}
	}
}
