package cli

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/taxii-workstation/taxii-workstation/app"
)

const cacheUsage = "stats | collections | list --collection NAME [--server NAME] | show ID [--raw]\n" +
	"       | search TEXT | export (--collection NAME [--server NAME] | --id ID,...) --out DIR\n" +
	"       | prune --older-than DURATION | reset-cursor --collection NAME [--server NAME]   (each takes --json)"

func cacheCommand() Command {
	return Command{
		Name:    "cache",
		Summary: "review what is cached offline: stats, collections, list, show, search, export, prune, reset-cursor",
		Usage:   cacheUsage,
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) == 0 {
				return usagef("cache needs a sub-command: stats, collections, list, show, search, export or prune")
			}
			sub, ok := cacheSubs()[args[0]]
			if !ok {
				if args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
					fmt.Fprintf(env.Stdout, "usage: taxii-workstation cache %s\n", cacheUsage)
					for _, name := range []string{"stats", "collections", "list", "show", "search", "export", "prune", "reset-cursor"} {
						s := cacheSubs()[name]
						fmt.Fprintf(env.Stdout, "\ncache %s %s\n  %s\n", name, s.usage, s.summary)
						fs := newFlagSet(env, "cache "+name, s.usage)
						s.flags(fs)
						fs.SetOutput(env.Stdout)
						fs.PrintDefaults()
					}
					return nil
				}
				return usagef("unknown sub-command %q: use stats, collections, list, show, search, export, prune or reset-cursor", args[0])
			}
			fs := newFlagSet(env, "cache "+args[0], sub.usage)
			get := sub.flags(fs)
			pos, err := parseArgs(fs, args[1:])
			if err != nil {
				return err
			}
			o := get()
			o.pos = pos
			if err := sub.check(o); err != nil {
				return err
			}
			a, closeFn, err := openLocal(ctx, env, "")
			if err != nil {
				return err
			}
			defer closeFn()
			return explain(sub.run(ctx, env, a, o))
		},
	}
}

// cacheOpts are the parsed flags of a cache sub-command.
type cacheOpts struct {
	json                bool
	collection, server  string
	limit, offset       int
	raw                 bool
	ids, out, olderThan string
	pos                 []string
}

type cacheSub struct {
	usage, summary string
	flags          func(fs *flag.FlagSet) func() cacheOpts
	check          func(o cacheOpts) error
	run            func(ctx context.Context, env *Env, a *app.App, o cacheOpts) error
}

// cacheFlags registers the flags named in which ("collection", "limit",
// "raw", "id", "out", "older-than"); --json always.
func cacheFlags(which ...string) func(fs *flag.FlagSet) func() cacheOpts {
	return func(fs *flag.FlagSet) func() cacheOpts {
		var o cacheOpts
		fs.BoolVar(&o.json, "json", false, "print JSON for scripts")
		for _, w := range which {
			switch w {
			case "collection":
				fs.StringVar(&o.collection, "collection", "", "`NAME` of the collection")
				fs.StringVar(&o.server, "server", "", "`NAME` of the server it was polled from (a profile, or the host of --url); needed when several have the collection")
			case "limit":
				fs.IntVar(&o.limit, "limit", 50, "show at most `N` (0: all)")
				fs.IntVar(&o.offset, "offset", 0, "skip the first `N` (newest first)")
			case "raw":
				fs.BoolVar(&o.raw, "raw", false, "print the block's original bytes only")
			case "id":
				fs.StringVar(&o.ids, "id", "", "block `ID`s (64 hex digits), comma-separated")
			case "out":
				fs.StringVar(&o.out, "out", "", "`DIR` to write one file per block to (created if needed; nothing is overwritten)")
			case "older-than":
				fs.StringVar(&o.olderThan, "older-than", "", "remove what was last seen more than `DURATION` ago, e.g. 90d or 720h")
			}
		}
		return func() cacheOpts { return o }
	}
}

