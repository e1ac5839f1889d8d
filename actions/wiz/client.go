package wiz

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"golang.org/x/sync/singleflight"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/actions/internal/vendorcmd"
	"github.com/playbook-sh/playbook/actions/internal/vendorhttp"
)

// userAgent identifies the integration, as Wiz asks integrations to
// [V: XSOAR-Wiz].
const userAgent = "playbook-wiz/1"

// client sends one connection's requests: it logs in with the client
// credentials, caches the token until shortly before it expires, and
// posts GraphQL documents.
type client struct {
	gqlURL   string // https://api.us1.app.wiz.io/graphql
	tokenURL string
	audience string
	id       actions.Secret
	secret   actions.Secret
	http     *vendorhttp.Client
	now      func() time.Time

	login singleflight.Group
	mu    sync.Mutex
	tok   *token // nil until the first login, and after a 401
	// recent are the last tokens issued, newest last, for masking.
	recent []actions.Secret
}

// token is an access token and when to stop using it.
type token struct {
	value   actions.Secret
	refresh time.Time // a little before it expires
}

// client returns the connection's client, made on first use.
func (w *Wiz) client(conn *actions.Connection) (*client, error) {
	if conn == nil {
		return nil, errors.New("no wiz connection is bound to this task")
	}
	cfg, err := vendorhttp.ConfigFrom(conn)
	if err != nil {
		return nil, err
	}
	fp := fingerprint(conn, cfg)
	w.mu.Lock()
	defer w.mu.Unlock()
	if c, ok := w.clients[fp]; ok {
		return c, nil
	}
	c, err := newClient(conn, cfg)
	if err != nil {
		return nil, err
	}
	w.clients[fp] = c
	return c, nil
}

// fingerprint identifies a connection's settings; the credentials enter
// only as a hash.
func fingerprint(conn *actions.Connection, cfg vendorhttp.Config) string {
	h := sha256.Sum256([]byte(conn.Secrets[FieldClientID].Reveal() + "\x00" + conn.Secrets[FieldClientSecret].Reveal()))
	return fmt.Sprintf("%s|%s|%s|%+v|%x", conn.Settings[FieldAPIEndpointURL], conn.Settings[FieldTokenURL],
		conn.Settings[FieldAudience], cfg, h[:8])
}

// endpointError is a connection whose API endpoint URL is not an http(s)
// URL with a host: the page's own 400 message.
type endpointError struct{ conn string }

func (e *endpointError) Error() string { return invalidEndpointMsg }

func newClient(conn *actions.Connection, cfg vendorhttp.Config) (*client, error) {
	gql, err := graphqlURL(conn.Settings[FieldAPIEndpointURL])
	if err != nil {
		return nil, &endpointError{conn: conn.Name}
	}
	tokenURL := strings.TrimSpace(conn.Settings[FieldTokenURL])
	if tokenURL == "" {
		tokenURL = DefaultTokenURL
		if u, _ := url.Parse(gql); strings.HasSuffix(strings.ToLower(u.Hostname()), ".wiz.us") {
			tokenURL = FedRAMPTokenURL
		}
	} else if u, err := url.Parse(tokenURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("connection %s: token_url must be an https:// URL with a host", conn.Name)
	}
	id, secret := conn.Secrets[FieldClientID], conn.Secrets[FieldClientSecret]
	if strings.TrimSpace(id.Reveal()) == "" {
		return nil, fmt.Errorf("connection %s: client_id is not set", conn.Name)
	}
	if secret.Reveal() == "" {
		return nil, fmt.Errorf("connection %s: client_secret is not set", conn.Name)
	}
	audience := conn.Settings[FieldAudience]
	if audience == "" {
		audience = DefaultAudience
	}
	return &client{
		gqlURL: gql, tokenURL: tokenURL, audience: audience,
		id: actions.NewSecret(strings.TrimSpace(id.Reveal())), secret: secret,
		http: vendorhttp.New(cfg), now: time.Now,
	}, nil
}

// graphqlURL is the GraphQL endpoint of an API endpoint URL: the page's
// example has no path (https://api.us1.app.wiz.io), the portal shows it
// with /graphql; both work [I].
func graphqlURL(raw string) (string, error) {
	raw = strings.TrimRight(strings.TrimSpace(raw), "/")
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", errors.New(invalidEndpointMsg)
	}
	if !strings.HasSuffix(u.Path, "/graphql") {
		u.Path += "/graphql"
	}
	return u.String(), nil
}

// failure is a call that did not succeed: no reply, a non-200 reply, a
// reply that is not JSON, or GraphQL errors. status is the HTTP status,
// or for errors in a 200 reply the status their code stands for
// (NOT_FOUND 404, BAD_USER_INPUT 400, ...); 0 when no reply came.
type failure struct {
	status int
	msg    string
	raw    any // the decoded reply, if any
	err    error
}

