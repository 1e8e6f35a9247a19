package cli

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"golang.org/x/term"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/taxii"
)

// pollJSON is the output of `poll --json`.
type pollJSON struct {
	Server      string   `json:"server"`
	Collection  string   `json:"collection"`
	Mode        string   `json:"mode"`
	CountOnly   bool     `json:"count_only,omitempty"`
	Blocks      int      `json:"blocks"`
	Parts       int      `json:"parts"`
	Bytes       int64    `json:"bytes"`
	RecordCount *uint64  `json:"record_count,omitempty"`
	AtLeast     bool     `json:"record_count_partial,omitempty"`
	New         int      `json:"new"`
	Known       int      `json:"known"`
	Begin       string   `json:"begin,omitempty"`
	End         string   `json:"end,omitempty"`
	Cursor      string   `json:"cursor,omitempty"`
	CursorMoved bool     `json:"cursor_moved"`
	Message     string   `json:"message,omitempty"`
	Files       []string `json:"files,omitempty"`
}

func pollCommand() Command {
	const usage = connUsage + " --collection NAME [--since-last | --begin TIME --end TIME] [--bindings URN,...]\n" +
		"       [--count-only] [--subscription-id ID] [--out DIR] [--json]"
	return Command{
		Name:    "poll",
		Summary: "poll a collection into the cache (multi-part, asynchronous); --since-last continues from the cursor",
		Usage:   usage,
		Run: func(ctx context.Context, env *Env, args []string) error {
			fs := newFlagSet(env, "poll", usage)
			cf := addConnFlags(fs, true)
			collection := fs.String("collection", "", "`NAME` of the collection (TAXII 1.0: feed) to poll")
			beginS := fs.String("begin", "", "ask for content after this `TIME` (RFC 3339; a missing zone means UTC)")
			endS := fs.String("end", "", "ask for content up to this `TIME` (inclusive)")
			bindings := fs.String("bindings", "", "only these content bindings, comma-separated `URN,...`")
			countOnly := fs.Bool("count-only", false, "ask only how many records there are (stores nothing)")
			subID := fs.String("subscription-id", "", "poll on behalf of subscription `ID` (its parameters apply)")
			sinceLast := fs.Bool("since-last", false, "continue from where the last poll of this collection ended (the cursor)")
			outDir := fs.String("out", "", "also write each block received to `DIR`, one file per block (original bytes)")
			asJSON := fs.Bool("json", false, "print JSON for scripts")
			if err := parseConnFlags(fs, cf, args); err != nil {
				return err
			}
			if *collection == "" {
				return usagef("--collection is required")
			}
			req := app.SyncRequest{Collection: *collection, Mode: app.Everything, Bindings: splitList(*bindings),
				CountOnly: *countOnly, SubscriptionID: *subID}
			var err error
			if req.Begin, err = parseTime("--begin", *beginS); err != nil {
				return err
			}
			if req.End, err = parseTime("--end", *endS); err != nil {
				return err
			}
			switch {
			case *sinceLast && (*beginS != "" || *endS != ""):
				return usagef("--since-last continues from the cursor; it cannot be combined with --begin or --end")
			case *sinceLast:
				req.Mode = app.SinceLast
			case *beginS != "" || *endS != "":
				req.Mode = app.Window
				if !req.Begin.IsZero() && !req.End.IsZero() && !req.End.After(req.Begin) {
					return usagef("--end must be after --begin")
				}
			}
			if *countOnly && *outDir != "" {
				return usagef("--count-only receives no blocks to write to --out")
			}
			s, err := connect(ctx, env, cf, taxii.ServicePoll)
			if err != nil {
				return err
			}
			defer s.close()
			req.Server = s.server
			if !*asJSON {
				defer s.app.Subscribe(waitNotice(env))()
			}
			started := time.Now()
			res, err := s.app.Sync(ctx, req)
			if err != nil {
				if res.Blocks > 0 {
					fmt.Fprintf(env.Stderr, "before the failure %d blocks arrived in %d parts and are cached (%d new, %d known); the cursor did not move past them.\n",
						res.Blocks, res.Parts, res.New, res.Known)
				}
				return explain(err)
			}
			out := pollJSON{Server: res.Server, Collection: res.Collection, Mode: string(res.Mode), CountOnly: res.CountOnly,
				Blocks: res.Blocks, Parts: res.Parts, Bytes: res.Bytes, New: res.New, Known: res.Known,
				Begin: timeText(res.Begin), End: timeText(res.End), Cursor: timeText(res.Cursor), CursorMoved: res.CursorMoved, Message: res.Message}
			if rc := res.RecordCount; rc != nil {
				n := rc.Count
				out.RecordCount, out.AtLeast = &n, rc.Partial
			}
			if *outDir != "" && res.Blocks > 0 {
				if out.Files, err = writePolled(ctx, s.app, res, started, *outDir); err != nil {
					return explain(err)
				}
			}
			if *asJSON {
				return writeJSON(env.Stdout, out)
			}
			return printPoll(env, out, *outDir)
		},
	}
}

