package wiz

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/actions/wiz/fake"
)

// TestFetchEventTypes checks each Event Type's events: every node has its
// __typename and the Event Type label, the events are sorted descending
// by the type's time field although the API sent them in another order,
// and they are exactly the nodes the API sent.
func TestFetchEventTypes(t *testing.T) {
	t.Parallel()
	for _, k := range []eventKind{kindIssues, kindCCF, kindVulns} {
		t.Run(k.label, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			// A window wide enough for every seeded finding.
			env := h.run(FetchEventName, map[string]any{"event_type": k.label,
				"start_time": t0.Add(-365 * 24 * time.Hour).Format(time.RFC3339), "end_time": t0.Format(time.RFC3339)})
			if env.ReturnData != actions.Successful {
				t.Fatalf("ReturnData = %s %+v", env.ReturnData, env.Error)
			}
			nodes := list(field(env.RawData, "data", "nodes"))
			if len(nodes) < 5 {
				t.Fatalf("%d events, want the seed's", len(nodes))
			}
			var gotIDs []string
			for i, n := range nodes {
				if tn := field(n, "__typename"); tn != k.typename {
					t.Errorf("node %d __typename = %v, want %s", i, tn, k.typename)
				}
				if et := field(n, "EventType"); et != k.label {
					t.Errorf("node %d EventType = %v, want %s", i, et, k.label)
				}
				if i > 0 && timeOf(t, n, k.timeField).After(timeOf(t, nodes[i-1], k.timeField)) {
					t.Errorf("node %d %s %v is after node %d's: not sorted descending", i, k.timeField, field(n, k.timeField), i-1)
				}
				gotIDs = append(gotIDs, text(field(n, "id")))
			}
			sent := replyNodes(t, h, k.dataKey())
			var sentIDs []string
			for _, n := range sent {
				sentIDs = append(sentIDs, text(field(n, "id")))
			}
			if slices.Equal(sentIDs, gotIDs) {
				t.Errorf("the API already sent the events sorted by %s: the case tests nothing", k.timeField)
			}
			slices.Sort(sentIDs)
			sorted := slices.Sorted(slices.Values(gotIDs))
			if !slices.Equal(sentIDs, sorted) {
				t.Errorf("event IDs %v, want the API's %v", sorted, sentIDs)
			}
		})
	}
}

// TestFetchEventIssuesInWindow checks the issues of the default window
// against the fake's own data: exactly those updated in the last 24 hours
// of the clock.
func TestFetchEventIssuesInWindow(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	env := h.run(FetchEventName, nil)
	if env.ReturnData != actions.Successful {
		t.Fatalf("ReturnData = %s %+v", env.ReturnData, env.Error)
	}
	var want []string
	for _, id := range h.srv.IssueIDs() {
		issue, _ := h.srv.Issue(id)
		u := timeOf(t, issue, "updatedAt")
		if u.After(t0.Add(-24*time.Hour)) && u.Before(t0) {
			want = append(want, id)
		}
	}
	slices.Sort(want)
	var got []string
	for _, id := range env.KeyFields["EventIDs"] {
		got = append(got, text(id))
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("EventIDs %v\nwant the issues updated in the window %v", got, want)
	}
	if slices.Contains(got, fake.OldIssueID) {
		t.Errorf("the issue updated 30 hours ago is in a 24-hour window")
	}
}

