package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/taxii-workstation/taxii-workstation/taxii"
)

func inspectCommand() Command {
	const usage = "FILE [--xml | --json]"
	return Command{
		Name:    "inspect",
		Summary: "show what a TAXII 1.x message file contains (--xml: canonical re-encoding, --json)",
		Usage:   usage,
		Run: func(_ context.Context, env *Env, args []string) error {
			fs := newFlagSet(env, "inspect", usage)
			asXML := fs.Bool("xml", false, "print our canonical re-encoding, in the message's own TAXII version")
			asJSON := fs.Bool("json", false, "print the decoded message as JSON")
			// Flags may come before or after FILE.
			var flags, files []string
			for _, a := range args {
				if strings.HasPrefix(a, "-") && a != "-" {
					flags = append(flags, a)
				} else {
					files = append(files, a)
				}
			}
			if err := parseFlags(fs, flags); err != nil {
				return err
			}
			if len(files) != 1 {
				return usagef("inspect needs exactly one FILE")
			}
			if *asXML && *asJSON {
				return usagef("choose one of --xml and --json")
			}
			m, err := readMessage(env, files[0])
			if err != nil {
				return err
			}
			switch {
			case *asXML:
				b, err := taxii.Marshal(m)
				if err != nil {
					return fmt.Errorf("%s decodes, but cannot be re-encoded: %w", files[0], err)
				}
				_, err = env.Stdout.Write(b)
				return err
			case *asJSON:
				out := map[string]any{
					"taxii_version": m.TAXIIVersion().String(),
					"message_type":  taxii.MessageName(m),
					"message":       jsonValue(reflect.ValueOf(m)),
				}
				enc := json.NewEncoder(env.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(out)
			default:
				summarize(env.Stdout, m)
				return nil
			}
		},
	}
}

// readMessage reads and decodes one TAXII message from path ("-" = stdin).
func readMessage(env *Env, path string) (taxii.Message, error) {
	var r io.Reader = env.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("cannot open the message file: %w", err)
		}
		defer f.Close()
		r = f
	}
	m, err := taxii.Decoder{}.Read(r)
	if err != nil {
		return nil, fmt.Errorf("%s is not a valid TAXII 1.x message: %w", path, err)
	}
	return m, nil
}

// jsonValue converts a message to JSON-friendly values: byte payloads become
// strings when they are UTF-8 (base64 otherwise, under "<field>_base64"),
// empty fields are left out.
func jsonValue(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		if ts, ok := v.Interface().(*taxii.Timestamp); ok {
			return ts.String()
		}
		return jsonValue(v.Elem())
	case reflect.Struct:
		if ts, ok := v.Interface().(taxii.Timestamp); ok {
			return ts.String()
		}
		out := map[string]any{}
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || v.Field(i).IsZero() {
				continue
			}
			fv := v.Field(i)
			if b, ok := fv.Interface().([]byte); ok {
				if utf8.Valid(b) {
					out[f.Name] = string(b)
				} else {
					out[f.Name+"_base64"] = b
				}
				continue
			}
			if f.Type == reflect.TypeOf(taxii.Version(0)) {
				out[f.Name] = fv.Interface().(taxii.Version).String()
				continue
			}
			out[f.Name] = jsonValue(fv)
		}
		return out
	case reflect.Slice:
		out := make([]any, v.Len())
		for i := range v.Len() {
			out[i] = jsonValue(v.Index(i))
		}
		return out
	default:
		return v.Interface()
	}
}