func noArgs(o cacheOpts) error {
	if len(o.pos) > 0 {
		return usagef("unexpected argument %q", o.pos[0])
	}
	return nil
}

func cacheSubs() map[string]cacheSub {
	return map[string]cacheSub{
		"stats": {usage: "[--json]", summary: "how many distinct blocks and bytes are cached",
			flags: cacheFlags(), check: noArgs, run: cacheStats},
		"collections": {usage: "[--json]", summary: "every server and collection with cached blocks, and its cursor",
			flags: cacheFlags(), check: noArgs, run: cacheCollections},
		"list": {usage: "--collection NAME [--server NAME] [--limit N] [--offset N] [--json]", summary: "a collection's cached blocks, newest first",
			flags: cacheFlags("collection", "limit"), check: func(o cacheOpts) error {
				if o.collection == "" {
					return usagef("--collection is required")
				}
				if o.limit < 0 || o.offset < 0 {
					return usagef("--limit and --offset must not be negative")
				}
				return noArgs(o)
			}, run: cacheList},
		"show": {usage: "ID [--raw] [--json]", summary: "one block: metadata, where it was seen (--raw: its original bytes)",
			flags: cacheFlags("raw"), check: func(o cacheOpts) error {
				if len(o.pos) != 1 {
					return usagef("cache show needs exactly one block ID")
				}
				if _, err := app.ParseBlockID(o.pos[0]); err != nil {
					return usagef("%q is not a block ID (64 hex digits, as 'cache list' and 'cache search' show)", o.pos[0])
				}
				return nil
			}, run: cacheShow},
		"search": {usage: "TEXT [--limit N] [--json]", summary: "cached blocks whose content or labels contain TEXT",
			flags: cacheFlags("limit"), check: func(o cacheOpts) error {
				if strings.TrimSpace(strings.Join(o.pos, " ")) == "" {
					return usagef("cache search needs some TEXT to look for")
				}
				return nil
			}, run: cacheSearch},
		"export": {usage: "(--collection NAME [--server NAME] | --id ID,...) --out DIR [--json]", summary: "write blocks to files, one per block, the original bytes",
			flags: cacheFlags("collection", "id", "out"), check: func(o cacheOpts) error {
				if o.out == "" {
					return usagef("--out DIR is required")
				}
				if (o.collection == "") == (o.ids == "") {
					return usagef("say what to export: --collection NAME or --id ID,...")
				}
				for _, id := range splitList(o.ids) {
					if _, err := app.ParseBlockID(id); err != nil {
						return usagef("%q is not a block ID (64 hex digits)", id)
					}
				}
				return noArgs(o)
			}, run: cacheExport},
		"prune": {usage: "--older-than DURATION [--json]", summary: "remove what was last seen longer ago than DURATION (retention)",
			flags: cacheFlags("older-than"), check: func(o cacheOpts) error {
				if _, err := parseRetention(o.olderThan); err != nil {
					return err
				}
				return noArgs(o)
			}, run: cachePrune},
		"reset-cursor": {usage: "--collection NAME [--server NAME] [--json]", summary: "forget where the last poll of a collection stopped: the next --since-last poll asks for everything (cached blocks stay)",
			flags: cacheFlags("collection"), check: func(o cacheOpts) error {
				if o.collection == "" {
					return usagef("--collection is required")
				}
				return noArgs(o)
			}, run: cacheResetCursor},
	}
}

// parseRetention reads a positive duration; "d" counts days.
func parseRetention(s string) (time.Duration, error) {
	if s == "" {
		return 0, usagef("--older-than is required (e.g. 90d); the cache keeps everything until pruned")
	}
	var d time.Duration
	var err error
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		n, err = strconv.Atoi(days)
		d = time.Duration(n) * 24 * time.Hour
	} else {
		d, err = time.ParseDuration(s)
	}
	if err != nil || d <= 0 {
		return 0, usagef("--older-than %q is not a positive duration such as 90d or 720h", s)
	}
	return d, nil
}

