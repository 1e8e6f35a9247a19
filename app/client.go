package app

import (
	"context"
	"log/slog"

	"github.com/taxii-workstation/taxii-workstation/taxii"
)

// Client is the TAXII side the App drives. *taxii.Client satisfies it;
// apptest.Client is a scripted fake.
type Client interface {
	Discover(ctx context.Context, rawURL string) (*taxii.Discovery, error)
	CollectionInformation(ctx context.Context, rawURL string) ([]taxii.Collection, error)
	Poll(ctx context.Context, rawURL string, req *taxii.PollRequest, opts taxii.PollOptions) (*taxii.PollResult, error)
	Push(ctx context.Context, rawURL string, m *taxii.InboxMessage) (*taxii.Receipt, error)
	Subscribe(ctx context.Context, rawURL, collection string, p taxii.SubscribeParams) (*taxii.Subscription, error)
	SubscriptionStatus(ctx context.Context, rawURL, collection, id string) ([]taxii.Subscription, error)
	PauseSubscription(ctx context.Context, rawURL, collection, id string) (*taxii.Subscription, error)
	ResumeSubscription(ctx context.Context, rawURL, collection, id string) (*taxii.Subscription, error)
	Unsubscribe(ctx context.Context, rawURL, collection, id string) (*taxii.Subscription, error)
}

var _ Client = (*taxii.Client)(nil)

// ClientFactory makes a Client for a profile and its secrets. It is called
// once per profile and App (again after the profile changes); the client
// it returns must be safe for concurrent use.
type ClientFactory func(p Profile, c Credentials, log *slog.Logger) (Client, error)

// NewTAXIIClient is the real ClientFactory: a *taxii.Client configured from
// the profile (version, auth in any combination, CA, verification, proxy,
// timeout, service overrides) and its secrets. Warnings (verification off)
// go to log.
func NewTAXIIClient(p Profile, c Credentials, log *slog.Logger) (Client, error) {
	tc := &taxii.Client{
		Proxy:   p.Proxy,
		Timeout: p.Timeout,
		TLS:     taxii.TLSConfig{CAFile: p.CAFile, InsecureSkipVerify: p.InsecureSkipVerify},
		Warn: func(msg string) {
			if log != nil {
				log.Warn(msg, "server", p.Name)
			}
		},
	}
	switch p.Version {
	case Version10:
		tc.Version, tc.ForceVersion = taxii.V10, true
	case Version11:
		tc.Version, tc.ForceVersion = taxii.V11, true
	default:
		if p.DetectedVersion == Version10 {
			tc.Version = taxii.V10 // still detected again by the next discovery
		}
	}
	a := taxii.Auth{}
	if p.Username != "" {
		a.Username, a.Password = p.Username, c.Password
	}
	if p.PKCS12File != "" {
		a.PKCS12File, a.PKCS12Password = p.PKCS12File, c.KeyPassword
	} else if p.CertFile != "" {
		a.CertFile, a.KeyFile, a.KeyPassword = p.CertFile, p.KeyFile, c.KeyPassword
	}
	if p.JWTURL != "" {
		a.JWT = &taxii.JWTLogin{URL: p.JWTURL, Username: p.JWTUsername, Password: c.JWTPassword}
	}
	for _, h := range p.Headers {
		if a.Headers == nil {
			a.Headers = map[string]string{}
		}
		v := h.Value
		if h.Secret {
			v = c.Headers[h.Name]
		}
		a.Headers[h.Name] = v
	}
	tc.Auth = a
	if len(p.ServiceAddresses) > 0 {
		tc.ServiceAddresses = map[taxii.ServiceType]string{}
		for k, v := range p.ServiceAddresses {
			tc.ServiceAddresses[taxii.ServiceType(k)] = v
		}
	}
	return tc, nil
}

// client returns the (cached) client for server.
func (a *App) client(ctx context.Context, server string) (Client, Profile, error) {
	p, c, err := a.profileAndCredentials(ctx, server)
	if err != nil {
		return nil, Profile{}, err
	}
	a.mu.Lock()
	cl, ok := a.clients[server]
	a.mu.Unlock()
	if ok {
		return cl, p, nil
	}
	if p.Version == VersionAuto {
		p.DetectedVersion = a.detectedVersion(ctx, server)
	}
	cl, err = a.newClient(p, c, a.log)
	if err != nil {
		return nil, p, err
	}
	a.mu.Lock()
	if prev, ok := a.clients[server]; ok {
		cl = prev // another goroutine won the race; share one client
	} else {
		a.clients[server] = cl
	}
	a.mu.Unlock()
	return cl, p, nil
}

func (a *App) dropClient(server string) {
	a.mu.Lock()
	delete(a.clients, server)
	a.mu.Unlock()
}

// detectedVersion reads the TAXII version of server from its stored
// discovery snapshot: 1.0 when every service speaks only 1.0.
func (a *App) detectedVersion(ctx context.Context, server string) TAXIIVersion {
	snap, err := a.store.Services(ctx, server)
	if err != nil || len(snap.Services) == 0 {
		return VersionAuto
	}
	for _, s := range snap.Services {
		if s.Version != string(Version10) {
			return Version11
		}
	}
	return Version10
}
