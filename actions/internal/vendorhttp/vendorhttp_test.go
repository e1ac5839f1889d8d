package vendorhttp

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/playbook-sh/playbook/actions"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// server answers with the statuses in order, then 200.
func server(t *testing.T, statuses ...int) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if i < len(statuses) {
			if statuses[i] == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", "0")
			}
			w.WriteHeader(statuses[i])
			w.Write([]byte(`{"reply":{"err_code":1}}`))
			return
		}
		w.Write([]byte(`{"reply":true}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func client(cfg Config) *Client {
	cfg.Backoff, cfg.MaxBackoff = time.Millisecond, 2*time.Millisecond
	return New(cfg)
}

func TestRetryRule(t *testing.T) {
	cases := []struct {
		name         string
		statuses     []int
		mutates      bool
		permanent    bool
		wantStatus   int
		wantAttempts int
	}{
		{"read retried after 5xx", []int{503, 500}, false, false, 200, 3},
		{"read retried after 429", []int{429}, false, false, 200, 2},
		{"write not retried after 5xx", []int{503}, true, false, 503, 1},
		{"write retried after 429", []int{429, 429}, true, false, 200, 3},
		{"4xx never retried", []int{400}, false, false, 400, 1},
		{"permanent 500 not retried", []int{500}, false, true, 500, 1},
		{"retries bounded", []int{503, 503, 503, 503, 503}, false, false, 503, 4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, n := server(t, tc.statuses...)
			c := client(Config{MaxRetries: 3})
			defer c.CloseIdleConnections()
			r := Request{Method: "POST", URL: srv.URL + "/x", Path: "/x", Mutates: tc.mutates}
			if tc.permanent {
				r.Permanent = func(int, []byte) bool { return true }
			}
			resp, err := c.Do(context.Background(), r, nil)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != tc.wantStatus || resp.Attempts != tc.wantAttempts || int(n.Load()) != tc.wantAttempts {
				t.Errorf("status %d after %d attempts (%d calls), want %d after %d", resp.Status, resp.Attempts, n.Load(), tc.wantStatus, tc.wantAttempts)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	var n atomic.Int32
	var first time.Time
	var gap time.Duration
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			first = time.Now()
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		gap = time.Since(first)
	}))
	defer srv.Close()
	c := client(Config{MaxRetries: 2})
	defer c.CloseIdleConnections()
	resp, err := c.Do(context.Background(), Request{Method: "POST", URL: srv.URL, Path: "/", Mutates: true}, nil)
	if err != nil || resp.Status != 200 {
		t.Fatalf("Do = %v, %v", resp, err)
	}
	if gap < 900*time.Millisecond {
		t.Errorf("retried %v after a Retry-After of 1s", gap)
	}

	// A Retry-After beyond MaxRetryAfter gives the 429 back at once.
	srv2 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv2.Close()
	c2 := client(Config{MaxRetries: 3, MaxRetryAfter: time.Second})
	defer c2.CloseIdleConnections()
	resp, err = c2.Do(context.Background(), Request{Method: "POST", URL: srv2.URL, Path: "/"}, nil)
	if err != nil || resp.Status != 429 || resp.Attempts != 1 {
		t.Errorf("long Retry-After: %+v, %v", resp, err)
	}
}

func TestNeverSentIsRetriedForWrites(t *testing.T) {
	// A port nobody listens on: the request is never written.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := client(Config{MaxRetries: 2})
	defer c.CloseIdleConnections()
	_, err = c.Do(context.Background(), Request{Method: "POST", URL: "http://" + addr + "/x?token=SECRET", Path: "/x", Mutates: true}, nil)
	e, ok := err.(*Error)
	if !ok || e.Attempts != 3 {
		t.Fatalf("Do error = %#v, want an *Error after 3 attempts", err)
	}
	if strings.Contains(e.Error(), "SECRET") || strings.Contains(e.Error(), "token") {
		t.Errorf("error quotes the URL: %v", e)
	}
}

func TestResetAfterSendNotRetriedForWrites(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
	}))
	defer srv.Close()
	c := client(Config{MaxRetries: 3})
	defer c.CloseIdleConnections()
	if _, err := c.Do(context.Background(), Request{Method: "POST", URL: srv.URL, Path: "/isolate", Mutates: true, Body: []byte("{}")}, nil); err == nil {
		t.Fatal("want an error")
	}
	if got := n.Load(); got != 1 {
		t.Errorf("a write reset after sending was sent %d times, want 1", got)
	}
	n.Store(0)
	c.Do(context.Background(), Request{Method: "POST", URL: srv.URL, Path: "/get"}, nil)
	if got := n.Load(); got != 4 {
		t.Errorf("a read reset was sent %d times, want 4", got)
	}
}

func TestTimeout(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	c := client(Config{Timeout: 50 * time.Millisecond, MaxRetries: 1})
	defer c.CloseIdleConnections()
	_, err := c.Do(context.Background(), Request{Method: "POST", URL: srv.URL, Path: "/slow"}, nil)
	e, ok := err.(*Error)
	if !ok || !e.Timeout || e.Error() != "/slow: timed out after 50ms (after 2 attempts)" {
		t.Fatalf("error = %v", err)
	}
}

func TestNoRedirect(t *testing.T) {
	var hits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL, http.StatusFound)
	}))
	defer srv.Close()
	c := client(Config{})
	defer c.CloseIdleConnections()
	resp, err := c.Do(context.Background(), Request{Method: "GET", URL: srv.URL, Path: "/", Sign: func(h http.Header) error {
		h.Set("Authorization", "k")
		return nil
	}}, nil)
	if err != nil || resp.Status != http.StatusFound || hits.Load() != 0 {
		t.Errorf("redirect followed: %+v %v hits=%d", resp, err, hits.Load())
	}
}

func TestBodyCap(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("x", 100)))
	}))
	defer srv.Close()
	c := client(Config{MaxBody: 10})
	defer c.CloseIdleConnections()
	if _, err := c.Do(context.Background(), Request{Method: "GET", URL: srv.URL, Path: "/big"}, nil); err == nil || !strings.Contains(err.Error(), "larger than 10 bytes") {
		t.Errorf("error = %v", err)
	}
}

func TestConcurrencyAndRate(t *testing.T) {
	var inFlight, peak atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
		inFlight.Add(-1)
	}))
	defer srv.Close()
	c := client(Config{Concurrency: 2})
	defer c.CloseIdleConnections()
	done := make(chan struct{})
	for range 10 {
		go func() {
			c.Do(context.Background(), Request{Method: "GET", URL: srv.URL, Path: "/"}, nil)
			done <- struct{}{}
		}()
	}
	for range 10 {
		<-done
	}
	if p := peak.Load(); p > 2 {
		t.Errorf("%d requests in flight, want at most 2", p)
	}

	r := client(Config{RateLimit: 20})
	defer r.CloseIdleConnections()
	start := time.Now()
	for range 30 {
		r.Do(context.Background(), Request{Method: "GET", URL: srv.URL, Path: "/"}, nil)
	}
	// A burst of 20, then 10 more at 20/s: at least about 0.5s.
	if d := time.Since(start); d < 400*time.Millisecond {
		t.Errorf("30 requests at 20/s took %v", d)
	}
}

func TestConfigFrom(t *testing.T) {
	cfg, err := ConfigFrom(&actions.Connection{Settings: map[string]string{"timeout": "5s", "max_retries": "1", "rate_limit": "2.5", "concurrency": "4"}})
	if err != nil || cfg.Timeout != 5*time.Second || cfg.MaxRetries != 1 || cfg.RateLimit != 2.5 || cfg.Concurrency != 4 {
		t.Errorf("ConfigFrom = %+v, %v", cfg, err)
	}
	cfg, err = ConfigFrom(&actions.Connection{})
	if err != nil || cfg.Timeout != 30*time.Second || cfg.MaxRetries != 3 {
		t.Errorf("defaults = %+v, %v", cfg, err)
	}
	if _, err := ConfigFrom(&actions.Connection{Settings: map[string]string{"max_retries": "-1"}}); err == nil {
		t.Error("negative max_retries accepted")
	}
}

// TestKeepAlive checks that sequential calls over a client reuse one TCP
// connection.
func TestKeepAlive(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"reply":true}`))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c := client(Config{})
	defer c.CloseIdleConnections()
	for range 20 {
		if _, err := c.Do(context.Background(), Request{Method: "POST", URL: srv.URL, Path: "/", Body: []byte("{}")}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("20 sequential calls opened %d connections, want 1", n)
	}
}
