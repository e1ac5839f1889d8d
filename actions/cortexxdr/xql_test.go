package cortexxdr

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/actions/cortexxdr/fake"
)

// TestXQLFlow runs a query the way a playbook does: start it, poll its
// results (PENDING, then SUCCESS with the rows), then a query too large
// for one reply, whose results give a stream ID that Get XQL Query
// Results Stream reads, gzipped or not.
func TestXQLFlow(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fake.WithPendingPolls(1))

	start := func(query string) any {
		t.Helper()
		env := h.run(StartXQLQueryName, map[string]any{"start_time": "2026-11-20 00:00", "end_time": "2026-11-20 12:00", "query": query})
		if env.ReturnData != actions.Successful {
			t.Fatalf("start: %s %+v", env.ReturnData, env.Error)
		}
		id := env.KeyFields["QueryIDs"][0]
		if diff := cmp.Diff(map[string]any{"reply": id}, env.RawData); diff != "" {
			t.Errorf("start Raw Data (-want +got):\n%s", diff)
		}
		return id
	}
	results := func(id any, status string, stream bool) actions.Envelope {
		t.Helper()
		env := h.run(GetXQLQueryResultsName, map[string]any{"query_ids": []any{id}})
		if env.ReturnData != actions.Successful {
			t.Fatalf("results: %s %+v", env.ReturnData, env.Error)
		}
		if got := env.KeyFields["Statuses"]; len(got) != 1 || got[0] != status {
			t.Errorf("Statuses = %v, want [%s]", got, status)
		}
		if got := env.KeyFields["QueryIDs"]; len(got) != 1 || got[0] != id {
			t.Errorf("QueryIDs = %v, want [%v]", got, id)
		}
		if got := len(env.KeyFields["StreamIDs"]); got != map[bool]int{true: 1, false: 0}[stream] {
			t.Errorf("StreamIDs = %v, want a stream ID: %v", env.KeyFields["StreamIDs"], stream)
		}
		return env
	}

	id := start("dataset=xdr_data | fields event_id, event_type | limit 3")
	results(id, "PENDING", false)
	env := results(id, "SUCCESS", false)
	reply := field(list(field(env.RawData, "Results"))[0], "reply")
	if n := field(reply, "number_of_results"); n != int64(3) {
		t.Errorf("number_of_results = %v, want 3", n)
	}
	rows := list(field(reply, "results", "data"))
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 3", len(rows))
	}
	for _, r := range rows {
		m, _ := r.(map[string]any)
		if len(m) != 2 || m["event_id"] == nil || m["event_type"] == nil {
			t.Errorf("row %v, want event_id and event_type", r)
		}
	}

	big := start("dataset=xdr_data | fields event_id, agent_hostname as stream_host")
	results(big, "PENDING", false)
	env = results(big, "SUCCESS", true)
	sid := env.KeyFields["StreamIDs"][0]
	if n := field(list(field(env.RawData, "Results"))[0], "reply", "number_of_results"); n != int64(2500) {
		t.Errorf("number_of_results = %v, want 2500", n)
	}
	var streams [][]any
	for _, gz := range []bool{true, false} {
		h.reset()
		env := h.run(GetXQLQueryResultsStreamName, map[string]any{"stream_id": sid, "is_gzip_compressed": gz})
		if env.ReturnData != actions.Successful {
			t.Fatalf("stream gzip=%v: %s %+v", gz, env.ReturnData, env.Error)
		}
		checkRequests(t, h.srv.Requests(), []wantReq{{"xql/get_query_results_stream/",
			rd(map[string]any{"stream_id": sid, "is_gzip_compressed": gz})}}, false)
		rows, _ := env.RawData.([]any)
		if len(rows) != 2500 {
			t.Fatalf("stream gzip=%v: %d rows, want 2500", gz, len(rows))
		}
		if m, _ := rows[0].(map[string]any); len(m) != 2 || m["event_id"] == nil || m["stream_host"] == nil {
			t.Errorf("stream gzip=%v: row %v, want event_id and stream_host", gz, rows[0])
		}
		if len(env.KeyFields) != 0 || env.Result == "" {
			t.Errorf("stream gzip=%v: Key Fields %v, Result %q", gz, env.KeyFields, env.Result)
		}
		streams = append(streams, rows)
	}
	if diff := cmp.Diff(streams[0], streams[1]); diff != "" {
		t.Errorf("gzipped and plain streams differ (-gzip +plain):\n%s", diff)
	}

	h.reset()
	env = h.run(GetXQLQueryResultsStreamName, map[string]any{"stream_id": "00000000-0000-4000-a000-000000000000"})
	checkError(t, env, actions.Failed, "Get XQL Query Results Stream failed.", 500,
		"An error occurred while processing XDR public API: Stream 00000000-0000-4000-a000-000000000000 was not found")

	// The quota counts the two queries.
	env = h.run(GetXQLQueryQuotaName, nil)
	if got := field(env.RawData, "reply", "total_daily_running_queries"); got != int64(2) {
		t.Errorf("total_daily_running_queries = %v, want 2", got)
	}
}

// TestXQLStreamNotJSON checks a stream line that is not JSON.
func TestXQLStreamNotJSON(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.srv.Inject(fake.Fault{Path: "xql/get_query_results_stream", Times: 1, Body: "{\"a\":1}\n{oops\n"})
	env := h.run(GetXQLQueryResultsStreamName, map[string]any{"stream_id": "s"})
	if env.ReturnData != actions.Failed || env.Error.StatusCode != 200 ||
		env.Error.Message != "read the stream: line 2: decode json: invalid character 'o' looking for beginning of object key string" {
		t.Errorf("got %s %+v", env.ReturnData, env.Error)
	}
}
