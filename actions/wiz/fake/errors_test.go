package fake

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRequestErrors(t *testing.T) {
	t.Parallel()
	s := newServer()
	tok := login(t, s)
	tests := []struct {
		name, body string
		status     int
		code, msg  string
	}{
		{"invalid JSON", `{"query":`, 400, codeBadRequest, "invalid JSON"},
		{"trailing data", `{"query":"{ __typename }"} {}`, 400, codeBadRequest, "invalid JSON"},
		{"batch", `[{"query":"{ __typename }"}]`, 400, codeBadRequest, "batching"},
		{"not an object", `"{ __typename }"`, 400, codeBadRequest, "invalid JSON"},
		{"null", `null`, 400, codeBadRequest, "JSON object"},
		{"no query", `{"variables":{}}`, 400, codeBadRequest, "non-empty `query`"},
		{"empty query", `{"query":"  "}`, 400, codeBadRequest, "non-empty `query`"},
		{"query not a string", `{"query":{"a":1}}`, 400, codeBadRequest, "must be a string"},
		{"variables not an object", `{"query":"{ __typename }","variables":[1]}`, 400, codeBadRequest, "`variables`"},
		{"operationName not a string", `{"query":"{ __typename }","operationName":7}`, 400, codeBadRequest, "`operationName`"},
		{"syntax error", `{"query":"{ issuesV2(first: 1) { nodes { id }"}`, 400, codeParseFailed, "Syntax Error: Expected Name, found <EOF>"},
		{"unknown field", `{"query":"{ issuesV2(first: 1) { nodes { foo } } }"}`, 400, codeValidationFailed, `Cannot query field "foo" on type "Issue".`},
		{"unknown argument", `{"query":"{ issuesV2(first: 1, last: 2) { totalCount } }"}`, 400, codeValidationFailed, `Unknown argument "last"`},
		{"unknown root field", `{"query":"{ cloudResources(first: 1) { totalCount } }"}`, 400, codeValidationFailed, `Cannot query field "cloudResources" on type "Query".`},
		{"unknown fragment type", `{"query":"{ vulnerabilityFindings(first: 1) { nodes { vulnerableAsset { ... on VulnerableAssetEndpoint { id } } } } }"}`, 400, codeValidationFailed, `Unknown type "VulnerableAssetEndpoint".`},
		{"wrong literal", `{"query":"{ issuesV2(first: \"ten\") { totalCount } }"}`, 400, codeValidationFailed, "Int"},
		{"wrong enum literal", `{"query":"{ issuesV2(first: 1, filterBy: {status: [CLOSED]}) { totalCount } }"}`, 400, codeValidationFailed, `Value "CLOSED" does not exist in "IssueStatus!" enum.`},
		{"object without selection", `{"query":"{ issuesV2(first: 1) { nodes } }"}`, 400, codeValidationFailed, "must have a selection of subfields"},
		{"undefined variable", `{"query":"{ issuesV2(first: $n) { totalCount } }"}`, 400, codeValidationFailed, `Variable "$n" is not defined.`},
		{"subscription", `{"query":"subscription { issuesV2 { totalCount } }"}`, 400, codeValidationFailed, "subscription"},
		{"introspection", `{"query":"{ __schema { types { name } } }"}`, 400, codeValidationFailed, "introspection is not allowed"},
		{"two operations, no name", `{"query":"query A { __typename } query B { __typename }"}`, 400, codeBadRequest, "Must provide operation name"},
		{"unknown operation name", `{"query":"query A { __typename }","operationName":"B"}`, 400, codeBadRequest, `Unknown operation named "B".`},
		{"numeric string for Int", `{"query":"query($n: Int) { issuesV2(first: $n) { totalCount } }","variables":{"n":"10"}}`, 400, codeBadUserInput, `Variable "$n" got invalid value; Int cannot represent`},
		{"fraction for Int", `{"query":"query($n: Int) { issuesV2(first: $n) { totalCount } }","variables":{"n":10.5}}`, 400, codeBadUserInput, `Variable "$n" got invalid value`},
		{"huge Int", `{"query":"query($n: Int) { issuesV2(first: $n) { totalCount } }","variables":{"n":1e12}}`, 400, codeBadUserInput, "32-bit"},
		{"bad enum variable", `{"query":"query($filterBy: IssueFilters) { issuesV2(first: 1, filterBy: $filterBy) { totalCount } }","variables":{"filterBy":{"severity":["URGENT"]}}}`, 400, codeBadUserInput, `at "filterBy.severity[0]"; URGENT is not a valid Severity`},
		{"unknown filter key", `{"query":"query($filterBy: IssueFilters) { issuesV2(first: 1, filterBy: $filterBy) { totalCount } }","variables":{"filterBy":{"urgency":"high"}}}`, 400, codeBadUserInput, `"filterBy.urgency"; unknown field`},
		{"bad DateTime variable", `{"query":"query($filterBy: IssueFilters) { issuesV2(first: 1, filterBy: $filterBy) { totalCount } }","variables":{"filterBy":{"updatedAt":{"after":"2024-08-06 18:00:00"}}}}`, 400, codeBadUserInput, `"filterBy.updatedAt.after"; DateTime cannot represent`},
		{"filter not an object", `{"query":"query($filterBy: IssueFilters) { issuesV2(first: 1, filterBy: $filterBy) { totalCount } }","variables":{"filterBy":"OPEN"}}`, 400, codeBadUserInput, `Variable "$filterBy" got invalid value`},
		{"bool for String", `{"query":"query($filterBy: IssueFilters) { issuesV2(first: 1, filterBy: $filterBy) { totalCount } }","variables":{"filterBy":{"search":true}}}`, 400, codeBadUserInput, "String"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := send(t, s, http.MethodPost, "/graphql", "application/json", []byte(tc.body), bearer(tok))
			if w.Code != tc.status {
				t.Fatalf("status = %d %s, want %d", w.Code, w.Body, tc.status)
			}
			reply := decode(t, w.Body.Bytes())
			msg, code := firstError(t, reply)
			if code != tc.code || !strings.Contains(msg, tc.msg) {
				t.Errorf("error = %s %q, want %s containing %q", code, msg, tc.code, tc.msg)
			}
			if _, ok := reply["data"]; ok {
				t.Errorf("a request refused before execution has data: %v", reply)
			}
		})
	}
	// Validation errors carry their location.
	w := send(t, s, http.MethodPost, "/graphql", "application/json", []byte(`{"query":"{\n  issuesV2(first: 1) {\n    nodes { foo }\n  }\n}"}`), bearer(tok))
	errs := decode(t, w.Body.Bytes())["errors"].([]any)
	if diff := cmp.Diff([]any{map[string]any{"line": 3.0, "column": 13.0}}, errs[0].(map[string]any)["locations"]); diff != "" {
		t.Errorf("locations (-want +got):\n%s", diff)
	}
	// operationName picks one of several operations.
	b := send(t, s, http.MethodPost, "/graphql", "application/json", []byte(`{"query":"query A { __typename } mutation B { __typename }","operationName":"B"}`), bearer(tok))
	if b.Body.String() != `{"data":{"__typename":"Mutation"}}` {
		t.Errorf("operation B = %s", b.Body)
	}
}

