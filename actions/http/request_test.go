package http

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/go-hclog"
	"go.uber.org/goleak"

	"github.com/playbook-sh/playbook/actions"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// seen is what a test server saw of one request.
type seen struct {
	Method, Path, RawQuery, ContentType, Body string
	Query                                     map[string][]string
	Header                                    http.Header
}

// server starts a test server that records each request and answers with
// h; the server and its client's connections close with the test.
func server(t *testing.T, h http.HandlerFunc) (*httptest.Server, func() []seen) {
	t.Helper()
	var (
		mu  sync.Mutex
		got []seen
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, seen{
			Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Query: r.URL.Query(),
			ContentType: r.Header.Get("Content-Type"), Body: string(body), Header: r.Header.Clone(),
		})
		mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []seen {
		mu.Lock()
		defer mu.Unlock()
		return append([]seen(nil), got...)
	}
}

// call runs http.request through srv's client with inputs coerced as the
// engine coerces them.
func call(t *testing.T, ctx context.Context, srv *httptest.Server, with map[string]any) actions.Envelope {
	t.Helper()
	cmd := New(srv.Client())
	return runCmd(t, ctx, cmd, with, hclog.NewNullLogger())
}

func runCmd(t *testing.T, ctx context.Context, cmd actions.Command, with map[string]any, log hclog.Logger) actions.Envelope {
	t.Helper()
	in, err := cmd.Spec().CoerceInputs(with)
	if err != nil {
		t.Fatalf("CoerceInputs(%v) error = %v", with, err)
	}
	return cmd.Run(ctx, actions.Request{Task: "t", Inputs: in, Logger: log})
}