func (f *failure) Error() string { return f.msg }

// accessToken returns a valid token, logging in when there is none or it
// is about to expire. Concurrent callers share one login.
func (c *client) accessToken(ctx context.Context, log hclog.Logger) (*token, *failure) {
	c.mu.Lock()
	t := c.tok
	c.mu.Unlock()
	if t != nil && c.now().Before(t.refresh) {
		return t, nil
	}
	ch := c.login.DoChan("token", func() (any, error) {
		// A login is not tied to one caller's context: others share it.
		t, f := c.fetchToken(context.WithoutCancel(ctx), log)
		if f != nil {
			return nil, f
		}
		c.mu.Lock()
		c.tok = t
		c.recent = append(c.recent, t.value)
		if len(c.recent) > 3 {
			c.recent = c.recent[1:]
		}
		c.mu.Unlock()
		return t, nil
	})
	select {
	case <-ctx.Done():
		return nil, &failure{msg: "cancelled while logging in to Wiz", err: ctx.Err()}
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err.(*failure)
		}
		return r.Val.(*token), nil
	}
}

// forget drops t after the API refused it, unless a newer token already
// replaced it.
func (c *client) forget(t *token) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tok == t {
		c.tok = nil
	}
}

// fetchToken logs in: a form-encoded client-credentials request
// [V: XSOAR-Wiz get_token, Sentinel-CCF].
func (c *client) fetchToken(ctx context.Context, log hclog.Logger) (*token, *failure) {
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"audience":      {c.audience},
		"client_id":     {c.id.Reveal()},
		"client_secret": {c.secret.Reveal()},
	}
	path := "/oauth/token"
	if u, err := url.Parse(c.tokenURL); err == nil {
		path = u.Path
	}
	started := c.now()
	resp, err := c.http.Do(ctx, vendorhttp.Request{
		Method: http.MethodPost, URL: c.tokenURL, Path: path, Body: []byte(form.Encode()),
		Header: http.Header{
			"Content-Type": {"application/x-www-form-urlencoded"},
			"Accept":       {"application/json"},
			"User-Agent":   {userAgent},
		},
		MaxBody: 1 << 20,
	}, log)
	if err != nil {
		return nil, &failure{msg: "log in to Wiz: " + c.mask(err.Error()), err: err}
	}
	v, jerr := actions.DecodeJSON(resp.Body)
	if resp.Status != http.StatusOK {
		// Only 400, 401 and 403 refuse the credentials; a 5xx, a 429 or a
		// 404 is the token endpoint failing, whatever the credentials.
		msg := "log in to Wiz failed"
		switch resp.Status {
		case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden:
			msg = "Wiz refused the client credentials"
		}
		f := &failure{status: resp.Status, msg: msg}
		if jerr == nil {
			f.raw = c.maskValue(v)
			if m := oauthMessage(v); m != "" {
				f.msg += ": " + clip(c.mask(m))
			}
		}
		return nil, f
	}
	at, _ := field(v, "access_token").(string)
	if jerr != nil || at == "" {
		msg := "the token reply from Wiz has no access_token"
		if m, _ := field(v, "message").(string); m != "" {
			msg += ": " + clip(c.mask(m))
		}
		return nil, &failure{status: resp.Status, msg: msg}
	}
	ttl := 24 * time.Hour
	switch n := field(v, "expires_in").(type) {
	case int64:
		ttl = time.Duration(n) * time.Second
	case float64:
		ttl = time.Duration(n * float64(time.Second))
	}
	// Renew a minute early (half the lifetime for short-lived tokens), so
	// a token never expires in flight [I].
	margin := min(time.Minute, ttl/2)
	log.Debug("logged in to Wiz", "expires_in", ttl.String())
	return &token{value: actions.NewSecret(at), refresh: started.Add(ttl - margin)}, nil
}

// oauthMessage reads an OAuth error body: error_description, error or
// message.
func oauthMessage(v any) string {
	for _, k := range []string{"error_description", "error", "message"} {
		if s, ok := field(v, k).(string); ok && s != "" {
			if k == "error_description" {
				if e, ok := field(v, "error").(string); ok && e != "" && e != s {
					return e + ": " + s
				}
			}
			return s
		}
	}
	return ""
}

// op is one GraphQL request.
type op struct {
	name    string // the root field, for logs and errors: "issuesV2"
	query   string
	vars    map[string]any
	mutates bool
}

