package wiz

import (
	"encoding/json"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/actions/wiz/fake"
)

// unknownIssueID is an issue the fake does not have.
const unknownIssueID = "00000000-0000-4000-8000-000000000000"

// Column headers of the Result tables, as the page shows them.
var (
	fetchCols   = []string{"Start Time (UTC)", "End Time (UTC)", "Events Count"}
	issuesCols  = []string{"Issues Count"}
	projectCols = []string{"Projects Count"}
)

// issuesOrder is the order Fetch Event asks for issues in.
var issuesOrder = map[string]any{"field": "CREATED_AT", "direction": "DESC"}

// eventKind is what Fetch Event reads for one Event Type.
type eventKind struct {
	label, root, alias, typename, timeField, severityKey string
}

var (
	kindIssues = eventKind{"Issues", "issuesV2", "issues", "Issue", "updatedAt", "severity"}
	kindCCF    = eventKind{"Cloud Configuration Findings", "configurationFindings", "", "ConfigurationFinding", "firstSeenAt", "severity"}
	kindVulns  = eventKind{"Vulnerability Findings", "vulnerabilityFindings", "", "VulnerabilityFinding", "updatedAt", "vendorSeverity"}
)

// dataKey is the key of the kind's connection in a reply's data.
func (k eventKind) dataKey() string {
	if k.alias != "" {
		return k.alias
	}
	return k.root
}

// fetchWant is the request Fetch Event sends for a page.
func (k eventKind) fetchWant(vars map[string]any) gqlWant {
	return gqlWant{op: ast.Query, root: k.root, alias: k.alias, vars: vars}
}

// replyNodes returns the nodes of every GraphQL reply of a fetch, in the
// order the API sent them.
func replyNodes(t testing.TB, h *harness, key string) []any {
	t.Helper()
	var out []any
	for _, r := range h.replies() {
		out = append(out, list(field(r, "data", key, "nodes"))...)
	}
	return out
}

// timeOf reads a node's RFC 3339 time field.
func timeOf(t testing.TB, n any, key string) time.Time {
	t.Helper()
	s, _ := field(n, key).(string)
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("node %v: %s %q is not RFC 3339", field(n, "id"), key, s)
	}
	return tm
}

// sortedEvents is what Fetch Event must return for the nodes the API
// sent: each with its EventType, sorted descending by the kind's time
// field, equal times in the API's order.
func sortedEvents(t testing.TB, nodes []any, k eventKind) []any {
	t.Helper()
	type event struct {
		n  map[string]any
		at time.Time
	}
	evs := make([]event, len(nodes))
	for i, n := range nodes {
		m := map[string]any{}
		for key, v := range n.(map[string]any) {
			m[key] = v
		}
		m["EventType"] = k.label
		evs[i] = event{m, timeOf(t, n, k.timeField)}
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].at.After(evs[j].at) })
	out := make([]any, len(evs))
	for i, e := range evs {
		out[i] = e.n
	}
	return out
}

// fetchRaw is Fetch Event's Raw Data for the replies the fake sent.
func fetchRaw(t testing.TB, h *harness, k eventKind) any {
	t.Helper()
	return map[string]any{"data": map[string]any{"nodes": sortedEvents(t, replyNodes(t, h, k.dataKey()), k)}}
}

// fetchKeys is Fetch Event's Key Fields for its Raw Data: EventIDs and
// Statuses aligned.
func fetchKeys(raw any) map[string][]any {
	keys := map[string][]any{"EventIDs": {}, "Statuses": {}}
	for _, n := range list(field(raw, "data", "nodes")) {
		keys["EventIDs"] = append(keys["EventIDs"], field(n, "id"))
		keys["Statuses"] = append(keys["Statuses"], field(n, "status"))
	}
	return keys
}