func reply(status int, contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

var ignoreCause = cmpopts.IgnoreFields(actions.Error{}, "Err")

func TestRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		handler http.HandlerFunc
		with    map[string]any // "url" is the server's URL plus with["url"]
		code    int
		want    actions.Envelope
		check   func(t *testing.T, s seen)
	}{
		{
			name:    "get with query",
			handler: reply(200, "application/json", `{"ok": true, "n": 3}`),
			code:    200,
			with: map[string]any{"url": "/v1/items?keep=1", "query": map[string]any{
				"tag": []any{"a", "b"}, "limit": 10, "all": true, "ratio": 0.5,
			}},
			want: actions.Envelope{ReturnData: actions.Successful, RawData: map[string]any{"ok": true, "n": int64(3)}},
			check: func(t *testing.T, s seen) {
				want := map[string][]string{"keep": {"1"}, "tag": {"a", "b"}, "limit": {"10"}, "all": {"true"}, "ratio": {"0.5"}}
				if diff := cmp.Diff(want, s.Query); diff != "" {
					t.Errorf("query mismatch (-want +got):\n%s", diff)
				}
				if got, want := s.Method, "GET"; got != want {
					t.Errorf("method = %q, want %q", got, want)
				}
			},
		},
		{
			name:    "post json",
			handler: reply(201, "application/json", `{"id": "x1"}`),
			code:    201,
			with: map[string]any{"url": "/hooks", "method": "post", "json": map[string]any{
				"incident": "42", "hosts": []any{"h1"}, "token": actions.NewSecret("in-body"),
			}},
			want: actions.Envelope{ReturnData: actions.Successful, RawData: map[string]any{"id": "x1"}},
			check: func(t *testing.T, s seen) {
				if got, want := s.Method, "POST"; got != want {
					t.Errorf("method = %q, want %q", got, want)
				}
				if got, want := s.ContentType, "application/json"; got != want {
					t.Errorf("Content-Type = %q, want %q", got, want)
				}
				var body map[string]any
				if err := json.Unmarshal([]byte(s.Body), &body); err != nil {
					t.Fatalf("body %q: %v", s.Body, err)
				}
				want := map[string]any{"incident": "42", "hosts": []any{"h1"}, "token": "in-body"}
				if diff := cmp.Diff(want, body); diff != "" {
					t.Errorf("body mismatch (-want +got):\n%s", diff)
				}
			},
		},
		{
			name:    "body passthrough",
			handler: reply(200, "text/plain", "ok"),
			code:    200,
			with: map[string]any{"url": "/raw", "method": "PUT", "body": "a=1&b=2",
				"headers": map[string]any{"Content-Type": "application/x-www-form-urlencoded"}},
			want: actions.Envelope{ReturnData: actions.Successful, RawData: "ok"},
			check: func(t *testing.T, s seen) {
				if got, want := s.Body, "a=1&b=2"; got != want {
					t.Errorf("body = %q, want %q", got, want)
				}
				if got, want := s.ContentType, "application/x-www-form-urlencoded"; got != want {
					t.Errorf("Content-Type = %q, want %q", got, want)
				}
			},
		},
		{
			name:    "headers",
			handler: reply(204, "", ""),
			code:    204,
			with: map[string]any{"url": "/h", "method": "DELETE", "headers": map[string]any{
				"Authorization": actions.NewSecret("Bearer t0ken-value"), "X-Trace": "abc", "X-Count": 3,
			}},
			want: actions.Envelope{ReturnData: actions.Successful},
			check: func(t *testing.T, s seen) {
				for k, want := range map[string]string{"Authorization": "Bearer t0ken-value", "X-Trace": "abc", "X-Count": "3"} {
					if got := s.Header.Get(k); got != want {
						t.Errorf("header %s = %q, want %q", k, got, want)
					}
				}
			},
		},
		{
			name:    "404 with json message",
			handler: reply(404, "application/json", `{"message": "Endpoint IDs Not Found."}`),
			code:    404,
			with:    map[string]any{"url": "/missing"},
			want: actions.Envelope{ReturnData: actions.Failed, RawData: map[string]any{"message": "Endpoint IDs Not Found."},
				Error: &actions.Error{FailureIndicator: "HTTP Request failed.", StatusCode: 404, Message: "Endpoint IDs Not Found."}},
		},
		{
			name:    "400 with nested error",
			handler: reply(400, "application/json", `{"error": {"code": 7, "message": "bad filter"}}`),
			code:    400,
			with:    map[string]any{"url": "/bad"},
			want: actions.Envelope{ReturnData: actions.Failed,
				RawData: map[string]any{"error": map[string]any{"code": int64(7), "message": "bad filter"}},
				Error:   &actions.Error{FailureIndicator: "HTTP Request failed.", StatusCode: 400, Message: "bad filter"}},
		},
		{
			name:    "401 oauth error",
			handler: reply(401, "application/json", `{"error_description": "token expired"}`),
			code:    401,
			with:    map[string]any{"url": "/auth"},
			want: actions.Envelope{ReturnData: actions.Failed, RawData: map[string]any{"error_description": "token expired"},
				Error: &actions.Error{FailureIndicator: "HTTP Request failed.", StatusCode: 401, Message: "token expired"}},
		},
		{
			name:    "500 with text body",
			handler: reply(500, "text/plain", "  upstream exploded\n"),
			code:    500,
			with:    map[string]any{"url": "/boom"},
			want: actions.Envelope{ReturnData: actions.Failed, RawData: "  upstream exploded\n",
				Error: &actions.Error{FailureIndicator: "HTTP Request failed.", StatusCode: 500, Message: "upstream exploded"}},
		},
		{
			name:    "502 with long body",
			handler: reply(502, "text/html", strings.Repeat("x", 600)),
			code:    502,
			with:    map[string]any{"url": "/long"},
			want: actions.Envelope{ReturnData: actions.Failed, RawData: strings.Repeat("x", 600),
				Error: &actions.Error{FailureIndicator: "HTTP Request failed.", StatusCode: 502, Message: strings.Repeat("x", 500) + "..."}},
		},
		{
			name:    "503 with empty body",
			handler: reply(503, "", ""),
			code:    503,
			with:    map[string]any{"url": "/down"},
			want: actions.Envelope{ReturnData: actions.Failed,
				Error: &actions.Error{FailureIndicator: "HTTP Request failed.", StatusCode: 503, Message: "Service Unavailable"}},
		},
		{
			name:    "non-json 200",
			handler: reply(200, "text/html", "<p>hi</p>"),
			code:    200,
			with:    map[string]any{"url": "/page"},
			want:    actions.Envelope{ReturnData: actions.Successful, RawData: "<p>hi</p>"},
		},
		{
			name:    "json without content type",
			handler: reply(200, "text/plain", `[1, 2]`),
			code:    200,
			with:    map[string]any{"url": "/list"},
			want:    actions.Envelope{ReturnData: actions.Successful, RawData: []any{int64(1), int64(2)}},
		},
		{
			name:    "empty 200",
			handler: reply(200, "application/json", ""),
			code:    200,
			with:    map[string]any{"url": "/empty"},
			want:    actions.Envelope{ReturnData: actions.Successful},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, requests := server(t, tc.handler)
			with := map[string]any{}
			for k, v := range tc.with {
				with[k] = v
			}
			with["url"] = srv.URL + tc.with["url"].(string)
			got := call(t, t.Context(), srv, with)

			path, _, _ := strings.Cut(tc.with["url"].(string), "?")
			tc.want.KeyFields = map[string][]any{"StatusCodes": {int64(tc.code)}}
			tc.want.Result = "<table><tr><th>Status Code</th><td>" + strconv.Itoa(tc.code) +
				"</td></tr><tr><th>URL</th><td>" + srv.URL + path + "</td></tr></table>"
			if diff := cmp.Diff(tc.want, got, ignoreCause); diff != "" {
				t.Errorf("http.request mismatch (-want +got):\n%s", diff)
			}
			reqs := requests()
			if len(reqs) != 1 {
				t.Fatalf("server saw %d requests, want 1", len(reqs))
			}
			if tc.check != nil {
				tc.check(t, reqs[0])
			}
		})
	}
}

