package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/taxii"
)

// pushJSON is the output of `push --json`.
type pushJSON struct {
	// Status is SUCCESS when every file was accepted, else the first
	// failure's status (a TAXII status type, or UNKNOWN when the request
	// failed in transit).
	Status  string         `json:"status"`
	Message string         `json:"message"`
	Server  string         `json:"server"`
	Dest    []string       `json:"destinations"`
	Files   []pushFileJSON `json:"files"`
}

// pushFileJSON is one file's receipt.
type pushFileJSON struct {
	Name      string `json:"name"`
	Binding   string `json:"binding"`
	Status    string `json:"status"`
	OK        bool   `json:"ok"`
	Message   string `json:"message"`
	Inbox     string `json:"inbox"`
	MessageID string `json:"message_id"`
	Receipt   string `json:"receipt_id"`
	Sent      string `json:"sent"`
}

func pushCommand() Command {
	const usage = connUsage + " --dest NAME[,NAME...] [--binding URN] [--inbox URL] FILE... [--json]"
	return Command{
		Name:    "push",
		Summary: "push files to a server's inbox, one message per file; every outcome is kept as a receipt",
		Usage:   usage,
		Run: func(ctx context.Context, env *Env, args []string) error {
			fs := newFlagSet(env, "push", usage)
			cf := addConnFlags(fs, true)
			dest := fs.String("dest", "", "destination collection `NAME`s, comma-separated")
			binding := fs.String("binding", "", "content binding `URN` of every file (default: detected; STIX 1.0-1.2 and CAP are recognised)")
			inbox := fs.String("inbox", "", "inbox service `URL` (default: the collection's inbox, or discovery)")
			asJSON := fs.Bool("json", false, "print JSON for scripts")
			files, err := parseArgs(fs, args)
			if err != nil {
				return err
			}
			cf.noteSet(fs)
			if len(files) == 0 {
				return usagef("name at least one FILE to push")
			}
			dests := splitList(*dest)
			if len(dests) == 0 {
				return usagef("--dest is required: the collection(s) to push to")
			}
			if *inbox != "" {
				if err := checkURL("--inbox", *inbox); err != nil {
					return err
				}
			}
			s, err := connect(ctx, env, cf, taxii.ServiceInbox)
			if err != nil {
				return err
			}
			defer s.close()
			req := app.PushRequest{Server: s.server, Collections: dests, Files: files, Binding: *binding, Inbox: *inbox}
			outs, err := s.app.Push(ctx, req)
			var ce *app.CheckError
			if errors.As(err, &ce) {
				return pushCheckError(ce, *binding)
			}
			if len(outs) == 0 {
				return explain(err)
			}
			res := pushJSON{Status: string(taxii.StatusSuccess), Server: s.server, Dest: dests}
			for _, o := range outs {
				r := o.Receipt
				res.Files = append(res.Files, pushFileJSON{Name: o.Name, Binding: r.Binding, Status: r.Status, OK: o.OK, Message: o.Words,
					Inbox: r.Inbox, MessageID: r.MessageID, Receipt: r.ID, Sent: timeText(r.Sent)})
				if !o.OK && res.Status == string(taxii.StatusSuccess) {
					res.Status, res.Message = r.Status, o.Words
				}
			}
			if res.Message == "" {
				res.Message = outs[0].Words
				if len(outs) > 1 {
					res.Message = fmt.Sprintf("The server accepted all %d files.", len(outs))
				}
			}
			if *asJSON {
				if werr := writeJSON(env.Stdout, res); werr != nil {
					return werr
				}
			} else {
				rows := make([][]string, 0, len(res.Files))
				for _, f := range res.Files {
					rows = append(rows, []string{filepath.Base(f.Name), f.Binding, f.Status, oneLine(f.Message, 120)})
				}
				if werr := writeTable(env.Stdout, []string{"FILE", "BINDING", "STATUS", "MESSAGE"}, rows); werr != nil {
					return werr
				}
				fmt.Fprintf(env.Stdout, "%d receipt(s) kept in the cache.\n", len(res.Files))
			}
			if err == nil && res.Status != string(taxii.StatusSuccess) {
				err = errors.New(res.Message)
			}
			return explain(err)
		},
	}
}

// pushCheckError explains why nothing was sent, asking for --binding when a
// file's binding could not be detected.
func pushCheckError(ce *app.CheckError, binding string) error {
	var lines []string
	unknown := false
	for _, c := range ce.Checks {
		if c.OK() {
			continue
		}
		lines = append(lines, fmt.Sprintf("  %s: %s", c.Name, c.Problem))
		if binding == "" {
			if b, err := os.ReadFile(c.Name); err == nil {
				if _, derr := taxii.DetectBinding(b); errors.Is(derr, taxii.ErrUnknownBinding) {
					unknown = true
				}
			}
		}
	}
	msg := "nothing was sent; fix these files first:\n" + strings.Join(lines, "\n")
	if unknown {
		msg += fmt.Sprintf("\nThe content binding of a file could not be detected: name it with --binding URN (e.g. --binding %s).", taxii.ContentSTIX12)
	}
	return errors.New(msg)
}
