package fake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

func TestDeterminism(t *testing.T) {
	t.Parallel()
	run := func() []string {
		s := newServer(WithGeneratedIssues(30))
		var out []string
		w := requestToken(t, s, tokenForm())
		out = append(out, w.Body.String())
		tok := decode(t, w.Body.Bytes())["access_token"].(string)
		for _, r := range []struct {
			q    string
			vars map[string]any
		}{
			{issuesQuery, map[string]any{"first": 500}},
			{configFindingsQuery, map[string]any{"first": 500, "filterBy": map[string]any{"includeDeleted": true}}},
			{vulnFindingsQuery, map[string]any{"first": 500}},
			{projectsQuery, map[string]any{"first": 500, "filterBy": map[string]any{"includeArchived": true}}},
			{createNoteMutation, map[string]any{"input": map[string]any{"issueId": SampleIssueID, "text": "n"}}},
			{updateIssueMutation, map[string]any{"issueId": SampleIssueID, "patch": map[string]any{"status": "REJECTED", "resolutionReason": "WONT_FIX"}}},
			{issuesQuery, map[string]any{"first": 7, "orderBy": map[string]any{"field": "UPDATED_AT", "direction": "DESC"}}},
		} {
			b, _ := json.Marshal(map[string]any{"query": r.q, "variables": r.vars})
			w := send(t, s, http.MethodPost, "/graphql", "application/json", b, bearer(tok))
			if w.Code != 200 {
				t.Fatalf("request = %d %s", w.Code, w.Body)
			}
			out = append(out, w.Body.String())
		}
		return out
	}
	a, b := run(), run()
	for i := range a {
		if a[i] != b[i] {
			t.Errorf("reply %d differs between two servers on the same clock:\n%s\n%s", i, a[i], b[i])
		}
	}
}

func TestSeed(t *testing.T) {
	t.Parallel()
	s := newServer(WithGeneratedIssues(5))
	st := s.st
	if len(SeedIssueIDs()) != 24 || len(st.issues) != 29 {
		t.Errorf("%d seeded and %d total issues, want 24 and 29", len(SeedIssueIDs()), len(st.issues))
	}
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	seen := map[string]string{}
	check := func(kind string, objs []obj) {
		for _, m := range objs {
			id := str(m, "id")
			if !uuid.MatchString(id) {
				t.Errorf("%s ID %q is not a UUID", kind, id)
			}
			if other, dup := seen[id]; dup {
				t.Errorf("%s ID %s is also a %s", kind, id, other)
			}
			seen[id] = kind
		}
	}
	check("issue", st.issues)
	check("configuration finding", st.configFindings)
	check("vulnerability finding", st.vulnFindings)
	check("project", st.projects)
	// Named IDs point at what their documentation says.
	named := []struct {
		id, entity, typ, status, severity string
	}{
		{SampleIssueID, "Certificate for kubernetes", "TOXIC_COMBINATION", "OPEN", "HIGH"},
		{WebProd01IssueID, "web-prod-01", "TOXIC_COMBINATION", "OPEN", "CRITICAL"},
		{CIDeployerIssueID, "ci-deployer", "TOXIC_COMBINATION", "OPEN", "HIGH"},
		{CryptoMiningIssueID, "build-ci-07", "THREAT_DETECTION", "OPEN", "HIGH"},
		{PentestKaliIssueID, "pentest-kali-01", "TOXIC_COMBINATION", "OPEN", "CRITICAL"},
		{PentestBucketIssueID, "pentest-lab-exfil-test", "TOXIC_COMBINATION", "OPEN", "HIGH"},
		{PentestC2IssueID, "pentest-c2-02", "THREAT_DETECTION", "OPEN", "CRITICAL"},
		{RejectedIssueID, "jump-01", "TOXIC_COMBINATION", "REJECTED", "HIGH"},
		{OldIssueID, "web-prod-02", "TOXIC_COMBINATION", "OPEN", "HIGH"},
	}
	for _, n := range named {
		m := st.issueByID[n.id]
		if m == nil {
			t.Errorf("named issue %s is not seeded", n.id)
			continue
		}
		if got := str(child(m, "entitySnapshot"), "name"); got != n.entity || str(m, "type") != n.typ || str(m, "status") != n.status || str(m, "severity") != n.severity {
			t.Errorf("issue %s = %s %s %s on %s, want %+v", n.id, str(m, "type"), str(m, "status"), str(m, "severity"), got, n)
		}
	}
	for _, id := range PentestLabIssueIDs() {
		if tags := child(child(st.issueByID[id], "entitySnapshot"), "tags"); tags["environment"] != "pentest-lab" {
			t.Errorf("pentest issue %s tags = %v", id, tags)
		}
	}
	// Times: all in the past of the anchor but due dates, and the
	// window splits the issues 18/6.
	recent := 0
	for _, m := range st.issues[:24] {
		for _, k := range []string{"createdAt", "updatedAt", "statusChangedAt", "resolvedAt"} {
			if tm, ok := m[k].(time.Time); ok && tm.After(s.Anchor()) {
				t.Errorf("issue %s %s %v is after the anchor", str(m, "id"), k, tm)
			}
		}
		if m["updatedAt"].(time.Time).After(s.Anchor().Add(-24 * time.Hour)) {
			recent++
		}
	}
	if recent != 18 {
		t.Errorf("%d seeded issues updated in the last 24 hours, want 18", recent)
	}
	// Every severity, status and type occurs.
	for _, want := range []struct {
		key  string
		vals []string
	}{
		{"type", []string{"TOXIC_COMBINATION", "THREAT_DETECTION", "CLOUD_CONFIGURATION"}},
		{"status", []string{"OPEN", "IN_PROGRESS", "RESOLVED", "REJECTED"}},
		{"severity", []string{"CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL"}},
	} {
		for _, v := range want.vals {
			if len((&filters{preds: []func(obj) bool{func(m obj) bool { return str(m, want.key) == v }}}).apply(st.issues[:24])) == 0 {
				t.Errorf("no seeded issue has %s %s", want.key, v)
			}
		}
	}
	if p := SeedProjects(); p[0].ID != Project1ID || p[0].Name != "Project1" || p[0].BusinessUnit != "Dev" || p[0].Description != "Test project" {
		t.Errorf("SeedProjects()[0] = %+v", p[0])
	}
	if n := len(SeedVulnerabilityFindingIDs()); n != 16 {
		t.Errorf("%d vulnerability findings, want 16", n)
	}
}

