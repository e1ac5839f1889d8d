package fake

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
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

// standard signs r with the default standard key.
func standard(r *http.Request) {
	r.Header.Set("x-xdr-auth-id", StandardKeyID)
	r.Header.Set("Authorization", StandardKey)
}

var nonceSeq atomic.Int64

// advanced signs r with the default advanced key at t, with a fresh nonce.
func advanced(t time.Time) func(*http.Request) {
	return func(r *http.Request) {
		n := nonceSeq.Add(1)
		nonce := fmt.Sprintf("%064d", n)
		sign(r, AdvancedKeyID, AdvancedKey, nonce, strconv.FormatInt(t.UnixMilli(), 10))
	}
}

func sign(r *http.Request, id, key, nonce, stamp string) {
	sum := sha256.Sum256([]byte(key + nonce + stamp))
	r.Header.Set("x-xdr-auth-id", id)
	r.Header.Set("x-xdr-nonce", nonce)
	r.Header.Set("x-xdr-timestamp", stamp)
	r.Header.Set("Authorization", hex.EncodeToString(sum[:]))
}

// send serves one request on h and returns the recorded response.
func send(t testing.TB, h http.Handler, method, path string, body []byte, auth func(*http.Request)) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, "https://api-sandbox.xdr.us.paloaltonetworks.com"+path, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if auth != nil {
		auth(r)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// apiCall posts {"request_data": data} to /public_api/v1/<api> with the
// standard key and decodes the JSON reply.
func apiCall(t testing.TB, h http.Handler, api string, data any) (int, map[string]any) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"request_data": data})
	if err != nil {
		t.Fatal(err)
	}
	w := send(t, h, http.MethodPost, "/public_api/v1/"+api+"/", body, standard)
	return w.Code, decode(t, w.Body.Bytes())
}

// ok is apiCall for a request that must succeed; it returns reply.
func ok(t testing.TB, h http.Handler, api string, data any) any {
	t.Helper()
	code, got := apiCall(t, h, api, data)
	if code != http.StatusOK {
		t.Fatalf("POST %s %v = %d %v, want 200", api, data, code, got)
	}
	return got["reply"]
}

func decode(t testing.TB, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("reply %q is not a JSON object: %v", b, err)
	}
	return m
}

// errReply returns the err_code, err_msg and err_extra of an error body.
func errReply(t testing.TB, m map[string]any) (float64, string, any) {
	t.Helper()
	r, _ := m["reply"].(map[string]any)
	code, okCode := r["err_code"].(float64)
	msg, okMsg := r["err_msg"].(string)
	if !okCode || !okMsg {
		t.Fatalf("not a vendor error body: %v", m)
	}
	return code, msg, r["err_extra"]
}

// wantError checks that a call fails with status and an err_extra (or
// err_msg) containing want.
func wantError(t testing.TB, h http.Handler, api string, data any, status int, want string) {
	t.Helper()
	code, got := apiCall(t, h, api, data)
	if code != status {
		t.Fatalf("POST %s %v = %d %v, want %d", api, data, code, got, status)
	}
	c, msg, extra := errReply(t, got)
	if int(c) != status {
		t.Errorf("err_code = %v, want %d", c, status)
	}
	if s, _ := extra.(string); !strings.Contains(s, want) && !strings.Contains(msg, want) {
		t.Errorf("POST %s %v error = %q / %v, want it to mention %q", api, data, msg, extra, want)
	}
}