// resultsOf is a per-item command's Raw Data: {"Results": [reply, ...]}
// with the fake's replies in input order, matched to the ids by the
// request variable idOf reads.
func resultsOf(t testing.TB, h *harness, idOf func(vars any) string, ids ...string) any {
	t.Helper()
	byID := map[string]any{}
	for _, ex := range h.tap.exchanges(gqlPath) {
		byID[idOf(field(decode(t, ex.reqBody), "variables"))] = decode(t, ex.body)
	}
	out := []any{}
	for _, id := range ids {
		r, ok := byID[id]
		if !ok {
			t.Fatalf("no reply for issue %s", id)
		}
		out = append(out, r)
	}
	return map[string]any{"Results": out}
}

func noteIssueID(vars any) string   { return text(field(vars, "input", "issueId")) }
func updateIssueID(vars any) string { return text(field(vars, "issueId")) }

// noteWant and updateWant are the mutations of one issue.
func noteWant(id, note string) gqlWant {
	return gqlWant{op: ast.Mutation, root: "createIssueNote",
		vars: map[string]any{"input": map[string]any{"issueId": id, "text": note}}}
}

func updateWant(id string, patch map[string]any) gqlWant {
	return gqlWant{op: ast.Mutation, root: "updateIssue", vars: map[string]any{"issueId": id, "patch": patch}}
}

// notesOf returns the texts of an issue's notes in the fake.
func notesOf(t testing.TB, h *harness, id string) []string {
	t.Helper()
	issue, ok := h.srv.Issue(id)
	if !ok {
		t.Fatalf("fake has no issue %s", id)
	}
	var out []string
	for _, n := range list(issue["notes"]) {
		out = append(out, text(field(n, "text")))
	}
	return out
}

// checkRequests checks that the run logged in once and sent exactly the
// GraphQL requests want with the token it got: in order, or matched by
// variables when the command sends them concurrently.
func checkRequests(t testing.TB, h *harness, want []gqlWant, unordered bool) {
	t.Helper()
	logins := h.requests(tokenPath)
	if len(logins) != 1 {
		t.Fatalf("%d token requests, want 1", len(logins))
	}
	checkTokenRequest(t, logins[0], fake.ClientID, fake.ClientSecret)
	toks := h.tokens()
	if len(toks) != 1 {
		t.Fatalf("%d tokens issued, want 1", len(toks))
	}
	got := h.requests(gqlPath)
	if len(got) != len(want) {
		t.Fatalf("%d GraphQL requests, want %d", len(got), len(want))
	}
	if unordered {
		key := func(v any) string { b, _ := json.Marshal(plain(t, v)); return string(b) }
		sort.SliceStable(got, func(i, j int) bool { return key(got[i].Variables) < key(got[j].Variables) })
		want = slices.Clone(want)
		sort.SliceStable(want, func(i, j int) bool { return key(want[i].vars) < key(want[j].vars) })
	}
	for i := range got {
		checkGraphQL(t, got[i], toks[0], want[i])
	}
}

// cmdCase is one command run against the seeded fake: the exact requests
// it must send and its envelope.
type cmdCase struct {
	name   string
	cmd    string
	opts   []fake.Option
	inputs map[string]any
	want   []gqlWant
	// unordered: per-item commands send their requests concurrently.
	unordered bool
	rd        actions.ReturnData
	// raw builds the Raw Data from the replies the fake sent; keys the Key
	// Fields from that Raw Data.
	raw    func(t testing.TB, h *harness) any
	keys   func(raw any) map[string][]any
	result func(raw any) string
	after  func(t testing.TB, h *harness)
}