// do posts a GraphQL request with a valid token; when the API answers 401
// it logs in again and sends the request once more. The reply is decoded
// JSON; GraphQL errors are a failure even with 200 [V: XSOAR-Wiz
// checkAPIerrors].
func (c *client) do(ctx context.Context, log hclog.Logger, o op) (any, *failure) {
	body, err := json.Marshal(map[string]any{"query": o.query, "variables": o.vars})
	if err != nil {
		return nil, &failure{msg: "encode request: " + err.Error(), err: err}
	}
	for attempt := 0; ; attempt++ {
		t, f := c.accessToken(ctx, log)
		if f != nil {
			return nil, f
		}
		resp, err := c.http.Do(ctx, vendorhttp.Request{
			Method: http.MethodPost, URL: c.gqlURL, Path: "/graphql", Body: body,
			Header: http.Header{
				"Content-Type": {"application/json"},
				"Accept":       {"application/json"},
				"User-Agent":   {userAgent},
			},
			Sign: func(h http.Header) error {
				h.Set("Authorization", "Bearer "+t.value.Reveal())
				return nil
			},
			Mutates: o.mutates,
		}, log)
		if err != nil {
			return nil, &failure{msg: c.mask(err.Error()), err: err}
		}
		if resp.Status == http.StatusUnauthorized && attempt == 0 {
			// The token expired early or was revoked: a 401 request did
			// nothing, so even a mutation is safe to send again.
			log.Debug("Wiz refused the token; logging in again", "operation", o.name)
			c.forget(t)
			continue
		}
		return c.reply(o, resp)
	}
}

// reply reads a GraphQL reply.
func (c *client) reply(o op, resp *vendorhttp.Response) (any, *failure) {
	v, jerr := actions.DecodeJSON(resp.Body)
	if jerr != nil {
		if resp.Status != http.StatusOK {
			msg := strings.TrimSpace(strings.ToValidUTF8(string(resp.Body), "\uFFFD"))
			if msg == "" {
				msg = http.StatusText(resp.Status)
			}
			return nil, &failure{status: resp.Status, msg: clip(c.mask(msg))}
		}
		return nil, &failure{status: resp.Status, msg: fmt.Sprintf("the reply to %s is not valid JSON: %v", o.name, jerr), err: jerr}
	}
	if c.quotes(resp.Body) {
		v = c.maskValue(v)
	}
	errs := list(field(v, "errors"))
	if resp.Status == http.StatusOK && len(errs) == 0 {
		if field(v, "data") == nil {
			return nil, &failure{status: resp.Status, msg: "the reply to " + o.name + " has no data", raw: v}
		}
		return v, nil
	}
	f := &failure{status: resp.Status, raw: v}
	var msgs []string
	seen := map[string]bool{}
	code := ""
	for _, e := range errs {
		m := text(field(e, "message"))
		if code == "" {
			code = text(field(e, "extensions", "code"))
		}
		if m != "" && !seen[m] {
			seen[m] = true
			msgs = append(msgs, m)
		}
	}
	f.msg = clip(strings.Join(msgs, "; "))
	if f.msg == "" {
		f.msg = http.StatusText(resp.Status)
		if f.msg == "" {
			f.msg = "HTTP status " + strconv.Itoa(resp.Status)
		}
	}
	if resp.Status == http.StatusOK {
		f.status = codeStatus(code)
	}
	return nil, f
}

// codeStatus is the HTTP status an error code of a 200 reply stands for
// [V: wizapi-py's table of Wiz's codes; statuses I].
func codeStatus(code string) int {
	switch code {
	case "NOT_FOUND":
		return http.StatusNotFound
	case "BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED":
		return http.StatusBadRequest
	case "UNAUTHENTICATED":
		return http.StatusUnauthorized
	case "UNAUTHORIZED", "FORBIDDEN_IP":
		return http.StatusForbidden
	case "RATE_LIMIT_EXCEEDED":
		return http.StatusTooManyRequests
	case "INTERNAL":
		return http.StatusInternalServerError
	}
	return http.StatusOK
}

// quotes reports whether a reply quotes a credential or the token, which
// only a misbehaving server does.
func (c *client) quotes(b []byte) bool {
	for _, sec := range c.secrets() {
		if k := sec.Reveal(); len(k) >= 4 && bytes.Contains(b, []byte(k)) {
			return true
		}
	}
	return false
}

// mask hides the credentials and the token, should a reply or an error
// ever quote them.
func (c *client) mask(s string) string {
	for _, sec := range c.secrets() {
		if k := sec.Reveal(); len(k) >= 4 {
			s = strings.ReplaceAll(s, k, "[redacted]")
		}
	}
	return s
}

// secrets are what a reply or an error must never quote: the
// credentials and the last few tokens (a reply may quote the one a
// request used after a newer one replaced it).
func (c *client) secrets() []actions.Secret {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]actions.Secret{c.secret, c.id}, c.recent...)
}

// maskValue hides the credentials in every string of a decoded reply,
// keys included. It changes v in place.
func (c *client) maskValue(v any) any { return vendorcmd.MaskValue(v, c.mask) }
