package storage

import "time"

// Profile is a saved server connection, without secrets: passwords, key
// passphrases and tokens live in the OS keyring (see Secrets), keyed by the
// profile name.
type Profile struct {
	Name         string            `json:"name"`
	DiscoveryURL string            `json:"discovery_url"`
	Version      string            `json:"version,omitempty"`   // protocol version, e.g. "1.1"
	AuthKind     string            `json:"auth_kind,omitempty"` // e.g. "none", "basic", "cert", "cert+basic"
	Username     string            `json:"username,omitempty"`
	CertFile     string            `json:"cert_file,omitempty"`
	KeyFile      string            `json:"key_file,omitempty"`
	CAFile       string            `json:"ca_file,omitempty"`
	HeaderNames  []string          `json:"header_names,omitempty"` // extra header names; their values are secrets
	Settings     map[string]string `json:"settings,omitempty"`     // opaque to storage; owned by the app
	Created      time.Time         `json:"created"`
	Updated      time.Time         `json:"updated"`
}

// Service is one service instance from a server's discovery response.
type Service struct {
	Type            string   `json:"type"` // e.g. "DISCOVERY", "POLL", "INBOX", "COLLECTION_MANAGEMENT"
	Version         string   `json:"version,omitempty"`
	Protocol        string   `json:"protocol,omitempty"`
	Address         string   `json:"address"`
	MessageBindings []string `json:"message_bindings,omitempty"`
	ContentBindings []string `json:"content_bindings,omitempty"`
	Available       *bool    `json:"available,omitempty"`
	Message         string   `json:"message,omitempty"`
}

// ServicesSnapshot is what discovery returned for a server at one moment.
type ServicesSnapshot struct {
	Server   string    `json:"server"`
	Fetched  time.Time `json:"fetched"`
	Services []Service `json:"services"`
}

// Collection is one collection (or TAXII 1.0 feed) a server advertised.
type Collection struct {
	Name                  string   `json:"name"`
	Type                  string   `json:"type,omitempty"` // "DATA_FEED" or "DATA_SET"
	Description           string   `json:"description,omitempty"`
	Available             *bool    `json:"available,omitempty"`
	Volume                *int64   `json:"volume,omitempty"`
	ContentBindings       []string `json:"content_bindings,omitempty"`
	PollAddresses         []string `json:"poll_addresses,omitempty"`
	InboxAddresses        []string `json:"inbox_addresses,omitempty"`
	SubscriptionAddresses []string `json:"subscription_addresses,omitempty"`
}

// CollectionsSnapshot is what a collection information request returned.
type CollectionsSnapshot struct {
	Server      string       `json:"server"`
	Fetched     time.Time    `json:"fetched"`
	Collections []Collection `json:"collections"`
}

// Cursor is where the next incremental poll of a collection starts: the
// timestamp label of the newest stored block (TAXII 1.1
// Exclusive_Begin_Timestamp_Label).
type Cursor struct {
	Label   time.Time `json:"label"`
	Updated time.Time `json:"updated"`
}

// NewBlock is a content block as received, before it is stored.
type NewBlock struct {
	Content        []byte
	Binding        string    // content binding id, e.g. urn:stix.mitre.org:xml:1.1.1
	Subtype        string    // binding subtype, if any
	TimestampLabel time.Time // zero if the server sent none
	MessageID      string    // id of the message that carried the block
	Received       time.Time // zero means now
	Title          string    // optional; the app may also set it later with SetTitle
}