func commandCases() []cmdCase {
	day := timeRange(t0.Add(-24*time.Hour), t0)
	ids := []string{fake.SampleIssueID, fake.WebProd01IssueID}
	fetchResult := func(start, end string) func(raw any) string {
		return func(raw any) string {
			return resultTable(fetchCols, start, end, strconv.Itoa(len(list(field(raw, "data", "nodes")))))
		}
	}
	return []cmdCase{
		{
			name: "fetch issues, default window", cmd: FetchEventName, inputs: map[string]any{},
			want: []gqlWant{kindIssues.fetchWant(map[string]any{"first": 500,
				"filterBy": map[string]any{"updatedAt": day}, "orderBy": issuesOrder})},
			rd:     actions.Successful,
			raw:    func(t testing.TB, h *harness) any { return fetchRaw(t, h, kindIssues) },
			keys:   fetchKeys,
			result: fetchResult("2026-03-09T12:00:00.000Z", "2026-03-10T12:00:00.000Z"),
		},
		{
			name: "fetch configuration findings, page's window form", cmd: FetchEventName,
			inputs: map[string]any{"event_type": "Cloud Configuration Findings",
				"start_time": "2026-03-01 18:00:00", "end_time": "2026-03-10 11:00:00"},
			want: []gqlWant{kindCCF.fetchWant(map[string]any{"first": 500,
				"filterBy": map[string]any{"firstSeenAt": map[string]any{"after": "2026-03-01T18:00:00.000Z", "before": "2026-03-10T11:00:00.000Z"}}})},
			rd:     actions.Successful,
			raw:    func(t testing.TB, h *harness) any { return fetchRaw(t, h, kindCCF) },
			keys:   fetchKeys,
			result: fetchResult("2026-03-01T18:00:00.000Z", "2026-03-10T11:00:00.000Z"),
		},
		{
			name: "fetch vulnerability findings, severity and status", cmd: FetchEventName,
			inputs: map[string]any{"event_type": "Vulnerability Findings", "severity": "Critical and High",
				"issue_statuses": []any{"OPEN"}},
			want: []gqlWant{kindVulns.fetchWant(map[string]any{"first": 500,
				"filterBy": map[string]any{"updatedAt": day, "vendorSeverity": anys("CRITICAL", "HIGH"), "status": anys("OPEN")}})},
			rd:     actions.Successful,
			raw:    func(t testing.TB, h *harness) any { return fetchRaw(t, h, kindVulns) },
			keys:   fetchKeys,
			result: fetchResult("2026-03-09T12:00:00.000Z", "2026-03-10T12:00:00.000Z"),
		},
		{
			name: "list projects", cmd: ListProjectsName, inputs: map[string]any{},
			want: []gqlWant{{op: ast.Query, root: "projects", vars: map[string]any{"first": 500}}},
			rd:   actions.Successful,
			raw: func(t testing.TB, h *harness) any {
				return map[string]any{"data": map[string]any{"projects": map[string]any{"nodes": replyNodes(t, h, "projects")}}}
			},
			keys: func(raw any) map[string][]any {
				keys := map[string][]any{"ProjectIDs": {}, "ProjectNames": {}}
				for _, n := range list(field(raw, "data", "projects", "nodes")) {
					keys["ProjectIDs"] = append(keys["ProjectIDs"], field(n, "id"))
					keys["ProjectNames"] = append(keys["ProjectNames"], field(n, "name"))
				}
				return keys
			},
			result: func(raw any) string {
				return resultTable(projectCols, strconv.Itoa(len(list(field(raw, "data", "projects", "nodes")))))
			},
		},
		{
			name: "add issue comments", cmd: AddIssueCommentsName,
			inputs:    map[string]any{"issue_ids": anys(ids...), "note_text": "Demo note"},
			want:      []gqlWant{noteWant(ids[0], "Demo note"), noteWant(ids[1], "Demo note")},
			unordered: true,
			rd:        actions.Successful,
			raw:       func(t testing.TB, h *harness) any { return resultsOf(t, h, noteIssueID, ids...) },
			keys:      func(any) map[string][]any { return map[string][]any{"IssueIDs": anys(ids...)} },
			result:    func(any) string { return resultTable(issuesCols, "2") },
			after: func(t testing.TB, h *harness) {
				for _, id := range ids {
					if got := notesOf(t, h, id); len(got) == 0 || got[len(got)-1] != "Demo note" {
						t.Errorf("issue %s notes = %q, want the comment last", id, got)
					}
				}
			},
		},
		{
			name: "update issues", cmd: UpdateIssuesName,
			inputs: map[string]any{"issue_ids": anys(ids...), "status": "Rejected", "reject_reason": "False Positive",
				"due_time": "2007-12-03T10:15:30Z", "note": "This is a test note"},
			want: func() []gqlWant {
				patch := map[string]any{"status": "REJECTED", "resolutionReason": "FALSE_POSITIVE",
					"dueAt": "2007-12-03T10:15:30.000Z", "note": "This is a test note"}
				return []gqlWant{updateWant(ids[0], patch), updateWant(ids[1], patch)}
			}(),
			unordered: true,
			rd:        actions.Successful,
			raw:       func(t testing.TB, h *harness) any { return resultsOf(t, h, updateIssueID, ids...) },
			keys: func(any) map[string][]any {
				return map[string][]any{"IssueIDs": anys(ids...), "IssueStatuses": anys("REJECTED", "REJECTED")}
			},
			result: func(any) string { return resultTable(issuesCols, "2") },
			after: func(t testing.TB, h *harness) {
				for _, id := range ids {
					issue, _ := h.srv.Issue(id)
					got := map[string]any{"status": issue["status"], "resolutionReason": issue["resolutionReason"],
						"note": issue["note"], "dueAt": issue["dueAt"]}
					want := map[string]any{"status": "REJECTED", "resolutionReason": "FALSE_POSITIVE",
						"note": "This is a test note", "dueAt": "2007-12-03T10:15:30Z"}
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("issue %s after the update (-want +got):\n%s", id, diff)
					}
				}
			},
		},
		{
			name: "test connection", cmd: TestConnectionName, inputs: map[string]any{},
			want: []gqlWant{{op: ast.Query, root: "issuesV2", alias: "issues", vars: map[string]any{"first": 1}}},
			rd:   actions.Successful,
			raw:  func(t testing.TB, h *harness) any { return h.replies()[0] },
			keys: func(any) map[string][]any { return nil },
		},
	}
}