// TestFetchEventWindow checks the window sent on each type's time field
// and shown in the Result: by default the last 24 hours of the client's
// clock, Start Time alone up to now, End Time alone from 24 hours before
// it, both as given; in Wiz's millisecond form.
func TestFetchEventWindow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		clock      time.Time
		kind       eventKind
		inputs     map[string]any
		start, end string
	}{
		{name: "default", clock: t0, kind: kindIssues,
			start: "2026-03-09T12:00:00.000Z", end: "2026-03-10T12:00:00.000Z"},
		{name: "default keeps milliseconds", clock: t0.Add(123456789 * time.Nanosecond), kind: kindVulns,
			start: "2026-03-09T12:00:00.123Z", end: "2026-03-10T12:00:00.123Z"},
		{name: "default configuration findings", clock: t0, kind: kindCCF,
			start: "2026-03-09T12:00:00.000Z", end: "2026-03-10T12:00:00.000Z"},
		{name: "start only", clock: t0, kind: kindIssues, inputs: map[string]any{"start_time": "2026-03-10 06:30:00"},
			start: "2026-03-10T06:30:00.000Z", end: "2026-03-10T12:00:00.000Z"},
		{name: "end only", clock: t0, kind: kindCCF, inputs: map[string]any{"end_time": "2026-03-08T00:00:00Z"},
			start: "2026-03-07T00:00:00.000Z", end: "2026-03-08T00:00:00.000Z"},
		{name: "both, the page's example", clock: t0, kind: kindVulns,
			inputs: map[string]any{"start_time": "2024-08-06 18:00:00", "end_time": "2024-08-06 19:00:00"},
			start:  "2024-08-06T18:00:00.000Z", end: "2024-08-06T19:00:00.000Z"},
		{name: "other zone in UTC", clock: t0, kind: kindIssues,
			inputs: map[string]any{"start_time": "2026-03-09T20:00:00+02:00", "end_time": "2026-03-10T08:00:00.5-05:00"},
			start:  "2026-03-09T18:00:00.000Z", end: "2026-03-10T13:00:00.500Z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clk := &clock{now: tc.clock}
			srv := fake.New(fake.WithClock(clk.Now))
			h := newHarnessFor(t, clk, srv, srv)
			in := map[string]any{"event_type": tc.kind.label}
			for k, v := range tc.inputs {
				in[k] = v
			}
			env := h.run(FetchEventName, in)
			if env.ReturnData == actions.Failed {
				t.Fatalf("Failed: %+v", env.Error)
			}
			reqs := h.requests(gqlPath)
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			want := map[string]any{tc.kind.timeField: map[string]any{"after": tc.start, "before": tc.end}}
			if diff := cmp.Diff(want, reqs[0].Variables["filterBy"]); diff != "" {
				t.Errorf("filterBy mismatch (-want +got):\n%s", diff)
			}
			n := len(list(field(env.RawData, "data", "nodes")))
			if want := resultTable(fetchCols, tc.start, tc.end, strconv.Itoa(n)); env.Result != want {
				t.Errorf("Result = %s\n   want %s", env.Result, want)
			}
		})
	}
}

