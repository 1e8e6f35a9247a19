package app

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/taxii-workstation/taxii-workstation/storage"
	"github.com/taxii-workstation/taxii-workstation/taxii"
)

// DefaultMaxPushSize is the largest item Push sends unless told otherwise;
// some servers truncate or refuse more.
const DefaultMaxPushSize = 16 << 20

// PushItem is content to push that is not (or not only) in a file.
type PushItem struct {
	Name    string // shown in checks and receipts, e.g. the file name
	Content []byte
	Binding string // "" detects it
}

// PushRequest says what to push where.
type PushRequest struct {
	Server string `json:"server"`
	// Collections are the destination collection names (TAXII 1.1).
	Collections []string `json:"collections"`
	// Files are read and pushed one Inbox message each; Items likewise.
	Files []string   `json:"files,omitempty"`
	Items []PushItem `json:"-"`
	// Binding forces the content binding of every file; "" detects it.
	Binding string `json:"binding,omitempty"`
	// Inbox is the inbox address; "" uses the profile's override, the first
	// destination collection's receiving inbox, or discovery.
	Inbox string `json:"inbox,omitempty"`
	// MaxSize caps each item (0: DefaultMaxPushSize).
	MaxSize int64 `json:"max_size,omitempty"`
}

// FileCheck is the verdict on one file before anything is sent.
type FileCheck struct {
	Name    string `json:"name"`
	Size    int64  `json:"size"`
	Binding string `json:"binding,omitempty"`
	IsXML   bool   `json:"is_xml"`
	// Problem says in words what is wrong; "" means the file may be sent.
	Problem string `json:"problem,omitempty"`

	content []byte
}

// OK reports whether the file passed.
func (c FileCheck) OK() bool { return c.Problem == "" }

// CheckError is returned by Push when a file fails its check: nothing was sent.
type CheckError struct{ Checks []FileCheck }

func (e *CheckError) Error() string {
	var msgs []string
	for _, c := range e.Checks {
		if !c.OK() {
			msgs = append(msgs, c.Name+": "+c.Problem)
		}
	}
	return "app: nothing was sent because some files cannot be pushed: " + strings.Join(msgs, "; ")
}

// PushOutcome is what happened to one file.
type PushOutcome struct {
	Name    string  `json:"name"`
	Receipt Receipt `json:"receipt"` // stored in the cache
	OK      bool    `json:"ok"`
	// Words explains the outcome in plain words (also in Receipt.StatusMessage).
	Words string `json:"words"`
	Err   error  `json:"-"`
}

// Receipt statuses for pushes without a TAXII answer.
const (
	// PushUnknown: the request failed in transit; whether the server kept
	// the content is unknown. It was not retried.
	PushUnknown = "UNKNOWN"
)

// CheckPush reads and checks every file and item of req (size, well-formed
// XML, content binding detected or given, accepted by the destination
// collections as far as the cached collection information says), sending
// nothing. The error is a *CheckError when any check failed.
func (a *App) CheckPush(ctx context.Context, req PushRequest) ([]FileCheck, error) {
	limit := req.MaxSize
	if limit <= 0 {
		limit = DefaultMaxPushSize
	}
	var accepted map[string][]string // destination → bindings it accepts (none: any)
	if req.Server != "" {
		if cs, err := a.store.Collections(ctx, req.Server); err == nil {
			accepted = map[string][]string{}
			for _, c := range cs.Collections {
				if slices.Contains(req.Collections, c.Name) {
					accepted[c.Name] = c.ContentBindings
				}
			}
		}
	}
	var checks []FileCheck
	for _, f := range req.Files {
		c := FileCheck{Name: f}
		c.content, c.Problem = readLimited(f, limit)
		c.Size = int64(len(c.content))
		if c.Problem == "" {
			checkContent(&c, req.Binding, accepted)
		}
		checks = append(checks, c)
	}
	for _, it := range req.Items {
		c := FileCheck{Name: it.Name, content: it.Content, Size: int64(len(it.Content))}
		if c.Name == "" {
			c.Name = fmt.Sprintf("item %d", len(checks)+1)
		}
		binding := it.Binding
		if binding == "" {
			binding = req.Binding
		}
		switch {
		case c.Size == 0:
			c.Problem = "it is empty"
		case c.Size > limit:
			c.Problem = fmt.Sprintf("it is %d bytes, more than the limit of %d", c.Size, limit)
		default:
			checkContent(&c, binding, accepted)
		}
		checks = append(checks, c)
	}
	if len(checks) == 0 {
		return nil, errors.New("app: nothing to push; choose at least one file")
	}
	for _, c := range checks {
		if !c.OK() {
			return checks, &CheckError{Checks: checks}
		}
	}
	return checks, nil
}

func readLimited(path string, limit int64) ([]byte, string) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, "the file does not exist"
		}
		return nil, fmt.Sprintf("the file cannot be opened: %v", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, "it is a folder, not a file"
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	switch {
	case err != nil:
		return nil, fmt.Sprintf("the file cannot be read: %v", err)
	case int64(len(b)) > limit:
		return nil, fmt.Sprintf("the file is larger than the limit of %d bytes; some servers refuse or cut such content", limit)
	case len(b) == 0:
		return nil, "the file is empty"
	}
	return b, ""
}