// summarize prints a readable summary of m.
func summarize(w io.Writer, m taxii.Message) {
	fmt.Fprintf(w, "TAXII %s %s\n", m.TAXIIVersion(), taxii.MessageName(m))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "  %s:\t%s\n", k, v)
		}
	}
	row("message id", m.ID())
	switch m := m.(type) {
	case *taxii.StatusMessage:
		row("in response to", m.InResponseTo)
		row("status", string(m.Type))
		for _, d := range m.Details {
			row("detail "+d.Name, oneLine(d.Value, 100))
		}
		row("detail", m.Detail10)
		row("message", oneLine(m.Message, 200))
		headers(row, m.ExtendedHeaders, m.Signature)
	case *taxii.DiscoveryRequest:
		headers(row, m.ExtendedHeaders, m.Signature)
	case *taxii.DiscoveryResponse:
		row("in response to", m.InResponseTo)
		row("services", fmt.Sprint(len(m.Services)))
		for i, s := range m.Services {
			desc := fmt.Sprintf("%s at %s (%s; %s)", s.Type, s.Address, s.ProtocolBinding, strings.Join(s.MessageBindings, ", "))
			if s.Available != nil && !*s.Available {
				desc += ", not available to you"
			}
			if len(s.ContentBindings) > 0 {
				desc += ", accepts " + bindings(s.ContentBindings)
			}
			for _, q := range s.SupportedQueries {
				desc += ", query " + q.FormatID
			}
			row(fmt.Sprintf("service %d", i+1), desc)
		}
		headers(row, m.ExtendedHeaders, m.Signature)
	case *taxii.CollectionInformationRequest:
		headers(row, m.ExtendedHeaders, m.Signature)
	case *taxii.CollectionInformationResponse:
		row("in response to", m.InResponseTo)
		row("collections", fmt.Sprint(len(m.Collections)))
		for _, c := range m.Collections {
			t := string(c.Type)
			if t == "" {
				t = string(taxii.DataFeed)
			}
			desc := fmt.Sprintf("%s, %d push methods, %d polling, %d subscription, %d inbox services", t, len(c.PushMethods), len(c.PollingServices), len(c.SubscriptionServices), len(c.ReceivingInboxServices))
			if len(c.ContentBindings) > 0 {
				desc += ", content " + bindings(c.ContentBindings)
			}
			if c.Available != nil && !*c.Available {
				desc += ", not available to you"
			}
			row("collection "+c.Name, desc)
			row("  description", oneLine(c.Description, 100))
		}
		headers(row, m.ExtendedHeaders, m.Signature)
	case *taxii.ManageCollectionSubscriptionRequest:
		row("collection", m.CollectionName)
		row("action", string(m.Action))
		row("subscription id", m.SubscriptionID)
		if m.Push != nil {
			row("push to", m.Push.Address)
		}
		headers(row, m.ExtendedHeaders, m.Signature)
	case *taxii.ManageCollectionSubscriptionResponse:
		row("in response to", m.InResponseTo)
		row("collection", m.CollectionName)
		row("message", oneLine(m.Message, 200))
		for _, s := range m.Subscriptions {
			st := string(s.Status)
			if st == "" {
				st = string(taxii.SubscriptionActive)
			}
			desc := st
			if s.Push != nil {
				desc += ", pushed to " + s.Push.Address
			}
			row("subscription "+s.SubscriptionID, desc)
		}
		headers(row, m.ExtendedHeaders, m.Signature)
	case *taxii.PollRequest:
		row("collection", m.CollectionName)
		row("time range", timeRange(m.ExclusiveBegin, nil, m.InclusiveEnd))
		row("subscription id", m.SubscriptionID)
		if p := m.Parameters; p != nil {
			row("response type", string(p.ResponseType))
			if p.AllowAsynch {
				row("asynchronous", "allowed")
			}
			row("content", bindings(p.ContentBindings))
			if p.Query != nil {
				row("query", p.Query.FormatID)
			}
		}
		headers(row, m.ExtendedHeaders, m.Signature)
	case *taxii.PollResponse:
		row("in response to", m.InResponseTo)
		row("collection", m.CollectionName)
		row("subscription id", m.SubscriptionID)
		if m.More || m.ResultID != "" {
			row("result", fmt.Sprintf("%s part %d, more parts: %v", m.ResultID, max(m.ResultPartNumber, 1), m.More))
		}
		row("time range", timeRange(m.ExclusiveBegin, m.InclusiveBegin, m.InclusiveEnd))
		if rc := m.RecordCount; rc != nil {
			row("record count", fmt.Sprintf("%d%s", rc.Count, map[bool]string{true: " (at least)"}[rc.Partial]))
		}
		row("message", oneLine(m.Message, 200))
		blocks(row, m.ContentBlocks)
		headers(row, m.ExtendedHeaders, m.Signature)
	case *taxii.PollFulfillmentRequest:
		row("collection", m.CollectionName)
		row("result", fmt.Sprintf("%s part %d", m.ResultID, m.ResultPartNumber))
		headers(row, m.ExtendedHeaders, m.Signature)
	case *taxii.InboxMessage:
		row("result id", m.ResultID)
		row("destinations", strings.Join(m.DestinationCollectionNames, ", "))
		row("message", oneLine(m.Message, 200))
		if s := m.SourceSubscription; s != nil {
			row("from subscription", fmt.Sprintf("%s of %s, %s", s.SubscriptionID, s.CollectionName, timeRange(s.ExclusiveBegin, s.InclusiveBegin, s.InclusiveEnd)))
		}
		if rc := m.RecordCount; rc != nil {
			row("record count", fmt.Sprint(rc.Count))
		}
		blocks(row, m.ContentBlocks)
		headers(row, m.ExtendedHeaders, m.Signature)
	}
	tw.Flush()
}

func headers(row func(k, v string), hs []taxii.ExtendedHeader, sig []byte) {
	for _, h := range hs {
		row("header "+h.Name, oneLine(string(h.Value), 100))
	}
	if len(sig) > 0 {
		row("signature", "yes (ds:Signature, not verified)")
	}
}

func blocks(row func(k, v string), bs []taxii.ContentBlock) {
	row("content blocks", fmt.Sprint(len(bs)))
	for i, b := range bs {
		kind := "text"
		if b.ContentIsXML {
			kind = "XML"
		}
		desc := fmt.Sprintf("%s, %s, %d bytes", bindings([]taxii.ContentBinding{b.Binding}), kind, len(b.Content))
		if b.TimestampLabel != nil {
			desc += ", label " + b.TimestampLabel.String()
		}
		if len(b.Signature) > 0 {
			desc += ", signed"
		}
		row(fmt.Sprintf("block %d", i+1), desc)
		row("  starts", oneLine(string(b.Content), 90))
	}
}

func bindings(cbs []taxii.ContentBinding) string {
	var parts []string
	for _, cb := range cbs {
		s := cb.ID
		if len(cb.Subtypes) > 0 {
			s += " (" + strings.Join(cb.Subtypes, ", ") + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

func timeRange(exclBegin, inclBegin, inclEnd *taxii.Timestamp) string {
	if exclBegin == nil && inclBegin == nil && inclEnd == nil {
		return ""
	}
	begin, end := "(beginning", "now)"
	if exclBegin != nil {
		begin = "(" + exclBegin.String()
	}
	if inclBegin != nil {
		begin = "[" + inclBegin.String()
	}
	if inclEnd != nil {
		end = inclEnd.String() + "]"
	}
	s := begin + ", " + end
	for _, t := range []*taxii.Timestamp{exclBegin, inclBegin, inclEnd} {
		if t != nil && t.NoZone {
			return s + " (a timestamp had no zone; read as UTC)"
		}
	}
	return s
}

// oneLine collapses whitespace and cuts s to n runes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