func TestRequestOversizeBody(t *testing.T) {
	t.Parallel()
	srv, _ := server(t, reply(200, "application/json", `{"a": "0123456789"}`))
	cmd := New(srv.Client()).(*command)
	cmd.maxBody = 16
	got := runCmd(t, t.Context(), cmd, map[string]any{"url": srv.URL}, nil)
	want := &actions.Error{FailureIndicator: "HTTP Request failed.", StatusCode: 200, Message: "response body exceeds 16 bytes"}
	if diff := cmp.Diff(want, got.Error, ignoreCause); diff != "" {
		t.Errorf("Error mismatch (-want +got):\n%s", diff)
	}
	if got.RawData != nil {
		t.Errorf("RawData = %v, want nil", got.RawData)
	}
	if got, want := size(maxBodySize), "32 MiB"; got != want {
		t.Errorf("size(maxBodySize) = %q, want %q", got, want)
	}
}

func TestRequestTimeout(t *testing.T) {
	t.Parallel()
	srv, _ := server(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	start := time.Now()
	got := call(t, t.Context(), srv, map[string]any{"url": srv.URL + "/slow?token=abc", "timeout": "50ms"})
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("http.request took %v with a 50ms timeout", elapsed)
	}
	if got.ReturnData != actions.Failed || got.Error == nil {
		t.Fatalf("http.request = %+v, want Failed", got)
	}
	if got.Error.StatusCode != 0 {
		t.Errorf("StatusCode = %d, want 0", got.Error.StatusCode)
	}
	if !errors.Is(got.Error, context.DeadlineExceeded) {
		t.Errorf("errors.Is(%v, context.DeadlineExceeded) = false, want true", got.Error.Err)
	}
	want := `Get "` + srv.URL + `/slow": timed out after 50ms`
	if got := got.Error.Message; got != want {
		t.Errorf("Message = %q, want %q", got, want)
	}
	if strings.Contains(got.Error.Err.Error(), "token") {
		t.Errorf("Err %q shows the query", got.Error.Err)
	}
}