func TestSchemaExport(t *testing.T) {
	t.Parallel()
	sch, err := gqlparser.LoadSchema(&ast.Source{Name: "wiz.graphql", Input: Schema()})
	if err != nil {
		t.Fatalf("Schema() does not load: %v", err)
	}
	for _, q := range []string{issuesQuery, testConnectionQuery, configFindingsQuery, vulnFindingsQuery, projectsQuery, createNoteMutation, updateIssueMutation} {
		if _, errs := gqlparser.LoadQuery(sch, q); errs != nil {
			t.Errorf("query %s does not validate: %v", abbrev(q), errs)
		}
	}
}

func TestDefaultClock(t *testing.T) {
	t.Parallel()
	s := New()
	tok := login(t, s)
	window := map[string]any{"updatedAt": map[string]any{
		"after":  time.Now().Add(-24 * time.Hour).UTC().Format(time.RFC3339),
		"before": time.Now().Add(time.Minute).UTC().Format(time.RFC3339),
	}}
	data := query(t, s, tok, issuesQuery, map[string]any{"first": 500, "filterBy": window})
	if n := data["issues"].(map[string]any)["totalCount"]; n != 18.0 {
		t.Errorf("issues in the last 24 hours on the real clock = %v, want 18", n)
	}
}

func TestConcurrency(t *testing.T) {
	t.Parallel()
	s := newServer(WithGeneratedIssues(200))
	tok := login(t, s)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 20 {
				var b []byte
				switch (g + i) % 4 {
				case 0:
					b, _ = json.Marshal(map[string]any{"query": issuesQuery, "variables": map[string]any{"first": 100}})
				case 1:
					b, _ = json.Marshal(map[string]any{"query": createNoteMutation, "variables": map[string]any{"input": map[string]any{"issueId": SampleIssueID, "text": fmt.Sprint(g, i)}}})
				case 2:
					b, _ = json.Marshal(map[string]any{"query": updateIssueMutation, "variables": map[string]any{"issueId": SampleIssueID, "patch": map[string]any{"status": []string{"OPEN", "IN_PROGRESS"}[i%2]}}})
				case 3:
					b, _ = json.Marshal(map[string]any{"query": vulnFindingsQuery, "variables": map[string]any{"first": 100}})
				}
				w := send(t, s, http.MethodPost, "/graphql", "application/json", b, bearer(tok))
				if w.Code != 200 || bytes.Contains(w.Body.Bytes(), []byte(`"errors"`)) {
					t.Errorf("concurrent request = %d %s", w.Code, w.Body)
				}
				if i%5 == 0 {
					s.Requests()
					s.Issue(SampleIssueID)
					login(t, s)
				}
			}
		})
	}
	wg.Wait()
	m, _ := s.Issue(SampleIssueID)
	if n := len(m["notes"].([]any)); n != 40 {
		t.Errorf("%d notes after 40 concurrent createIssueNote, want 40", n)
	}
}

func BenchmarkIssuesPage(b *testing.B) {
	s := newServer(WithGeneratedIssues(5000))
	tok := s.Token(ClientID)
	body, _ := json.Marshal(map[string]any{"query": issuesQuery, "variables": map[string]any{"first": 500,
		"filterBy": map[string]any{"status": []string{"OPEN"}, "severity": []string{"CRITICAL", "HIGH"}}}})
	b.ReportAllocs()
	for b.Loop() {
		w := send(b, s, http.MethodPost, "/graphql", "application/json", body, bearer(tok))
		if w.Code != 200 {
			b.Fatal(w.Body)
		}
	}
}
