package taxii

import (
	"context"
	"fmt"
	"os"
	"time"
)

// Receipt records what happened to a push, to be kept with the pushed
// content: a server that answers anything but SUCCESS kept none of it.
type Receipt struct {
	URL          string
	MessageID    string // our Inbox_Message id
	Time         time.Time
	Blocks       int
	Destinations []string

	Status       StatusType // SUCCESS or the failure the server reported
	StatusID     string     // the Status Message's id
	InResponseTo string     // should equal MessageID ("0" from some servers)
	Message      string     // the server's own text
	Details      map[string][]string
}

// OK reports whether the server accepted the push.
func (r *Receipt) OK() bool { return r.Status == StatusSuccess }

// Words explains the outcome in one plain sentence.
func (r *Receipt) Words() string {
	if r.OK() {
		s := fmt.Sprintf("The server accepted %d content block(s)", r.Blocks)
		if r.Message != "" {
			s += fmt.Sprintf(" (server says: %q)", r.Message)
		}
		return s + "; it may still review or drop content later, so keep this receipt."
	}
	return StatusWords(r.Status, r.Details, r.Message) + " None of the pushed content was kept."
}

// Push sends m to the inbox at rawURL. It is never retried: a push whose
// fate is unknown is reported as an error, not sent twice. It returns a
// receipt whenever the server answered with a Status Message, together with a
// *StatusError if that status is not SUCCESS.
//
// m.Version and an empty m.MessageID are filled in by the client.
func (c *Client) Push(ctx context.Context, rawURL string, m *InboxMessage) (*Receipt, error) {
	m.Version = c.version()
	if m.MessageID == "" {
		m.MessageID = NewMessageID()
	}
	rc := &Receipt{URL: redactURL(rawURL), MessageID: m.MessageID, Time: time.Now().UTC(), Blocks: len(m.ContentBlocks), Destinations: m.DestinationCollectionNames}
	reply, err := c.Do(ctx, rawURL, m)
	if err != nil {
		return nil, fmt.Errorf("taxii: push to %s: whether the server kept the content is unknown: %w", rc.URL, err)
	}
	sm, ok := reply.(*StatusMessage)
	if !ok {
		return nil, unexpected("push", rawURL, reply)
	}
	rc.Status, rc.StatusID, rc.InResponseTo, rc.Message, rc.Details = sm.Type, sm.MessageID, sm.InResponseTo, sm.Message, sm.DetailMap()
	if !rc.OK() {
		return rc, statusError(rawURL, sm)
	}
	return rc, nil
}

// BlockFromFile reads a file as one content block. An empty binding is
// detected from the file (DetectBinding); when that fails, the error says
// the user must name it.
func BlockFromFile(path, binding string) (ContentBlock, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return ContentBlock{}, fmt.Errorf("taxii: read %s: %w", path, err)
	}
	isXML := false
	if b, derr := DetectBinding(data); derr == nil {
		isXML = true
		if binding == "" {
			binding = b
		}
	} else if binding == "" {
		return ContentBlock{}, fmt.Errorf("%w (%s)", derr, path)
	}
	return ContentBlock{Binding: ContentBinding{ID: binding}, Content: data, ContentIsXML: isXML}, nil
}
