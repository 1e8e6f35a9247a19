package taxii

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// ErrNoService is wrapped when discovery lists no usable service of a type.
var ErrNoService = errors.New("no usable service")

// Service is a discovered service instance with its address made usable:
// relative addresses are resolved against the discovery URL and
// Client.ServiceAddresses overrides are applied.
type Service struct {
	ServiceInstance
	// AdvertisedAddress is the address as the server sent it.
	AdvertisedAddress string
	// Version is the TAXII version to speak to it: 1.1 when it lists the
	// XML 1.1 message binding, otherwise 1.0.
	Version Version
}

// Usable reports whether the client can talk to the service: it speaks an
// XML message binding we know and the server did not mark it unavailable.
func (s Service) Usable() bool {
	if s.Available != nil && !*s.Available {
		return false
	}
	return slices.Contains(s.MessageBindings, BindingXML11) || slices.Contains(s.MessageBindings, BindingXML10) || len(s.MessageBindings) == 0
}

// Discovery is the answer of a Discovery service.
type Discovery struct {
	URL      string
	Version  Version // the version the server answered in
	Services []Service
	Response *DiscoveryResponse
}

// Discover asks the discovery service at rawURL which services exist. Unless
// Client.ForceVersion is set, a server that refuses a TAXII 1.1 request is
// asked again in TAXII 1.0; the version it answers in is then used by the
// typed methods of this client (see Client.Version).
func (c *Client) Discover(ctx context.Context, rawURL string) (*Discovery, error) {
	v := c.version()
	reply, err := c.Do(ctx, rawURL, &DiscoveryRequest{Version: v})
	if !c.ForceVersion && v == V11 && refusedVersion(reply, err) {
		if r10, err10 := c.Do(ctx, rawURL, &DiscoveryRequest{Version: V10}); err10 == nil {
			if _, ok := r10.(*DiscoveryResponse); ok {
				reply, err = r10, nil
			}
		}
	}
	if err != nil {
		return nil, err
	}
	switch m := reply.(type) {
	case *DiscoveryResponse:
		return c.discovery(rawURL, m), nil
	case *StatusMessage:
		return nil, statusError(rawURL, m)
	default:
		return nil, unexpected("discovery", rawURL, reply)
	}
}

// discovery builds the Discovery of a reply and records its version.
func (c *Client) discovery(rawURL string, m *DiscoveryResponse) *Discovery {
	d := &Discovery{URL: redactURL(rawURL), Version: m.Version, Response: m}
	for _, si := range m.Services {
		d.Services = append(d.Services, c.service(rawURL, si))
	}
	if !c.ForceVersion {
		c.setDetected(m.Version)
	}
	return d
}

// refusedVersion says whether a reply looks like "I do not speak this version".
func refusedVersion(reply Message, err error) bool {
	if sm, ok := reply.(*StatusMessage); ok && err == nil {
		return sm.Type == StatusUnsupportedMessage || sm.Type == StatusBadMessage
	}
	var he *HTTPError
	if errors.As(err, &he) {
		switch he.StatusCode {
		case http.StatusBadRequest, http.StatusNotAcceptable, http.StatusUnsupportedMediaType:
			return true
		}
	}
	return false
}

func (c *Client) service(discoveryURL string, si ServiceInstance) Service {
	s := Service{ServiceInstance: si, AdvertisedAddress: si.Address, Version: V10}
	if slices.Contains(si.MessageBindings, BindingXML11) || (len(si.MessageBindings) == 0 && si.ServiceVersion != ServicesV10) {
		s.Version = V11
	}
	if base, err := url.Parse(discoveryURL); err == nil {
		if ref, err := url.Parse(strings.TrimSpace(si.Address)); err == nil {
			s.Address = base.ResolveReference(ref).String()
		}
	}
	if o, ok := c.ServiceAddresses[si.Type]; ok && o != "" {
		s.Address = o
	}
	return s
}

// ServiceQuery says which service Discovery.Select should pick.
type ServiceQuery struct {
	Type ServiceType
	// Address picks one of several services of the type, matched against
	// the advertised or the resolved address.
	Address string
	// ContentBinding, for an INBOX, requires that it accepts this binding.
	ContentBinding string
}

