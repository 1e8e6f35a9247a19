package taxii

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// ProxyDirect as Client.Proxy means: connect directly, ignore the environment.
const ProxyDirect = "direct"

func (c *Client) proxyFunc() (func(*http.Request) (*url.URL, error), error) {
	switch p := strings.TrimSpace(c.Proxy); {
	case p == "":
		return http.ProxyFromEnvironment, nil
	case strings.EqualFold(p, ProxyDirect):
		return nil, nil
	default:
		u, err := url.Parse(p)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("taxii: proxy %q is not a URL like http://proxy.example:3128", p)
		}
		return http.ProxyURL(u), nil
	}
}
