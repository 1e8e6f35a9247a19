package taxii_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/taxii-workstation/taxii-workstation/taxii"
)

// ExampleInboxHandler shows the listener the application runs: the handler
// serves Discovery and the Inbox on the standard paths, and the
// http.Server around it bounds headers, body and idle time.
func ExampleInboxHandler() {
	inbox := &taxii.InboxHandler{
		Receiver: taxii.ReceiverFunc(func(ctx context.Context, in *taxii.Received) error {
			// Store in.Blocks durably (one transaction), then return nil.
			return nil
		}),
		Authenticator: taxii.CredentialAuth{
			Password: func(user, pass string) bool { return false /* compare the stored hash */ },
		},
		Destinations: []string{"partner-feed"},
		MaxBytes:     taxii.DefaultInboxMaxBytes,
	}
	mux := http.NewServeMux()
	mux.Handle(taxii.DefaultInboxPath, inbox)
	mux.Handle(taxii.DefaultDiscoveryPath, &taxii.DiscoveryHandler{
		InboxAddress:    "https://workstation.example.org:9443" + taxii.DefaultInboxPath,
		ContentBindings: inbox.ContentBindings,
	})
	srv := &http.Server{
		Addr:              "127.0.0.1:9443",
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // a 64 MiB push over a slow link
		WriteTimeout:      5*time.Minute + 30*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		// Ask for client certificates without requiring a CA: the
		// Authenticator checks their fingerprints.
		TLSConfig: &tls.Config{ClientAuth: tls.RequestClientCert, MinVersion: tls.VersionTLS12},
	}
	_ = srv // srv.ListenAndServeTLS(cert, key) on start, srv.Shutdown(ctx) on stop
	fmt.Println(strings.TrimPrefix(taxii.DefaultInboxPath, "/"))
	// Output: services/inbox
}
