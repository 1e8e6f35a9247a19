package storage_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/taxii-workstation/taxii-workstation/storage"
)

func ExampleStore_CommitPart() {
	ctx := context.Background()
	s, err := storage.OpenInMemory()
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	part := []storage.NewBlock{
		{Content: []byte("<stix:STIX_Package/>"), Binding: "urn:stix.mitre.org:xml:1.1.1", TimestampLabel: t0},
		{Content: []byte("<stix:STIX_Package id='2'/>"), Binding: "urn:stix.mitre.org:xml:1.1.1", TimestampLabel: t0.Add(time.Second)},
	}
	// Blocks and cursor move commit together.
	r, err := s.CommitPart(ctx, "partner", "feed1", part, t0.Add(time.Second))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("new", r.New, "known", r.Known)
	// The same content polled from another collection is stored once more as a sighting only.
	r, _ = s.CommitPart(ctx, "partner", "feed12", part[:1], time.Time{})
	fmt.Println("new", r.New, "known", r.Known)

	p, _ := s.Provenance(ctx, storage.IDOf(part[0].Content))
	fmt.Printf("seen in %d collections on %d server(s)\n", p.Collections, p.Servers)
	c, _ := s.Cursor(ctx, "partner", "feed1")
	fmt.Println("next poll starts after", c.Label.Format(time.RFC3339))
	// Output:
	// new 2 known 0
	// new 0 known 1
	// seen in 2 collections on 1 server(s)
	// next poll starts after 2026-03-01T12:00:01Z
}