func TestFieldErrors(t *testing.T) {
	t.Parallel()
	s := newServer()
	tok := login(t, s)
	tests := []struct {
		name, q string
		vars    map[string]any
		field   string
		msg     string
	}{
		{"first missing", `{ issuesV2 { totalCount } }`, nil, "issuesV2", "first argument is required"},
		{"first null", `query($n: Int) { issues: issuesV2(first: $n) { totalCount } }`, map[string]any{"n": nil}, "issues", "first argument is required"},
		{"first 0", `{ projects(first: 0) { totalCount } }`, nil, "projects", "between 1 and 500, got 0"},
		{"first negative", `{ projects(first: -5) { totalCount } }`, nil, "projects", "between 1 and 500"},
		{"first 501 on issues", `{ issues(first: 501) { totalCount } }`, nil, "issues", "between 1 and 500, got 501"},
		{"first 501 on findings", `{ configurationFindings(first: 501) { totalCount } }`, nil, "configurationFindings", "between 1 and 500"},
		{"first 1001 on vulnerabilities", `{ vulnerabilityFindings(first: 1001) { totalCount } }`, nil, "vulnerabilityFindings", "between 1 and 1000, got 1001"},
		{"cursor not base64", `{ issuesV2(first: 5, after: "not a cursor!") { totalCount } }`, nil, "issuesV2", "Invalid cursor"},
		{"cursor not JSON", `{ issuesV2(first: 5, after: "` + base64.StdEncoding.EncodeToString([]byte("page=2")) + `") { totalCount } }`, nil, "issuesV2", "Invalid cursor"},
		{"cursor without position", `{ issuesV2(first: 5, after: "` + base64.StdEncoding.EncodeToString([]byte(`{"fields":[]}`)) + `") { totalCount } }`, nil, "issuesV2", "Invalid cursor"},
		{"DateTime literal", `{ configurationFindings(first: 5, filterBy: {firstSeenAt: {after: "yesterday"}}) { totalCount } }`, nil, "configurationFindings", "filterBy.firstSeenAt.after"},
		{"DateTime literal of another type", `{ vulnerabilityFindings(first: 5, filterBy: {updatedAt: {before: 17}}) { totalCount } }`, nil, "vulnerabilityFindings", "DateTime"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reply := wantError(t, s, tok, tc.q, tc.vars, http.StatusOK, codeBadUserInput, tc.msg)
			data, ok := reply["data"].(map[string]any)
			if v, has := data[tc.field]; !ok || !has || v != nil {
				t.Errorf("data = %v, want %s: null", reply["data"], tc.field)
			}
			e := reply["errors"].([]any)[0].(map[string]any)
			if !cmp.Equal(e["path"], []any{tc.field}) || e["locations"] == nil {
				t.Errorf("error path %v locations %v", e["path"], e["locations"])
			}
		})
	}
	// One failing root field leaves the others.
	_, reply := post(t, s, tok, `{ ok: vulnerabilityFindings(first: 1000) { totalCount } bad: projects(first: 1000) { totalCount } }`, nil)
	data := reply["data"].(map[string]any)
	if data["ok"].(map[string]any)["totalCount"] != 16.0 || data["bad"] != nil || len(reply["errors"].([]any)) != 1 {
		t.Errorf("partial reply = %v", reply)
	}
}

