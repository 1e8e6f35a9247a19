package taxii

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// JWTLogin describes a token login (as OpenTAXII does it): the client POSTs
// {"username": ..., "password": ...} as JSON to URL and expects
// {"token": ...} (or "access_token") back, then sends
// "Authorization: Bearer <token>". When the server answers UNAUTHORIZED the
// client logs in again once and resends the request.
type JWTLogin struct {
	URL                string
	Username, Password string
}

// ErrLogin is wrapped by errors from a JWT login.
var ErrLogin = fmt.Errorf("JWT login failed")

func (c *Client) setToken(t string) {
	c.mu.Lock()
	c.token = t
	c.mu.Unlock()
}

// bearer returns the cached token, logging in first if there is none.
func (c *Client) bearer(ctx context.Context, hc *http.Client) (string, error) {
	c.mu.Lock()
	tok := c.token
	c.mu.Unlock()
	if tok != "" {
		return tok, nil
	}
	tok, err := c.login(ctx, hc)
	if err != nil {
		return "", err
	}
	c.setToken(tok)
	return tok, nil
}

func (c *Client) login(ctx context.Context, hc *http.Client) (string, error) {
	j := c.Auth.JWT
	body, err := json.Marshal(map[string]string{"username": j.Username, "password": j.Password})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.URL, bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("taxii: %w: bad token URL %q: %v", ErrLogin, redactURL(j.URL), err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent())
	for k, v := range c.Auth.Headers {
		req.Header.Set(k, v)
	}
	ex := &Exchange{Start: time.Now(), Attempt: 1, Kind: "jwt-login", Method: req.Method, URL: redactURL(j.URL),
		RequestHeader: req.Header, RequestBody: []byte(`{"username": "` + Redacted + `", "password": "` + Redacted + `"}`)}
	defer c.logExchange(ex)
	res, err := hc.Do(req)
	if err != nil {
		ex.Err = err
		return "", fmt.Errorf("taxii: %w: post to %s: %w", ErrLogin, ex.URL, err)
	}
	defer res.Body.Close()
	b, err := readCapped(res.Body, 1<<20)
	ex.StatusCode, ex.ResponseHeader, ex.Err = res.StatusCode, res.Header, err
	ex.ResponseBody = []byte(Redacted) // the token is a credential
	if err != nil {
		return "", fmt.Errorf("taxii: %w: read reply from %s: %w", ErrLogin, ex.URL, err)
	}
	if res.StatusCode != http.StatusOK {
		return "", &HTTPError{URL: ex.URL, StatusCode: res.StatusCode, ContentType: res.Header.Get("Content-Type"),
			Body: b[:min(len(b), HTTPBodyPrefix)], Reason: "the token login was refused; check the user name and password for the token URL", Err: ErrLogin}
	}
	var reply struct {
		Token       string `json:"token"`
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(b, &reply); err != nil || strings.TrimSpace(reply.Token+reply.AccessToken) == "" {
		return "", &HTTPError{URL: ex.URL, StatusCode: res.StatusCode, ContentType: res.Header.Get("Content-Type"),
			Body: nil, Reason: `the token URL did not answer with JSON {"token": "..."}`, Err: ErrLogin}
	}
	if reply.Token != "" {
		return reply.Token, nil
	}
	return reply.AccessToken, nil
}