// TestCommands runs each command against the seeded fake and checks the
// login, the exact GraphQL requests, and the envelope: Return Data, Raw
// Data in the page's shape, Key Fields and the Result table.
func TestCommands(t *testing.T) {
	t.Parallel()
	covered := map[string]bool{}
	for _, tc := range commandCases() {
		covered[tc.cmd] = true
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tc.opts...)
			env := h.run(tc.cmd, tc.inputs)
			if env.ReturnData != tc.rd {
				t.Fatalf("ReturnData = %q, want %q (error %+v)", env.ReturnData, tc.rd, env.Error)
			}
			if env.Error != nil {
				t.Errorf("Error = %+v, want nil", env.Error)
			}
			checkRequests(t, h, tc.want, tc.unordered)
			raw := tc.raw(t, h)
			if diff := cmp.Diff(raw, env.RawData); diff != "" {
				t.Errorf("Raw Data mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.keys(raw), env.KeyFields); diff != "" {
				t.Errorf("Key Fields mismatch (-want +got):\n%s", diff)
			}
			want := ""
			if tc.result != nil {
				want = tc.result(raw)
			}
			if env.Result != want {
				t.Errorf("Result = %q\n          want %q", env.Result, want)
			}
			if tc.after != nil {
				tc.after(t, h)
			}
		})
	}
	for _, c := range New().Commands() {
		if !covered[c.Spec().Name] {
			t.Errorf("no case for %s", c.Spec().Name)
		}
	}
}