// Select picks the service for q: of the type, usable, matching Address and
// ContentBinding when given; among several it prefers one marked available,
// speaking TAXII 1.1, over HTTPS. The error lists what was found instead.
func (d *Discovery) Select(q ServiceQuery) (Service, error) {
	var cands []Service
	for _, s := range d.Services {
		if s.Type != q.Type || !s.Usable() {
			continue
		}
		if q.Address != "" && q.Address != s.Address && q.Address != s.AdvertisedAddress {
			continue
		}
		if q.ContentBinding != "" && !Accepts(s.ContentBindings, q.ContentBinding) {
			continue
		}
		cands = append(cands, s)
	}
	if len(cands) == 0 {
		var seen []string
		for _, s := range d.Services {
			seen = append(seen, fmt.Sprintf("%s at %s", s.Type, s.Address))
		}
		what := string(q.Type)
		if q.ContentBinding != "" {
			what += " accepting " + q.ContentBinding
		}
		if q.Address != "" {
			what += " at " + q.Address
		}
		if len(seen) == 0 {
			return Service{}, fmt.Errorf("taxii: %w: discovery at %s lists no services at all (perhaps none are visible to your account)", ErrNoService, d.URL)
		}
		return Service{}, fmt.Errorf("taxii: %w: discovery at %s lists no usable %s service; it lists %s", ErrNoService, d.URL, what, strings.Join(seen, ", "))
	}
	score := func(s Service) int {
		n := 0
		if s.Available != nil && *s.Available {
			n += 4
		}
		if s.Version == V11 {
			n += 2
		}
		if s.ProtocolBinding == ProtocolHTTPS {
			n++
		}
		return n
	}
	best := cands[0]
	for _, s := range cands[1:] {
		if score(s) > score(best) {
			best = s
		}
	}
	return best, nil
}

// ServicesOf returns the services of type t, in the server's order.
func (d *Discovery) ServicesOf(t ServiceType) []Service {
	var out []Service
	for _, s := range d.Services {
		if s.Type == t {
			out = append(out, s)
		}
	}
	return out
}

// Accepts reports whether a list of acceptable content bindings admits id;
// an empty list accepts everything (SVC §4.4.3).
func Accepts(accepted []ContentBinding, id string) bool {
	if len(accepted) == 0 {
		return true
	}
	for _, b := range accepted {
		if b.ID == id {
			return true
		}
	}
	return false
}

// CollectionInformation lists the collections (TAXII 1.0: feeds) of the
// collection management service at rawURL.
func (c *Client) CollectionInformation(ctx context.Context, rawURL string) ([]Collection, error) {
	reply, err := c.Do(ctx, rawURL, &CollectionInformationRequest{Version: c.version()})
	if err != nil {
		return nil, err
	}
	switch m := reply.(type) {
	case *CollectionInformationResponse:
		return m.Collections, nil
	case *StatusMessage:
		return nil, statusError(rawURL, m)
	default:
		return nil, unexpected("collection information", rawURL, reply)
	}
}

func (c *Client) version() Version {
	if c.ForceVersion {
		return c.Version
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.detected != nil {
		return *c.detected
	}
	return c.Version
}

func (c *Client) setDetected(v Version) {
	c.mu.Lock()
	c.detected = &v
	c.mu.Unlock()
}

// DetectedVersion returns the version the last discovery found, and false
// when no discovery has run yet (or the version is forced).
func (c *Client) DetectedVersion() (Version, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.detected == nil || c.ForceVersion {
		return c.Version, false
	}
	return *c.detected, true
}

func unexpected(what, rawURL string, reply Message) error {
	return fmt.Errorf("taxii: %s at %s: the server answered with a %s, which makes no sense here", what, redactURL(rawURL), kindOf(reply))
}

// ResolveService turns an address the user gave into the service to use:
// if rawURL is a discovery service, the service q asks for is selected from
// its answer (see Discovery.Select); if it is some other TAXII service, it is
// used as it is (its Type is then q.Type, as the user said). Credential
// refusals and network failures are returned as errors.
func (c *Client) ResolveService(ctx context.Context, rawURL string, q ServiceQuery) (Service, error) {
	reply, err := c.Do(ctx, rawURL, &DiscoveryRequest{Version: c.version()})
	direct := Service{ServiceInstance: ServiceInstance{Type: q.Type, Address: rawURL}, AdvertisedAddress: rawURL, Version: c.version()}
	var he *HTTPError
	switch {
	case errors.As(err, &he) && (he.StatusCode == http.StatusBadRequest || he.StatusCode == http.StatusNotAcceptable ||
		he.StatusCode == http.StatusUnsupportedMediaType || he.StatusCode == http.StatusInternalServerError):
		return direct, nil // a service that does not do discovery
	case err != nil:
		return Service{}, err
	}
	switch m := reply.(type) {
	case *DiscoveryResponse:
		return c.discovery(rawURL, m).Select(q)
	case *StatusMessage:
		if m.Type == StatusUnauthorized {
			return Service{}, statusError(rawURL, m)
		}
		return direct, nil // e.g. UNSUPPORTED_MESSAGE from a poll service
	default:
		return direct, nil
	}
}
