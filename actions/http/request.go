package http

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/playbook-sh/playbook/actions"
)

// RequestName is the name of the command.
const RequestName = "http.request"

// maxBodySize is the most bytes of a response body http.request reads.
var maxBodySize int64 = 32 << 20

// maxRedirects is how many redirects a request follows, as net/http does.
const maxRedirects = 10

var spec = actions.Spec{
	Name:  RequestName,
	Title: "HTTP Request",
	Description: "Sends one HTTP request and returns the response body as Raw Data " +
		"(decoded when it is JSON); a status outside 2xx fails.",
	Inputs: []actions.Input{
		{Name: "method", Type: actions.String, Default: "GET", Options: []actions.Option{
			{Label: "GET", Value: "GET"}, {Label: "POST", Value: "POST"}, {Label: "PUT", Value: "PUT"},
			{Label: "PATCH", Value: "PATCH"}, {Label: "DELETE", Value: "DELETE"},
		}, Description: "HTTP method."},
		{Name: "url", Type: actions.String, Required: true,
			Description: "http:// or https:// URL with a host; its query is kept and never shown."},
		{Name: "headers", Type: actions.Object,
			Description: "Request headers: name to string value. Values are never logged."},
		{Name: "query", Type: actions.Object,
			Description: "Query parameters: a string, number or boolean, or a list of them for a repeated parameter."},
		{Name: "json", Type: actions.Any,
			Description: "Request body, sent as application/json; exclusive with body."},
		{Name: "body", Type: actions.String,
			Description: "Request body, sent as is; exclusive with json."},
		{Name: "timeout", Type: actions.Duration, Default: "30s",
			Description: `Bound on this request, from sending to reading the whole response; "0s" means none.`},
	},
	KeyFields: []string{"StatusCodes"},
	Mutates:   true,
}

// command is http.request around one client.
type command struct {
	client  *http.Client
	maxBody int64
}

// New returns http.request sending through client; nil means a client of
// its own over a clone of [http.DefaultTransport]. The command also
// implements io.Closer, which closes the client's idle connections.
func New(client *http.Client) actions.Command {
	if client == nil {
		client = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	return &command{client: client, maxBody: maxBodySize}
}

// Register adds http.request, with a client of its own, to r.
func Register(r *actions.Registry) { r.Register(New(nil)) }

// Spec declares http.request.
func (c *command) Spec() actions.Spec { return spec }

// Close closes the idle connections of the command's client.
func (c *command) Close() error {
	c.client.CloseIdleConnections()
	return nil
}

// Run sends the request. Every failure is a Failed envelope: Status Code 0
// when no response came, else the response's.
func (c *command) Run(ctx context.Context, req actions.Request) actions.Envelope {
	log := req.Logger
	if log == nil {
		log = hclog.NewNullLogger()
	}
	in, err := spec.CoerceInputs(req.Inputs)
	if err != nil {
		return fail(0, err.Error(), err)
	}
	r := actions.Request{Inputs: in}
	hreq, p, err := build(ctx, r)
	if err != nil {
		return fail(0, err.Error(), err)
	}
	if d := r.Duration("timeout"); d > 0 {
		tctx, cancel := context.WithTimeout(ctx, d)
		defer cancel()
		hreq = hreq.WithContext(tctx)
	}

	client := *c.client
	client.CheckRedirect = stripOnRedirect(c.client.CheckRedirect, p.sensitiveHeaders)
	start := time.Now()
	resp, err := client.Do(hreq)
	if err != nil {
		env := transportFailure(ctx, hreq.Context(), err, p, r.Duration("timeout"))
		log.Debug("http request", "method", hreq.Method, "url", p.safeURL, "status", 0,
			"duration", time.Since(start), "error", env.Error.Message)
		return env
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	log.Debug("http request", "method", hreq.Method, "url", p.safeURL, "status", resp.StatusCode,
		"duration", time.Since(start))
	if err != nil {
		return fail(0, p.mask("read response body: "+err.Error()), err)
	}
	return c.envelope(resp, body, p)
}

// prepared is what Run keeps of a built request to report on it.
type prepared struct {
	safeURL          string   // scheme://host/path, no userinfo or query
	secrets          []string // values to mask in messages
	sensitiveHeaders []string // header names to drop on a redirect to another host
}

// mask replaces every secret value in s with [redacted].
func (p *prepared) mask(s string) string {
	for _, v := range p.secrets {
		s = strings.ReplaceAll(s, v, "[redacted]")
	}
	return s
}

// addSecret records v, and the credential of "Scheme credential", to mask.
func (p *prepared) addSecret(v string) {
	if len(v) < 4 {
		return
	}
	p.secrets = append(p.secrets, v)
	if _, cred, ok := strings.Cut(v, " "); ok && len(cred) >= 4 {
		p.secrets = append(p.secrets, cred)
	}
	// Longest first, so a credential inside a longer value goes with it.
	sort.Slice(p.secrets, func(i, j int) bool { return len(p.secrets[i]) > len(p.secrets[j]) })
}

// build makes the HTTP request from the coerced inputs.
func build(ctx context.Context, r actions.Request) (*http.Request, *prepared, error) {
	_, hasJSON := r.Inputs["json"]
	_, hasBody := r.Inputs["body"]
	if hasJSON && hasBody {
		return nil, nil, errors.New("json and body are exclusive")
	}
	u, err := parseURL(r.String("url"))
	if err != nil {
		return nil, nil, err
	}
	p := &prepared{safeURL: safeURL(u)}
	if pw, ok := u.User.Password(); ok {
		p.addSecret(pw)
	}
	for k, kv := range u.Query() {
		if sensitiveName(k) {
			for _, v := range kv {
				p.addSecret(v)
			}
		}
	}
	if q := r.Map("query"); len(q) > 0 {
		values := u.Query()
		for _, k := range sortedKeys(q) {
			list, ok := q[k].([]any)
			if !ok {
				list = []any{q[k]}
			}
			for _, e := range list {
				s, isSecret, ok := scalar(e)
				if !ok {
					return nil, nil, fmt.Errorf("query %q: values must be strings, numbers, booleans or a list of them", k)
				}
				if isSecret || sensitiveName(k) {
					p.addSecret(s)
				}
				values.Add(k, s)
			}
		}
		u.RawQuery = values.Encode()
	}

	var body io.Reader
	contentType := ""
	switch {
	case hasJSON:
		data, err := json.Marshal(reveal(r.Value("json")))
		if err != nil {
			return nil, nil, fmt.Errorf("encode json: %v", err)
		}
		body, contentType = bytes.NewReader(data), "application/json"
	case hasBody:
		body = strings.NewReader(r.String("body"))
	}
	hreq, err := http.NewRequestWithContext(ctx, r.String("method"), u.String(), body)
	if err != nil {
		return nil, nil, fmt.Errorf("build request: %v", withoutURL(err))
	}
	if contentType != "" {
		hreq.Header.Set("Content-Type", contentType)
	}
	headers := r.Map("headers")
	for _, k := range sortedKeys(headers) {
		s, isSecret, ok := scalar(headers[k])
		if !ok {
			return nil, nil, fmt.Errorf("header %q: value must be a string", k)
		}
		if isSecret || sensitiveName(k) {
			p.addSecret(s)
			p.sensitiveHeaders = append(p.sensitiveHeaders, k)
		}
		if strings.EqualFold(k, "Host") {
			hreq.Host = s
			continue
		}
		hreq.Header.Set(k, s)
	}
	return hreq, p, nil
}

// parseURL accepts an absolute http or https URL with a host. Its errors
// never quote the URL, which may hold a token.
func parseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("invalid url: %v", withoutURL(err))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, errors.New("invalid url: the scheme must be http or https")
	}
	if u.Host == "" {
		return nil, errors.New("invalid url: no host")
	}
	return u, nil
}