// TestFetchEventFilters checks the filterBy each filter input makes:
// severity as a cumulative list under the type's key, statuses, and
// Additional Filters merged over them, replacing a key they share; and
// that the events returned obey them.
func TestFetchEventFilters(t *testing.T) {
	t.Parallel()
	day := timeRange(t0.Add(-24*time.Hour), t0)
	tests := []struct {
		name   string
		inputs map[string]any
		want   map[string]any
		// each checks every event returned.
		each func(t *testing.T, n any)
	}{
		{name: "critical", inputs: map[string]any{"severity": "Critical"},
			want: map[string]any{"updatedAt": day, "severity": anys("CRITICAL")},
			each: fieldIn("severity", "CRITICAL")},
		{name: "critical and high", inputs: map[string]any{"severity": "Critical and High"},
			want: map[string]any{"updatedAt": day, "severity": anys("CRITICAL", "HIGH")},
			each: fieldIn("severity", "CRITICAL", "HIGH")},
		{name: "down to medium", inputs: map[string]any{"severity": "Critical, High and Medium"},
			want: map[string]any{"updatedAt": day, "severity": anys("CRITICAL", "HIGH", "MEDIUM")},
			each: fieldIn("severity", "CRITICAL", "HIGH", "MEDIUM")},
		{name: "down to low", inputs: map[string]any{"severity": "Critical, High, Medium and Low"},
			want: map[string]any{"updatedAt": day, "severity": anys("CRITICAL", "HIGH", "MEDIUM", "LOW")}},
		{name: "all severities", inputs: map[string]any{"severity": "All"},
			want: map[string]any{"updatedAt": day}},
		{name: "vulnerability severity is the vendor's",
			inputs: map[string]any{"event_type": "Vulnerability Findings", "severity": "Critical and High"},
			want:   map[string]any{"updatedAt": day, "vendorSeverity": anys("CRITICAL", "HIGH")},
			each:   fieldIn("vendorSeverity", "CRITICAL", "HIGH")},
		{name: "configuration finding severity",
			inputs: map[string]any{"event_type": "Cloud Configuration Findings", "severity": "Critical"},
			want:   map[string]any{"firstSeenAt": day, "severity": anys("CRITICAL")}},
		{name: "statuses", inputs: map[string]any{"issue_statuses": anys("OPEN", "IN_PROGRESS")},
			want: map[string]any{"updatedAt": day, "status": anys("OPEN", "IN_PROGRESS")},
			each: fieldIn("status", "OPEN", "IN_PROGRESS")},
		{name: "the page's additional filter",
			inputs: map[string]any{"issue_statuses": anys("OPEN"), "additional_filters": map[string]any{"type": anys("TOXIC_COMBINATION")}},
			want:   map[string]any{"updatedAt": day, "status": anys("OPEN"), "type": anys("TOXIC_COMBINATION")},
			each:   fieldIn("type", "TOXIC_COMBINATION")},
		{name: "additional filter replaces statuses",
			inputs: map[string]any{"issue_statuses": anys("OPEN"), "additional_filters": map[string]any{"status": anys("REJECTED")}},
			want:   map[string]any{"updatedAt": day, "status": anys("REJECTED")},
			each:   fieldIn("status", "REJECTED")},
		{name: "additional filter replaces the window",
			inputs: map[string]any{"additional_filters": map[string]any{"updatedAt": map[string]any{"after": "2026-03-08T00:00:00.000Z"}}},
			want:   map[string]any{"updatedAt": map[string]any{"after": "2026-03-08T00:00:00.000Z"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			env := h.run(FetchEventName, tc.inputs)
			if env.ReturnData != actions.Successful {
				t.Fatalf("ReturnData = %s %+v, want Successful", env.ReturnData, env.Error)
			}
			reqs := h.requests(gqlPath)
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			if diff := cmp.Diff(plain(t, tc.want), reqs[0].Variables["filterBy"]); diff != "" {
				t.Errorf("filterBy mismatch (-want +got):\n%s", diff)
			}
			if tc.each != nil {
				for _, n := range list(field(env.RawData, "data", "nodes")) {
					tc.each(t, n)
				}
			}
		})
	}
}

// fieldIn checks that an event's field is one of the values.
func fieldIn(key string, values ...string) func(t *testing.T, n any) {
	return func(t *testing.T, n any) {
		t.Helper()
		if v := text(field(n, key)); !slices.Contains(values, v) {
			t.Errorf("event %v has %s %s, want one of %v", field(n, "id"), key, v, values)
		}
	}
}

// TestFetchEventLimit checks Number of Event(s) Fetched: one request for
// that many (first = the limit, at most 500), that many events, and the
// page's range 1 to 500 refused before any request.
func TestFetchEventLimit(t *testing.T) {
	t.Parallel()
	for _, limit := range []int{1, 7, 500} {
		t.Run(strconv.Itoa(limit), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, fake.WithGeneratedIssues(1200))
			env := h.run(FetchEventName, map[string]any{"number_of_events_fetched": limit})
			if env.ReturnData != actions.Successful {
				t.Fatalf("ReturnData = %s %+v", env.ReturnData, env.Error)
			}
			reqs := h.requests(gqlPath)
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			if got := reqs[0].Variables["first"]; got != float64(limit) {
				t.Errorf("first = %v, want %d", got, limit)
			}
			if _, ok := reqs[0].Variables["after"]; ok {
				t.Errorf("first page sent after = %v", reqs[0].Variables["after"])
			}
			if n := len(list(field(env.RawData, "data", "nodes"))); n != limit {
				t.Errorf("%d events, want %d", n, limit)
			}
			if n := len(env.KeyFields["EventIDs"]); n != limit {
				t.Errorf("%d EventIDs, want %d", n, limit)
			}
			if want := ">" + strconv.Itoa(limit) + "</td></tr></table>"; !strings.HasSuffix(env.Result, want) {
				t.Errorf("Result = %s, want Events Count %d", env.Result, limit)
			}
		})
	}
	for _, limit := range []int{0, 501} {
		t.Run(strconv.Itoa(limit), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			env := h.run(FetchEventName, map[string]any{"number_of_events_fetched": limit})
			if env.ReturnData != actions.Failed || env.Error == nil || !strings.Contains(env.Error.Message, "number_of_events_fetched") {
				t.Errorf("limit %d: %s %+v, want Failed naming the input", limit, env.ReturnData, env.Error)
			}
			if n := len(h.srv.Requests()); n != 0 {
				t.Errorf("%d requests sent, want none", n)
			}
		})
	}
}

