package fake

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func startQuery(t *testing.T, s *Server, q string) string {
	t.Helper()
	id, _ := ok(t, s, "xql/start_xql_query", map[string]any{"query": q, "tenants": []any{}, "timeframe": map[string]any{"from": 1577024109000, "to": 1577110509000}}).(string)
	if !regexp.MustCompile(`^[0-9a-f]{14}_[0-9]+_inv$`).MatchString(id) {
		t.Fatalf("query ID %q is not shaped <14 hex>_<n>_inv", id)
	}
	return id
}

func results(t *testing.T, s *Server, data map[string]any) map[string]any {
	t.Helper()
	return ok(t, s, "xql/get_query_results", data).(map[string]any)
}

func TestXQLPendingThenSuccess(t *testing.T) {
	t.Parallel()
	s := newServer(WithPendingPolls(3))
	id := startQuery(t, s, "dataset=xdr_data | fields event_id, event_type, event_sub_type | limit 3")
	for i := range 3 {
		r := results(t, s, map[string]any{"query_id": id, "pending_flag": true, "format": "json"})
		if diff := cmp.Diff(map[string]any{"status": "PENDING"}, r); diff != "" {
			t.Fatalf("poll %d mismatch (-want +got):\n%s", i+1, diff)
		}
	}
	r := results(t, s, map[string]any{"query_id": id})
	if r["status"] != "SUCCESS" || r["number_of_results"] != float64(3) {
		t.Fatalf("reply = %v, want SUCCESS with 3 results", r)
	}
	data := r["results"].(map[string]any)["data"].([]any)
	if len(data) != 3 {
		t.Fatalf("%d rows, want 3", len(data))
	}
	var keys []string
	for k := range data[0].(map[string]any) {
		keys = append(keys, k)
	}
	if diff := cmp.Diff([]string{"event_id", "event_sub_type", "event_type"}, keys, cmpSorted); diff != "" {
		t.Errorf("row fields mismatch (-want +got):\n%s", diff)
	}
	if _, ok := r["query_cost"].(map[string]any)[xqlTenantID]; !ok {
		t.Errorf("query_cost = %v, want keyed by the tenant ID", r["query_cost"])
	}
	if _, ok := r["remaining_quota"].(float64); !ok {
		t.Errorf("remaining_quota = %v, want a number", r["remaining_quota"])
	}
	// Results stay available, and are the same.
	if again := results(t, s, map[string]any{"query_id": id}); !cmp.Equal(r, again) {
		t.Errorf("second read differs: %v", again)
	}
}

var cmpSorted = cmpopts.SortSlices(func(a, b string) bool { return a < b })

func TestXQLRowCounts(t *testing.T) {
	t.Parallel()
	s := newServer(WithPendingPolls(0), WithMaxConcurrentQueries(0))
	tests := []struct {
		query    string
		limit    any
		rows     int
		data     int // rows in results.data; -1: a stream_id instead
		rowShape string
	}{
		{"dataset = xdr_data", nil, 5, 5, ""},
		{"dataset = xdr_data | limit 10", nil, 10, 10, ""},
		{"dataset = xdr_data | limit 50 | limit 20", nil, 20, 20, ""},
		{"dataset = xdr_data | limit 10", 4, 10, 4, ""},
		{"dataset = xdr_data | limit 1500", nil, 1500, -1, ""},
		{"dataset = xdr_data | limit 1500", 1000, 1500, 1000, ""},
		{"dataset = xdr_data | limit 1500", 5000, 1500, -1, ""},
		{"dataset = xdr_data | limit 1000000", nil, xqlDatasetRows, -1, ""},
		{"dataset = xdr_data // stream everything", nil, xqlDatasetRows, -1, ""},
		{"dataset = xdr_data | stream", 10, 0, 0, "syntax"},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			if tc.rowShape == "syntax" {
				code, _ := apiCall(t, s, "xql/start_xql_query", map[string]any{"query": tc.query})
				if code != 500 {
					t.Errorf("unknown stage = %d, want 500", code)
				}
				return
			}
			id := startQuery(t, s, tc.query)
			req := map[string]any{"query_id": id}
			if tc.limit != nil {
				req["limit"] = tc.limit
			}
			r := results(t, s, req)
			if r["number_of_results"] != float64(tc.rows) {
				t.Errorf("number_of_results = %v, want %d", r["number_of_results"], tc.rows)
			}
			res := r["results"].(map[string]any)
			if tc.data < 0 {
				if sid, _ := res["stream_id"].(string); !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(sid) {
					t.Errorf("results = %v, want a UUID stream_id", res)
				}
				return
			}
			if n := len(res["data"].([]any)); n != tc.data {
				t.Errorf("%d rows of data, want %d", n, tc.data)
			}
		})
	}
}

