package fake

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestFaults(t *testing.T) {
	t.Parallel()
	s := newServer()
	srv := httptest.NewServer(s)
	defer srv.Close()
	client := srv.Client()
	defer client.CloseIdleConnections()
	tok := s.Token(ClientID)
	do := func(path, body string, withToken bool) (*http.Response, []byte, error) {
		ct := "application/json"
		if strings.HasSuffix(path, "token") {
			ct = "application/x-www-form-urlencoded"
		}
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Accept-Encoding", "identity")
		if withToken {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp, b, err
	}
	gql := func(q string) (*http.Response, []byte, error) {
		b, _ := json.Marshal(map[string]any{"query": q})
		return do("/graphql", string(b), true)
	}
	const list = `{ issues: issuesV2(first: 1) { totalCount } }`
	const update = `mutation { updateIssue(input: {id: "` + SampleIssueID + `", patch: {note: "x"}}) { issue { id } } }`
	bodies := decode(t, readTestdata(t, "errors.json"))

	t.Run("429 with Retry-After, Times", func(t *testing.T) {
		s.Inject(Fault{Path: "graphql", Times: 2, Status: 429, RetryAfter: "3"})
		for i := range 2 {
			resp, b, err := gql(list)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "3" {
				t.Fatalf("call %d = %d Retry-After %q, want 429 with 3", i, resp.StatusCode, resp.Header.Get("Retry-After"))
			}
			if diff := cmp.Diff(bodies["rate_limited"], any(decode(t, b))); diff != "" {
				t.Errorf("429 body (-want +got):\n%s", diff)
			}
		}
		if resp, _, _ := gql(list); resp.StatusCode != 200 {
			t.Errorf("call after Times ran out = %d, want 200", resp.StatusCode)
		}
	})
	t.Run("500 on graphql leaves the token endpoint", func(t *testing.T) {
		s.Inject(Fault{Path: "/graphql/", Times: 1, Status: 500})
		if resp, _, _ := do("/oauth/token", tokenForm().Encode(), false); resp.StatusCode != 200 {
			t.Errorf("token = %d, want 200", resp.StatusCode)
		}
		resp, b, _ := gql(list)
		if resp.StatusCode != 500 {
			t.Fatalf("status = %d, want 500", resp.StatusCode)
		}
		if diff := cmp.Diff(bodies["internal"], any(decode(t, b))); diff != "" {
			t.Errorf("500 body (-want +got):\n%s", diff)
		}
	})
	t.Run("token endpoint faults use OAuth bodies", func(t *testing.T) {
		s.Inject(Fault{Path: "oauth/token", Times: 1, Status: 401})
		s.Inject(Fault{Path: "oauth/token", Times: 1, Status: 503})
		resp, b, _ := do("/oauth/token", tokenForm().Encode(), false)
		if got := decode(t, b); resp.StatusCode != 401 || got["error"] != "access_denied" {
			t.Errorf("401 fault = %d %v", resp.StatusCode, got)
		}
		resp, b, _ = do("/oauth/token", tokenForm().Encode(), false)
		if got := decode(t, b); resp.StatusCode != 503 || got["error"] != "server_error" {
			t.Errorf("503 fault = %d %v", resp.StatusCode, got)
		}
	})
	t.Run("401 fault has the UNAUTHENTICATED body", func(t *testing.T) {
		s.Inject(Fault{Path: "graphql", Times: 1, Status: 401})
		resp, b, _ := gql(list)
		if msg, code := firstError(t, decode(t, b)); resp.StatusCode != 401 || code != codeUnauthenticated || msg != "Unauthorized" {
			t.Errorf("401 fault = %d %s %q", resp.StatusCode, code, msg)
		}
	})
	t.Run("operation", func(t *testing.T) {
		s.Inject(Fault{Path: "graphql", Operation: "updateIssue", Times: 1, Status: 502})
		if resp, _, _ := gql(list); resp.StatusCode != 200 {
			t.Errorf("other operation = %d, want 200", resp.StatusCode)
		}
		if resp, _, _ := gql(update); resp.StatusCode != 502 {
			t.Errorf("updateIssue = %d, want 502", resp.StatusCode)
		}
		if resp, _, _ := gql(update); resp.StatusCode != 200 {
			t.Errorf("updateIssue after Times = %d, want 200", resp.StatusCode)
		}
		// By field name, through an alias, with operationName.
		s.Inject(Fault{Operation: "issuesV2", Times: 1, Status: 503})
		body := `{"query":"query A { __typename } query B { issues: issuesV2(first: 1) { totalCount } }","operationName":"B"}`
		if resp, _, _ := do("/graphql", body, true); resp.StatusCode != 503 {
			t.Errorf("aliased issuesV2 = %d, want 503", resp.StatusCode)
		}
		s.Inject(Fault{Operation: "issuesV2", Times: 1, Status: 503})
		body = `{"query":"query A { __typename } query B { issues: issuesV2(first: 1) { totalCount } }","operationName":"A"}`
		if resp, _, _ := do("/graphql", body, true); resp.StatusCode != 200 {
			t.Errorf("the other operation of the document = %d, want 200", resp.StatusCode)
		}
		s.ClearFaults()
	})
	t.Run("before authentication", func(t *testing.T) {
		s.Inject(Fault{Path: "graphql", Times: 1, Status: 429})
		if resp, _, _ := do("/graphql", `{"query":"{ __typename }"}`, false); resp.StatusCode != 429 {
			t.Errorf("faulted request without a token = %d, want 429", resp.StatusCode)
		}
	})
	t.Run("raw body with 200", func(t *testing.T) {
		s.Inject(Fault{Path: "graphql", Times: 1, Body: `{"data": {"issues": {"nodes": [`})
		resp, b, _ := gql(list)
		if resp.StatusCode != 200 || string(b) != `{"data": {"issues": {"nodes": [` {
			t.Errorf("got %d %q, want the raw body with 200", resp.StatusCode, b)
		}
	})
	t.Run("truncate", func(t *testing.T) {
		s.Inject(Fault{Path: "graphql", Times: 1, Truncate: true})
		resp, b, err := gql(`{ issuesV2(first: 50) { nodes { id } } }`)
		if err == nil {
			t.Fatalf("read of a truncated body succeeded (%d bytes)", len(b))
		}
		_ = resp
	})
	t.Run("reset", func(t *testing.T) {
		s.Inject(Fault{Path: "graphql", Times: 1, Reset: true})
		if _, _, err := gql(list); err == nil {
			t.Fatal("request on a reset connection succeeded")
		}
		if resp, _, err := gql(list); err != nil || resp.StatusCode != 200 {
			t.Errorf("next request = %v, %v; want 200", resp, err)
		}
	})
	t.Run("latency", func(t *testing.T) {
		s.Inject(Fault{Path: "graphql", Times: 1, Latency: 50 * time.Millisecond})
		start := time.Now()
		resp, _, err := gql(list)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("delayed request = %v, %v", resp, err)
		}
		if d := time.Since(start); d < 50*time.Millisecond {
			t.Errorf("request took %v, want at least 50ms", d)
		}
	})
	t.Run("latency honours the request context", func(t *testing.T) {
		s.Inject(Fault{Path: "graphql", Times: 1, Latency: time.Hour})
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
		req.Header.Set("Authorization", "Bearer "+tok)
		c := &http.Client{Transport: client.Transport, Timeout: 50 * time.Millisecond}
		if _, err := c.Do(req); err == nil {
			t.Fatal("request under an hour's latency succeeded")
		}
	})
	t.Run("every path until cleared", func(t *testing.T) {
		s.Inject(Fault{Status: 503})
		if resp, _, _ := gql(list); resp.StatusCode != 503 {
			t.Errorf("graphql = %d, want 503", resp.StatusCode)
		}
		if resp, _, _ := do("/oauth/token", tokenForm().Encode(), false); resp.StatusCode != 503 {
			t.Errorf("token = %d, want 503", resp.StatusCode)
		}
		s.ClearFaults()
		if resp, _, _ := gql(list); resp.StatusCode != 200 {
			t.Errorf("after ClearFaults = %d, want 200", resp.StatusCode)
		}
	})
}