// BlockMeta describes stored content without loading it.
type BlockMeta struct {
	ID        BlockID   `json:"id"`
	Size      int64     `json:"size"`
	Binding   string    `json:"binding,omitempty"` // from the first sighting
	Subtype   string    `json:"subtype,omitempty"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	Title     string    `json:"title,omitempty"`
}

// SourceKind tells how a block reached the workstation.
type SourceKind string

// Source kinds.
const (
	FromPoll     SourceKind = "poll"     // polled from Server / Collection
	FromListener SourceKind = "listener" // pushed to our inbox by Sender
)

// Sighting is one place a block was seen. A poll sighting is unique per
// (block, server, collection): seeing the same content there again only
// moves LastSeen. A listener sighting is one arrival.
type Sighting struct {
	Block          BlockID    `json:"block"`
	Kind           SourceKind `json:"kind"`
	Server         string     `json:"server,omitempty"`
	Collection     string     `json:"collection,omitempty"` // for listener blocks: destination collection, if any
	Sender         string     `json:"sender,omitempty"`
	Received       time.Time  `json:"received"`  // first time seen here
	LastSeen       time.Time  `json:"last_seen"` // latest time seen here
	MessageID      string     `json:"message_id,omitempty"`
	TimestampLabel time.Time  `json:"timestamp_label,omitzero"`
	Binding        string     `json:"binding,omitempty"`
	Subtype        string     `json:"subtype,omitempty"`
}

// sortTime is where a poll sighting sits in its collection listing: its
// timestamp label, or when it was first received if it had none.
func (s *Sighting) sortTime() time.Time {
	if !s.TimestampLabel.IsZero() {
		return s.TimestampLabel
	}
	return s.Received
}

// Entry is one row of a listing: the block and the sighting that put it there.
type Entry struct {
	Block    BlockMeta `json:"block"`
	Sighting Sighting  `json:"sighting"`
}

// ReviewState is the analyst's decision on a block received by the listener.
type ReviewState byte

// Review states.
const (
	Unreviewed ReviewState = 'u'
	Accepted   ReviewState = 'a'
	Discarded  ReviewState = 'd'
)

func (r ReviewState) String() string {
	switch r {
	case Unreviewed:
		return "unreviewed"
	case Accepted:
		return "accepted"
	case Discarded:
		return "discarded"
	}
	return "unknown"
}

func (r ReviewState) valid() bool { return r == Unreviewed || r == Accepted || r == Discarded }

// Received is a block pushed to the workstation's listener, with its review
// state. Ref names it for SetReview.
type Received struct {
	Ref    string      `json:"ref"`
	Entry  Entry       `json:"entry"`
	Review ReviewState `json:"review"`
}

// Receipt records one push: what was sent where, when, and what came back.
type Receipt struct {
	ID            string    `json:"id"` // assigned by PutReceipt when empty
	Sent          time.Time `json:"sent"`
	Server        string    `json:"server"`
	Inbox         string    `json:"inbox"` // inbox service address
	Collections   []string  `json:"collections,omitempty"`
	Files         []string  `json:"files,omitempty"`
	Blocks        []BlockID `json:"blocks,omitempty"`
	Binding       string    `json:"binding,omitempty"`
	MessageID     string    `json:"message_id,omitempty"`
	Status        string    `json:"status"` // e.g. "SUCCESS", "FAILURE", or a transport error kind
	StatusMessage string    `json:"status_message,omitempty"`
}

// CommitResult reports what a commit stored.
type CommitResult struct {
	New          int       // blocks whose content was not cached before
	Known        int       // blocks whose content was already cached
	NewSightings int       // sightings added (a known block seen in a new collection counts here)
	NewIDs       []BlockID // IDs of the New blocks, in input order
	CursorMoved  bool
	Transactions int // how many Badger transactions the commit took (1 unless the part was too big)
}

// PageRequest asks for one page of a newest-first listing. Token, when set,
// continues after the last entry of the previous page; otherwise Offset
// entries are skipped. Limit defaults to 50.
type PageRequest struct {
	Limit  int
	Offset int
	Token  string
}

// Page is one page of entries, newest first. Next is empty on the last page.
type Page[T any] struct {
	Items []T
	Next  string
}

// CollectionCount is a collection with cached blocks.
type CollectionCount struct {
	Server     string `json:"server"`
	Collection string `json:"collection"`
	Blocks     int64  `json:"blocks"`
}

// Stats summarises the cache.
type Stats struct {
	Blocks       int64 `json:"blocks"`        // distinct content blocks
	ContentBytes int64 `json:"content_bytes"` // sum of their sizes
	Sightings    int64 `json:"sightings"`     // poll and listener sightings
	DiskBytes    int64 `json:"disk_bytes"`    // files in the data directory (0 in memory)
}

// Provenance summarises where a block was seen.
type Provenance struct {
	Sightings   []Sighting
	Servers     int // distinct servers it was polled from
	Collections int // distinct (server, collection) pairs
	Senders     int // distinct listener senders
}

// Hit is one search result.
type Hit struct {
	Block BlockMeta  `json:"block"`
	Seen  []Sighting `json:"seen"`
}
