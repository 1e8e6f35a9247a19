package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/storage"
)

// explainedError is a failure told in words (app.Explain) with the full
// error as details: for a server's refusal, its status type, message and
// details.
type explainedError struct{ err error }

func (e *explainedError) Error() string {
	words := app.Explain(e.err)
	details := e.err.Error()
	for _, p := range []string{"app: ", "taxii: ", "storage: "} {
		details = strings.ReplaceAll(details, p, "")
	}
	msg := words + "\n  details: " + details
	if words == "" || strings.EqualFold(strings.TrimSuffix(words, "."), strings.TrimSuffix(details, ".")) {
		msg = details
	}
	if errors.Is(e.err, storage.ErrNoKeyring) && !strings.Contains(msg, SecretsFileEnv) {
		msg += fmt.Sprintf("\nTo opt into the file fallback, give --secrets-file FILE or set %s=FILE.", SecretsFileEnv)
	}
	return msg
}

func (e *explainedError) Unwrap() error { return e.err }

// explain wraps err so Run prints it in words; usage errors, flag.ErrHelp
// and already explained errors pass through.
func explain(err error) error {
	var ue *UsageError
	var ee *explainedError
	if err == nil || errors.As(err, &ue) || errors.As(err, &ee) || errors.Is(err, flag.ErrHelp) {
		return err
	}
	return &explainedError{err: err}
}

// writeJSON prints v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeTable prints rows under a header, aligned in columns.
func writeTable(w io.Writer, header []string, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

// writeFields prints "key: value" lines aligned, skipping empty values.
func writeFields(w io.Writer, kv ...string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", kv[i], kv[i+1])
		}
	}
	return tw.Flush()
}

func yesNo(b *bool) string {
	switch {
	case b == nil:
		return "?"
	case *b:
		return "yes"
	}
	return "no"
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// byteSize renders n bytes for people: 1.5 MB, 980 B.
func byteSize(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parseArgs parses flags that may come before, between or after
// positional arguments and returns the positional ones.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > 0 && len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// plural renders "1 part", "3 parts".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
