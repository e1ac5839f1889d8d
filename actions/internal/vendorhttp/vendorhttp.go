// Package vendorhttp is the HTTP client integrations call their vendor's
// API with: one keep-alive transport per connection, a per-request
// timeout, a rate limit and a concurrency bound per connection, and
// bounded retries with backoff that honour Retry-After.
//
// What is retried follows the design's rule for side effects: a call that
// does not mutate is retried after 429, 5xx, a reset or a timeout; a
// mutating call is retried only when the request was never written to the
// wire, or when the vendor refused it with 429. Isolating a host twice is a
// real side effect.
package vendorhttp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	"golang.org/x/time/rate"

	"github.com/playbook-sh/playbook/actions"
)

// Config is the part of a connection every integration shares
// ([actions.CommonConnectionFields]).
type Config struct {
	Timeout     time.Duration // per request; 0 means none
	MaxRetries  int
	RateLimit   float64 // requests per second; 0 means none
	Concurrency int     // requests in flight; 0 means no bound
	// Backoff is the first wait before a retry; it doubles each time, with
	// full jitter, up to MaxBackoff. Zero means 500ms and 30s.
	Backoff, MaxBackoff time.Duration
	// MaxRetryAfter caps how long a Retry-After is honoured; a longer one
	// ends the call with the 429. Zero means 60s.
	MaxRetryAfter time.Duration
	// MaxBody caps a reply body; zero means 64 MiB.
	MaxBody int64
}

// ConfigFrom reads the common fields of a resolved connection; a field
// left out takes its default.
func ConfigFrom(c *actions.Connection) (Config, error) {
	get := func(name string) string {
		if c != nil {
			if v, ok := c.Settings[name]; ok {
				return v
			}
		}
		for _, f := range actions.CommonConnectionFields {
			if f.Name == name {
				return f.Default
			}
		}
		return ""
	}
	var cfg Config
	var err error
	if cfg.Timeout, err = time.ParseDuration(get("timeout")); err != nil || cfg.Timeout < 0 {
		return cfg, fmt.Errorf("connection timeout: want a duration such as 30s")
	}
	if cfg.MaxRetries, err = strconv.Atoi(get("max_retries")); err != nil || cfg.MaxRetries < 0 {
		return cfg, fmt.Errorf("connection max_retries: want a whole number >= 0")
	}
	if cfg.RateLimit, err = strconv.ParseFloat(get("rate_limit"), 64); err != nil || cfg.RateLimit < 0 {
		return cfg, fmt.Errorf("connection rate_limit: want a number >= 0")
	}
	if cfg.Concurrency, err = strconv.Atoi(get("concurrency")); err != nil || cfg.Concurrency < 0 {
		return cfg, fmt.Errorf("connection concurrency: want a whole number >= 0")
	}
	return cfg, nil
}

// Client sends a connection's requests. It is safe for concurrent use.
type Client struct {
	cfg     Config
	http    *http.Client
	limiter *rate.Limiter // nil: no limit
	sem     chan struct{} // nil: no bound
	sleep   func(ctx context.Context, d time.Duration) error
}

// New returns a client over its own keep-alive transport. TLS
// certificates are always verified.
func New(cfg Config) *Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = max(cfg.Concurrency, 32)
	t.ForceAttemptHTTP2 = true
	return NewWith(cfg, t)
}

// NewWith returns a client over the given transport.
func NewWith(cfg Config, rt http.RoundTripper) *Client {
	if cfg.Backoff <= 0 {
		cfg.Backoff = 500 * time.Millisecond
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 30 * time.Second
	}
	if cfg.MaxRetryAfter <= 0 {
		cfg.MaxRetryAfter = 60 * time.Second
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 64 << 20
	}
	c := &Client{cfg: cfg, sleep: sleep,
		http: &http.Client{Transport: rt, CheckRedirect: func(*http.Request, []*http.Request) error {
			// A vendor API that redirects is misconfigured (a wrong server
			// URL); following would resend credentials elsewhere.
			return http.ErrUseLastResponse
		}}}
	if cfg.RateLimit > 0 {
		burst := max(1, int(cfg.RateLimit))
		c.limiter = rate.NewLimiter(rate.Limit(cfg.RateLimit), burst)
	}
	if cfg.Concurrency > 0 {
		c.sem = make(chan struct{}, cfg.Concurrency)
	}
	return c
}