func cacheStats(ctx context.Context, env *Env, a *app.App, o cacheOpts) error {
	st, err := a.Stats(ctx)
	if err != nil {
		return err
	}
	if o.json {
		return writeJSON(env.Stdout, map[string]int64{"blocks": st.Blocks, "bytes": st.ContentBytes, "sightings": st.Sightings, "disk_bytes": st.DiskBytes})
	}
	disk := ""
	if st.DiskBytes > 0 {
		disk = byteSize(st.DiskBytes)
	}
	return writeFields(env.Stdout, "blocks", strconv.FormatInt(st.Blocks, 10)+" (distinct content)",
		"content", fmt.Sprintf("%s (%d bytes)", byteSize(st.ContentBytes), st.ContentBytes),
		"sightings", strconv.FormatInt(st.Sightings, 10), "on disk", disk)
}

type cachedCollectionJSON struct {
	Server     string `json:"server"`
	Collection string `json:"collection"`
	Blocks     int64  `json:"blocks"`
	Cursor     string `json:"cursor,omitempty"`
}

func cacheCollections(ctx context.Context, env *Env, a *app.App, o cacheOpts) error {
	cs, err := a.CachedCollections(ctx)
	if err != nil {
		return err
	}
	out := make([]cachedCollectionJSON, 0, len(cs))
	for _, c := range cs {
		row := cachedCollectionJSON{Server: c.Server, Collection: c.Collection, Blocks: c.Blocks}
		if cur, ok, err := a.CursorOf(ctx, c.Server, c.Collection); err == nil && ok {
			row.Cursor = timeText(cur.Label)
		}
		out = append(out, row)
	}
	if o.json {
		return writeJSON(env.Stdout, out)
	}
	rows := make([][]string, 0, len(out))
	for _, c := range out {
		rows = append(rows, []string{c.Server, c.Collection, strconv.FormatInt(c.Blocks, 10), orDash(c.Cursor)})
	}
	return writeTable(env.Stdout, []string{"SERVER", "COLLECTION", "BLOCKS", "CURSOR"}, rows)
}

// resolveServer finds the server a cached collection came from when
// --server was not given.
func resolveServer(ctx context.Context, a *app.App, collection, server string) (string, error) {
	if server != "" {
		return server, nil
	}
	cs, err := a.CachedCollections(ctx)
	if err != nil {
		return "", err
	}
	var servers []string
	for _, c := range cs {
		if c.Collection == collection {
			servers = append(servers, c.Server)
		}
	}
	switch len(servers) {
	case 0:
		return "", fmt.Errorf("nothing is cached for a collection named %q; see 'cache collections'", collection)
	case 1:
		return servers[0], nil
	}
	return "", usagef("collection %q is cached from several servers (%s); choose one with --server", collection, strings.Join(servers, ", "))
}

type blockJSON struct {
	ID             string `json:"id"`
	Server         string `json:"server,omitempty"`
	Collection     string `json:"collection,omitempty"`
	Title          string `json:"title,omitempty"`
	Binding        string `json:"binding,omitempty"`
	Size           int64  `json:"size"`
	TimestampLabel string `json:"timestamp_label,omitempty"`
	Received       string `json:"received,omitempty"`
	LastSeen       string `json:"last_seen"`
}