func TestRequestCancel(t *testing.T) {
	t.Parallel()
	arrived := make(chan struct{})
	srv, _ := server(t, func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-r.Context().Done()
	})
	ctx, cancel := context.WithCancel(t.Context())
	go func() { // ends once the request arrives or the test's ctx ends
		select {
		case <-arrived:
		case <-ctx.Done():
		}
		cancel()
	}()
	got := call(t, ctx, srv, map[string]any{"url": srv.URL})
	if got.ReturnData != actions.Failed || got.Error == nil {
		t.Fatalf("http.request = %+v, want Failed", got)
	}
	if !errors.Is(got.Error, context.Canceled) {
		t.Errorf("errors.Is(%v, context.Canceled) = false, want true", got.Error.Err)
	}
}

func TestRequestInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		with    map[string]any
		wantMsg string
	}{
		{"ftp url", map[string]any{"url": "ftp://files.example/x?token=SENTINEL"}, "invalid url: the scheme must be http or https"},
		{"no host", map[string]any{"url": "http:///path?token=SENTINEL"}, "invalid url: no host"},
		{"relative", map[string]any{"url": "/path?token=SENTINEL"}, "invalid url: the scheme must be http or https"},
		{"bad syntax", map[string]any{"url": "http://exa mple.com/?token=SENTINEL"}, "invalid url: invalid character \" \" in host name"},
		{"json and body", map[string]any{"url": "https://example.com", "json": map[string]any{}, "body": "x"}, "json and body are exclusive"},
		{"nested query", map[string]any{"url": "https://example.com", "query": map[string]any{"q": map[string]any{}}}, `query "q": values must be strings, numbers, booleans or a list of them`},
		{"list header", map[string]any{"url": "https://example.com", "headers": map[string]any{"X": []any{"a"}}}, `header "X": value must be a string`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := runCmd(t, t.Context(), New(nil), tc.with, nil)
			want := &actions.Error{FailureIndicator: "HTTP Request failed.", StatusCode: 0, Message: tc.wantMsg}
			if diff := cmp.Diff(want, got.Error, ignoreCause); diff != "" {
				t.Errorf("Error mismatch (-want +got):\n%s", diff)
			}
			if got.ReturnData != actions.Failed {
				t.Errorf("ReturnData = %q, want Failed", got.ReturnData)
			}
		})
	}
}

func TestRequestTransportErrorHidesURLSecrets(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	client := srv.Client()
	srv.Close() // nothing listens now
	cmd := New(client)
	var logs bytes.Buffer
	log := hclog.New(&hclog.LoggerOptions{Output: &logs, Level: hclog.Debug})
	u := strings.Replace(addr, "http://", "http://user:PASSWORD1@", 1) + "/p?api_key=SENTINEL1"
	got := runCmd(t, t.Context(), cmd, map[string]any{"url": u, "headers": map[string]any{"X-Api-Key": "SENTINEL2"}}, log)
	if got.ReturnData != actions.Failed || got.Error == nil || got.Error.Err == nil {
		t.Fatalf("http.request = %+v, want Failed with a cause", got)
	}
	if got.Error.StatusCode != 0 {
		t.Errorf("StatusCode = %d, want 0", got.Error.StatusCode)
	}
	for _, text := range []string{got.Error.Message, got.Error.Err.Error(), logs.String()} {
		for _, secret := range []string{"SENTINEL", "PASSWORD1", "api_key"} {
			if strings.Contains(text, secret) {
				t.Errorf("%q shows %s", text, secret)
			}
		}
	}
	if want := `Get "` + addr + `/p": `; !strings.HasPrefix(got.Error.Message, want) {
		t.Errorf("Message = %q, want it to start with %q", got.Error.Message, want)
	}
}

