package cortexxdr

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/go-hclog"
	"go.uber.org/goleak"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/actions/cortexxdr/fake"
	"github.com/playbook-sh/playbook/actions/internal/vendorhttp"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// Seeded endpoints the tests use, by name.
var (
	epFin     = fake.SeedEndpointID("WS-FIN-0142") // windows, connected
	epHR      = fake.SeedEndpointID("WS-HR-0087")  // windows, connected, isolated
	epWeb     = fake.SeedEndpointID("web-prod-01") // linux, connected
	epOld     = fake.SeedEndpointID("WS-OLD-0007") // uninstalled
	epUnknown = "0123456789abcdef0123456789abcdef" // no such endpoint
)

// syncBuffer is a log destination safe for the concurrent writes of
// per-item commands.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// exchange is one request the tap saw and the reply the fake sent.
type exchange struct {
	path    string
	reqBody []byte
	status  int
	body    []byte // decompressed when the fake gzipped it
}

// tap records every reply of the fake, so that a test can compare Raw
// Data with what the API returned.
type tap struct {
	h  http.Handler
	mu sync.Mutex
	ex []exchange
}

func (t *tap) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	rw := &recWriter{ResponseWriter: w, status: http.StatusOK}
	t.h.ServeHTTP(rw, r)
	out := rw.buf.Bytes()
	if rw.Header().Get("Content-Encoding") == "gzip" {
		if zr, err := gzip.NewReader(bytes.NewReader(out)); err == nil {
			if b, err := io.ReadAll(zr); err == nil {
				out = b
			}
		}
	}
	t.mu.Lock()
	t.ex = append(t.ex, exchange{path: r.URL.Path, reqBody: body, status: rw.status, body: out})
	t.mu.Unlock()
}

func (t *tap) reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ex = nil
}

func (t *tap) exchanges(path string) []exchange {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []exchange
	for _, e := range t.ex {
		if e.path == "/public_api/v1/"+path {
			out = append(out, e)
		}
	}
	return out
}

// recWriter copies what the fake writes. It passes Flush and Hijack
// through, which the fake's stream and fault code need.
type recWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
	buf    bytes.Buffer
}