// TestListProjects checks the filters List Projects sends, the projects it
// returns from the seed, and High and Medium as two reads merged.
func TestListProjects(t *testing.T) {
	t.Parallel()
	seed := map[string]fake.Project{}
	for _, p := range fake.SeedProjects() {
		seed[p.ID] = p
	}
	var unarchived []string
	for _, p := range fake.SeedProjects() {
		if !p.Archived {
			unarchived = append(unarchived, p.ID)
		}
	}
	byImpact := func(impacts ...string) []string {
		var out []string
		for _, imp := range impacts {
			for _, p := range fake.SeedProjects() {
				if p.BusinessImpact == imp && !p.Archived {
					out = append(out, p.ID)
				}
			}
		}
		return out
	}
	tests := []struct {
		name    string
		inputs  map[string]any
		filters []map[string]any // filterBy of each request; nil: none sent
		ids     []string
	}{
		{name: "all", inputs: nil, filters: []map[string]any{nil}, ids: unarchived},
		{name: "name", inputs: map[string]any{"project_name": "project1"}, filters: []map[string]any{{"search": "project1"}},
			ids: []string{fake.Project1ID}},
		{name: "high", inputs: map[string]any{"impact": "High"}, filters: []map[string]any{{"impact": "HBI"}},
			ids: byImpact("HBI")},
		{name: "medium", inputs: map[string]any{"impact": "Medium"}, filters: []map[string]any{{"impact": "MBI"}},
			ids: byImpact("MBI")},
		{name: "low leaves out the archived", inputs: map[string]any{"impact": "Low"}, filters: []map[string]any{{"impact": "LBI"}},
			ids: []string{fake.SecurityLabProjectID}},
		{name: "high and medium", inputs: map[string]any{"impact": "High and Medium"},
			filters: []map[string]any{{"impact": "HBI"}, {"impact": "MBI"}}, ids: byImpact("HBI", "MBI")},
		{name: "name and impact", inputs: map[string]any{"project_name": "Project", "impact": "Medium"},
			filters: []map[string]any{{"search": "Project", "impact": "MBI"}}, ids: []string{fake.Project1ID, fake.Project2ID}},
		{name: "no match", inputs: map[string]any{"project_name": "no such project"},
			filters: []map[string]any{{"search": "no such project"}}, ids: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			env := h.run(ListProjectsName, tc.inputs)
			if env.ReturnData != actions.Successful {
				t.Fatalf("ReturnData = %s %+v", env.ReturnData, env.Error)
			}
			reqs := h.requests(gqlPath)
			if len(reqs) != len(tc.filters) {
				t.Fatalf("%d requests, want %d", len(reqs), len(tc.filters))
			}
			for i, f := range tc.filters {
				vars := map[string]any{"first": 500}
				if f != nil {
					vars["filterBy"] = f
				}
				checkGraphQL(t, reqs[i], h.tokens()[0], gqlWant{op: ast.Query, root: "projects", vars: vars})
			}
			nodes := list(field(env.RawData, "data", "projects", "nodes"))
			wantKeys := map[string][]any{"ProjectIDs": {}, "ProjectNames": {}}
			var got []string
			for _, n := range nodes {
				got = append(got, text(field(n, "id")))
			}
			for _, id := range tc.ids {
				wantKeys["ProjectIDs"] = append(wantKeys["ProjectIDs"], id)
				wantKeys["ProjectNames"] = append(wantKeys["ProjectNames"], seed[id].Name)
			}
			if !slices.Equal(got, tc.ids) {
				t.Errorf("projects %v, want %v", got, tc.ids)
			}
			if diff := cmp.Diff(wantKeys, env.KeyFields); diff != "" {
				t.Errorf("Key Fields mismatch (-want +got):\n%s", diff)
			}
			if want := resultTable(projectCols, strconv.Itoa(len(tc.ids))); env.Result != want {
				t.Errorf("Result = %s, want %s", env.Result, want)
			}
		})
	}
}

