package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testdataFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", dir, "*.xml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no files in testdata/%s: %v", dir, err)
	}
	return files
}

// TestInspectValid runs inspect, --xml and --json on every valid message in
// testdata. --xml must print the golden re-encoding.
func TestInspectValid(t *testing.T) {
	for _, dir := range []string{"taxii11", "taxii10"} {
		version := map[string]string{"taxii11": "1.1", "taxii10": "1.0"}[dir]
		for _, file := range testdataFiles(t, dir) {
			t.Run(dir+"/"+filepath.Base(file), func(t *testing.T) {
				env, out, errb := testEnv()
				if st := Run(context.Background(), env, []string{"inspect", file}); st != ExitOK {
					t.Fatalf("inspect: status %d, stderr %s", st, errb)
				}
				if !strings.HasPrefix(out.String(), "TAXII "+version+" ") || !strings.Contains(out.String(), "message id:") {
					t.Errorf("summary does not start with the version and name the id:\n%s", out)
				}

				env, out, errb = testEnv()
				if st := Run(context.Background(), env, []string{"inspect", "--xml", file}); st != ExitOK {
					t.Fatalf("inspect --xml: status %d, stderr %s", st, errb)
				}
				golden, err := os.ReadFile(filepath.Join(filepath.Dir(file), "golden", filepath.Base(file)))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(out.Bytes(), golden) {
					t.Errorf("--xml output differs from the golden re-encoding:\n%s", out)
				}

				env, out, errb = testEnv()
				if st := Run(context.Background(), env, []string{"inspect", file, "--json"}); st != ExitOK {
					t.Fatalf("inspect --json: status %d, stderr %s", st, errb)
				}
				var v struct {
					Version string         `json:"taxii_version"`
					Type    string         `json:"message_type"`
					Message map[string]any `json:"message"`
				}
				if err := json.Unmarshal(out.Bytes(), &v); err != nil {
					t.Fatalf("--json output is not JSON: %v\n%s", err, out)
				}
				if v.Version != version || v.Type == "" || v.Message["MessageID"] == nil {
					t.Errorf("--json gave version %q type %q message %v", v.Version, v.Type, v.Message)
				}
			})
		}
	}
}

func TestInspectSummaryContent(t *testing.T) {
	env, out, errb := testEnv()
	file := filepath.Join("..", "..", "testdata", "taxii11", "poll_response_full.xml")
	if st := Run(context.Background(), env, []string{"inspect", file}); st != ExitOK {
		t.Fatalf("status %d: %s", st, errb)
	}
	for _, want := range []string{"TAXII 1.1 Poll_Response", "collection:", "indicators", "more parts: true",
		"record count:", "1000 (at least)", "content blocks:", "urn:stix.mitre.org:xml:1.1.1 (urn:example.com:subtype:indicators), XML", "signature:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}

// TestInspectInvalid: every invalid fixture exits 1 with the decoder's error.
func TestInspectInvalid(t *testing.T) {
	for _, file := range testdataFiles(t, "invalid") {
		t.Run(filepath.Base(file), func(t *testing.T) {
			env, out, errb := testEnv()
			if st := Run(context.Background(), env, []string{"inspect", file}); st != ExitFailure {
				t.Errorf("status %d, want %d", st, ExitFailure)
			}
			if !strings.Contains(errb.String(), "is not a valid TAXII 1.x message: taxii: decode") {
				t.Errorf("stderr %q does not explain the decoding error", errb)
			}
			if out.Len() != 0 {
				t.Errorf("stdout %q, want nothing", out)
			}
		})
	}
}

func TestInspectUsage(t *testing.T) {
	tests := []struct {
		args   []string
		status int
		stderr string
	}{
		{[]string{"inspect"}, ExitUsage, "exactly one FILE"},
		{[]string{"inspect", "a.xml", "b.xml"}, ExitUsage, "exactly one FILE"},
		{[]string{"inspect", "--xml", "--json", "a.xml"}, ExitUsage, "one of --xml and --json"},
		{[]string{"inspect", "--yaml", "a.xml"}, ExitUsage, "yaml"},
		{[]string{"inspect", "does-not-exist.xml"}, ExitFailure, "cannot open the message file"},
	}
	for _, tc := range tests {
		env, _, errb := testEnv()
		if st := Run(context.Background(), env, tc.args); st != tc.status || !strings.Contains(errb.String(), tc.stderr) {
			t.Errorf("%v: status %d stderr %q, want %d and %q", tc.args, st, errb, tc.status, tc.stderr)
		}
	}
}

func TestInspectStdin(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "taxii10", "status_retry.xml"))
	if err != nil {
		t.Fatal(err)
	}
	env, out, errb := testEnv()
	env.Stdin = bytes.NewReader(b)
	if st := Run(context.Background(), env, []string{"inspect", "-"}); st != ExitOK {
		t.Fatalf("status %d: %s", st, errb)
	}
	if !strings.Contains(out.String(), "TAXII 1.0 Status_Message") || !strings.Contains(out.String(), "RETRY") {
		t.Errorf("summary:\n%s", out)
	}
}
