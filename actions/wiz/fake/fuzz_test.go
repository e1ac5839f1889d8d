package fake

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzHandler posts arbitrary bodies to /graphql with a valid token and to
// /oauth/token. Invariants: no panic; a 200 reply is JSON; any other
// GraphQL reply has a non-empty errors array, and any other token reply an
// OAuth error body.
func FuzzHandler(f *testing.F) {
	gqlSeeds := []string{
		mustJSON(map[string]any{"query": issuesQuery, "variables": map[string]any{"first": 3, "filterBy": map[string]any{"status": []string{"OPEN"}}}}),
		mustJSON(map[string]any{"query": configFindingsQuery, "variables": map[string]any{"first": 2, "filterBy": map[string]any{"firstSeenAt": map[string]any{"after": "2026-11-20T09:00:00Z"}}}}),
		mustJSON(map[string]any{"query": vulnFindingsQuery, "variables": map[string]any{"first": 2, "orderBy": map[string]any{"direction": "DESC"}}}),
		mustJSON(map[string]any{"query": projectsQuery, "variables": map[string]any{"first": 5, "filterBy": map[string]any{"impact": "HBI"}}}),
		mustJSON(map[string]any{"query": createNoteMutation, "variables": map[string]any{"input": map[string]any{"issueId": SampleIssueID, "text": "x"}}}),
		mustJSON(map[string]any{"query": updateIssueMutation, "variables": map[string]any{"issueId": SampleIssueID, "patch": map[string]any{"status": "REJECTED", "resolutionReason": "WONT_FIX"}}}),
		mustJSON(map[string]any{"query": updateIssueMutation, "variables": map[string]any{"issueId": 12, "override": map[string]any{"dueAt": nil}}}),
		`{"query":"{ issuesV2(first: 2, after: \"eyJmaWVsZHMiOltdfQ==\") { nodes { id ... on Issue { __typename } } } }"}`,
		`{"query":"query A { __typename } query B { projects(first: 1) { nodes { ...P } } } fragment P on Project { id }","operationName":"B"}`,
		`{"query":"{ issuesV2(first: 1) { nodes { id @skip(if: true) } } }"}`,
		`{"query":"query($v: [ID!]) { issuesV2(first: 1, filterBy: {id: $v}) { totalCount } }","variables":{"v":[1.5,null,{}]}}`,
		`{"query":"{ __schema { types { name } } }"}`,
		`{"query":"{","variables":null}`,
		`{"query":"{ issuesV2(first: 1e3) { totalCount } }"}`,
		`{"query":"fragment F on Query { ...F } { ...F }"}`,
		`[`, `"x"`, `1`, ``, `{}`, `{"query":null}`,
	}
	tokenSeeds := []string{
		tokenForm().Encode(),
		"grant_type=client_credentials&audience=wiz-api",
		"%zz", "a=1&a=2", "",
	}
	if entries, err := os.ReadDir("testdata"); err == nil {
		for _, e := range entries {
			if b, err := os.ReadFile(filepath.Join("testdata", e.Name())); err == nil && strings.HasSuffix(e.Name(), ".json") {
				gqlSeeds = append(gqlSeeds, `{"query":"query($f: IssueFilters) { issuesV2(first: 5, filterBy: $f) { totalCount } }","variables":{"f":`+string(b)+`}}`)
			}
		}
	}
	for _, s := range gqlSeeds {
		f.Add(false, []byte(s))
	}
	for _, s := range tokenSeeds {
		f.Add(true, []byte(s))
	}
	f.Fuzz(func(t *testing.T, token bool, body []byte) {
		if len(body) > 1<<16 {
			return
		}
		// A fresh server each time: mutations do not pile up and a
		// failure replays alone.
		s := newServer()
		tok := s.Token(ClientID)
		if token {
			rec := send(t, s, http.MethodPost, "/oauth/token", "application/x-www-form-urlencoded", body, nil)
			b := rec.Body.Bytes()
			var reply map[string]any
			if err := json.Unmarshal(b, &reply); err != nil {
				t.Fatalf("token %q = %d with a body that is not JSON: %q", body, rec.Code, b)
			}
			if rec.Code == http.StatusOK {
				if _, ok := reply["access_token"].(string); !ok {
					t.Fatalf("token %q = 200 without access_token: %q", body, b)
				}
				return
			}
			if e, _ := reply["error"].(string); e == "" {
				t.Fatalf("token %q = %d without an OAuth error: %q", body, rec.Code, b)
			}
			return
		}
		rec := send(t, s, http.MethodPost, "/graphql", "application/json", body, bearer(tok))
		b := rec.Body.Bytes()
		if !json.Valid(b) {
			t.Fatalf("POST /graphql %q = %d with invalid JSON %q", body, rec.Code, b)
		}
		if rec.Code == http.StatusOK {
			return
		}
		var reply struct {
			Errors []struct {
				Message    string `json:"message"`
				Extensions struct {
					Code string `json:"code"`
				} `json:"extensions"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(b, &reply); err != nil || len(reply.Errors) == 0 || reply.Errors[0].Message == "" || reply.Errors[0].Extensions.Code == "" {
			t.Fatalf("POST /graphql %q = %d without a GraphQL error: %q", body, rec.Code, b)
		}
	})
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