func TestRequests(t *testing.T) {
	t.Parallel()
	s := newServer()
	tok := login(t, s)
	post(t, s, tok, updateIssueMutation, map[string]any{"issueId": SampleIssueID, "patch": map[string]any{"status": "OPEN"}})
	send(t, s, http.MethodPost, "/nope", "", []byte("x"), nil)
	got := s.Requests()
	if len(got) != 3 {
		t.Fatalf("Requests() has %d requests, want 3", len(got))
	}
	if got[0].Path != "/oauth/token" || got[0].Form.Get("client_id") != ClientID || got[0].Form.Get("audience") != "wiz-api" {
		t.Errorf("token request = %+v", got[0])
	}
	if got[1].Query != updateIssueMutation || got[1].Header.Get("Authorization") != "Bearer "+tok {
		t.Errorf("graphql request = %+v", got[1])
	}
	wantVars := map[string]any{"issueId": SampleIssueID, "patch": map[string]any{"status": "OPEN"}}
	if diff := cmp.Diff(wantVars, got[1].Variables); diff != "" {
		t.Errorf("variables (-want +got):\n%s", diff)
	}
	if got[2].Method != "POST" || got[2].Path != "/nope" || string(got[2].Body) != "x" {
		t.Errorf("unknown path request = %+v", got[2])
	}
	got[1].Body[0] = 'X'
	got[1].Variables["issueId"] = "changed"
	again := s.Requests()
	if again[1].Body[0] != '{' || again[1].Variables["issueId"] != SampleIssueID {
		t.Error("Requests() shares its data with the server")
	}
	s.ResetRequests()
	if n := len(s.Requests()); n != 0 {
		t.Errorf("after ResetRequests, %d requests", n)
	}
}