// checkContent detects or checks the binding and well-formedness.
func checkContent(c *FileCheck, binding string, accepted map[string][]string) {
	detected, derr := taxii.DetectBinding(c.content)
	c.IsXML = derr == nil || looksXML(c.content)
	switch {
	case binding == "" && derr != nil:
		c.Problem = strings.TrimPrefix(derr.Error(), "taxii: ")
		return
	case binding == "":
		binding = detected
	}
	c.Binding = binding
	if c.IsXML {
		if err := wellFormed(c.content); err != nil {
			c.Problem = "it is not well-formed XML: " + err.Error()
			return
		}
	}
	for dest, bs := range accepted {
		if len(bs) > 0 && !slices.Contains(bs, binding) {
			c.Problem = fmt.Sprintf("collection %s accepts %s, not %s", dest, strings.Join(bs, ", "), binding)
			return
		}
	}
}

func looksXML(b []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(b, " \t\r\n\ufeff"), []byte("<"))
}

// wellFormed parses the whole document, refusing DOCTYPEs (entity attacks).
func wellFormed(b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	roots := 0
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if roots == 0 {
				return errors.New("no root element")
			}
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.Directive:
			if bytes.HasPrefix(bytes.TrimSpace(t), []byte("DOCTYPE")) {
				return errors.New("it has a DOCTYPE, which is refused")
			}
		case xml.StartElement:
			if depth == 0 {
				roots++
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
}

// Push checks every file first (see CheckPush) and sends nothing when one
// fails. Then it sends each file as its own Inbox message, once: a push is
// never retried. Every file gets a receipt stored in the cache, also when
// the server refused it or the request failed. The error is the first
// failure; the outcomes say what happened to each file.
func (a *App) Push(ctx context.Context, req PushRequest) ([]PushOutcome, error) {
	if req.Server == "" {
		return nil, errors.New("app: push needs a server")
	}
	checks, err := a.CheckPush(ctx, req)
	if err != nil {
		return nil, err
	}
	cl, _, err := a.client(ctx, req.Server)
	if err != nil {
		return nil, err
	}
	inbox := req.Inbox
	if inbox == "" {
		first := ""
		if len(req.Collections) > 0 {
			first = req.Collections[0]
		}
		if inbox, err = a.serviceAddress(ctx, req.Server, taxii.ServiceInbox, first); err != nil {
			return nil, err
		}
	}
	var outs []PushOutcome
	var firstErr error
	for _, c := range checks {
		if err := ctx.Err(); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			break
		}
		out := a.pushOne(ctx, cl, req, inbox, c)
		if out.Err != nil && firstErr == nil {
			firstErr = out.Err
		}
		outs = append(outs, out)
	}
	return outs, firstErr
}

func (a *App) pushOne(ctx context.Context, cl Client, req PushRequest, inbox string, c FileCheck) PushOutcome {
	msg := &taxii.InboxMessage{
		MessageID:                  taxii.NewMessageID(),
		DestinationCollectionNames: req.Collections,
		ContentBlocks:              []taxii.ContentBlock{{Binding: taxii.ContentBinding{ID: c.Binding}, Content: c.content, ContentIsXML: c.IsXML}},
	}
	rc := Receipt{
		Sent: a.clock.Now().UTC(), Server: req.Server, Inbox: inbox, Collections: req.Collections,
		Files: []string{filepath.Base(c.Name)}, Blocks: []BlockID{storage.IDOf(c.content)}, Binding: c.Binding,
		MessageID: msg.MessageID,
	}
	out := PushOutcome{Name: c.Name}
	// The receipt is written before sending, so even a crash leaves a
	// record that this push may have reached the server.
	rc.Status = PushUnknown
	rc.StatusMessage = "Sending was started but its outcome was not recorded; whether the server kept the content is unknown."
	if err := a.store.PutReceipt(ctx, &rc); err != nil {
		out.Err = fmt.Errorf("app: store the receipt of %s before sending (nothing was sent): %w", c.Name, err)
		out.Words = Explain(out.Err)
		return out
	}
	tr, perr := cl.Push(ctx, inbox, msg)
	switch {
	case tr != nil:
		rc.Status = string(tr.Status)
		out.OK = tr.OK()
		out.Words = tr.Words()
	default:
		rc.Status = PushUnknown
		out.Words = "The push failed before the server answered, so whether it kept the content is unknown; it was not sent again. " + Explain(perr)
	}
	rc.StatusMessage = out.Words
	if perr != nil {
		out.Err = fmt.Errorf("app: push %s to %s: %w", c.Name, req.Server, perr)
	}
	if err := a.store.PutReceipt(context.WithoutCancel(ctx), &rc); err != nil {
		werr := fmt.Errorf("app: store the receipt of %s: %w", c.Name, err)
		out.Err = errors.Join(out.Err, werr)
	}
	out.Receipt = rc
	a.publish(Event{Kind: PushDone, Server: req.Server, Receipt: &rc})
	return out
}

// Receipts lists push receipts, newest first.
func (a *App) Receipts(ctx context.Context, page PageRequest) (Page[Receipt], error) {
	return a.store.Receipts(ctx, page)
}
