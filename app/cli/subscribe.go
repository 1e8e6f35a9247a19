package cli

import (
	"context"
	"fmt"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/taxii"
)

// subscriptionJSON is one subscription in `subscribe --json`: an object for
// subscribe, pause, resume and unsubscribe; an array of them for status.
type subscriptionJSON struct {
	Server     string `json:"server"`
	Collection string `json:"collection"`
	ID         string `json:"id"`
	Status     string `json:"status"`
	Inbox      string `json:"inbox,omitempty"`
	Updated    string `json:"updated"`
}

func subJSON(r app.SubscriptionRecord) subscriptionJSON {
	return subscriptionJSON{Server: r.Server, Collection: r.Collection, ID: r.ID, Status: r.Status, Inbox: r.InboxAddress, Updated: timeText(r.Updated)}
}

// defaultInbox is where a new subscription asks the server to push when
// --inbox is not given: this workstation's inbox listener (see `listen`),
// at its advertised URL, else at the address its saved settings bind (the
// default 127.0.0.1:9443), whether or not it is running now.
func defaultInbox(env *Env) string {
	if u := app.SavedListenerInboxURL(env.DataDir); u != "" {
		return u
	}
	return "http://" + app.DefaultListenerAddr + taxii.DefaultInboxPath
}

func subscribeCommand() Command {
	const usage = connUsage + " --collection NAME --action subscribe|status|pause|resume|unsubscribe\n" +
		"       [--id ID] [--inbox URL] [--bindings URN,...] [--count-only] [--json]"
	return Command{
		Name:    "subscribe",
		Summary: "manage a subscription to a collection: subscribe, status, pause, resume, unsubscribe",
		Usage:   usage,
		Run: func(ctx context.Context, env *Env, args []string) error {
			fs := newFlagSet(env, "subscribe", usage)
			cf := addConnFlags(fs, true)
			collection := fs.String("collection", "", "`NAME` of the collection (TAXII 1.0: feed)")
			action := fs.String("action", "subscribe", "`ACTION`: subscribe, status, pause, resume or unsubscribe")
			id := fs.String("id", "", "subscription `ID` (needed to pause, resume and unsubscribe; limits status to it)")
			inbox := fs.String("inbox", "", "subscribe: ask the server to push to this inbox `URL` (default: this workstation's listener, see 'listen'; \"none\": no push, poll with --subscription-id)")
			bindings := fs.String("bindings", "", "subscribe: only these content bindings, comma-separated `URN,...`")
			countOnly := fs.Bool("count-only", false, "subscribe: receive only record counts")
			asJSON := fs.Bool("json", false, "print JSON for scripts")
			if err := parseConnFlags(fs, cf, args); err != nil {
				return err
			}
			if *collection == "" {
				return usagef("--collection is required")
			}
			switch *action {
			case "subscribe":
				if *id != "" {
					return usagef("--id is for the other actions; the server assigns a new subscription's id")
				}
			case "pause", "resume", "unsubscribe":
				if *id == "" {
					return usagef("--action %s needs --id (see --action status for the ids)", *action)
				}
			case "status":
			default:
				return usagef("--action must be subscribe, status, pause, resume or unsubscribe, not %q", *action)
			}
			if *action != "subscribe" && (*inbox != "" || *bindings != "" || *countOnly) {
				return usagef("--inbox, --bindings and --count-only only apply to --action subscribe")
			}
			if *inbox != "" && *inbox != "none" {
				if err := checkURL("--inbox", *inbox); err != nil {
					return err
				}
			}
			s, err := connect(ctx, env, cf, taxii.ServiceCollectionManagement)
			if err != nil {
				return err
			}
			defer s.close()
			switch {
			case *action != "subscribe":
			case *inbox == "none":
				*inbox = ""
			case *inbox == "":
				*inbox = defaultInbox(env)
				fmt.Fprintf(env.Stderr, "asking the server to push to this workstation's listener at %s (run 'taxii-workstation listen' to receive; --inbox none subscribes without push)\n", *inbox)
			}
			var recs []app.SubscriptionRecord
			var rec app.SubscriptionRecord
			switch *action {
			case "subscribe":
				rec, err = s.app.SubscribeCollection(ctx, s.server, *collection, app.SubscribeOptions{InboxAddress: *inbox, Bindings: splitList(*bindings), CountOnly: *countOnly})
			case "status":
				recs, err = s.app.SubscriptionStatus(ctx, s.server, *collection, *id)
			case "pause":
				rec, err = s.app.PauseSubscription(ctx, s.server, *collection, *id)
			case "resume":
				rec, err = s.app.ResumeSubscription(ctx, s.server, *collection, *id)
			case "unsubscribe":
				rec, err = s.app.Unsubscribe(ctx, s.server, *collection, *id)
			}
			if err != nil && rec.ID == "" && recs == nil {
				return explain(err)
			}
			if *action != "status" {
				recs = []app.SubscriptionRecord{rec}
			}
			if *asJSON {
				var werr error
				if *action == "status" {
					out := make([]subscriptionJSON, 0, len(recs))
					for _, r := range recs {
						out = append(out, subJSON(r))
					}
					werr = writeJSON(env.Stdout, out)
				} else {
					werr = writeJSON(env.Stdout, subJSON(rec))
				}
				if werr != nil {
					return werr
				}
			} else {
				if *action == "status" && len(recs) == 0 {
					fmt.Fprintf(env.Stdout, "The server lists no subscriptions to %s for you.\n", *collection)
				} else {
					rows := make([][]string, 0, len(recs))
					for _, r := range recs {
						rows = append(rows, []string{r.Collection, r.ID, r.Status, orDash(r.InboxAddress)})
					}
					if werr := writeTable(env.Stdout, []string{"COLLECTION", "SUBSCRIPTION ID", "STATUS", "PUSHED TO"}, rows); werr != nil {
						return werr
					}
				}
			}
			// The core could not record the answer (e.g. in the profile).
			return explain(err)
		},
	}
}
