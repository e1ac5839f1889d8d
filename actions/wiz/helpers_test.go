package wiz

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/go-hclog"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"go.uber.org/goleak"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/actions/internal/vendorhttp"
	"github.com/playbook-sh/playbook/actions/wiz/fake"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// t0 is the time every harness starts at, on whole seconds so that the
// default window's bounds are exact in Wiz's millisecond form.
var t0 = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// clock is a settable clock shared by the fake and the client, so that
// the seed's anchor, the default window and token expiry agree.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

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
	body    []byte
}

// tap records every reply of the server it wraps, so that a test can
// compare Raw Data with what the API returned and learn the tokens it
// issued.
type tap struct {
	h        http.Handler
	off      atomic.Bool // set: pass requests through unrecorded (benchmarks)
	inflight atomic.Int32
	mu       sync.Mutex
	ex       []exchange
}

func (t *tap) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if t.off.Load() {
		t.h.ServeHTTP(w, r)
		return
	}
	t.inflight.Add(1)
	defer t.inflight.Add(-1)
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	rw := &recWriter{ResponseWriter: w, status: http.StatusOK}
	t.h.ServeHTTP(rw, r)
	t.mu.Lock()
	t.ex = append(t.ex, exchange{path: r.URL.Path, reqBody: body, status: rw.status, body: rw.buf.Bytes()})
	t.mu.Unlock()
}

// exchanges returns the exchanges on path, in order. A client may read a
// whole reply before the handler that sent it returns, so it first waits
// (briefly) for the handlers still running to record theirs.
func (t *tap) exchanges(path string) []exchange {
	for deadline := time.Now().Add(5 * time.Second); t.inflight.Load() > 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []exchange
	for _, e := range t.ex {
		if e.path == path {
			out = append(out, e)
		}
	}
	return out
}

func (t *tap) reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ex = nil
}

// recWriter copies what the fake writes. It passes Flush and Hijack
// through, which the fake's fault code needs.
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

// The paths the client calls on the fake.
const (
	tokenPath = "/oauth/token"
	gqlPath   = "/graphql"
)

// harness is one fake tenant on a fixed clock, one integration instance
// and one connection to the tenant, with a Trace logger writing to a
// buffer.
type harness struct {
	t    testing.TB
	clk  *clock
	srv  *fake.Server
	ts   *httptest.Server
	tap  *tap
	w    *Wiz
	conn *actions.Connection
	log  *syncBuffer
	// secrets are the values besides the access tokens that must never
	// show in output.
	secrets []string
}

// newHarness starts the fake on the harness clock (opts may override it)
// and connects to it with the default service account.
func newHarness(t testing.TB, opts ...fake.Option) *harness {
	t.Helper()
	clk := &clock{now: t0}
	srv := fake.New(append([]fake.Option{fake.WithClock(clk.Now)}, opts...)...)
	return newHarnessFor(t, clk, srv, srv)
}

// newHarnessFor serves handler (srv may be nil for a handler that is not
// the fake) and connects to it.
func newHarnessFor(t testing.TB, clk *clock, srv *fake.Server, handler http.Handler) *harness {
	t.Helper()
	tp := &tap{h: handler}
	ts := httptest.NewServer(tp)
	h := &harness{t: t, clk: clk, srv: srv, ts: ts, tap: tp, w: New(), log: &syncBuffer{},
		secrets: []string{fake.ClientID, fake.ClientSecret}}
	t.Cleanup(func() {
		h.w.mu.Lock()
		for _, c := range h.w.clients {
			c.http.CloseIdleConnections()
		}
		h.w.mu.Unlock()
		ts.Close()
		logs := h.log.String()
		for _, s := range h.allSecrets() {
			if strings.Contains(logs, s) {
				t.Errorf("the log shows a credential or token: %s", strings.ReplaceAll(logs, s, "<SECRET>"))
			}
		}
	})
	h.conn = h.connection(nil, fake.ClientID, fake.ClientSecret)
	return h
}