func printPoll(env *Env, out pollJSON, outDir string) error {
	rc := ""
	if out.RecordCount != nil {
		rc = strconv.FormatUint(*out.RecordCount, 10)
		if out.AtLeast {
			rc = "at least " + rc
		}
	}
	if out.CountOnly {
		if rc == "" {
			rc = "the server gave no count"
		}
		return writeFields(env.Stdout, "server", out.Server, "collection", out.Collection, "record count", rc+" (count only: nothing was stored)")
	}
	cursor := out.Cursor
	switch {
	case cursor == "":
		cursor = "none"
	case out.CursorMoved:
		cursor += " (moved)"
	default:
		cursor += " (unchanged)"
	}
	window := ""
	if out.Begin != "" || out.End != "" {
		window = fmt.Sprintf("after %s, up to %s", orDash(out.Begin), orDash(out.End))
	}
	written := ""
	switch {
	case outDir != "" && len(out.Files) > 0:
		written = fmt.Sprintf("%s in %s", plural(len(out.Files), "file"), outDir)
	case outDir != "":
		written = "nothing (no blocks received)"
	}
	return writeFields(env.Stdout,
		"server", out.Server,
		"collection", out.Collection,
		"mode", out.Mode,
		"window", window,
		"received", fmt.Sprintf("%s in %s (%s)", plural(out.Blocks, "block"), plural(out.Parts, "part"), byteSize(out.Bytes)),
		"new", strconv.Itoa(out.New),
		"known", strconv.Itoa(out.Known)+" (already cached)",
		"record count", rc,
		"cursor", cursor,
		"server message", oneLine(out.Message, 200),
		"written", written,
	)
}

// waitNotice tells the user when the server answers PENDING and, when
// stderr is a terminal, shows the parts and blocks as they arrive.
func waitNotice(env *Env) func(app.Event) {
	waiting := false
	live := false
	if f, ok := env.Stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		live = true
	}
	shown := false
	return func(ev app.Event) {
		if ev.Job == nil {
			return
		}
		if ev.Kind != app.JobProgress {
			if shown && ev.Job.State.Final() {
				fmt.Fprintln(env.Stderr)
				shown = false
			}
			return
		}
		p := ev.Job.Progress
		if p.Waiting && !waiting {
			if shown {
				fmt.Fprintln(env.Stderr)
				shown = false
			}
			fmt.Fprintf(env.Stderr, "the server is preparing the result (PENDING); waiting %s before asking again (Ctrl-C cancels)\n", p.Remaining.Round(time.Second))
		}
		waiting = p.Waiting
		if live && !p.Waiting && p.Parts > 0 {
			fmt.Fprintf(env.Stderr, "\rreceived %s in %s (%s), %d new   ", plural(p.Blocks, "block"), plural(p.Parts, "part"), byteSize(p.Bytes), p.New)
			shown = true
		}
	}
}

// writePolled writes the blocks this poll received (sightings of the
// collection seen since started) to dir. The core does not hand out the
// ids of a sync's blocks, so they are found in the cache listing.
func writePolled(ctx context.Context, a *app.App, res app.SyncResult, started time.Time, dir string) ([]string, error) {
	var ids []app.BlockID
	page := app.PageRequest{Limit: 500}
	for {
		p, err := a.ListBlocks(ctx, res.Server, res.Collection, page)
		if err != nil {
			return nil, err
		}
		for _, e := range p.Items {
			if !e.Sighting.LastSeen.Before(started) {
				ids = append(ids, e.Block.ID)
			}
		}
		if p.Next == "" {
			break
		}
		page.Token = p.Next
	}
	return a.ExportBlocks(ctx, ids, dir)
}

// parseTime reads an RFC 3339 time; a missing zone means UTC, and a date
// alone means its midnight UTC.
func parseTime(flagName, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, usagef("%s %q is not an RFC 3339 time such as 2026-01-31T12:00:00Z (a missing zone means UTC)", flagName, s)
}