// CloseIdleConnections closes the transport's idle connections.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }

// Request is one API call. Build is called before each attempt, so a
// signature with a fresh nonce and timestamp is made per attempt.
type Request struct {
	Method  string
	URL     string // for the wire; never logged or quoted in errors
	Path    string // what logs and errors name: the URL's path
	Body    []byte
	Header  http.Header
	Sign    func(h http.Header) error // adds credentials; called per attempt
	Mutates bool
	// Permanent reports a reply that retrying cannot change (a vendor's
	// business error sent as 500). Nil means none is.
	Permanent func(status int, body []byte) bool
	// MaxBody overrides the client's cap for this call's reply.
	MaxBody int64
}

// Response is a reply read in full.
type Response struct {
	Status   int
	Header   http.Header
	Body     []byte
	Attempts int
}

// Error is a call that got no usable reply: no connection, a reset, a
// timeout, or a body too large or cut short. Its text names the path,
// never the URL's query or a header.
type Error struct {
	Path     string
	Msg      string
	Attempts int
	Timeout  bool
	Err      error
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Err }

// Do sends r, retrying by the package's rule, and returns the last reply
// (whatever its status) or an *Error when none came. log may be nil.
func (c *Client) Do(ctx context.Context, r Request, log hclog.Logger) (*Response, error) {
	if log == nil {
		log = hclog.NewNullLogger()
	}
	for attempt := 1; ; attempt++ {
		resp, sent, err := c.once(ctx, r, attempt, log)
		if ctx.Err() != nil {
			return nil, &Error{Path: r.Path, Msg: "cancelled: " + context.Cause(ctx).Error(), Attempts: attempt, Err: ctx.Err()}
		}
		retry, wait := c.retryable(r, resp, sent, err)
		if !retry || attempt > c.cfg.MaxRetries {
			if err != nil {
				err.Attempts = attempt
				if attempt > 1 {
					err.Msg += fmt.Sprintf(" (after %d attempts)", attempt)
				}
				return nil, err
			}
			resp.Attempts = attempt
			return resp, nil
		}
		if wait < 0 {
			// Retry-After beyond what we wait for: give the 429 back.
			resp.Attempts = attempt
			return resp, nil
		}
		if wait == 0 {
			wait = c.backoff(attempt)
		}
		log.Debug("retrying vendor call", "path", r.Path, "attempt", attempt, "wait", wait)
		if err := c.sleep(ctx, wait); err != nil {
			return nil, &Error{Path: r.Path, Msg: "cancelled: " + context.Cause(ctx).Error(), Attempts: attempt, Err: err}
		}
	}
}

// retryable decides whether to try again, and how long the vendor asked
// us to wait (0: our backoff; <0: longer than we wait).
func (c *Client) retryable(r Request, resp *Response, sent bool, err *Error) (bool, time.Duration) {
	if err != nil {
		return !r.Mutates || !sent, 0
	}
	switch {
	case resp.Status == http.StatusTooManyRequests:
		return true, c.retryAfter(resp.Header.Get("Retry-After"))
	case resp.Status >= 500 && !r.Mutates:
		if r.Permanent != nil && r.Permanent(resp.Status, resp.Body) {
			return false, 0
		}
		return true, c.retryAfter(resp.Header.Get("Retry-After"))
	}
	return false, 0
}