// connection returns a connection to the server with settings
// overriding the defaults, and installs its client with short backoffs
// (so that retries take milliseconds) and the harness clock.
func (h *harness) connection(settings map[string]string, id, secret string) *actions.Connection {
	h.t.Helper()
	conn := h.rawConnection(settings, id, secret)
	c, err := h.w.client(conn)
	if err != nil {
		h.t.Fatalf("client: %v", err)
	}
	cfg, err := vendorhttp.ConfigFrom(conn)
	if err != nil {
		h.t.Fatal(err)
	}
	cfg.Backoff, cfg.MaxBackoff = 5*time.Millisecond, 20*time.Millisecond
	c.http = vendorhttp.New(cfg)
	c.now = h.clk.Now
	return conn
}

// rawConnection is a connection that installs no client.
func (h *harness) rawConnection(settings map[string]string, id, secret string) *actions.Connection {
	s := map[string]string{
		FieldAPIEndpointURL: h.ts.URL,
		FieldTokenURL:       h.ts.URL + tokenPath,
		"timeout":           "5s",
		"max_retries":       "2",
	}
	for k, v := range settings {
		s[k] = v
	}
	return &actions.Connection{Name: "wiz", Integration: IntegrationName, Settings: s,
		Secrets: map[string]actions.Secret{FieldClientID: actions.NewSecret(id), FieldClientSecret: actions.NewSecret(secret)}}
}