// TestListProjectsMergeAndPages checks, against a scripted API, that List
// Projects follows endCursor through every page of each read, and that
// High and Medium keeps a project both reads return once.
func TestListProjectsMergeAndPages(t *testing.T) {
	t.Parallel()
	proj := func(id string) string { return `{"id":"` + id + `","name":"Name ` + id + `"}` }
	reply := func(vars map[string]any) string {
		imp := text(field(vars, "filterBy", "impact"))
		switch {
		case imp == "HBI" && vars["after"] == nil:
			return `{"data":{"projects":{"nodes":[` + proj("p1") + `,` + proj("p2") + `],"pageInfo":{"hasNextPage":true,"endCursor":"h2"}}}}`
		case imp == "HBI" && vars["after"] == "h2":
			return `{"data":{"projects":{"nodes":[` + proj("p3") + `],"pageInfo":{"hasNextPage":false,"endCursor":"h3"}}}}`
		case imp == "MBI":
			return `{"data":{"projects":{"nodes":[` + proj("p2") + `,` + proj("p4") + `],"pageInfo":{"hasNextPage":false,"endCursor":"m1"}}}}`
		}
		return `{"errors":[{"message":"unexpected request","extensions":{"code":"BAD_USER_INPUT"}}]}`
	}
	h, api := newScriptedHarness(t, reply)
	env := h.run(ListProjectsName, map[string]any{"impact": "High and Medium"})
	if env.ReturnData != actions.Successful {
		t.Fatalf("ReturnData = %s %+v", env.ReturnData, env.Error)
	}
	wantVars := []map[string]any{
		{"first": 500, "filterBy": map[string]any{"impact": "HBI"}},
		{"first": 500, "filterBy": map[string]any{"impact": "HBI"}, "after": "h2"},
		{"first": 500, "filterBy": map[string]any{"impact": "MBI"}},
	}
	if diff := cmp.Diff(plain(t, wantVars), plain(t, api.requests())); diff != "" {
		t.Errorf("requests mismatch (-want +got):\n%s", diff)
	}
	wantKeys := map[string][]any{"ProjectIDs": anys("p1", "p2", "p3", "p4"),
		"ProjectNames": anys("Name p1", "Name p2", "Name p3", "Name p4")}
	if diff := cmp.Diff(wantKeys, env.KeyFields); diff != "" {
		t.Errorf("Key Fields mismatch (-want +got):\n%s", diff)
	}
	if n := len(list(field(env.RawData, "data", "projects", "nodes"))); n != 4 {
		t.Errorf("%d projects in Raw Data, want 4 without the duplicate", n)
	}
	if want := resultTable(projectCols, "4"); env.Result != want {
		t.Errorf("Result = %s, want %s", env.Result, want)
	}
}

// TestPerItemPartial checks Add Issue Comments and Update Issues with an
// unknown issue among known ones: one request per id, Partially
// Successful with the 404 naming the id, Key Fields of the succeeded
// ones only, and the unknown id's entry in Results the vendor's GraphQL
// error reply; and all unknown: Failed.
func TestPerItemPartial(t *testing.T) {
	t.Parallel()
	known := []string{fake.SampleIssueID, fake.CIDeployerIssueID}
	mixed := []string{known[0], unknownIssueID, known[1]}
	tests := []struct {
		name   string
		cmd    string
		inputs map[string]any
		ids    []string
		idOf   func(vars any) string
		rd     actions.ReturnData
		msg    string
		keys   map[string][]any
		count  string
	}{
		{name: "comments, one unknown", cmd: AddIssueCommentsName,
			inputs: map[string]any{"issue_ids": anys(mixed...), "note_text": "triaged"}, ids: mixed, idOf: noteIssueID,
			rd: actions.PartiallySuccessful, msg: "1 of 3 failed: " + unknownIssueID + ": 404 Resource not found",
			keys: map[string][]any{"IssueIDs": anys(known...)}, count: "2"},
		{name: "comments, all unknown", cmd: AddIssueCommentsName,
			inputs: map[string]any{"issue_ids": anys(unknownIssueID, "11111111-1111-4111-8111-111111111111"), "note_text": "x"},
			ids:    []string{unknownIssueID, "11111111-1111-4111-8111-111111111111"}, idOf: noteIssueID,
			rd:   actions.Failed,
			msg:  "2 of 2 failed: " + unknownIssueID + ": 404 Resource not found; 11111111-1111-4111-8111-111111111111: 404 Resource not found",
			keys: map[string][]any{"IssueIDs": {}}, count: "0"},
		{name: "update, one unknown", cmd: UpdateIssuesName,
			inputs: map[string]any{"issue_ids": anys(mixed...), "status": "In Progress"}, ids: mixed, idOf: updateIssueID,
			rd: actions.PartiallySuccessful, msg: "1 of 3 failed: " + unknownIssueID + ": 404 Resource not found",
			keys: map[string][]any{"IssueIDs": anys(known...), "IssueStatuses": anys("IN_PROGRESS", "IN_PROGRESS")}, count: "2"},
		{name: "update, all unknown", cmd: UpdateIssuesName,
			inputs: map[string]any{"issue_ids": anys(unknownIssueID), "due_time": "2026-12-01"}, ids: []string{unknownIssueID}, idOf: updateIssueID,
			rd: actions.Failed, msg: "1 of 1 failed: " + unknownIssueID + ": 404 Resource not found",
			keys: map[string][]any{"IssueIDs": {}, "IssueStatuses": {}}, count: "0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			env := h.run(tc.cmd, tc.inputs)
			indicator := map[string]string{AddIssueCommentsName: "Add Issue Comments failed.", UpdateIssuesName: "Update Issues failed."}[tc.cmd]
			checkError(t, env, tc.rd, indicator, 404, tc.msg)
			if n := len(h.requests(gqlPath)); n != len(tc.ids) {
				t.Errorf("%d requests, want one per id (%d)", n, len(tc.ids))
			}
			raw := resultsOf(t, h, tc.idOf, tc.ids...)
			if diff := cmp.Diff(raw, env.RawData); diff != "" {
				t.Errorf("Raw Data mismatch (-want +got):\n%s", diff)
			}
			for i, id := range tc.ids {
				entry := list(field(env.RawData, "Results"))[i]
				_, isErr := field(entry, "errors").([]any)
				if isErr != (id != known[0] && id != known[1]) {
					t.Errorf("Results[%d] for %s: %v", i, id, entry)
				}
				if isErr && text(field(list(field(entry, "errors"))[0], "extensions", "code")) != "NOT_FOUND" {
					t.Errorf("Results[%d] = %v, want the vendor's NOT_FOUND reply", i, entry)
				}
			}
			if diff := cmp.Diff(tc.keys, env.KeyFields); diff != "" {
				t.Errorf("Key Fields mismatch (-want +got):\n%s", diff)
			}
			if want := resultTable(issuesCols, tc.count); env.Result != want {
				t.Errorf("Result = %s, want %s", env.Result, want)
			}
		})
	}
}