// retryAfter reads a Retry-After value: seconds or an HTTP date.
func (c *Client) retryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.Atoi(v); err == nil {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = time.Until(t)
	} else {
		return 0
	}
	if d <= 0 {
		return time.Millisecond
	}
	if d > c.cfg.MaxRetryAfter {
		return -1
	}
	return d
}

func (c *Client) backoff(attempt int) time.Duration {
	d := c.cfg.Backoff << min(attempt-1, 20)
	if d > c.cfg.MaxBackoff || d <= 0 {
		d = c.cfg.MaxBackoff
	}
	// Full jitter, never below half the step.
	return d/2 + rand.N(d/2+1)
}

// once sends one attempt. sent tells whether the request reached the wire.
func (c *Client) once(ctx context.Context, r Request, attempt int, log hclog.Logger) (*Response, bool, *Error) {
	if c.sem != nil {
		select {
		case c.sem <- struct{}{}:
			defer func() { <-c.sem }()
		case <-ctx.Done():
			return nil, false, &Error{Path: r.Path, Msg: "cancelled while waiting for a connection slot", Err: ctx.Err()}
		}
	}
	if c.limiter != nil {
		if err := c.limiter.Wait(ctx); err != nil {
			return nil, false, &Error{Path: r.Path, Msg: "cancelled while waiting for the rate limit", Err: err}
		}
	}
	actx, cancel := ctx, context.CancelFunc(func() {})
	if c.cfg.Timeout > 0 {
		actx, cancel = context.WithTimeout(ctx, c.cfg.Timeout)
	}
	defer cancel()
	sent := false
	trace := &httptrace.ClientTrace{WroteHeaders: func() { sent = true }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(actx, trace), r.Method, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return nil, false, &Error{Path: r.Path, Msg: "build request for " + r.Path + ": " + strings.ReplaceAll(err.Error(), r.URL, r.Path), Err: err}
	}
	for k, v := range r.Header {
		req.Header[k] = append([]string(nil), v...)
	}
	if r.Sign != nil {
		if err := r.Sign(req.Header); err != nil {
			return nil, false, &Error{Path: r.Path, Msg: "sign request: " + err.Error(), Err: err}
		}
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		e := c.transportError(ctx, actx, r.Path, err)
		log.Debug("vendor call", "method", r.Method, "path", r.Path, "attempt", attempt, "status", 0, "duration", time.Since(start), "error", e.Msg)
		return nil, sent, e
	}
	defer resp.Body.Close()
	limit := r.MaxBody
	if limit <= 0 {
		limit = c.cfg.MaxBody
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	log.Debug("vendor call", "method", r.Method, "path", r.Path, "attempt", attempt, "status", resp.StatusCode, "duration", time.Since(start))
	if err != nil {
		e := c.transportError(ctx, actx, r.Path, err)
		e.Msg = "read reply: " + e.Msg
		return nil, true, e
	}
	if int64(len(body)) > limit {
		return nil, true, &Error{Path: r.Path, Msg: fmt.Sprintf("reply from %s is larger than %d bytes", r.Path, limit)}
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: body}, true, nil
}

// transportError describes a failure without a reply, naming only the path.
func (c *Client) transportError(parent, attempt context.Context, path string, err error) *Error {
	e := &Error{Path: path, Err: err}
	var ne net.Error
	switch {
	case parent.Err() == nil && attempt.Err() != nil && errors.Is(err, context.DeadlineExceeded):
		e.Timeout = true
		e.Msg = fmt.Sprintf("%s: timed out after %s", path, c.cfg.Timeout)
	case errors.As(err, &ne) && ne.Timeout():
		e.Timeout = true
		e.Msg = path + ": timed out"
	default:
		msg := err.Error()
		var ue interface{ Unwrap() error }
		if errors.As(err, &ue) {
			if inner := ue.Unwrap(); inner != nil {
				msg = inner.Error()
			}
		}
		e.Msg = path + ": " + msg
	}
	return e
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