// testdata reads a file of testdata.
func testdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAuth(t *testing.T) {
	t.Parallel()
	stamp := func(d time.Duration) string { return strconv.FormatInt(testNow.Add(d).UnixMilli(), 10) }
	nonce := strings.Repeat("aB3", 21) + "x"
	tests := []struct {
		name string
		auth func(*http.Request)
		want int
	}{
		{"standard key", standard, 200},
		{"advanced key", advanced(testNow), 200},
		{"advanced key, whole seconds", advanced(testNow.Truncate(time.Second)), 200},
		{"advanced key, clock skew inside window", advanced(testNow.Add(-4 * time.Minute)), 200},
		{"no headers", func(*http.Request) {}, 401},
		{"unknown key ID", func(r *http.Request) { standard(r); r.Header.Set("x-xdr-auth-id", "9") }, 401},
		{"bad standard key", func(r *http.Request) { standard(r); r.Header.Set("Authorization", StandardKey[1:]) }, 401},
		{"standard key with nonce headers", func(r *http.Request) {
			sign(r, StandardKeyID, StandardKey, nonce, stamp(0))
		}, 401},
		{"advanced key sent as standard", func(r *http.Request) {
			r.Header.Set("x-xdr-auth-id", AdvancedKeyID)
			r.Header.Set("Authorization", AdvancedKey)
		}, 401},
		{"bad hash", func(r *http.Request) {
			sign(r, AdvancedKeyID, AdvancedKey, nonce, stamp(0))
			r.Header.Set("Authorization", strings.Repeat("0", 64))
		}, 401},
		{"upper-case hash", func(r *http.Request) {
			sign(r, AdvancedKeyID, AdvancedKey, strings.Repeat("U", 64), stamp(0))
			r.Header.Set("Authorization", strings.ToUpper(r.Header.Get("Authorization")))
		}, 401},
		{"stale timestamp", advanced(testNow.Add(-6 * time.Minute)), 401},
		{"future timestamp", advanced(testNow.Add(6 * time.Minute)), 401},
		{"short nonce", func(r *http.Request) { sign(r, AdvancedKeyID, AdvancedKey, "abc", stamp(0)) }, 401},
		{"nonce with symbols", func(r *http.Request) {
			sign(r, AdvancedKeyID, AdvancedKey, strings.Repeat("-", 64), stamp(0))
		}, 401},
		{"timestamp not a number", func(r *http.Request) {
			sign(r, AdvancedKeyID, AdvancedKey, strings.Repeat("n", 64), "yesterday")
		}, 401},
	}
	s := newServer()
	want401 := decode(t, testdata(t, "unauthorized.json"))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := send(t, s, http.MethodPost, "/public_api/v1/incidents/get_incidents/", []byte(`{"request_data":{"search_from":0,"search_to":1}}`), tc.auth)
			if w.Code != tc.want {
				t.Fatalf("status = %d %s, want %d", w.Code, w.Body, tc.want)
			}
			if tc.want == 401 {
				if diff := cmp.Diff(want401, decode(t, w.Body.Bytes())); diff != "" {
					t.Errorf("401 body mismatch (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestAuthReplayedNonce(t *testing.T) {
	t.Parallel()
	now := testNow
	s := New(WithClock(func() time.Time { return now }), WithTimestampWindow(time.Minute))
	nonce := strings.Repeat("R", 64)
	replay := func(at time.Time) int {
		w := send(t, s, http.MethodPost, "/public_api/v1/xql/get_quota", []byte(`{"request_data":{}}`), func(r *http.Request) {
			sign(r, AdvancedKeyID, AdvancedKey, nonce, strconv.FormatInt(at.UnixMilli(), 10))
		})
		return w.Code
	}
	if got := replay(now); got != 200 {
		t.Fatalf("first use of a nonce = %d, want 200", got)
	}
	if got := replay(now); got != 401 {
		t.Errorf("replayed nonce = %d, want 401", got)
	}
	if got := replay(now.Add(time.Second)); got != 401 {
		t.Errorf("nonce reused with a new timestamp = %d, want 401", got)
	}
	now = now.Add(2 * time.Minute)
	if got := replay(now); got != 200 {
		t.Errorf("nonce reused after the window = %d, want 200", got)
	}
	// The same nonce is another key's own.
	other := New(WithClock(func() time.Time { return now }), WithKeys(
		Key{ID: "7", Secret: "k7", Advanced: true}, Key{ID: "8", Secret: "k8", Advanced: true}))
	for _, k := range []string{"7", "8"} {
		w := send(t, other, http.MethodPost, "/public_api/v1/incidents/get_incidents", []byte(`{"request_data":{}}`), func(r *http.Request) {
			sign(r, k, "k"+k, nonce, strconv.FormatInt(now.UnixMilli(), 10))
		})
		if w.Code != 200 {
			t.Errorf("key %s with a nonce another key used = %d, want 200", k, w.Code)
		}
	}
}

func TestPermissions(t *testing.T) {
	t.Parallel()
	s := newServer(WithKeys(
		Key{ID: "10", Secret: "plain"},
		Key{ID: "11", Secret: "admin", Admin: true},
		Key{ID: "12", Secret: "pro", Pro: true},
	))
	as := func(id, secret string) func(*http.Request) {
		return func(r *http.Request) {
			r.Header.Set("x-xdr-auth-id", id)
			r.Header.Set("Authorization", secret)
		}
	}
	tests := []struct {
		path     string
		body     string
		key      func(*http.Request)
		want     int
		wantBody string
	}{
		{"indicators/get", `{"request_data":{}}`, as("10", "plain"), 403, msgForbidden},
		{"indicators/get", `{"request_data":{}}`, as("12", "pro"), 403, msgForbidden},
		{"indicators/get", `{"request_data":{}}`, as("11", "admin"), 200, ""},
		{"indicators/delete", `{"request_data":{}}`, as("10", "plain"), 403, msgForbidden},
		{"indicators/insert", `{"request_data":[]}`, as("10", "plain"), 403, msgForbidden},
		{"xql/get_quota", `{"request_data":{}}`, as("11", "admin"), 402, msgLicense},
		{"xql/get_quota", `{"request_data":{}}`, as("12", "pro"), 200, ""},
		{"xql/start_xql_query", `{"request_data":{}}`, as("10", "plain"), 402, msgLicense},
		{"scripts/run_snippet_code_script", `{"request_data":{}}`, as("10", "plain"), 402, msgLicense},
		{"endpoints/file_retrieval", `{"request_data":{}}`, as("10", "plain"), 402, msgLicense},
		{"indicators/insert_jsons", `{"request_data":[]}`, as("11", "admin"), 402, msgLicense},
		{"incidents/get_incidents", `{"request_data":{}}`, as("10", "plain"), 200, ""},
	}
	for _, tc := range tests {
		w := send(t, s, http.MethodPost, "/public_api/v1/"+tc.path, []byte(tc.body), tc.key)
		if w.Code != tc.want {
			t.Errorf("POST %s = %d %s, want %d", tc.path, w.Code, w.Body, tc.want)
			continue
		}
		if tc.wantBody != "" {
			_, msg, _ := errReply(t, decode(t, w.Body.Bytes()))
			if msg != tc.wantBody {
				t.Errorf("POST %s err_msg = %q, want %q", tc.path, msg, tc.wantBody)
			}
		}
	}
}

func TestRouting(t *testing.T) {
	t.Parallel()
	s := newServer()
	body := []byte(`{"request_data":{}}`)
	tests := []struct {
		name, method, path string
		auth               func(*http.Request)
		want               int
		wantBody           string
	}{
		{"trailing slash", "POST", "/public_api/v1/endpoints/get_endpoint/", standard, 200, ""},
		{"no trailing slash", "POST", "/public_api/v1/endpoints/get_endpoint", standard, 200, ""},
		{"unknown call", "POST", "/public_api/v1/alerts/get_alerts", standard, 404,
			"The object at https://api-sandbox.xdr.us.paloaltonetworks.com/public_api/v1/alerts/get_alerts does not exist"},
		{"unknown version", "POST", "/public_api/v2/endpoints/get_endpoint/", standard, 404, "does not exist"},
		{"no prefix", "POST", "/endpoints/get_endpoint/", standard, 404, "does not exist"},
		{"unknown path without auth", "POST", "/public_api/v1/nope", nil, 404, "does not exist"},
		{"GET on a POST call", "GET", "/public_api/v1/endpoints/get_endpoint/", standard, 405, ""},
		{"PUT on a POST call", "PUT", "/public_api/v1/xql/get_quota", standard, 405, ""},
		{"unknown download token", "GET", "/public_api/v1/download/nope", standard, 404, "does not exist"},
		{"download without auth", "GET", "/public_api/v1/download/nope", nil, 401, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := send(t, s, tc.method, tc.path, body, tc.auth)
			if w.Code != tc.want {
				t.Fatalf("%s %s = %d %s, want %d", tc.method, tc.path, w.Code, w.Body, tc.want)
			}
			if tc.wantBody != "" && !strings.Contains(w.Body.String(), tc.wantBody) {
				t.Errorf("%s %s body = %q, want it to contain %q", tc.method, tc.path, w.Body, tc.wantBody)
			}
			if tc.want == 405 {
				errReply(t, decode(t, w.Body.Bytes()))
				if w.Header().Get("Allow") != "POST" {
					t.Errorf("Allow = %q, want POST", w.Header().Get("Allow"))
				}
			}
		})
	}
}

func TestMalformedBody(t *testing.T) {
	t.Parallel()
	s := newServer()
	tests := []struct {
		name, body string
		want       int
		wantMsg    string
		wantExtra  string
	}{
		{"empty", "", 400, msgBadJSON, "unexpected end of JSON input"},
		{"not JSON", "request_data=1", 400, msgBadJSON, "invalid character"},
		{"truncated", `{"request_data": {`, 400, msgBadJSON, "unexpected end"},
		{"trailing garbage", `{"request_data": {}} x`, 400, msgBadJSON, "invalid character"},
		{"no request_data", `{"filters": []}`, 500, "An unexpected behavior occurred by Cortex Pubic API", "Missing required param: `request_data`"},
		{"null request_data", `{"request_data": null}`, 500, "An unexpected behavior occurred by Cortex Pubic API", "Missing required param"},
		{"array body", `[{"request_data": {}}]`, 500, "An unexpected behavior occurred by Cortex Pubic API", "Missing required param"},
		{"request_data not an object", `{"request_data": [1]}`, 400, msgBadJSON, "request_data must be an object"},
		{"search_from a string", `{"request_data": {"search_from": "0"}}`, 400, msgBadJSON, "search_from must be an integer"},
		{"search_to a fraction", `{"request_data": {"search_to": 1.5}}`, 400, msgBadJSON, "search_to must be an integer"},
		{"filters not a list", `{"request_data": {"filters": {}}}`, 400, msgBadJSON, "filters must be a list"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := send(t, s, http.MethodPost, "/public_api/v1/incidents/get_incidents/", []byte(tc.body), standard)
			if w.Code != tc.want {
				t.Fatalf("status = %d %s, want %d", w.Code, w.Body, tc.want)
			}
			code, msg, extra := errReply(t, decode(t, w.Body.Bytes()))
			if int(code) != tc.want || msg != tc.wantMsg {
				t.Errorf("error = %v %q, want %d %q", code, msg, tc.want, tc.wantMsg)
			}
			if s, _ := extra.(string); !strings.Contains(s, tc.wantExtra) {
				t.Errorf("err_extra = %v, want it to contain %q", extra, tc.wantExtra)
			}
		})
	}
	t.Run("missing request_data sample", func(t *testing.T) {
		w := send(t, s, http.MethodPost, "/public_api/v1/endpoints/isolate", []byte(`{}`), standard)
		if diff := cmp.Diff(decode(t, testdata(t, "missing_request_data.json")), decode(t, w.Body.Bytes())); diff != "" {
			t.Errorf("body mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestGzipReply(t *testing.T) {
	t.Parallel()
	s := newServer()
	srv := httptest.NewServer(s)
	defer srv.Close()
	defer srv.Client().CloseIdleConnections()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/public_api/v1/endpoints/get_endpoint", strings.NewReader(`{"request_data":{}}`))
	standard(req)
	resp, err := srv.Client().Do(req) // the transport asks for gzip and decompresses
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if !resp.Uncompressed {
		t.Errorf("reply was not gzip-compressed for a client that accepts gzip")
	}
	r := decode(t, b)["reply"].(map[string]any)
	if r["total_count"] != float64(25) {
		t.Errorf("total_count = %v, want 25", r["total_count"])
	}
}

// TestConcurrent drives every kind of call from many goroutines; run with
// -race.
func TestConcurrent(t *testing.T) {
	t.Parallel()
	s := newServer(WithEndpoints(200), WithMaxConcurrentQueries(0), WithExtraDataRate(0))
	srv := httptest.NewServer(s)
	defer srv.Close()
	client := srv.Client()
	defer client.CloseIdleConnections()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				var path, body string
				switch (g + i) % 6 {
				case 0:
					path, body = "endpoints/isolate", fmt.Sprintf(`{"request_data":{"endpoint_id":%q}}`, endpointID(fmt.Sprintf("bench-host-%04d", 1+(g*20+i)%200)))
				case 1:
					path, body = "actions/get_action_status", fmt.Sprintf(`{"request_data":{"group_action_id":%d}}`, firstActionID+i)
				case 2:
					path, body = "endpoints/get_endpoint", `{"request_data":{"filters":[{"field":"platform","operator":"in","value":["linux"]}]}}`
				case 3:
					path, body = "incidents/update_incident", `{"request_data":{"incident_id":"2901","update_data":{"status":"under_investigation"}}}`
				case 4:
					path, body = "xql/start_xql_query", `{"request_data":{"query":"dataset = xdr_data | limit 3"}}`
				case 5:
					path, body = "indicators/insert", fmt.Sprintf(`{"request_data":[{"indicator":"host-%d-%d.example","type":"DOMAIN_NAME"}]}`, g, i)
				}
				req, _ := http.NewRequest(http.MethodPost, srv.URL+"/public_api/v1/"+path, strings.NewReader(body))
				if i%2 == 0 {
					advanced(testNow)(req)
				} else {
					standard(req)
				}
				resp, err := client.Do(req)
				if err != nil {
					errs <- err
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					errs <- fmt.Errorf("POST %s = %d", path, resp.StatusCode)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(s.Requests()); n != 16*20 {
		t.Errorf("recorded %d requests, want %d", n, 16*20)
	}
}

func TestIsolateThroughput(t *testing.T) {
	if testing.Short() {
		t.Skip("timing")
	}
	s := New(WithEndpoints(1000))
	ids := make([]string, 0, 1000)
	for i := 1; i <= 1000; i++ {
		ids = append(ids, endpointID(fmt.Sprintf("bench-host-%04d", i)))
	}
	start := time.Now()
	for _, id := range ids {
		w := send(t, s, http.MethodPost, "/public_api/v1/endpoints/isolate", []byte(`{"request_data":{"endpoint_id":"`+id+`"}}`), standard)
		if w.Code != 200 {
			t.Fatalf("isolate = %d %s", w.Code, w.Body)
		}
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("1,000 isolate calls took %v", d)
	}
}

func BenchmarkIsolate(b *testing.B) {
	s := New(WithEndpoints(1000))
	id := endpointID("bench-host-0500")
	body := []byte(`{"request_data":{"endpoint_id":"` + id + `"}}`)
	b.ReportAllocs()
	for b.Loop() {
		w := send(b, s, http.MethodPost, "/public_api/v1/endpoints/isolate", body, standard)
		if w.Code != 200 {
			b.Fatal(w.Body)
		}
	}
}
