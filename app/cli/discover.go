package cli

import (
	"context"
	"strings"

	"github.com/taxii-workstation/taxii-workstation/taxii"
)

const connUsage = "(--url URL [auth flags] | --server NAME)"

// serviceJSON is one service in `discover --json`.
type serviceJSON struct {
	Type            string   `json:"type"`
	Address         string   `json:"address"`
	ProtocolBinding string   `json:"protocol_binding"`
	MessageBindings []string `json:"message_bindings"`
	Available       *bool    `json:"available"` // null: the server did not say
	Version         string   `json:"version,omitempty"`
	ContentBindings []string `json:"content_bindings,omitempty"`
	Message         string   `json:"message,omitempty"`
}

func discoverCommand() Command {
	const usage = connUsage + " [--json]"
	return Command{
		Name:    "discover",
		Summary: "list a server's TAXII services (discovery)",
		Usage:   usage,
		Run: func(ctx context.Context, env *Env, args []string) error {
			fs := newFlagSet(env, "discover", usage)
			cf := addConnFlags(fs, true)
			asJSON := fs.Bool("json", false, "print JSON for scripts")
			if err := parseConnFlags(fs, cf, args); err != nil {
				return err
			}
			s, err := connect(ctx, env, cf, taxii.ServiceDiscovery)
			if err != nil {
				return err
			}
			defer s.close()
			snap, err := s.app.Discover(ctx, s.server)
			if err != nil {
				return explain(err)
			}
			out := make([]serviceJSON, 0, len(snap.Services))
			for _, sv := range snap.Services {
				out = append(out, serviceJSON{
					Type: sv.Type, Address: sv.Address, ProtocolBinding: sv.Protocol, MessageBindings: nonNil(sv.MessageBindings),
					Available: sv.Available, Version: sv.Version, ContentBindings: sv.ContentBindings, Message: sv.Message,
				})
			}
			if *asJSON {
				return writeJSON(env.Stdout, out)
			}
			rows := make([][]string, 0, len(out))
			for _, sv := range out {
				rows = append(rows, []string{sv.Type, sv.Address, sv.ProtocolBinding, strings.Join(sv.MessageBindings, ","), yesNo(sv.Available)})
			}
			return writeTable(env.Stdout, []string{"TYPE", "ADDRESS", "PROTOCOL", "MESSAGE BINDINGS", "AVAILABLE"}, rows)
		},
	}
}

// collectionJSON is one collection in `collections --json`.
type collectionJSON struct {
	Name            string   `json:"name"`
	Type            string   `json:"type"`
	Available       *bool    `json:"available"` // null: the server did not say
	ContentBindings []string `json:"content_bindings"`
	Description     string   `json:"description,omitempty"`
	Volume          *int64   `json:"volume,omitempty"`
	PollAddresses   []string `json:"poll_addresses,omitempty"`
	InboxAddresses  []string `json:"inbox_addresses,omitempty"`
	SubAddresses    []string `json:"subscription_addresses,omitempty"`
}

func collectionsCommand() Command {
	const usage = connUsage + " [--json]"
	return Command{
		Name:    "collections",
		Summary: "list a server's collections (TAXII 1.0: feeds)",
		Usage:   usage,
		Run: func(ctx context.Context, env *Env, args []string) error {
			fs := newFlagSet(env, "collections", usage)
			cf := addConnFlags(fs, true)
			asJSON := fs.Bool("json", false, "print JSON for scripts")
			if err := parseConnFlags(fs, cf, args); err != nil {
				return err
			}
			s, err := connect(ctx, env, cf, taxii.ServiceCollectionManagement)
			if err != nil {
				return err
			}
			defer s.close()
			snap, err := s.app.RefreshCollections(ctx, s.server)
			if err != nil {
				return explain(err)
			}
			out := make([]collectionJSON, 0, len(snap.Collections))
			for _, c := range snap.Collections {
				t := c.Type
				if t == "" {
					t = string(taxii.DataFeed)
				}
				out = append(out, collectionJSON{
					Name: c.Name, Type: t, Available: c.Available, ContentBindings: nonNil(c.ContentBindings),
					Description: c.Description, Volume: c.Volume, PollAddresses: c.PollAddresses,
					InboxAddresses: c.InboxAddresses, SubAddresses: c.SubscriptionAddresses,
				})
			}
			if *asJSON {
				return writeJSON(env.Stdout, out)
			}
			rows := make([][]string, 0, len(out))
			for _, c := range out {
				cb := strings.Join(c.ContentBindings, ",")
				if cb == "" {
					cb = "(any)"
				}
				rows = append(rows, []string{c.Name, c.Type, yesNo(c.Available), cb, oneLine(c.Description, 60)})
			}
			return writeTable(env.Stdout, []string{"NAME", "TYPE", "AVAILABLE", "CONTENT BINDINGS", "DESCRIPTION"}, rows)
		},
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
