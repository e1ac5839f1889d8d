package fake

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestTokenSuccess(t *testing.T) {
	t.Parallel()
	s := newServer()
	w := requestToken(t, s, tokenForm())
	if w.Code != http.StatusOK {
		t.Fatalf("token = %d %s, want 200", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q", ct)
	}
	if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
	got := decode(t, w.Body.Bytes())
	if got["token_type"] != "Bearer" || got["expires_in"] != 86400.0 {
		t.Errorf("token reply = %v, want Bearer expiring in 86400", got)
	}
	if _, ok := got["refresh_token"]; ok {
		t.Error("client-credentials reply has a refresh_token")
	}
	tok, _ := got["access_token"].(string)
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || !strings.HasPrefix(tok, "eyJ") {
		t.Fatalf("access_token %q is not JWT-shaped", tok)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("payload: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatalf("claims: %v", err)
	}
	if claims["sub"] != ClientID || claims["exp"] != float64(testNow.Add(24*time.Hour).Unix()) || claims["iat"] != float64(testNow.Unix()) {
		t.Errorf("claims = %v", claims)
	}
	if claims["scope"] != strings.Join(AllScopes(), " ") {
		t.Errorf("scope claim = %v", claims["scope"])
	}
	if tok2 := login(t, s); tok2 == tok {
		t.Error("second token request returned the same token")
	}
	if n := s.TokensIssued(); n != 2 {
		t.Errorf("TokensIssued() = %d, want 2", n)
	}
}

func TestTokenFailures(t *testing.T) {
	t.Parallel()
	s := newServer()
	with := func(k, v string) url.Values {
		f := tokenForm()
		if v == "" {
			f.Del(k)
		} else {
			f.Set(k, v)
		}
		return f
	}
	dup := tokenForm()
	dup.Add("client_id", ClientID)
	tests := []struct {
		name        string
		method, ct  string
		form        url.Values
		status      int
		code        string
		description string
	}{
		{"wrong secret", "POST", "", with("client_secret", "nope"), 401, "access_denied", "Unauthorized"},
		{"unknown client", "POST", "", with("client_id", "nope"), 401, "access_denied", "Unauthorized"},
		{"wrong audience", "POST", "", with("audience", "beyond-api"), 400, "invalid_grant", "audience"},
		{"wrong grant type", "POST", "", with("grant_type", "password"), 400, "invalid_request", "grant_type"},
		{"no grant type", "POST", "", with("grant_type", ""), 400, "invalid_request", "grant_type"},
		{"no audience", "POST", "", with("audience", ""), 400, "invalid_request", "audience"},
		{"no client id", "POST", "", with("client_id", ""), 400, "invalid_request", "client_id"},
		{"no secret", "POST", "", with("client_secret", ""), 400, "invalid_request", "client_secret"},
		{"duplicate parameter", "POST", "", dup, 400, "invalid_request", "Duplicate"},
		{"JSON body", "POST", "application/json", tokenForm(), 400, "invalid_request", "Content-Type"},
		{"GET", "GET", "", tokenForm(), 405, "invalid_request", "POST"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct := tc.ct
			if ct == "" {
				ct = "application/x-www-form-urlencoded"
			}
			w := send(t, s, tc.method, "/oauth/token", ct, []byte(tc.form.Encode()), nil)
			if w.Code != tc.status {
				t.Fatalf("status = %d %s, want %d", w.Code, w.Body, tc.status)
			}
			got := decode(t, w.Body.Bytes())
			if got["error"] != tc.code || !strings.Contains(got["error_description"].(string), tc.description) {
				t.Errorf("body = %v, want error %s mentioning %q", got, tc.code, tc.description)
			}
		})
	}
	if n := s.TokensIssued(); n != 0 {
		t.Errorf("TokensIssued() = %d after failures, want 0", n)
	}
}

func TestBearer(t *testing.T) {
	t.Parallel()
	now := testNow
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s := New(WithClock(clock), WithTokenTTL(time.Hour))
	tok := login(t, s)
	const q = `{ issuesV2(first: 1) { totalCount } }`
	want401 := decode(t, readTestdata(t, "errors.json"))["unauthenticated"]
	check := func(name string, header http.Header, want int) {
		t.Helper()
		w := send(t, s, http.MethodPost, "/graphql", "application/json", []byte(`{"query":"`+q+`"}`), header)
		if w.Code != want {
			t.Fatalf("%s: status = %d %s, want %d", name, w.Code, w.Body, want)
		}
		if want == 401 {
			if diff := cmp.Diff(want401, any(decode(t, w.Body.Bytes()))); diff != "" {
				t.Errorf("%s: 401 body mismatch (-want +got):\n%s", name, diff)
			}
		}
	}
	check("valid", bearer(tok), 200)
	check("lower-case scheme", http.Header{"Authorization": {"bearer " + tok}}, 200)
	check("no header", nil, 401)
	check("garbage", bearer("eyJnope.eyJnope.sig"), 401)
	check("token without scheme", http.Header{"Authorization": {tok}}, 401)
	check("basic", http.Header{"Authorization": {"Basic " + tok}}, 401)
	mu.Lock()
	now = now.Add(59 * time.Minute)
	mu.Unlock()
	check("before expiry", bearer(tok), 200)
	mu.Lock()
	now = now.Add(time.Minute)
	mu.Unlock()
	check("expired", bearer(tok), 401)
	fresh := login(t, s)
	check("fresh token", bearer(fresh), 200)
	s.RevokeTokens()
	check("revoked", bearer(fresh), 401)
	check("after revocation", bearer(login(t, s)), 200)
}

func TestScopes(t *testing.T) {
	t.Parallel()
	readOnly := ServiceAccount{ClientID: "readonly", ClientSecret: "s1", Scopes: []string{ScopeReadIssues}}
	writer := ServiceAccount{ClientID: "writer", ClientSecret: "s2", Scopes: []string{ScopeReadIssues, ScopeWriteIssueStatus, ScopeWriteIssueComments}}
	s := newServer(WithServiceAccounts(readOnly, writer))
	if w := requestToken(t, s, tokenForm()); w.Code != 401 {
		t.Errorf("default account after WithServiceAccounts = %d, want 401", w.Code)
	}
	tokFor := func(a ServiceAccount) string {
		f := tokenForm()
		f.Set("client_id", a.ClientID)
		f.Set("client_secret", a.ClientSecret)
		w := requestToken(t, s, f)
		if w.Code != 200 {
			t.Fatalf("token for %s = %d", a.ClientID, w.Code)
		}
		return decode(t, w.Body.Bytes())["access_token"].(string)
	}
	ro, wr := tokFor(readOnly), tokFor(writer)
	query(t, s, ro, `{ issuesV2(first: 1) { totalCount } }`, nil)
	tests := []struct {
		name, tok, q string
		vars         map[string]any
		scope        string
	}{
		{"projects", ro, `{ projects(first: 5) { totalCount } }`, nil, ScopeReadProjects},
		{"configuration findings", ro, `{ configurationFindings(first: 5) { totalCount } }`, nil, ScopeReadCloudConfiguration},
		{"vulnerability findings", ro, `{ vulnerabilityFindings(first: 5) { totalCount } }`, nil, ScopeReadVulnerabilities},
		{"one root field of two", ro, `{ issuesV2(first: 1) { totalCount } projects(first: 1) { totalCount } }`, nil, ScopeReadProjects},
		{"through a fragment", ro, `query { ...Q } fragment Q on Query { vulnerabilityFindings(first: 1) { totalCount } }`, nil, ScopeReadVulnerabilities},
		{"createIssueNote", ro, `mutation { createIssueNote(input: {issueId: "x", text: "t"}) { issueNote { id } } }`, nil, ScopeWriteIssueComments},
		{"updateIssue", ro, `mutation { updateIssue(input: {id: "x", patch: {note: "n"}}) { issue { id } } }`, nil, ScopeWriteIssueStatus},
		{"dueAt needs its scope", wr, `mutation U($p: UpdateIssuePatch) { updateIssue(input: {id: "x", patch: $p}) { issue { id } } }`,
			map[string]any{"p": map[string]any{"dueAt": "2030-01-01T00:00:00Z"}}, ScopeWriteIssueDueAt},
		{"clearing dueAt too", wr, `mutation { updateIssue(input: {id: "x", override: {dueAt: null}}) { issue { id } } }`, nil, ScopeWriteIssueDueAt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reply := wantError(t, s, tc.tok, tc.q, tc.vars, http.StatusForbidden, codeUnauthorized, "missing required scope "+tc.scope)
			if d, ok := reply["data"]; !ok || d != nil {
				t.Errorf("403 reply data = %v, want null", reply["data"])
			}
		})
	}
	// The writer may set a status and add a note: the unknown ID is the
	// only problem.
	wantError(t, s, wr, `mutation { updateIssue(input: {id: "x", patch: {note: "n"}}) { issue { id } } }`, nil, 200, codeNotFound, "Resource not found")
	wantError(t, s, wr, `mutation { createIssueNote(input: {issueId: "x", text: "t"}) { issueNote { id } } }`, nil, 200, codeNotFound, "Resource not found")
}