// TestUpdateIssuesPatch checks that Update Issues' patch holds only the
// fields given, with the wire values (a due time in RFC 3339 UTC), and
// that the fake's issue shows the change.
func TestUpdateIssuesPatch(t *testing.T) {
	t.Parallel()
	id := fake.CIDeployerIssueID
	tests := []struct {
		name   string
		inputs map[string]any
		patch  map[string]any
		// issue is the fields of the issue afterwards.
		issue map[string]any
	}{
		{name: "status", inputs: map[string]any{"status": "In Progress"},
			patch: map[string]any{"status": "IN_PROGRESS"}, issue: map[string]any{"status": "IN_PROGRESS"}},
		{name: "due time", inputs: map[string]any{"due_time": "2007-12-03T10:15:30Z"},
			patch: map[string]any{"dueAt": "2007-12-03T10:15:30.000Z"}, issue: map[string]any{"dueAt": "2007-12-03T10:15:30Z", "status": "OPEN"}},
		{name: "due time in the page's form", inputs: map[string]any{"due_time": "2026-12-01 17:30:00"},
			patch: map[string]any{"dueAt": "2026-12-01T17:30:00.000Z"}, issue: map[string]any{"dueAt": "2026-12-01T17:30:00Z"}},
		{name: "open with due time", inputs: map[string]any{"status": "Open", "due_time": "2026-12-01T00:00:00+01:00"},
			patch: map[string]any{"status": "OPEN", "dueAt": "2026-11-30T23:00:00.000Z"},
			issue: map[string]any{"status": "OPEN", "dueAt": "2026-11-30T23:00:00Z"}},
		{name: "rejected", inputs: map[string]any{"status": "Rejected", "reject_reason": "Won't Fix"},
			patch: map[string]any{"status": "REJECTED", "resolutionReason": "WONT_FIX"},
			issue: map[string]any{"status": "REJECTED", "resolutionReason": "WONT_FIX"}},
		{name: "rejected with note", inputs: map[string]any{"status": "Rejected", "reject_reason": "Exception", "note": "accepted risk"},
			patch: map[string]any{"status": "REJECTED", "resolutionReason": "EXCEPTION", "note": "accepted risk"},
			issue: map[string]any{"status": "REJECTED", "resolutionReason": "EXCEPTION", "note": "accepted risk"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			in := map[string]any{"issue_ids": anys(id)}
			for k, v := range tc.inputs {
				in[k] = v
			}
			env := h.run(UpdateIssuesName, in)
			if env.ReturnData != actions.Successful {
				t.Fatalf("ReturnData = %s %+v", env.ReturnData, env.Error)
			}
			checkRequests(t, h, []gqlWant{updateWant(id, tc.patch)}, false)
			if due, ok := tc.patch["dueAt"].(string); ok {
				if _, err := time.Parse(time.RFC3339, due); err != nil {
					t.Errorf("dueAt %q is not RFC 3339: %v", due, err)
				}
			}
			issue, _ := h.srv.Issue(id)
			for k, want := range tc.issue {
				if got := issue[k]; got != want {
					t.Errorf("issue %s = %v, want %v", k, got, want)
				}
			}
			if got := field(list(field(env.RawData, "Results"))[0], "data", "updateIssue", "issue", "status"); got != issue["status"] {
				t.Errorf("Raw Data status %v, fake's %v", got, issue["status"])
			}
		})
	}
}