func cacheList(ctx context.Context, env *Env, a *app.App, o cacheOpts) error {
	server, err := resolveServer(ctx, a, o.collection, o.server)
	if err != nil {
		return err
	}
	var items []app.Entry
	page := app.PageRequest{Limit: o.limit, Offset: o.offset}
	if o.limit == 0 {
		page.Limit = 500
	}
	more := false
	for {
		p, err := a.ListBlocks(ctx, server, o.collection, page)
		if err != nil {
			return err
		}
		items = append(items, p.Items...)
		if p.Next == "" {
			break
		}
		if o.limit > 0 {
			more = true
			break
		}
		page = app.PageRequest{Limit: 500, Token: p.Next}
	}
	out := make([]blockJSON, 0, len(items))
	for _, e := range items {
		out = append(out, blockJSON{ID: e.Block.ID.String(), Server: e.Sighting.Server, Collection: e.Sighting.Collection, Title: e.Block.Title,
			Binding: e.Sighting.Binding, Size: e.Block.Size, TimestampLabel: timeText(e.Sighting.TimestampLabel),
			Received: timeText(e.Sighting.Received), LastSeen: timeText(e.Sighting.LastSeen)})
	}
	if o.json {
		return writeJSON(env.Stdout, out)
	}
	rows := make([][]string, 0, len(out))
	for _, b := range out {
		rows = append(rows, []string{b.ID, orDash(b.TimestampLabel), byteSize(b.Size), oneLine(b.Title, 50)})
	}
	if err := writeTable(env.Stdout, []string{"ID", "TIMESTAMP LABEL", "SIZE", "TITLE"}, rows); err != nil {
		return err
	}
	if more {
		fmt.Fprintf(env.Stderr, "more blocks follow: add --offset %d (or --limit 0 for all)\n", o.offset+len(out))
	}
	return nil
}

func cacheShow(ctx context.Context, env *Env, a *app.App, o cacheOpts) error {
	id, _ := app.ParseBlockID(o.pos[0])
	d, err := a.GetBlock(ctx, id)
	if err != nil {
		return err
	}
	if o.raw {
		_, err := env.Stdout.Write(d.Content)
		return err
	}
	if o.json {
		out := map[string]any{"id": d.Meta.ID.String(), "size": d.Meta.Size, "binding": d.Meta.Binding, "subtype": d.Meta.Subtype,
			"title": d.Meta.Title, "first_seen": d.Meta.FirstSeen, "last_seen": d.Meta.LastSeen,
			"servers": d.Provenance.Servers, "collections": d.Provenance.Collections, "senders": d.Provenance.Senders,
			"sightings": d.Provenance.Sightings}
		if utf8.Valid(d.Content) {
			out["content"] = string(d.Content)
		} else {
			out["content_base64"] = d.Content
		}
		return writeJSON(env.Stdout, out)
	}
	if err := writeFields(env.Stdout, "id", d.Meta.ID.String(), "title", d.Meta.Title, "binding", d.Meta.Binding, "subtype", d.Meta.Subtype,
		"size", fmt.Sprintf("%s (%d bytes)", byteSize(d.Meta.Size), d.Meta.Size),
		"first seen", timeText(d.Meta.FirstSeen), "last seen", timeText(d.Meta.LastSeen),
		"seen in", fmt.Sprintf("%d collections on %d servers, %d listener senders", d.Provenance.Collections, d.Provenance.Servers, d.Provenance.Senders),
		"starts", oneLine(string(d.Content), 100)); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout)
	rows := make([][]string, 0, len(d.Provenance.Sightings))
	for _, s := range d.Provenance.Sightings {
		from := s.Server
		if s.Kind == "listener" {
			from = "listener: " + s.Sender
		}
		rows = append(rows, []string{string(s.Kind), orDash(from), orDash(s.Collection), timeText(s.Received), timeText(s.LastSeen), orDash(timeText(s.TimestampLabel))})
	}
	return writeTable(env.Stdout, []string{"SEEN BY", "FROM", "COLLECTION", "FIRST", "LAST", "TIMESTAMP LABEL"}, rows)
}

type hitJSON struct {
	blockJSON
	Seen []seenJSON `json:"seen"`
}

type seenJSON struct {
	Kind       string `json:"kind"`
	Server     string `json:"server,omitempty"`
	Collection string `json:"collection,omitempty"`
	Sender     string `json:"sender,omitempty"`
}

