package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/taxii-workstation/taxii-workstation/storage"
	"github.com/taxii-workstation/taxii-workstation/taxii"
)

// ConnectionReport is what a connection test found.
type ConnectionReport struct {
	Server   string        `json:"server"`
	Version  string        `json:"version"` // TAXII version the server answered in
	Services []Service     `json:"services"`
	Took     time.Duration `json:"took"`
	// Problem is the failure in words ("" when the server answered).
	Problem string `json:"problem,omitempty"`
	// Collections lists the collections when the server has a collection
	// management service that answered; CollectionsProblem says why not.
	Collections        []Collection `json:"collections,omitempty"`
	CollectionsProblem string       `json:"collections_problem,omitempty"`
}

// TestConnection runs discovery against the profile's URL and returns what
// it found, or an error (Problem and Explain give the reason in words).
// Either way it records the profile's connection status (a
// ConnectionStatus event). On success it stores the services snapshot and,
// when there is a collection management service, refreshes the collections.
func (a *App) TestConnection(ctx context.Context, server string) (ConnectionReport, error) {
	start := a.clock.Now()
	snap, version, err := a.discover(ctx, server)
	rep := ConnectionReport{Server: server, Version: version}
	a.recordStatus(ctx, server, err)
	if err != nil {
		rep.Took, rep.Problem = a.clock.Now().Sub(start), Explain(err)
		return rep, err
	}
	rep.Services = snap.Services
	for _, s := range snap.Services {
		if s.Type == string(taxii.ServiceCollectionManagement) {
			cs, err := a.RefreshCollections(ctx, server)
			if err != nil {
				rep.CollectionsProblem = Explain(err)
			} else {
				rep.Collections = cs.Collections
			}
			break
		}
	}
	rep.Took = a.clock.Now().Sub(start)
	return rep, nil
}

// Discover runs discovery for server and stores the snapshot.
func (a *App) Discover(ctx context.Context, server string) (ServicesSnapshot, error) {
	snap, _, err := a.discover(ctx, server)
	return snap, err
}

func (a *App) discover(ctx context.Context, server string) (ServicesSnapshot, string, error) {
	cl, p, err := a.client(ctx, server)
	if err != nil {
		return ServicesSnapshot{}, "", err
	}
	d, err := cl.Discover(ctx, p.DiscoveryURL)
	if err != nil {
		return ServicesSnapshot{}, "", fmt.Errorf("app: discovery at %s for %q: %w", p.DiscoveryURL, server, err)
	}
	snap := ServicesSnapshot{Server: server, Fetched: a.clock.Now().UTC()}
	for _, s := range d.Services {
		snap.Services = append(snap.Services, serviceFrom(s))
	}
	if err := a.store.PutServices(ctx, snap); err != nil {
		return snap, d.Version.String(), fmt.Errorf("app: store the services of %q: %w", server, err)
	}
	a.publish(Event{Kind: ServerInfo, Server: server})
	return snap, d.Version.String(), nil
}

func serviceFrom(s taxii.Service) Service {
	out := Service{
		Type: string(s.Type), Version: s.Version.String(), Protocol: s.ProtocolBinding, Address: s.Address,
		MessageBindings: s.MessageBindings, Available: s.Available, Message: s.Message,
	}
	for _, b := range s.ContentBindings {
		out.ContentBindings = append(out.ContentBindings, b.ID)
	}
	return out
}

// RefreshCollections asks the server's collection management service for
// its collections (TAXII 1.0: feeds), stores the snapshot and returns it.
func (a *App) RefreshCollections(ctx context.Context, server string) (CollectionsSnapshot, error) {
	cl, _, err := a.client(ctx, server)
	if err != nil {
		return CollectionsSnapshot{}, err
	}
	addr, err := a.serviceAddress(ctx, server, taxii.ServiceCollectionManagement, "")
	if err != nil {
		return CollectionsSnapshot{}, err
	}
	cs, err := cl.CollectionInformation(ctx, addr)
	if err != nil {
		return CollectionsSnapshot{}, fmt.Errorf("app: collection information from %s for %q: %w", addr, server, err)
	}
	snap := CollectionsSnapshot{Server: server, Fetched: a.clock.Now().UTC()}
	for _, c := range cs {
		snap.Collections = append(snap.Collections, collectionFrom(c))
	}
	if err := a.store.PutCollections(ctx, snap); err != nil {
		return snap, fmt.Errorf("app: store the collections of %q: %w", server, err)
	}
	a.publish(Event{Kind: ServerInfo, Server: server})
	return snap, nil
}

