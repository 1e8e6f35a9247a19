// Package taxiitest is an in-process fake TAXII 1.x server for tests, on
// net/http/httptest and 127.0.0.1 only.
//
// It serves discovery, collection information, poll (multi-part and
// asynchronous), poll fulfillment, inbox and subscription management, answers
// in the TAXII version of each request, and can be scripted to misbehave the
// way real servers and proxies do: a chosen Status Message, HTML error pages,
// a wrong content type, truncated bodies, dropped connections, stalls before
// or during a reply, recorded replies (Step.Raw), broken multi-part results
// (Misbehaviour), and authentication by basic auth, client certificate, JWT
// login or API key. It records what it received (requests, Inbox messages,
// subscriptions) so tests can assert it, can act as a producer pushing to
// subscribers' inboxes (Deliver), and PKI makes a CA with server and client
// certificates in every format partners use.
//
//	srv := taxiitest.New(taxiitest.Options{})
//	defer srv.Close()
//	srv.AddCollection(taxiitest.Collection{Name: "feed", Blocks: 120, PartSize: 50})
//	res, err := client.Poll(ctx, srv.PollURL(), &taxii.PollRequest{CollectionName: "feed"}, taxii.PollOptions{})
package taxiitest