func TestRouting(t *testing.T) {
	t.Parallel()
	s := newServer()
	tok := login(t, s)
	tests := []struct {
		name, method, path string
		body               string
		want               int
	}{
		{"graphql", "POST", "/graphql", `{"query":"{ __typename }"}`, 200},
		{"graphql with slash", "POST", "/graphql/", `{"query":"{ __typename }"}`, 200},
		{"token with slash", "POST", "/oauth/token/", tokenForm().Encode(), 200},
		{"root", "POST", "/", `{"query":"{ __typename }"}`, 404},
		{"v1", "POST", "/api/graphql", `{"query":"{ __typename }"}`, 404},
		{"GET graphql", "GET", "/graphql", ``, 405},
		{"PUT graphql", "PUT", "/graphql", `{"query":"{ __typename }"}`, 405},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct := "application/json"
			if strings.HasPrefix(tc.path, "/oauth") {
				ct = "application/x-www-form-urlencoded"
			}
			w := send(t, s, tc.method, tc.path, ct, []byte(tc.body), bearer(tok))
			if w.Code != tc.want {
				t.Fatalf("%s %s = %d %s, want %d", tc.method, tc.path, w.Code, w.Body, tc.want)
			}
			if tc.want == 405 && w.Header().Get("Allow") != "POST" {
				t.Errorf("Allow = %q", w.Header().Get("Allow"))
			}
			if tc.want != 200 {
				firstError(t, decode(t, w.Body.Bytes()))
			}
		})
	}
	big := make([]byte, maxBody+10)
	for i := range big {
		big[i] = ' '
	}
	if w := send(t, s, "POST", "/graphql", "application/json", big, bearer(tok)); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("big body = %d, want 413", w.Code)
	}
	if w := send(t, s, "POST", "/oauth/token", "application/x-www-form-urlencoded", big, nil); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("big token body = %d, want 413", w.Code)
	}
	// Authentication comes before the body is looked at.
	if w := send(t, s, "POST", "/graphql", "application/json", []byte(`{`), nil); w.Code != http.StatusUnauthorized {
		t.Errorf("bad body without a token = %d, want 401", w.Code)
	}
}