// TestUpdateIssuesRefused checks the page's rules, refused before any
// request (no login either): RESOLVED cannot be set, and a Reject Reason
// or a Note needs Rejected.
func TestUpdateIssuesRefused(t *testing.T) {
	t.Parallel()
	ids := anys(fake.CIDeployerIssueID)
	tests := []struct {
		name   string
		inputs map[string]any
		msg    string // in the message
	}{
		{name: "resolved", inputs: map[string]any{"issue_ids": ids, "status": "Resolved"}, msg: "scan cycle"},
		{name: "resolved wire value", inputs: map[string]any{"issue_ids": ids, "status": "RESOLVED", "reject_reason": "False Positive"}, msg: "scan cycle"},
		{name: "reject reason without rejected", inputs: map[string]any{"issue_ids": ids, "status": "In Progress", "reject_reason": "False Positive"},
			msg: "only with status Rejected"},
		{name: "reject reason without status", inputs: map[string]any{"issue_ids": ids, "reject_reason": "Exception", "due_time": "2026-12-01"},
			msg: "only with status Rejected"},
		{name: "note without rejected", inputs: map[string]any{"issue_ids": ids, "status": "Open", "note": "n"},
			msg: "wiz.add_issue_comments"},
		{name: "rejected without reason", inputs: map[string]any{"issue_ids": ids, "status": "Rejected"}, msg: "required with status Rejected"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			env := h.run(UpdateIssuesName, tc.inputs)
			if env.ReturnData != actions.Failed || env.Error == nil || env.Error.FailureIndicator != "Update Issues failed." ||
				!strings.Contains(env.Error.Message, tc.msg) {
				t.Errorf("got %s %+v, want Failed with %q", env.ReturnData, env.Error, tc.msg)
			}
			if n := len(h.srv.Requests()); n != 0 {
				t.Errorf("%d requests sent, want none", n)
			}
			if issue, _ := h.srv.Issue(fake.CIDeployerIssueID); issue["status"] != "OPEN" {
				t.Errorf("issue status %v, want it unchanged", issue["status"])
			}
		})
	}
}

// TestDuplicateIDsOnce checks that an issue listed twice is commented and
// updated once.
func TestDuplicateIDsOnce(t *testing.T) {
	h := newHarness(t)
	id := fake.WebProd01IssueID
	before, _ := h.srv.Issue(id)
	env := h.run(AddIssueCommentsName, map[string]any{"issue_ids": []any{id, " " + id, id}, "note_text": "once"})
	if env.ReturnData != actions.Successful {
		t.Fatalf("envelope %+v", env)
	}
	if n := len(list(field(env.RawData, "Results"))); n != 1 {
		t.Errorf("%d Results, want 1", n)
	}
	after, _ := h.srv.Issue(id)
	if got := len(list(after["notes"])) - len(list(before["notes"])); got != 1 {
		t.Errorf("%d notes added, want 1", got)
	}
}