func (w *recWriter) WriteHeader(status int) {
	if !w.wrote {
		w.status, w.wrote = status, true
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *recWriter) Write(p []byte) (int, error) {
	w.wrote = true
	w.buf.Write(p)
	return w.ResponseWriter.Write(p)
}

func (w *recWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *recWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if hj, ok := w.ResponseWriter.(http.Hijacker); ok {
		return hj.Hijack()
	}
	return nil, nil, errors.New("not a hijacker")
}

// harness is one fake tenant, one integration instance and one
// connection to the tenant, with a Trace logger writing to a buffer.
type harness struct {
	t    *testing.T
	srv  *fake.Server
	ts   *httptest.Server
	tap  *tap
	x    *XDR
	conn *actions.Connection
	log  *syncBuffer
	// secrets are the values that must never show in output.
	secrets []string
}

// newHarness starts the fake with opts and connects to it with the
// advanced key.
func newHarness(t *testing.T, opts ...fake.Option) *harness {
	t.Helper()
	srv := fake.New(opts...)
	tp := &tap{h: srv}
	ts := httptest.NewServer(tp)
	h := &harness{t: t, srv: srv, ts: ts, tap: tp, x: New(), log: &syncBuffer{},
		secrets: []string{fake.AdvancedKey, fake.StandardKey}}
	t.Cleanup(func() {
		h.x.mu.Lock()
		for _, c := range h.x.clients {
			c.http.CloseIdleConnections()
		}
		h.x.mu.Unlock()
		ts.Close()
		for _, s := range h.secrets {
			if strings.Contains(h.log.String(), s) {
				t.Error("the log shows an API key")
			}
		}
	})
	h.conn = h.connection(nil, fake.AdvancedKey)
	return h
}

// connection returns a connection to the fake with the advanced key's
// settings overridden by settings, and installs a client for it with
// short backoffs so that retries take milliseconds.
func (h *harness) connection(settings map[string]string, key string) *actions.Connection {
	h.t.Helper()
	s := map[string]string{
		FieldServerURL:     h.ts.URL,
		FieldAPIKeyID:      fake.AdvancedKeyID,
		FieldSecurityLevel: "advanced",
		FieldVersion:       "v1",
		"timeout":          "5s",
		"max_retries":      "2",
	}
	for k, v := range settings {
		s[k] = v
	}
	conn := &actions.Connection{Name: "xdr", Integration: IntegrationName, Settings: s,
		Secrets: map[string]actions.Secret{FieldAPIKey: actions.NewSecret(key)}}
	c, err := h.x.client(conn)
	if err != nil {
		h.t.Fatalf("client: %v", err)
	}
	cfg, err := vendorhttp.ConfigFrom(conn)
	if err != nil {
		h.t.Fatal(err)
	}
	cfg.Backoff, cfg.MaxBackoff = 5*time.Millisecond, 20*time.Millisecond
	c.http = vendorhttp.New(cfg)
	return conn
}

func (h *harness) command(name string) *command {
	h.t.Helper()
	for _, c := range h.x.Commands() {
		if c.Spec().Name == name {
			return c.(*command)
		}
	}
	h.t.Fatalf("no command %s", name)
	return nil
}

// run runs a command over the harness's connection.
func (h *harness) run(name string, inputs map[string]any) actions.Envelope {
	h.t.Helper()
	return h.runWith(h.conn, name, inputs)
}

// runWith runs a command over conn and checks that no API key shows in
// its envelope.
func (h *harness) runWith(conn *actions.Connection, name string, inputs map[string]any) actions.Envelope {
	h.t.Helper()
	logger := hclog.New(&hclog.LoggerOptions{Output: h.log, Level: hclog.Trace}).With("task", "t1", "command", name)
	env := h.command(name).Run(context.Background(), actions.Request{Task: "t1", Inputs: inputs, Connection: conn, Logger: logger})
	data, err := json.Marshal(env)
	if err != nil {
		h.t.Fatalf("%s: marshal envelope: %v", name, err)
	}
	for _, s := range h.secrets {
		if strings.Contains(string(data), s) {
			h.t.Errorf("%s: the envelope shows an API key: %s", name, strings.ReplaceAll(string(data), s, "<KEY>"))
		}
		if env.Error != nil && strings.Contains(env.Error.Message, s) {
			h.t.Errorf("%s: Error.Message shows an API key: %s", name, strings.ReplaceAll(env.Error.Message, s, "<KEY>"))
		}
	}
	return env
}

// mustRun runs a command that must succeed (fully or partly), for the
// setup of another test.
func (h *harness) mustRun(name string, inputs map[string]any) actions.Envelope {
	h.t.Helper()
	env := h.run(name, inputs)
	if env.ReturnData != actions.Successful && env.ReturnData != actions.PartiallySuccessful {
		h.t.Fatalf("setup %s: %s %+v", name, env.ReturnData, env.Error)
	}
	return env
}

// requests returns the recorded requests to path (below /public_api/v1/,
// exactly as sent).
func (h *harness) requests(path string) []fake.Request {
	var out []fake.Request
	for _, r := range h.srv.Requests() {
		if r.Path == "/public_api/v1/"+path {
			out = append(out, r)
		}
	}
	return out
}

// reset forgets the requests and replies so far.
func (h *harness) reset() {
	h.srv.ResetRequests()
	h.tap.reset()
}

// decode decodes JSON as the commands do (integers as int64).
func decode(t *testing.T, data []byte) any {
	t.Helper()
	v, err := actions.DecodeJSON(data)
	if err != nil {
		t.Fatalf("decode %q: %v", data, err)
	}
	return v
}

// jsonOf is v as JSON-shaped values, the way decode reads it.
func jsonOf(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, b)
}

// ms is the epoch milliseconds of a UTC time.
func ms(y int, mo time.Month, d, h, mi, s int) int64 {
	return time.Date(y, mo, d, h, mi, s, 0, time.UTC).UnixMilli()
}

var nonceRE = regexp.MustCompile(`^[A-Za-z0-9]{64}$`)