func cacheSearch(ctx context.Context, env *Env, a *app.App, o cacheOpts) error {
	hits, err := a.Search(ctx, strings.Join(o.pos, " "), o.limit)
	if err != nil {
		return err
	}
	out := make([]hitJSON, 0, len(hits))
	for _, h := range hits {
		hj := hitJSON{blockJSON: blockJSON{ID: h.Block.ID.String(), Title: h.Block.Title, Binding: h.Block.Binding, Size: h.Block.Size, LastSeen: timeText(h.Block.LastSeen)}}
		for _, s := range h.Seen {
			hj.Seen = append(hj.Seen, seenJSON{Kind: string(s.Kind), Server: s.Server, Collection: s.Collection, Sender: s.Sender})
			if hj.Collection == "" && hj.Server == "" {
				hj.Server, hj.Collection = s.Server, s.Collection
			}
		}
		out = append(out, hj)
	}
	if o.json {
		return writeJSON(env.Stdout, out)
	}
	if len(out) == 0 {
		fmt.Fprintln(env.Stdout, "No cached block contains that text.")
		return nil
	}
	rows := make([][]string, 0, len(out))
	for _, h := range out {
		where := h.Server + "/" + h.Collection
		if n := len(h.Seen); n > 1 {
			where += fmt.Sprintf(" (+%d more)", n-1)
		}
		rows = append(rows, []string{h.ID, where, oneLine(h.Title, 50)})
	}
	return writeTable(env.Stdout, []string{"ID", "SEEN IN", "TITLE"}, rows)
}

func cacheExport(ctx context.Context, env *Env, a *app.App, o cacheOpts) error {
	var paths []string
	var err error
	if o.collection != "" {
		server, rerr := resolveServer(ctx, a, o.collection, o.server)
		if rerr != nil {
			return rerr
		}
		paths, err = a.ExportCollection(ctx, server, o.collection, o.out)
	} else {
		var ids []app.BlockID
		for _, s := range splitList(o.ids) {
			id, _ := app.ParseBlockID(s)
			ids = append(ids, id)
		}
		paths, err = a.ExportBlocks(ctx, ids, o.out)
	}
	if err != nil {
		if len(paths) > 0 {
			fmt.Fprintf(env.Stderr, "%d files were written before the failure.\n", len(paths))
		}
		return err
	}
	if o.json {
		return writeJSON(env.Stdout, map[string]any{"count": len(paths), "files": nonNil(paths)})
	}
	fmt.Fprintf(env.Stdout, "Exported %d blocks to %s (one file per block, the original bytes).\n", len(paths), o.out)
	return nil
}

func cachePrune(ctx context.Context, env *Env, a *app.App, o cacheOpts) error {
	d, _ := parseRetention(o.olderThan)
	r, err := a.Prune(ctx, d)
	if err != nil {
		return err
	}
	if o.json {
		return writeJSON(env.Stdout, map[string]int64{"sightings": r.Sightings, "blocks": r.Blocks, "bytes": r.Bytes})
	}
	fmt.Fprintf(env.Stdout, "Removed %d sightings and %d blocks (%s) last seen more than %s ago.\n", r.Sightings, r.Blocks, byteSize(r.Bytes), o.olderThan)
	return nil
}

func cacheResetCursor(ctx context.Context, env *Env, a *app.App, o cacheOpts) error {
	server, err := resolveServer(ctx, a, o.collection, o.server)
	if err != nil {
		return err
	}
	if err := a.ResetCursor(ctx, server, o.collection); err != nil {
		return err
	}
	if o.json {
		return writeJSON(env.Stdout, map[string]string{"server": server, "collection": o.collection})
	}
	fmt.Fprintf(env.Stdout, "Cursor of %s/%s reset: the next --since-last poll asks for everything again (cached blocks stay).\n", server, o.collection)
	return nil
}