func (h *harness) command(name string) *command {
	h.t.Helper()
	for _, c := range h.w.Commands() {
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

// runWith runs a command over conn and checks that no credential or
// access token shows in its envelope, its error or the error's cause.
func (h *harness) runWith(conn *actions.Connection, name string, inputs map[string]any) actions.Envelope {
	h.t.Helper()
	logger := hclog.New(&hclog.LoggerOptions{Output: h.log, Level: hclog.Trace}).With("task", "t1", "command", name)
	env := h.command(name).Run(h.t.Context(), actions.Request{Task: "t1", Inputs: inputs, Connection: conn, Logger: logger})
	h.checkNoSecret(name, env)
	return env
}

func (h *harness) checkNoSecret(name string, env actions.Envelope) {
	h.t.Helper()
	data, err := json.Marshal(env)
	if err != nil {
		h.t.Fatalf("%s: marshal envelope: %v", name, err)
	}
	var texts []string
	if env.Error != nil {
		texts = append(texts, env.Error.Message, env.Error.Error())
		if env.Error.Err != nil {
			texts = append(texts, env.Error.Err.Error())
		}
	}
	for _, s := range h.allSecrets() {
		if strings.Contains(string(data), s) {
			h.t.Errorf("%s: the envelope shows a credential or token: %s", name, strings.ReplaceAll(string(data), s, "<SECRET>"))
		}
		for _, m := range texts {
			if strings.Contains(m, s) {
				h.t.Errorf("%s: the error shows a credential or token: %s", name, strings.ReplaceAll(m, s, "<SECRET>"))
			}
		}
	}
}

// allSecrets is the credentials and every access token the server
// issued so far, each also by its first and last 40 characters, so that
// a value cut short in a message still counts as shown.
func (h *harness) allSecrets() []string {
	var out []string
	for _, s := range append(append([]string(nil), h.secrets...), h.tokens()...) {
		out = append(out, s)
		if len(s) > 40 {
			out = append(out, s[:40], s[len(s)-40:])
		}
	}
	return out
}

// tokens returns the access tokens the token endpoint sent, in order.
func (h *harness) tokens() []string {
	var out []string
	for _, ex := range h.tap.exchanges(tokenPath) {
		var r struct {
			AccessToken string `json:"access_token"`
		}
		if ex.status == http.StatusOK && json.Unmarshal(ex.body, &r) == nil && r.AccessToken != "" {
			out = append(out, r.AccessToken)
		}
	}
	return out
}

// requests returns the recorded requests to path.
func (h *harness) requests(path string) []fake.Request {
	var out []fake.Request
	for _, r := range h.srv.Requests() {
		if r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// reset forgets the requests and replies so far (tokens stay known).
func (h *harness) reset() {
	h.srv.ResetRequests()
	h.tap.mu.Lock()
	defer h.tap.mu.Unlock()
	var keep []exchange
	for _, e := range h.tap.ex {
		if e.path == tokenPath {
			keep = append(keep, e)
		}
	}
	h.tap.ex = keep
}

// replies returns the decoded GraphQL replies, in order.
func (h *harness) replies() []any {
	h.t.Helper()
	var out []any
	for _, ex := range h.tap.exchanges(gqlPath) {
		out = append(out, decode(h.t, ex.body))
	}
	return out
}

// decode decodes JSON as the commands do (integers as int64).
func decode(t testing.TB, data []byte) any {
	t.Helper()
	v, err := actions.DecodeJSON(data)
	if err != nil {
		t.Fatalf("decode %q: %v", data, err)
	}
	return v
}

// plain is v as encoding/json decodes it into any (numbers float64), the
// form of fake.Request.Variables.
func plain(t testing.TB, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkTokenRequest checks a login: a form post of the client
// credentials grant with the audience and the credentials.
func checkTokenRequest(t testing.TB, r fake.Request, id, secret string) {
	t.Helper()
	checkTokenForm(t, r, "wiz-api", id, secret)
}

// checkTokenForm checks a login with the given audience.
func checkTokenForm(t testing.TB, r fake.Request, audience, id, secret string) {
	t.Helper()
	if r.Method != http.MethodPost || r.Path != tokenPath {
		t.Errorf("token request %s %s, want POST %s", r.Method, r.Path, tokenPath)
	}
	if got := r.Header.Get("Content-Type"); got != "application/x-www-form-urlencoded" {
		t.Errorf("token request Content-Type = %q, want application/x-www-form-urlencoded", got)
	}
	form, err := url.ParseQuery(string(r.Body))
	if err != nil {
		t.Fatalf("token request body is not a form: %v", err)
	}
	want := url.Values{"grant_type": {"client_credentials"}, "audience": {audience},
		"client_id": {id}, "client_secret": {secret}}
	if diff := cmp.Diff(want, form); diff != "" {
		t.Errorf("token request form mismatch (-want +got):\n%s", strings.ReplaceAll(diff, secret, "<SECRET>"))
	}
}

// gqlWant is a GraphQL request a command must send: the operation type,
// the root field with its alias, and the exact variables.
type gqlWant struct {
	op    ast.Operation // ast.Query or ast.Mutation
	root  string
	alias string // "" when the field is not aliased
	vars  map[string]any
}

// checkGraphQL checks one GraphQL request: POST /graphql, JSON, the
// bearer token the token endpoint issued, a body of exactly query and
// variables, a document with one operation selecting want's root field,
// and want's variables.
func checkGraphQL(t testing.TB, r fake.Request, token string, want gqlWant) {
	t.Helper()
	if r.Method != http.MethodPost || r.Path != gqlPath {
		t.Errorf("request %s %s, want POST %s", r.Method, r.Path, gqlPath)
	}
	if got := r.Header.Values("Content-Type"); len(got) != 1 || got[0] != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", got)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+token {
		t.Errorf("Authorization is not Bearer and the issued token (%d characters, want %d)", len(got), len("Bearer "+token))
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatalf("body %s is not a JSON object: %v", r.Body, err)
	}
	var keys []string
	for k := range body {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if got := strings.Join(keys, ","); got != "query,variables" {
		t.Errorf("body keys = %s, want query,variables", got)
	}
	op, root := parseOperation(t, r.Query)
	if op == nil {
		return
	}
	if op.Operation != want.op || root.Name != want.root || root.Alias != want.alias && !(want.alias == "" && root.Alias == root.Name) {
		t.Errorf("document runs %s %s: %s, want %s %s: %s", op.Operation, root.Alias, root.Name, want.op, want.alias, want.root)
	}
	if diff := cmp.Diff(plain(t, want.vars), plain(t, r.Variables)); diff != "" {
		t.Errorf("%s variables mismatch (-want +got):\n%s", want.root, diff)
	}
}

// parseOperation parses a GraphQL document with gqlparser and returns
// its only operation and that operation's only root field.
func parseOperation(t testing.TB, q string) (*ast.OperationDefinition, *ast.Field) {
	t.Helper()
	doc, err := parser.ParseQuery(&ast.Source{Input: q})
	if err != nil {
		t.Errorf("document does not parse: %v\n%s", err, q)
		return nil, nil
	}
	if len(doc.Operations) != 1 {
		t.Errorf("document has %d operations, want 1", len(doc.Operations))
		return nil, nil
	}
	op := doc.Operations[0]
	if len(op.SelectionSet) != 1 {
		t.Errorf("operation selects %d root fields, want 1", len(op.SelectionSet))
		return nil, nil
	}
	f, ok := op.SelectionSet[0].(*ast.Field)
	if !ok {
		t.Errorf("root selection is %T, want a field", op.SelectionSet[0])
		return nil, nil
	}
	return op, f
}

// checkError checks a failed or partly failed envelope's Error.
func checkError(t testing.TB, env actions.Envelope, rd actions.ReturnData, indicator string, status int, msg string) {
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

// wire is a time in the form Wiz's filters take.
func wire(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// timeRange is the filter of a time field.
func timeRange(start, end time.Time) map[string]any {
	return map[string]any{"after": wire(start), "before": wire(end)}
}

// resultTable is the HTML Result of one header row and one data row.
func resultTable(cols []string, row ...string) string {
	var b strings.Builder
	b.WriteString("<table><tr>")
	for _, c := range cols {
		b.WriteString("<th>" + c + "</th>")
	}
	b.WriteString("</tr><tr>")
	for _, c := range row {
		b.WriteString("<td>" + c + "</td>")
	}
	b.WriteString("</tr></table>")
	return b.String()
}

// anys converts strings to a JSON list.
func anys(ss ...string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// scriptedAPI stands in for Wiz where a test needs replies the fake never
// gives: its token endpoint issues "scripted-token-N", and reply answers
// each GraphQL request from its variables.
type scriptedAPI struct {
	reply func(vars map[string]any) string

	mu   sync.Mutex
	n    int
	vars []map[string]any // of each GraphQL request, in order
}

func (s *scriptedAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case tokenPath:
		s.mu.Lock()
		s.n++
		n := s.n
		s.mu.Unlock()
		_, _ = io.WriteString(w, `{"access_token":"scripted-token-`+strconv.Itoa(n)+`","expires_in":3600,"token_type":"Bearer"}`)
	case gqlPath:
		var b struct {
			Variables map[string]any `json:"variables"`
		}
		_ = json.Unmarshal(body, &b)
		s.mu.Lock()
		s.vars = append(s.vars, b.Variables)
		s.mu.Unlock()
		_, _ = io.WriteString(w, s.reply(b.Variables))
	default:
		http.NotFound(w, r)
	}
}

// requests returns the variables of every GraphQL request so far.
func (s *scriptedAPI) requests() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]map[string]any(nil), s.vars...)
}

// newScriptedHarness connects to a scriptedAPI answering with reply.
func newScriptedHarness(t testing.TB, reply func(vars map[string]any) string) (*harness, *scriptedAPI) {
	t.Helper()
	api := &scriptedAPI{reply: reply}
	return newHarnessFor(t, &clock{now: t0}, nil, api), api
}