// checkAdvancedAuth checks the advanced-key headers of a request: the key
// ID, a 64-character nonce, a millisecond timestamp near now and
// Authorization = lower-hex SHA-256(key + nonce + timestamp).
func checkAdvancedAuth(t *testing.T, r fake.Request, keyID, key string) {
	t.Helper()
	checkCommonHeaders(t, r, keyID)
	nonce, ts := r.Header.Get("x-xdr-nonce"), r.Header.Get("x-xdr-timestamp")
	if !nonceRE.MatchString(nonce) {
		t.Errorf("%s: x-xdr-nonce = %q, want 64 characters of [A-Za-z0-9]", r.Path, nonce)
	}
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		t.Errorf("%s: x-xdr-timestamp = %q, want epoch ms", r.Path, ts)
	} else if d := time.Since(time.UnixMilli(n)); d < -time.Minute || d > time.Minute {
		t.Errorf("%s: x-xdr-timestamp = %s is %v from now, want ms near now", r.Path, ts, d)
	}
	sum := sha256.Sum256([]byte(key + nonce + ts))
	if got, want := r.Header.Get("Authorization"), hex.EncodeToString(sum[:]); got != want {
		t.Errorf("%s: Authorization = %q, want SHA-256(key+nonce+timestamp) %q", r.Path, got, want)
	}
}

// checkStandardAuth checks a standard key's headers: Authorization is the
// key, and no nonce or timestamp.
func checkStandardAuth(t *testing.T, r fake.Request, keyID, key string) {
	t.Helper()
	checkCommonHeaders(t, r, keyID)
	if got := r.Header.Get("Authorization"); got != key {
		t.Errorf("%s: Authorization is not the standard key", r.Path)
	}
	for _, h := range []string{"x-xdr-nonce", "x-xdr-timestamp"} {
		if v, ok := r.Header[http.CanonicalHeaderKey(h)]; ok {
			t.Errorf("%s: standard key request has %s: %v", r.Path, h, v)
		}
	}
}

func checkCommonHeaders(t *testing.T, r fake.Request, keyID string) {
	t.Helper()
	if r.Method != http.MethodPost {
		t.Errorf("%s: method %s, want POST", r.Path, r.Method)
	}
	for h, want := range map[string]string{"Content-Type": "application/json", "Accept": "application/json", "x-xdr-auth-id": keyID} {
		if got := r.Header.Values(h); len(got) != 1 || got[0] != want {
			t.Errorf("%s: %s = %q, want %q", r.Path, h, got, want)
		}
	}
}

// wantReq is a request a command must send: its path below
// /public_api/v1/ and its whole JSON body.
type wantReq struct {
	path string
	body any
}

// checkRequests compares the recorded requests with want, in order, or
// sorted by body when unordered (per-item commands send concurrently).
func checkRequests(t *testing.T, got []fake.Request, want []wantReq, unordered bool) {
	t.Helper()
	type pb struct {
		Path string
		Body any
	}
	var g, w []pb
	for _, r := range got {
		var body any
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Errorf("%s: body %q is not JSON: %v", r.Path, r.Body, err)
		}
		g = append(g, pb{r.Path, body})
	}
	for _, r := range want {
		b, err := json.Marshal(r.body)
		if err != nil {
			t.Fatal(err)
		}
		var body any
		_ = json.Unmarshal(b, &body)
		w = append(w, pb{"/public_api/v1/" + r.path, body})
	}
	if unordered {
		key := func(p pb) string { b, _ := json.Marshal(p); return string(b) }
		sort.Slice(g, func(i, j int) bool { return key(g[i]) < key(g[j]) })
		sort.Slice(w, func(i, j int) bool { return key(w[i]) < key(w[j]) })
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("requests mismatch (-want +got):\n%s", diff)
	}
}

// checkError checks a failed or partly failed envelope's Error.
func checkError(t *testing.T, env actions.Envelope, rd actions.ReturnData, indicator string, status int, msg string) {
	t.Helper()
	if env.ReturnData != rd {
		t.Errorf("ReturnData = %q, want %q (error %+v)", env.ReturnData, rd, env.Error)
	}
	if env.Error == nil {
		t.Fatalf("Error = nil, want %s %d %q", indicator, status, msg)
	}
	if env.Error.FailureIndicator != indicator {
		t.Errorf("FailureIndicator = %q, want %q", env.Error.FailureIndicator, indicator)
	}
	if env.Error.StatusCode != status {
		t.Errorf("StatusCode = %d, want %d (message %q)", env.Error.StatusCode, status, env.Error.Message)
	}
	if env.Error.Message != msg {
		t.Errorf("Message = %q, want %q", env.Error.Message, msg)
	}
}

// seedSHA256 is the SHA-256 the fake seeds for a file name: the hex
// SHA-256 of "file", NUL, name.
func seedSHA256(name string) string {
	sum := sha256.Sum256([]byte("file\x00" + name))
	return hex.EncodeToString(sum[:])
}