// withoutURL returns the cause of a *url.Error, whose text quotes the
// URL, or err itself.
func withoutURL(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return ue.Err
	}
	return err
}

// safeURL is u without userinfo, query or fragment: scheme://host/path.
func safeURL(u *url.URL) string {
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}).String()
}

// sensitiveName reports whether a header or query parameter name suggests
// a credential.
func sensitiveName(name string) bool { return actions.SensitiveName(name) }

// scalar returns a header or query value as text; isSecret is true for an
// [actions.Secret].
func scalar(v any) (s string, isSecret, ok bool) {
	switch x := v.(type) {
	case string:
		return x, false, true
	case actions.Secret:
		return x.Reveal(), true, true
	case int64:
		return strconv.FormatInt(x, 10), false, true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), false, true
	case bool:
		return strconv.FormatBool(x), false, true
	}
	return "", false, false
}

// reveal returns v with every [actions.Secret] replaced by its value, for
// the JSON body; v itself is not changed.
func reveal(v any) any {
	switch x := v.(type) {
	case actions.Secret:
		return x.Reveal()
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = reveal(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = reveal(e)
		}
		return out
	}
	return v
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// stripOnRedirect wraps a client's redirect policy: a redirect to another
// host drops the headers that carry credentials (net/http drops only
// Authorization and Cookie).
func stripOnRedirect(next func(*http.Request, []*http.Request) error, sensitive []string) func(*http.Request, []*http.Request) error {
	return func(r *http.Request, via []*http.Request) error {
		if len(via) > 0 && r.URL.Host != via[0].URL.Host {
			for _, h := range sensitive {
				r.Header.Del(h)
			}
		}
		if next != nil {
			return next(r, via)
		}
		if len(via) >= maxRedirects {
			return fmt.Errorf("stopped after %d redirects", maxRedirects)
		}
		return nil
	}
}

// Preview describes the request Run would send, for a dry run: the URL
// with credential query values masked, headers with credential values
// masked, and the body with secrets masked.
func (c *command) Preview(req actions.Request) (actions.Preview, error) {
	hreq, p, err := build(context.Background(), req)
	if err != nil {
		return actions.Preview{}, err
	}
	u := *hreq.URL
	u.User = nil
	pv := actions.Preview{Method: hreq.Method, URL: actions.MaskURL(p.mask(u.String()))}
	for k := range hreq.Header {
		if pv.Headers == nil {
			pv.Headers = map[string]string{}
		}
		v := hreq.Header.Get(k)
		if sensitiveName(k) {
			v = "[redacted]"
		}
		pv.Headers[k] = p.mask(v)
	}
	if hreq.Host != "" {
		if pv.Headers == nil {
			pv.Headers = map[string]string{}
		}
		pv.Headers["Host"] = hreq.Host
	}
	switch {
	case req.Inputs["json"] != nil:
		pv.Body = actions.Normalize(req.Value("json")) // a Secret becomes "[redacted]"
	case req.Inputs["body"] != nil:
		if _, secret := req.Inputs["body"].(actions.Secret); secret {
			pv.Body = "[redacted]"
		} else {
			pv.Body = p.mask(req.String("body"))
		}
	}
	return pv, nil
}