func TestXQLSyntaxError(t *testing.T) {
	t.Parallel()
	s := newServer()
	tests := []struct {
		query string
		want  string
	}{
		{"dataset = xdr_data |alter2 x = 1", `{"line": 1, "column": 19, "message": "no viable alternative at input '|alter2'"}`},
		{"dataset = xdr_data\n| filter x = \"a|b\"\n| alter2 y = 2", `{"line": 3, "column": 0, "message": "no viable alternative at input '|alter2'"}`},
		{"hello world", `{"line": 1, "column": 0, "message": "no viable alternative at input 'hello'"}`},
		{"dataset = xdr_data | limit ten", `{"line": 1, "column": 19, "message": "mismatched input 'ten' expecting INTEGER"}`},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			code, got := apiCall(t, s, "xql/start_xql_query", map[string]any{"query": tc.query})
			if code != 500 {
				t.Fatalf("status = %d, want 500", code)
			}
			_, msg, _ := errReply(t, got)
			if msg != tc.want {
				t.Errorf("err_msg = %s, want %s", msg, tc.want)
			}
			var parsed map[string]any
			if err := json.Unmarshal([]byte(msg), &parsed); err != nil {
				t.Errorf("err_msg is not a JSON string: %v", err)
			}
		})
	}
	wantError(t, s, "xql/start_xql_query", map[string]any{}, 400, "query is required")
	wantError(t, s, "xql/start_xql_query", map[string]any{"query": 1}, 400, "query must be a string")
	wantError(t, s, "xql/start_xql_query", map[string]any{"query": "dataset = xdr_data", "timeframe": map[string]any{"from": 5, "to": 1}}, 400, "timeframe.from")
	wantError(t, s, "xql/start_xql_query", map[string]any{"query": "dataset = xdr_data", "timeframe": map[string]any{"relativeTime": "day"}}, 400, "relativeTime must be an integer")
	wantError(t, s, "xql/get_query_results", map[string]any{"query_id": "nope_1_inv"}, 500, "was not found")
	wantError(t, s, "xql/get_query_results", map[string]any{}, 400, "query_id is required")
	wantError(t, s, "xql/get_query_results", map[string]any{"query_id": "x", "format": "xml"}, 400, "format")
}

func TestXQLConcurrencyAndQuota(t *testing.T) {
	t.Parallel()
	s := newServer(WithMaxConcurrentQueries(2), WithPendingPolls(1))
	a := startQuery(t, s, "dataset = xdr_data | limit 1")
	a2 := startQuery(t, s, "dataset = xdr_data | limit 2")
	wantError(t, s, "xql/start_xql_query", map[string]any{"query": "dataset = xdr_data"}, 500, "reached max allowed amount of parallel running queries")
	q := ok(t, s, "xql/get_quota", map[string]any{}).(map[string]any)
	if q["current_concurrent_active_queries_count"] != float64(2) || q["total_daily_concurrent_rejected_queries"] != float64(1) ||
		q["total_daily_running_queries"] != float64(2) || q["used_quota"] != float64(0) {
		t.Errorf("quota while running = %v", q)
	}
	active := q["current_concurrent_active_queries"].(map[string]any)[a].(map[string]any)
	if active["xql"] != "dataset = xdr_data | limit 1" {
		t.Errorf("active query = %v", active)
	}
	results(t, s, map[string]any{"query_id": a}) // PENDING
	if r := results(t, s, map[string]any{"query_id": a}); r["status"] != "SUCCESS" {
		t.Fatalf("second poll = %v", r)
	}
	startQuery(t, s, "dataset = xdr_data | limit 3") // a slot is free again
	q = ok(t, s, "xql/get_quota", map[string]any{}).(map[string]any)
	if q["used_quota"].(float64) <= 0 || q["max_daily_concurrent_active_query_count"] != float64(2) || q["total_daily_running_queries"] != float64(3) {
		t.Errorf("quota after a query finished = %v", q)
	}
	sample := decode(t, testdata(t, "get_quota.json"))["reply"].(map[string]any)
	for k := range sample {
		if _, ok := q[k]; !ok {
			t.Errorf("quota reply lacks %q of the documented reply", k)
		}
	}
	// pending_flag false waits for the query to finish.
	results(t, s, map[string]any{"query_id": a2})
	results(t, s, map[string]any{"query_id": a2})
	b := startQuery(t, s, "dataset = xdr_data | limit 4")
	wantError(t, s, "xql/start_xql_query", map[string]any{"query": "dataset = xdr_data"}, 500, "parallel running queries")
	if r := results(t, s, map[string]any{"query_id": b, "pending_flag": false}); r["status"] != "SUCCESS" {
		t.Errorf("pending_flag false = %v, want SUCCESS at once", r)
	}
}

