package fake

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testNow is the fixed clock of most tests.
var testNow = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

func fixedClock() func() time.Time { return func() time.Time { return testNow } }

// newServer is a server on the fixed clock.
func newServer(opts ...Option) *Server {
	return New(append([]Option{WithClock(fixedClock())}, opts...)...)
}

// send serves one request on h and returns the recorded response.
func send(t testing.TB, h http.Handler, method, path, contentType string, body []byte, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, "https://api.us1.app.wiz.io"+path, bytes.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// tokenForm is a valid token request body for the default account.
func tokenForm() url.Values {
	return url.Values{
		"grant_type":    {"client_credentials"},
		"audience":      {"wiz-api"},
		"client_id":     {ClientID},
		"client_secret": {ClientSecret},
	}
}

func requestToken(t testing.TB, h http.Handler, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	return send(t, h, http.MethodPost, "/oauth/token", "application/x-www-form-urlencoded", []byte(form.Encode()), nil)
}

// login returns a fresh access token of the default account.
func login(t testing.TB, h http.Handler) string {
	t.Helper()
	w := requestToken(t, h, tokenForm())
	if w.Code != http.StatusOK {
		t.Fatalf("token request = %d %s", w.Code, w.Body)
	}
	return decode(t, w.Body.Bytes())["access_token"].(string)
}

func bearer(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }

// post sends a GraphQL request with tok and returns the status and the
// decoded reply.
func post(t testing.TB, h http.Handler, tok, query string, vars map[string]any) (int, map[string]any) {
	t.Helper()
	body := map[string]any{"query": query}
	if vars != nil {
		body["variables"] = vars
	}
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	w := send(t, h, http.MethodPost, "/graphql", "application/json", b, bearer(tok))
	return w.Code, decode(t, w.Body.Bytes())
}

// query is post for a request that must succeed without errors; it
// returns data.
func query(t testing.TB, h http.Handler, tok, q string, vars map[string]any) map[string]any {
	t.Helper()
	code, got := post(t, h, tok, q, vars)
	if code != http.StatusOK || got["errors"] != nil {
		t.Fatalf("query %s %v = %d %v, want 200 without errors", abbrev(q), vars, code, got)
	}
	data, _ := got["data"].(map[string]any)
	return data
}

func abbrev(q string) string {
	q = strings.Join(strings.Fields(q), " ")
	if len(q) > 80 {
		return q[:77] + "..."
	}
	return q
}

func decode(t testing.TB, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("reply %q is not a JSON object: %v", b, err)
	}
	return m
}

// firstError returns the message and code of a reply's first error.
func firstError(t testing.TB, m map[string]any) (string, string) {
	t.Helper()
	errs, _ := m["errors"].([]any)
	if len(errs) == 0 {
		t.Fatalf("reply has no errors: %v", m)
	}
	e, _ := errs[0].(map[string]any)
	ext, _ := e["extensions"].(map[string]any)
	msg, _ := e["message"].(string)
	code, _ := ext["code"].(string)
	return msg, code
}

// wantError checks that a request fails with status, code and a message
// containing msg.
func wantError(t testing.TB, h http.Handler, tok, q string, vars map[string]any, status int, code, msg string) map[string]any {
	t.Helper()
	got, reply := post(t, h, tok, q, vars)
	if got != status {
		t.Fatalf("query %s %v = %d %v, want %d", abbrev(q), vars, got, reply, status)
	}
	m, c := firstError(t, reply)
	if c != code || !strings.Contains(m, msg) {
		t.Errorf("query %s %v error = %s %q, want %s containing %q", abbrev(q), vars, c, m, code, msg)
	}
	return reply
}

// nodes returns data.<field>.nodes.
func nodes(t testing.TB, data map[string]any, field string) []map[string]any {
	t.Helper()
	conn, ok := data[field].(map[string]any)
	if !ok {
		t.Fatalf("data.%s = %v, not a connection", field, data[field])
	}
	l, _ := conn["nodes"].([]any)
	out := make([]map[string]any, len(l))
	for i, e := range l {
		out[i], _ = e.(map[string]any)
	}
	return out
}

// idsOfNodes returns the id of each node.
func idsOfNodes(ns []map[string]any) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i], _ = n["id"].(string)
	}
	return out
}

// readTestdata reads a file of testdata.
func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// at formats the anchor minus d, as a filter bound.
func at(s *Server, d time.Duration) string { return s.Anchor().Add(-d).Format(time.RFC3339Nano) }