// TestFetchEventAllPages checks that without a limit Fetch Event reads
// every page: 1,218 issues in pages of 500, each after the previous
// page's endCursor with the same filter, no event twice.
func TestFetchEventAllPages(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fake.WithGeneratedIssues(1200))
	env := h.run(FetchEventName, map[string]any{})
	if env.ReturnData != actions.Successful {
		t.Fatalf("ReturnData = %s %+v", env.ReturnData, env.Error)
	}
	reqs := h.requests(gqlPath)
	replies := h.replies()
	if len(reqs) != 3 || len(replies) != 3 {
		t.Fatalf("%d requests, %d replies; want 3 pages", len(reqs), len(replies))
	}
	day := timeRange(t0.Add(-24*time.Hour), t0)
	for i, r := range reqs {
		want := map[string]any{"first": 500, "filterBy": map[string]any{"updatedAt": day}, "orderBy": issuesOrder}
		if i > 0 {
			cursor, _ := field(replies[i-1], "data", "issues", "pageInfo", "endCursor").(string)
			if cursor == "" {
				t.Fatalf("page %d has no endCursor", i)
			}
			want["after"] = cursor
		}
		checkGraphQL(t, r, h.tokens()[0], kindIssues.fetchWant(want))
	}
	nodes := list(field(env.RawData, "data", "nodes"))
	seen := map[string]bool{}
	for _, n := range nodes {
		id := text(field(n, "id"))
		if seen[id] {
			t.Errorf("event %s returned twice", id)
		}
		seen[id] = true
	}
	if len(nodes) != 1218 {
		t.Errorf("%d events, want 18 seeded and 1,200 generated", len(nodes))
	}
	if diff := cmp.Diff(fetchRaw(t, h, kindIssues), env.RawData); diff != "" {
		t.Errorf("Raw Data is not the pages' nodes sorted (-want +got):\n%.2000s", diff)
	}
	if k := env.KeyFields; len(k["EventIDs"]) != 1218 || len(k["Statuses"]) != 1218 {
		t.Errorf("Key Fields have %d EventIDs and %d Statuses, want 1218 each", len(k["EventIDs"]), len(k["Statuses"]))
	}
}

// TestFetchEventNoData checks a window with no events: Successful with
// No Event Data, empty nodes and Key Fields, and a count of 0.
func TestFetchEventNoData(t *testing.T) {
	t.Parallel()
	for _, k := range []eventKind{kindIssues, kindCCF, kindVulns} {
		t.Run(k.label, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			env := h.run(FetchEventName, map[string]any{"event_type": k.label,
				"start_time": "2020-01-01 00:00:00", "end_time": "2020-01-02 00:00:00"})
			if env.ReturnData != actions.SuccessfulNoEventData || env.Error != nil {
				t.Fatalf("ReturnData = %s %+v, want Successful with No Event Data", env.ReturnData, env.Error)
			}
			if diff := cmp.Diff(map[string]any{"data": map[string]any{"nodes": []any{}}}, env.RawData); diff != "" {
				t.Errorf("Raw Data mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(map[string][]any{"EventIDs": {}, "Statuses": {}}, env.KeyFields); diff != "" {
				t.Errorf("Key Fields mismatch (-want +got):\n%s", diff)
			}
			if want := resultTable(fetchCols, "2020-01-01T00:00:00.000Z", "2020-01-02T00:00:00.000Z", "0"); env.Result != want {
				t.Errorf("Result = %s, want %s", env.Result, want)
			}
		})
	}
}

// TestFetchEventEndlessPages checks a server that says more pages follow
// without a new cursor, or with no nodes: Fetch Event fails at once
// instead of asking forever.
func TestFetchEventEndlessPages(t *testing.T) {
	t.Parallel()
	page := func(nodes, cursor string) string {
		return `{"data":{"issues":{"nodes":[` + nodes + `],"pageInfo":{"hasNextPage":true,"endCursor":` + cursor + `}}}}`
	}
	node := func(id string) string {
		return `{"__typename":"Issue","id":"` + id + `","status":"OPEN","updatedAt":"2026-03-10T10:00:00Z"}`
	}
	tests := []struct {
		name  string
		reply func(vars map[string]any) string
		calls int
		page  int
	}{
		{name: "same cursor again", reply: func(vars map[string]any) string {
			return page(node(fmt.Sprint("i-", vars["after"])), `"c1"`)
		}, calls: 2, page: 2},
		{name: "null cursor", reply: func(map[string]any) string { return page(node("i-1"), "null") }, calls: 1, page: 1},
		{name: "empty cursor", reply: func(map[string]any) string { return page(node("i-1"), `""`) }, calls: 1, page: 1},
		{name: "empty page", reply: func(vars map[string]any) string {
			return page("", fmt.Sprintf(`"c%d"`, len(fmt.Sprint(vars["after"]))))
		}, calls: 1, page: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, api := newScriptedHarness(t, tc.reply)
			env := h.run(FetchEventName, nil)
			msg := fmt.Sprintf("issuesV2: page %d says more pages follow but gives no new cursor", tc.page)
			checkError(t, env, actions.Failed, "Fetch Event failed.", 200, msg)
			if n := len(api.requests()); n != tc.calls {
				t.Errorf("%d requests, want %d", n, tc.calls)
			}
		})
	}
}