func TestXQLStream(t *testing.T) {
	t.Parallel()
	s := newServer(WithPendingPolls(0))
	id := startQuery(t, s, "dataset = xdr_data | limit 1200")
	sid := results(t, s, map[string]any{"query_id": id})["results"].(map[string]any)["stream_id"].(string)
	srv := httptest.NewServer(s)
	defer srv.Close()
	client := srv.Client()
	defer client.CloseIdleConnections()
	stream := func(gz bool, acceptGzip bool) (*http.Response, []byte) {
		body, _ := json.Marshal(map[string]any{"request_data": map[string]any{"stream_id": sid, "is_gzip_compressed": gz}})
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/public_api/v1/xql/get_query_results_stream/", bytes.NewReader(body))
		standard(req)
		if !acceptGzip {
			req.Header.Set("Accept-Encoding", "identity")
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, b
	}
	lines := func(b []byte) []map[string]any {
		var out []map[string]any
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) == "" {
				continue
			}
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				t.Fatalf("line %q: %v", sc.Text(), err)
			}
			out = append(out, m)
		}
		return out
	}

	resp, plain := stream(false, false)
	if resp.StatusCode != 200 || len(resp.TransferEncoding) == 0 || resp.TransferEncoding[0] != "chunked" {
		t.Errorf("plain stream = %d, Transfer-Encoding %v; want 200 chunked", resp.StatusCode, resp.TransferEncoding)
	}
	rows := lines(plain)
	if len(rows) != 1200 || !bytes.HasSuffix(plain, []byte("\n")) {
		t.Fatalf("%d rows, want 1200 lines ending in a newline", len(rows))
	}
	for _, k := range []string{"_time", "event_id", "_vendor", "_product", "insert_timestamp"} {
		if _, ok := rows[0][k]; !ok {
			t.Errorf("row lacks %s: %v", k, rows[0])
		}
	}

	resp, zipped := stream(true, false)
	zr, err := gzip.NewReader(bytes.NewReader(zipped))
	if err != nil {
		t.Fatalf("is_gzip_compressed body is not gzip: %v (Content-Encoding %q)", err, resp.Header.Get("Content-Encoding"))
	}
	unzipped, _ := io.ReadAll(zr)
	if !bytes.Equal(unzipped, plain) {
		t.Errorf("gzip body differs from the plain one")
	}

	_, transparent := stream(false, true)
	if !bytes.Equal(transparent, plain) {
		t.Errorf("stream with Accept-Encoding gzip differs after the transport decoded it")
	}

	// The first rows of the stream are the first rows of the data.
	small := startQuery(t, s, "dataset = xdr_data | limit 2")
	data := results(t, s, map[string]any{"query_id": small})["results"].(map[string]any)["data"].([]any)
	if diff := cmp.Diff(data[0], any(rows[0])); diff != "" {
		t.Errorf("row 0 of data and stream differ (-data +stream):\n%s", diff)
	}

	wantError(t, s, "xql/get_query_results_stream", map[string]any{"stream_id": "nope"}, 500, "was not found")
	wantError(t, s, "xql/get_query_results_stream", map[string]any{}, 400, "stream_id is required")
	wantError(t, s, "xql/get_query_results_stream", map[string]any{"stream_id": sid, "is_gzip_compressed": "yes"}, 400, "must be a boolean")
}
