package taxii_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/taxii-workstation/taxii-workstation/taxii"
	"github.com/taxii-workstation/taxii-workstation/taxii/taxiitest"
)

// Poll a collection whose result comes in three parts. Blocks arrive part by
// part through OnPart, so memory holds one part at a time; the result says
// where the next poll should start.
func ExampleClient_Poll() {
	srv := taxiitest.New(taxiitest.Options{})
	defer srv.Close()
	srv.AddCollection(taxiitest.Collection{Name: "indicators", Blocks: 120, PartSize: 50})

	client := &taxii.Client{Timeout: time.Minute}
	req := &taxii.PollRequest{
		CollectionName: "indicators",
		ExclusiveBegin: taxii.NewTimestamp(time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)),
	}
	res, err := client.Poll(context.Background(), srv.PollURL(), req, taxii.PollOptions{
		OnPart: func(part *taxii.PollResponse) error {
			fmt.Printf("part %d: %d blocks, more=%v\n", part.ResultPartNumber, len(part.ContentBlocks), part.More)
			return nil // store part.ContentBlocks here
		},
	})
	if err != nil {
		log.Fatal(taxii.Explain(err))
	}
	fmt.Printf("%d blocks in %d parts, %d records\n", res.Blocks, res.Parts, res.RecordCount.Count)
	fmt.Println("next poll starts after", res.NextBegin())
	// Output:
	// part 1: 50 blocks, more=true
	// part 2: 50 blocks, more=true
	// part 3: 20 blocks, more=false
	// 120 blocks in 3 parts, 120 records
	// next poll starts after 2026-01-01T00:01:59Z
}

// A server's refusal, explained in words.
func ExampleExplain() {
	srv := taxiitest.New(taxiitest.Options{})
	defer srv.Close()
	srv.NextStatus(taxii.StatusUnauthorized, nil, "")

	client := &taxii.Client{}
	_, err := client.CollectionInformation(context.Background(), srv.CollectionsURL())
	fmt.Println(taxii.Explain(err))
	// Output:
	// The server did not accept your credentials, or they are missing or not enough for this request; check the user name, password, client certificate or token for this server.
}

// Push a STIX file to two destination collections and keep the receipt.
func ExampleClient_Push() {
	srv := taxiitest.New(taxiitest.Options{})
	defer srv.Close()

	stix := []byte(`<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" version="1.2"/>`)
	binding, err := taxii.DetectBinding(stix)
	if err != nil {
		log.Fatal(err) // the user must name the binding
	}
	msg := &taxii.InboxMessage{
		DestinationCollectionNames: []string{"shared", "partners"},
		ContentBlocks:              []taxii.ContentBlock{{Binding: taxii.ContentBinding{ID: binding}, Content: stix, ContentIsXML: true}},
	}
	receipt, err := (&taxii.Client{}).Push(context.Background(), srv.InboxURL(), msg)
	if err != nil {
		log.Fatal(taxii.Explain(err))
	}
	fmt.Println(binding)
	fmt.Println(receipt.Status, receipt.InResponseTo == receipt.MessageID)
	fmt.Println(receipt.Words())
	// Output:
	// urn:stix.mitre.org:xml:1.2
	// SUCCESS true
	// The server accepted 1 content block(s); it may still review or drop content later, so keep this receipt.
}

// Subscribe with push delivery, then pause, resume and end the subscription.
func ExampleClient_Subscribe() {
	srv := taxiitest.New(taxiitest.Options{})
	defer srv.Close()
	srv.AddCollection(taxiitest.Collection{Name: "indicators"})

	c := &taxii.Client{}
	ctx := context.Background()
	url := srv.SubscriptionsURL()
	sub, err := c.Subscribe(ctx, url, "indicators", taxii.SubscribeParams{
		InboxAddress:    "https://workstation.example/inbox",
		ContentBindings: []taxii.ContentBinding{{ID: taxii.ContentSTIX12}},
	})
	if err != nil {
		log.Fatal(taxii.Explain(err))
	}
	fmt.Println(sub.Status)
	for _, step := range []func(context.Context, string, string, string) (*taxii.Subscription, error){
		c.PauseSubscription, c.ResumeSubscription, c.Unsubscribe,
	} {
		s, err := step(ctx, url, "indicators", sub.SubscriptionID)
		if err != nil {
			log.Fatal(taxii.Explain(err))
		}
		fmt.Println(s.Status)
	}
	// Output:
	// ACTIVE
	// PAUSED
	// ACTIVE
	// UNSUBSCRIBED
}
