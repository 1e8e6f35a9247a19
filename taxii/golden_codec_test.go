package taxii

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden re-encodings in testdata/*/golden")

// fixtures returns the message fixtures of one testdata directory.
func fixtures(t testing.TB, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "testdata", dir, "*.xml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures in testdata/%s: %v", dir, err)
	}
	return files
}

// TestGolden decodes every fixture, checks its version, re-encodes it,
// compares the bytes with the golden file and checks that decoding the
// re-encoding gives the same value.
func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		dir string
		v   Version
	}{{"taxii11", V11}, {"taxii10", V10}} {
		for _, file := range fixtures(t, tc.dir) {
			t.Run(tc.dir+"/"+filepath.Base(file), func(t *testing.T) {
				in, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				m, err := Unmarshal(in)
				if err != nil {
					t.Fatalf("Unmarshal: %v", err)
				}
				if m.TAXIIVersion() != tc.v {
					t.Errorf("version = %s, want %s", m.TAXIIVersion(), tc.v)
				}
				out, err := Marshal(m)
				if err != nil {
					t.Fatalf("Marshal: %v", err)
				}
				golden := filepath.Join(filepath.Dir(file), "golden", filepath.Base(file))
				if *update {
					if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(golden, out, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test -update to create it)", err)
				}
				if !bytes.Equal(out, want) {
					t.Errorf("re-encoding differs from %s (go test -update rewrites it):\n%s", golden, diffLines(string(want), string(out)))
				}
				m2, err := Unmarshal(out)
				if err != nil {
					t.Fatalf("Unmarshal(re-encoding): %v\n%s", err, out)
				}
				if !reflect.DeepEqual(m, m2) {
					t.Errorf("decode(encode(decode(x))) != decode(x):\nfirst:  %s\nsecond: %s", dump(m), dump(m2))
				}
				out2, err := Marshal(m2)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(out, out2) {
					t.Errorf("second re-encoding differs from the first:\n%s", diffLines(string(out), string(out2)))
				}
			})
		}
	}
}

// diffLines reports the first differing line of a and b.
func diffLines(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + x + "\n  got:  " + y
		}
	}
	return "(equal lines)"
}

// dump renders a message as JSON for failure messages.
func dump(m Message) string {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err.Error()
	}
	return string(b)
}