func TestRequestLogsOneDebugLine(t *testing.T) {
	t.Parallel()
	srv, _ := server(t, reply(401, "application/json", `{"message": "bad token SENTINEL9"}`))
	var logs bytes.Buffer
	log := hclog.New(&hclog.LoggerOptions{Output: &logs, Level: hclog.Debug, JSONFormat: true})
	got := runCmd(t, t.Context(), New(srv.Client()), map[string]any{
		"url":     srv.URL + "/api?access_token=SENTINEL8",
		"headers": map[string]any{"Authorization": "Bearer SENTINEL9", "X-Other": actions.NewSecret("SENTINEL7")},
	}, log)
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("logged %d lines, want 1:\n%s", len(lines), logs.String())
	}
	var line map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &line); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"@message": "http request", "method": "GET", "url": srv.URL + "/api", "status": 401.0} {
		if got := line[k]; got != want {
			t.Errorf("log %s = %v, want %v", k, got, want)
		}
	}
	if _, ok := line["duration"]; !ok {
		t.Error("log line has no duration")
	}
	if strings.Contains(logs.String(), "SENTINEL") {
		t.Errorf("log shows a secret: %s", logs.String())
	}
	if got, want := got.Error.Message, "bad token [redacted]"; got != want {
		t.Errorf("Message = %q, want %q", got, want)
	}
}

func TestRequestRedirectDropsCredentialsOnHostChange(t *testing.T) {
	t.Parallel()
	other, otherSeen := server(t, reply(200, "", "other"))
	origin, originSeen := server(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/away" {
			http.Redirect(w, r, other.URL+"/landing", http.StatusFound)
			return
		}
		if r.URL.Path == "/here" {
			http.Redirect(w, r, "/landing", http.StatusFound)
			return
		}
		io.WriteString(w, "origin")
	})
	headers := map[string]any{"X-Api-Key": "k3y-value", "X-Trace": "t1"}
	for _, path := range []string{"/away", "/here"} {
		got := call(t, t.Context(), origin, map[string]any{"url": origin.URL + path, "headers": headers})
		if got.ReturnData != actions.Successful {
			t.Fatalf("http.request %s = %+v, want Successful", path, got)
		}
	}
	landed := otherSeen()
	if len(landed) != 1 {
		t.Fatalf("other server saw %d requests, want 1", len(landed))
	}
	if got := landed[0].Header.Get("X-Api-Key"); got != "" {
		t.Errorf("X-Api-Key reached another host: %q", got)
	}
	if got, want := landed[0].Header.Get("X-Trace"), "t1"; got != want {
		t.Errorf("X-Trace on another host = %q, want %q", got, want)
	}
	reqs := originSeen()
	if got, want := reqs[len(reqs)-1].Header.Get("X-Api-Key"), "k3y-value"; got != want {
		t.Errorf("X-Api-Key after a same-host redirect = %q, want %q", got, want)
	}
}

func TestSpec(t *testing.T) {
	t.Parallel()
	r := actions.NewRegistry()
	Register(r)
	cmd, ok := r.Lookup(RequestName)
	if !ok {
		t.Fatalf("Lookup(%q) found nothing", RequestName)
	}
	s := cmd.Spec()
	if !s.Mutates || s.Local || s.Connection != "" {
		t.Errorf("Spec() Mutates, Local, Connection = %v, %v, %q, want true, false, \"\"", s.Mutates, s.Local, s.Connection)
	}
	if s.Description == "" {
		t.Error("Spec() has no Description")
	}
	for _, in := range s.Inputs {
		if in.Description == "" {
			t.Errorf("input %q has no Description", in.Name)
		}
	}
	if c, ok := cmd.(io.Closer); !ok {
		t.Error("http.request does not implement io.Closer")
	} else if err := c.Close(); err != nil {
		t.Errorf("Close() = %v", err)
	}
}