func collectionFrom(c taxii.Collection) Collection {
	out := Collection{Name: c.Name, Type: string(c.Type), Description: c.Description, Available: c.Available}
	if c.Volume != nil {
		v := int64(min(*c.Volume, 1<<62))
		out.Volume = &v
	}
	for _, b := range c.ContentBindings {
		out.ContentBindings = append(out.ContentBindings, b.ID)
	}
	for _, s := range c.PollingServices {
		out.PollAddresses = append(out.PollAddresses, s.Address)
	}
	for _, s := range c.ReceivingInboxServices {
		out.InboxAddresses = append(out.InboxAddresses, s.Address)
	}
	for _, s := range c.SubscriptionServices {
		out.SubscriptionAddresses = append(out.SubscriptionAddresses, s.Address)
	}
	return out
}

// Services returns the stored discovery snapshot of server (offline).
func (a *App) Services(ctx context.Context, server string) (ServicesSnapshot, error) {
	return a.store.Services(ctx, server)
}

// Collections returns the stored collection snapshot of server (offline).
func (a *App) Collections(ctx context.Context, server string) (CollectionsSnapshot, error) {
	return a.store.Collections(ctx, server)
}

// serviceAddress finds where to send a request of type t for server (and
// collection, when given): the profile's override, the collection's own
// address from the stored collection snapshot, the stored discovery
// snapshot, or a fresh discovery, in that order. A discovery URL that turns
// out to be the service itself (it refuses a discovery request) is used as is.
func (a *App) serviceAddress(ctx context.Context, server string, t taxii.ServiceType, collection string) (string, error) {
	p, _, err := a.profileAndCredentials(ctx, server)
	if err != nil {
		return "", err
	}
	if addr := p.ServiceAddresses[string(t)]; addr != "" {
		return addr, nil
	}
	if collection != "" {
		if cs, err := a.store.Collections(ctx, server); err == nil {
			for _, c := range cs.Collections {
				if c.Name != collection {
					continue
				}
				var addrs []string
				switch t {
				case taxii.ServicePoll:
					addrs = c.PollAddresses
				case taxii.ServiceInbox:
					addrs = c.InboxAddresses
				case taxii.ServiceCollectionManagement:
					addrs = c.SubscriptionAddresses
				}
				if len(addrs) > 0 {
					return addrs[0], nil
				}
			}
		}
	}
	snap, err := a.store.Services(ctx, server)
	if errors.Is(err, storage.ErrNotFound) {
		snap, _, err = a.discover(ctx, server)
		if err != nil {
			var se *taxii.StatusError
			var he *taxii.HTTPError
			if errors.As(err, &se) || (errors.As(err, &he) && he.StatusCode < 500) {
				return "", fmt.Errorf("app: %s did not answer discovery, so the %s service is unknown; give the service address as an override in the profile (or use the discovery URL): %w", p.DiscoveryURL, t, err)
			}
			return "", err
		}
	} else if err != nil {
		return "", fmt.Errorf("app: read the services of %q: %w", server, err)
	}
	var best *Service
	for i := range snap.Services {
		s := &snap.Services[i]
		if s.Type != string(t) || (s.Available != nil && !*s.Available) {
			continue
		}
		if best == nil || (s.Available != nil && *s.Available && best.Available == nil) {
			best = s
		}
	}
	if best == nil {
		return "", fmt.Errorf("app: %q has no usable %s service in its discovery answer; run discovery again or set the address as an override: %w", server, t, taxii.ErrNoService)
	}
	return best.Address, nil
}

// recordStatus stores the connection status of a saved profile and
// publishes it. Ad-hoc profiles are only published.
func (a *App) recordStatus(ctx context.Context, server string, cerr error) {
	st := ConnStatus{State: Reachable, At: a.clock.Now().UTC()}
	if cerr != nil {
		if errors.Is(cerr, context.Canceled) {
			return
		}
		st.State, st.Message = Failing, Explain(cerr)
	}
	_ = a.editSettings(ctx, server, func(set map[string]string) {
		set[setStatusState] = string(st.State)
		set[setStatusAt] = strconv.FormatInt(st.At.UnixNano(), 10)
		if st.Message != "" {
			set[setStatusMsg] = st.Message
		} else {
			delete(set, setStatusMsg)
		}
	})
	a.publish(Event{Kind: ConnectionStatus, Server: server, Status: &st})
}

// editSettings changes the opaque settings of a saved profile under the
// profile lock. It is a no-op for ad-hoc profiles.
func (a *App) editSettings(ctx context.Context, server string, edit func(map[string]string)) error {
	a.mu.Lock()
	_, isAdHoc := a.adhoc[server]
	a.mu.Unlock()
	if isAdHoc {
		return nil
	}
	a.profMu.Lock()
	defer a.profMu.Unlock()
	sp, err := a.store.Profile(ctx, server)
	if err != nil {
		return fmt.Errorf("app: read profile %q: %w", server, err)
	}
	if sp.Settings == nil {
		sp.Settings = map[string]string{}
	}
	edit(sp.Settings)
	if err := a.store.PutProfile(ctx, sp); err != nil {
		return fmt.Errorf("app: save profile %q: %w", server, err)
	}
	return nil
}
