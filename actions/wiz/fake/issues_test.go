package fake

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// seedIssue returns the IDs of the seeded issues at 1-based positions (the
// numbers of the comments in seed_issues.go).
func seedIssue(n ...int) []string {
	all := SeedIssueIDs()
	out := make([]string, len(n))
	for i, k := range n {
		out[i] = all[k-1]
	}
	return out
}

func rangeOf(n, m int) []int {
	var out []int
	for i := n; i <= m; i++ {
		out = append(out, i)
	}
	return out
}

// issueIDs runs the issues query with filterBy and returns the IDs, in
// order.
func issueIDs(t *testing.T, s *Server, tok string, filterBy any) []string {
	t.Helper()
	data := query(t, s, tok, issuesQuery, map[string]any{"first": 500, "filterBy": filterBy})
	return idsOfNodes(nodes(t, data, "issues"))
}

var timeFormat = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$`)

func TestIssuesD3Sample(t *testing.T) {
	t.Parallel()
	s := newServer()
	tok := login(t, s)
	ns := nodes(t, query(t, s, tok, issuesQuery, map[string]any{"first": 500, "filterBy": map[string]any{"id": []any{SampleIssueID}}}), "issues")
	if len(ns) != 1 {
		t.Fatalf("got %d nodes, want the sample", len(ns))
	}
	var want map[string]any
	if err := json.Unmarshal(readTestdata(t, "d3_issue.json"), &want); err != nil {
		t.Fatal(err)
	}
	got := ns[0]
	for _, k := range []string{"createdAt", "updatedAt", "statusChangedAt"} {
		v, _ := got[k].(string)
		if !timeFormat.MatchString(v) {
			t.Errorf("%s = %q, not the service's time format", k, v)
		}
		delete(got, k)
		delete(want, k)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sample issue mismatch (-D3 +fake):\n%s", diff)
	}
}

func TestIssuesFieldOrderAndSelection(t *testing.T) {
	t.Parallel()
	s := newServer()
	tok := login(t, s)
	const q = `query Q($f: IssueFilters) {
	  __typename
	  second: issuesV2(first: 1, filterBy: $f) { totalCount nodes { severity id ...Rule sev: severity } }
	}
	fragment Rule on Issue { sourceRule { ... on Control { name } __typename } }`
	body, _ := json.Marshal(map[string]any{"query": q, "variables": map[string]any{"f": map[string]any{"id": SampleIssueID}}})
	w := send(t, s, "POST", "/graphql", "application/json", body, bearer(tok))
	want := `{"data":{"__typename":"Query","second":{"totalCount":1,"nodes":[{"severity":"HIGH","id":"` + SampleIssueID +
		`","sourceRule":{"name":"Secrets not stored in a secret container","__typename":"Control"},"sev":"HIGH"}]}}}`
	if got := w.Body.String(); got != want {
		t.Errorf("reply =\n%s\nwant\n%s", got, want)
	}
}

func TestIssuesFragmentsAndTypename(t *testing.T) {
	t.Parallel()
	s := newServer()
	tok := login(t, s)
	const q = `query($f: IssueFilters, $withType: Boolean!) {
	  issuesV2(first: 10, filterBy: $f) {
	    nodes {
	      id
	      kind: __typename
	      type @include(if: $withType)
	      severity @skip(if: true)
	      control { name }
	      sourceRule {
	        __typename
	        ... on CloudEventRule { name sourceType rtype: type }
	        ... RuleName
	      }
	    }
	  }
	}
	fragment RuleName on CloudConfigurationRule { name serviceType }`
	data := query(t, s, tok, q, map[string]any{"withType": false, "f": map[string]any{"id": []any{SampleIssueID, CryptoMiningIssueID, seedIssue(10)[0]}}})
	ns := nodes(t, data, "issuesV2")
	want := []map[string]any{
		{"id": SampleIssueID, "kind": "Issue", "control": map[string]any{"name": "Secrets not stored in a secret container"},
			"sourceRule": map[string]any{"__typename": "Control"}},
		{"id": CryptoMiningIssueID, "kind": "Issue", "control": nil,
			"sourceRule": map[string]any{"__typename": "CloudEventRule", "name": "Connection to a known cryptocurrency mining pool", "sourceType": "WIZ_SENSOR", "rtype": "THREAT_DETECTION"}},
		{"id": seedIssue(10)[0], "kind": "Issue", "control": nil,
			"sourceRule": map[string]any{"__typename": "CloudConfigurationRule", "name": "S3 Bucket should have Block Public Access enabled", "serviceType": "AWS"}},
	}
	if diff := cmp.Diff(want, ns); diff != "" {
		t.Errorf("nodes mismatch (-want +got):\n%s", diff)
	}
}

func TestIssuesDefaultWindow(t *testing.T) {
	t.Parallel()
	s := newServer()
	tok := login(t, s)
	window := map[string]any{"updatedAt": map[string]any{"after": at(s, 24*time.Hour), "before": at(s, 0)}}
	got := issueIDs(t, s, tok, window)
	if want := seedIssue(rangeOf(1, 18)...); !slices.Equal(got, want) {
		t.Errorf("issues updated in the last 24 hours = %v, want %v", got, want)
	}
	if slices.Contains(got, OldIssueID) {
		t.Error("the 30-hour-old issue is in the default window")
	}
	// A triage playbook's view: OPEN CRITICAL/HIGH issues of the window,
	// split on the pentest-lab tag.
	window["status"] = []any{"OPEN"}
	window["severity"] = []any{"CRITICAL", "HIGH"}
	data := query(t, s, tok, issuesQuery, map[string]any{"first": 500, "filterBy": window})
	var lab, real []string
	for _, n := range nodes(t, data, "issues") {
		tags, _ := n["entitySnapshot"].(map[string]any)["tags"].(map[string]any)
		if tags["environment"] == "pentest-lab" {
			lab = append(lab, n["id"].(string))
		} else {
			real = append(real, n["id"].(string))
		}
	}
	if !slices.Equal(lab, PentestLabIssueIDs()) {
		t.Errorf("pentest-lab issues = %v, want %v", lab, PentestLabIssueIDs())
	}
	if want := []string{SampleIssueID, WebProd01IssueID, CIDeployerIssueID, CryptoMiningIssueID}; len(real) < 4 || !slices.Equal(real[:2], want[:2]) {
		t.Errorf("true positives = %v, want several starting with %v", real, want[:2])
	}
}

func TestIssueFilters(t *testing.T) {
	t.Parallel()
	s := newServer()
	tok := login(t, s)
	h := func(d time.Duration) string { return at(s, d) }
	tag := func(k, v string) map[string]any { return map[string]any{"key": k, "value": v} }
	tests := []struct {
		name     string
		filterBy any
		want     []int
	}{
		{"no filter", nil, rangeOf(1, 24)},
		{"id list", map[string]any{"id": []any{CIDeployerIssueID, SampleIssueID}}, []int{1, 6}},
		{"id as one value", map[string]any{"id": OldIssueID}, []int{19}},
		{"unknown id", map[string]any{"id": []any{"00000000-0000-0000-0000-000000000000"}}, nil},
		{"status", map[string]any{"status": []any{"IN_PROGRESS"}}, []int{8, 18, 24}},
		{"statuses are ORed", map[string]any{"status": []any{"RESOLVED", "REJECTED"}}, []int{12, 15, 16, 20, 21, 22}},
		{"severity", map[string]any{"severity": []any{"CRITICAL"}}, []int{2, 3, 5, 9}},
		{"type", map[string]any{"type": []any{"THREAT_DETECTION"}}, []int{5, 7, 8, 16, 20}},
		{"keys are ANDed", map[string]any{"type": []any{"THREAT_DETECTION"}, "status": []any{"OPEN"}, "severity": []any{"HIGH"}}, []int{7}},
		{"search, any case", map[string]any{"search": "WEB-PROD-01"}, []int{2, 20}},
		{"search by rule name", map[string]any{"search": "mining pool"}, []int{7}},
		{"search by provider id", map[string]any{"search": "extension-apiserver"}, []int{1}},
		{"createdAt", map[string]any{"createdAt": map[string]any{"after": h(24 * time.Hour)}}, []int{4, 5, 7, 8, 17}},
		{"updatedAt before only", map[string]any{"updatedAt": map[string]any{"before": h(24 * time.Hour)}}, rangeOf(19, 24)},
		{"updatedAt bounds are exclusive", map[string]any{"updatedAt": map[string]any{
			"after": formatTime(s.Anchor().Add(-mustDuration("1h30m17.226341s"))), "before": h(0)}}, nil},
		{"statusChangedAt", map[string]any{"statusChangedAt": map[string]any{"after": h(10 * time.Hour), "before": h(5 * time.Hour)}}, []int{5, 8, 18}},
		{"resolvedAt", map[string]any{"resolvedAt": map[string]any{"after": h(48 * time.Hour)}}, []int{12, 16}},
		{"dueAt", map[string]any{"dueAt": map[string]any{"after": h(0)}}, []int{18}},
		{"project", map[string]any{"project": []any{SecurityLabProjectID}}, []int{3, 4, 5}},
		{"projects are ORed", map[string]any{"project": []any{Project1ID, Project2ID}}, []int{10, 18, 21}},
		{"relatedEntity type", map[string]any{"relatedEntity": map[string]any{"type": []any{"BUCKET"}}}, []int{4, 10, 16, 17, 18}},
		{"relatedEntity cloudPlatform", map[string]any{"relatedEntity": map[string]any{"cloudPlatform": []any{"GCP", "Azure"}}}, []int{12, 13, 23, 24}},
		{"relatedEntity id", map[string]any{"relatedEntity": map[string]any{"id": entityID("web-prod-01")}}, []int{2, 20}},
		{"relatedEntity region", map[string]any{"relatedEntity": map[string]any{"region": []any{"us-west-2"}}}, []int{3, 4, 5}},
		{"relatedEntity subscription", map[string]any{"relatedEntity": map[string]any{"subscriptionId": []any{"730335214467"}}}, []int{3, 4, 5}},
		{"relatedEntity nativeType", map[string]any{"relatedEntity": map[string]any{"nativeType": []any{"securityGroup"}}}, []int{11, 21}},
		{"tag containsAny", map[string]any{"relatedEntity": map[string]any{"tag": map[string]any{"containsAny": []any{tag("environment", "pentest-lab")}}}}, []int{3, 4, 5}},
		{"tag key only", map[string]any{"relatedEntity": map[string]any{"tag": map[string]any{"containsAll": []any{map[string]any{"key": "role"}}}}}, []int{15}},
		{"tag doesNotContainAny", map[string]any{"status": []any{"OPEN"}, "severity": []any{"CRITICAL"},
			"relatedEntity": map[string]any{"tag": map[string]any{"doesNotContainAny": []any{tag("environment", "pentest-lab")}}}}, []int{2, 9}},
		{"hasNote", map[string]any{"hasNote": true}, []int{6, 8, 15, 16, 20, 22}},
		{"hasServiceTicket", map[string]any{"hasServiceTicket": true}, []int{6, 8, 18}},
		{"hasRemediation false", map[string]any{"hasRemediation": false}, []int{1, 5, 7, 8, 16, 20}},
		{"resolutionReason", map[string]any{"resolutionReason": []any{"WONT_FIX", "EXCEPTION"}}, []int{15, 22}},
		{"securityFramework", map[string]any{"securityFramework": []any{"wf-id-186"}}, []int{5, 7, 8, 16, 20}},
		{"securityCategory", map[string]any{"securityCategory": []any{"wct-id-1320"}}, []int{11, 14, 21, 22}},
		{"securitySubCategory", map[string]any{"securitySubCategory": []any{"wsct-id-12"}}, []int{6, 9, 23}},
		{"sourceControl", map[string]any{"sourceControl": []any{"wc-id-1335"}}, []int{1}},
		{"riskEqualsAny", map[string]any{"riskEqualsAny": []any{"DATA_EXPOSURE", "LATERAL_MOVEMENT"}}, []int{4, 12, 14, 15, 16, 18, 19, 22}},
		{"riskEqualsAll", map[string]any{"riskEqualsAll": []any{"EXTERNAL_EXPOSURE", "VULNERABILITY"}}, []int{2, 3, 9}},
		{"null keys are ignored", map[string]any{"status": nil, "updatedAt": nil}, rangeOf(1, 24)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := issueIDs(t, s, tok, tc.filterBy)
			want := seedIssue(tc.want...)
			if !slices.Equal(got, want) {
				t.Errorf("filterBy %v = %v, want %v", tc.filterBy, got, want)
			}
		})
	}
}

func TestIssueFilterLiterals(t *testing.T) {
	t.Parallel()
	s := newServer()
	tok := login(t, s)
	q := `{ issuesV2(first: 50, filterBy: {status: [REJECTED], type: THREAT_DETECTION, createdAt: {before: "` + at(s, 24*time.Hour) + `"}}) { nodes { id } } }`
	if got, want := idsOfNodes(nodes(t, query(t, s, tok, q, nil), "issuesV2")), seedIssue(20); !slices.Equal(got, want) {
		t.Errorf("literal filter = %v, want %v", got, want)
	}
	// A variable inside a literal.
	q = `query($s: [IssueStatus!]) { issuesV2(first: 50, filterBy: {status: $s, severity: [LOW]}) { nodes { id } } }`
	if got, want := idsOfNodes(nodes(t, query(t, s, tok, q, map[string]any{"s": []any{"OPEN"}}), "issuesV2")), seedIssue(14); !slices.Equal(got, want) {
		t.Errorf("filter with a variable = %v, want %v", got, want)
	}
}

func TestIssuesPagination(t *testing.T) {
	t.Parallel()
	s := newServer(WithGeneratedIssues(1100))
	tok := login(t, s)
	all := s.IssueIDs()
	if len(all) != 1124 {
		t.Fatalf("IssueIDs() has %d issues, want 1124", len(all))
	}
	var got []string
	after := any(nil)
	for page := 0; ; page++ {
		data := query(t, s, tok, issuesQuery, map[string]any{"first": 500, "after": after})
		conn := data["issues"].(map[string]any)
		if conn["totalCount"] != 1124.0 {
			t.Fatalf("page %d totalCount = %v, want 1124", page, conn["totalCount"])
		}
		got = append(got, idsOfNodes(nodes(t, data, "issues"))...)
		info := conn["pageInfo"].(map[string]any)
		cur, _ := info["endCursor"].(string)
		if cur == "" {
			t.Fatalf("page %d has no endCursor: %v", page, info)
		}
		if info["hasNextPage"] != true {
			if page != 2 {
				t.Errorf("last page is page %d, want 2", page)
			}
			break
		}
		after = cur
	}
	if !slices.Equal(got, all) {
		t.Errorf("paging returned %d issues, want every one in seed order", len(got))
	}
	// The generated issues are all inside the last 24 hours.
	window := map[string]any{"updatedAt": map[string]any{"after": at(s, 24*time.Hour)}}
	data := query(t, s, tok, issuesQuery, map[string]any{"first": 1, "filterBy": window})
	if n := data["issues"].(map[string]any)["totalCount"]; n != 1118.0 {
		t.Errorf("totalCount in the window = %v, want 1118", n)
	}
	// Small pages over a filter.
	var small []string
	after = nil
	for range 10 {
		data := query(t, s, tok, `query($a: String) { issuesV2(first: 2, after: $a, filterBy: {project: ["`+SecurityLabProjectID+`"]}) { nodes { id } pageInfo { hasNextPage endCursor } } }`, map[string]any{"a": after})
		small = append(small, idsOfNodes(nodes(t, data, "issuesV2"))...)
		info := data["issuesV2"].(map[string]any)["pageInfo"].(map[string]any)
		if info["hasNextPage"] != true {
			break
		}
		after = info["endCursor"]
	}
	if !slices.Equal(small, PentestLabIssueIDs()) {
		t.Errorf("pages of 2 = %v, want %v", small, PentestLabIssueIDs())
	}
}

func TestIssuesEmptyPage(t *testing.T) {
	t.Parallel()
	s := newServer()
	tok := login(t, s)
	const q = `query IssuesTable($filterBy: IssueFilters, $first: Int) { issues: issuesV2(filterBy: $filterBy, first: $first) { nodes { id } pageInfo { hasNextPage endCursor } } }`
	w := send(t, s, "POST", "/graphql", "application/json",
		[]byte(`{"query":`+quote(q)+`,"variables":{"first":500,"filterBy":{"severity":["NONE"]}}}`), bearer(tok))
	want := decode(t, readTestdata(t, "errors.json"))["no_events"]
	if diff := cmp.Diff(want, any(decode(t, w.Body.Bytes()))); diff != "" {
		t.Errorf("empty page mismatch (-want +got):\n%s", diff)
	}
}

func quote(s string) string { b, _ := json.Marshal(s); return string(b) }

func TestIssuesOrder(t *testing.T) {
	t.Parallel()
	s := newServer()
	tok := login(t, s)
	order := func(field, dir string) []map[string]any {
		o := map[string]any{"field": field}
		if dir != "" {
			o["direction"] = dir
		}
		return nodes(t, query(t, s, tok, issuesQuery, map[string]any{"first": 500, "orderBy": o}), "issues")
	}
	sevs := func(ns []map[string]any) []int {
		out := make([]int, len(ns))
		for i, n := range ns {
			out[i] = severityRank[n["severity"].(string)]
		}
		return out
	}
	if got := sevs(order("SEVERITY", "DESC")); !slices.IsSortedFunc(got, func(a, b int) int { return b - a }) {
		t.Errorf("SEVERITY DESC = %v", got)
	}
	if got := sevs(order("SEVERITY", "")); !slices.IsSorted(got) {
		t.Errorf("SEVERITY (ASC by default) = %v", got)
	}
	// Ties keep seed order.
	crit := order("SEVERITY", "DESC")[:4]
	if got, want := idsOfNodes(crit), seedIssue(2, 3, 5, 9); !slices.Equal(got, want) {
		t.Errorf("CRITICAL first = %v, want %v in seed order", got, want)
	}
	for _, f := range []struct{ field, key string }{{"CREATED_AT", "createdAt"}, {"UPDATED_AT", "updatedAt"}, {"STATUS_CHANGED_AT", "statusChangedAt"}} {
		ns := order(f.field, "DESC")
		for i := 1; i < len(ns); i++ {
			a, errA := time.Parse(time.RFC3339Nano, ns[i-1][f.key].(string))
			b, errB := time.Parse(time.RFC3339Nano, ns[i][f.key].(string))
			if errA != nil || errB != nil || a.Before(b) {
				t.Errorf("%s DESC: %v before %v", f.field, ns[i-1][f.key], ns[i][f.key])
			}
		}
	}
	// Issues without resolvedAt come last either way.
	for _, dir := range []string{"ASC", "DESC"} {
		ns := order("RESOLVED_AT", dir)
		if got, want := idsOfNodes(ns[:3]), map[string][]string{"ASC": seedIssue(21, 16, 12), "DESC": seedIssue(12, 16, 21)}[dir]; !slices.Equal(got, want) {
			t.Errorf("RESOLVED_AT %s starts %v, want %v", dir, got, want)
		}
		if ns[3]["resolvedAt"] != nil {
			t.Errorf("RESOLVED_AT %s: a fourth resolved issue %v", dir, ns[3])
		}
	}
	// Without orderBy: seed order, not time order.
	if got := idsOfNodes(nodes(t, query(t, s, tok, issuesQuery, map[string]any{"first": 500}), "issues")); !slices.Equal(got, SeedIssueIDs()) {
		t.Errorf("unordered issues are not in seed order: %v", got)
	}
}

func TestLegacyIssuesField(t *testing.T) {
	t.Parallel()
	s := newServer()
	tok := login(t, s)
	v2 := query(t, s, tok, `{ issuesV2(first: 500) { totalCount nodes { id status } } }`, nil)["issuesV2"]
	legacy := query(t, s, tok, `{ issues(first: 500) { totalCount nodes { id status } } }`, nil)["issues"]
	if diff := cmp.Diff(v2, legacy); diff != "" {
		t.Errorf("issues differs from issuesV2:\n%s", diff)
	}
	// The Test Connection request of the API notes.
	data := query(t, s, tok, testConnectionQuery, map[string]any{"first": 1})
	conn := data["issues"].(map[string]any)
	if n := nodes(t, data, "issues"); len(n) != 1 || conn["pageInfo"].(map[string]any)["hasNextPage"] != true {
		t.Errorf("test connection = %v", data)
	}
}

func TestIssueAccessor(t *testing.T) {
	t.Parallel()
	s := newServer()
	m, ok := s.Issue(CIDeployerIssueID)
	if !ok {
		t.Fatal("Issue(CIDeployerIssueID) not found")
	}
	if m["status"] != "OPEN" || m["note"] != nil || len(m["notes"].([]any)) != 1 {
		t.Errorf("Issue() = %v", m)
	}
	for _, p := range m["projects"].([]any) {
		for k := range p.(map[string]any) {
			if strings.HasPrefix(k, "_") {
				t.Errorf("Issue() leaks the private key %s", k)
			}
		}
	}
	m["status"] = "CHANGED"
	if again, _ := s.Issue(CIDeployerIssueID); again["status"] != "OPEN" {
		t.Error("Issue() shares its map with the server")
	}
	if _, ok := s.Issue("nope"); ok {
		t.Error("Issue(nope) found")
	}
}
