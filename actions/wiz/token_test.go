package wiz

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/actions/wiz/fake"
)

// bearerUse checks that every GraphQL request carried one of the
// issued tokens, and returns how many carried each, by token index.
func bearerUse(t testing.TB, h *harness) []int {
	t.Helper()
	toks := h.tokens()
	use := make([]int, len(toks))
	for _, r := range h.requests(gqlPath) {
		found := false
		for i, tok := range toks {
			if r.Header.Get("Authorization") == "Bearer "+tok {
				use[i]++
				found = true
			}
		}
		if !found {
			t.Errorf("a GraphQL request carries no token the token endpoint issued")
		}
	}
	return use
}

// TestTokenCached checks that one login serves every command of a
// connection: one token request for four commands, each request with
// that token.
func TestTokenCached(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, c := range []struct {
		name   string
		inputs map[string]any
	}{
		{TestConnectionName, nil},
		{FetchEventName, nil},
		{ListProjectsName, nil},
		{AddIssueCommentsName, map[string]any{"issue_ids": anys(fake.SampleIssueID), "note_text": "n"}},
		{FetchEventName, map[string]any{"event_type": "Vulnerability Findings"}},
	} {
		if env := h.run(c.name, c.inputs); env.ReturnData != actions.Successful {
			t.Fatalf("%s: %s %+v", c.name, env.ReturnData, env.Error)
		}
	}
	if n := h.srv.TokensIssued(); n != 1 {
		t.Errorf("TokensIssued = %d, want 1", n)
	}
	logins := h.requests(tokenPath)
	if len(logins) != 1 {
		t.Fatalf("%d token requests, want 1", len(logins))
	}
	checkTokenRequest(t, logins[0], fake.ClientID, fake.ClientSecret)
	if use := bearerUse(t, h); len(use) != 1 || use[0] != 5 {
		t.Errorf("token use %v, want the one token on all 5 requests", use)
	}
}

// TestTokenSharedByConcurrentRequests checks that the concurrent
// requests of a 20-issue Add Issue Comments share one login, even when
// the login is slow enough for all of them to wait on it.
func TestTokenSharedByConcurrentRequests(t *testing.T) {
	t.Parallel()
	for _, slow := range []bool{false, true} {
		name := "fast login"
		if slow {
			name = "slow login"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			if slow {
				h.srv.Inject(fake.Fault{Path: "oauth/token", Times: 1, Latency: 100 * time.Millisecond})
			}
			ids := fake.SeedIssueIDs()[:20]
			before := map[string]int{}
			for _, id := range ids {
				before[id] = len(notesOf(t, h, id))
			}
			env := h.run(AddIssueCommentsName, map[string]any{"issue_ids": anys(ids...), "note_text": "bulk triage"})
			if env.ReturnData != actions.Successful {
				t.Fatalf("ReturnData = %s %+v", env.ReturnData, env.Error)
			}
			if n := h.srv.TokensIssued(); n != 1 {
				t.Errorf("TokensIssued = %d, want 1", n)
			}
			if n := len(h.requests(tokenPath)); n != 1 {
				t.Errorf("%d token requests, want 1", n)
			}
			if use := bearerUse(t, h); len(use) != 1 || use[0] != 20 {
				t.Errorf("token use %v, want one token on 20 requests", use)
			}
			for _, id := range ids {
				if got := len(notesOf(t, h, id)); got != before[id]+1 {
					t.Errorf("issue %s has %d notes, want %d", id, got, before[id]+1)
				}
			}
			if got := env.KeyFields["IssueIDs"]; len(got) != 20 {
				t.Errorf("IssueIDs has %d ids, want 20", len(got))
			}
		})
	}
}

// TestTokenRefresh checks that a token is renewed shortly before it
// expires, on the client's clock: a minute early, or halfway through a
// lifetime under two minutes; never with a 401 in between.
func TestTokenRefresh(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ttl          time.Duration
		still, renew time.Duration // clock advances: still on the first token, then renewed
	}{
		{ttl: 10 * time.Minute, still: 8*time.Minute + 59*time.Second, renew: 2 * time.Second},
		{ttl: 60 * time.Second, still: 29 * time.Second, renew: 2 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.ttl.String(), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, fake.WithTokenTTL(tc.ttl))
			run := func() {
				t.Helper()
				if env := h.run(TestConnectionName, nil); env.ReturnData != actions.Successful {
					t.Fatalf("%s %+v", env.ReturnData, env.Error)
				}
			}
			run()
			h.clk.Advance(tc.still)
			run()
			if n := h.srv.TokensIssued(); n != 1 {
				t.Errorf("after %v: TokensIssued = %d, want 1", tc.still, n)
			}
			h.clk.Advance(tc.renew)
			run()
			if n := h.srv.TokensIssued(); n != 2 {
				t.Errorf("after %v: TokensIssued = %d, want 2", tc.still+tc.renew, n)
			}
			if use := bearerUse(t, h); len(use) != 2 || use[0] != 2 || use[1] != 1 {
				t.Errorf("token use %v, want [2 1]", use)
			}
			for _, ex := range h.tap.exchanges(gqlPath) {
				if ex.status != http.StatusOK {
					t.Errorf("a GraphQL request got %d: the token was not renewed in time", ex.status)
				}
			}
		})
	}
}

// TestTokenRevoked checks that after Wiz stops accepting the token the
// next request gets 401, the client logs in again once and sends the
// request once more, and it succeeds; a mutation is carried out once.
func TestTokenRevoked(t *testing.T) {
	t.Parallel()
	t.Run("read", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		if env := h.run(TestConnectionName, nil); env.ReturnData != actions.Successful {
			t.Fatalf("%s %+v", env.ReturnData, env.Error)
		}
		h.srv.RevokeTokens()
		env := h.run(ListProjectsName, nil)
		if env.ReturnData != actions.Successful {
			t.Fatalf("ReturnData = %s %+v, want Successful", env.ReturnData, env.Error)
		}
		if n := h.srv.TokensIssued(); n != 2 {
			t.Errorf("TokensIssued = %d, want 2", n)
		}
		ex := h.tap.exchanges(gqlPath)
		if len(ex) != 3 || ex[1].status != http.StatusUnauthorized || ex[2].status != http.StatusOK {
			t.Errorf("GraphQL replies %v, want 200, then 401 and 200", statuses(ex))
		}
		if use := bearerUse(t, h); len(use) != 2 || use[0] != 2 || use[1] != 1 {
			t.Errorf("token use %v, want [2 1]", use)
		}
	})
	t.Run("mutation", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		if env := h.run(TestConnectionName, nil); env.ReturnData != actions.Successful {
			t.Fatalf("%s %+v", env.ReturnData, env.Error)
		}
		before := len(notesOf(t, h, fake.WebProd01IssueID))
		h.srv.RevokeTokens()
		h.reset()
		env := h.run(AddIssueCommentsName, map[string]any{"issue_ids": anys(fake.WebProd01IssueID), "note_text": "once"})
		if env.ReturnData != actions.Successful {
			t.Fatalf("ReturnData = %s %+v, want Successful", env.ReturnData, env.Error)
		}
		notes := notesOf(t, h, fake.WebProd01IssueID)
		if len(notes) != before+1 || notes[len(notes)-1] != "once" {
			t.Errorf("notes %q, want exactly one note added", notes)
		}
		reqs := h.requests(gqlPath)
		if len(reqs) != 2 {
			t.Fatalf("%d requests, want the refused one and its resend", len(reqs))
		}
		if string(reqs[0].Body) != string(reqs[1].Body) {
			t.Errorf("the resend differs:\n%s\n%s", reqs[0].Body, reqs[1].Body)
		}
		if n := len(h.requests(tokenPath)); n != 1 {
			t.Errorf("%d logins after the 401, want 1", n)
		}
		toks := h.tokens()
		if len(toks) != 2 || reqs[1].Header.Get("Authorization") != "Bearer "+toks[1] {
			t.Errorf("the resend does not carry the new token")
		}
	})
}

func statuses(ex []exchange) []int {
	var out []int
	for _, e := range ex {
		out = append(out, e.status)
	}
	return out
}

// TestToken401Twice checks that a 401 after logging in again fails the
// command with 401: one login again, never a loop.
func TestToken401Twice(t *testing.T) {
	t.Parallel()
	t.Run("read", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.srv.Inject(fake.Fault{Path: "graphql", Times: 2, Status: 401})
		env := h.run(FetchEventName, nil)
		checkError(t, env, actions.Failed, "Fetch Event failed.", 401, "Unauthorized")
		if n := len(h.requests(gqlPath)); n != 2 {
			t.Errorf("%d GraphQL requests, want 2", n)
		}
		if n := h.srv.TokensIssued(); n != 2 {
			t.Errorf("TokensIssued = %d, want 2", n)
		}
		if e := field(env.RawData, "errors"); len(list(e)) != 1 || text(field(list(e)[0], "extensions", "code")) != "UNAUTHENTICATED" {
			t.Errorf("Raw Data = %v, want the 401 reply", env.RawData)
		}
	})
	t.Run("mutation", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.srv.Inject(fake.Fault{Path: "graphql", Status: 401})
		env := h.run(UpdateIssuesName, map[string]any{"issue_ids": anys(fake.CIDeployerIssueID), "status": "In Progress"})
		checkError(t, env, actions.Failed, "Update Issues failed.", 401,
			"1 of 1 failed: "+fake.CIDeployerIssueID+": 401 Unauthorized")
		if n := len(h.requests(gqlPath)); n != 2 {
			t.Errorf("%d GraphQL requests, want 2", n)
		}
		if issue, _ := h.srv.Issue(fake.CIDeployerIssueID); issue["status"] != "OPEN" {
			t.Errorf("status %v, want unchanged", issue["status"])
		}
	})
}

// TestLoginFailures checks what a failed login gives: Failed with the
// token endpoint's status and message, and no GraphQL request.
func TestLoginFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		settings map[string]string
		id       string
		secret   string
		fault    *fake.Fault
		cmd      string
		status   int
		msg      string
		logins   int
	}{
		{name: "wrong secret", secret: "not-the-secret", cmd: FetchEventName,
			status: 401, msg: "Wiz refused the client credentials: access_denied: Unauthorized", logins: 1},
		{name: "unknown client", id: "no-such-client", cmd: ListProjectsName,
			status: 401, msg: "Wiz refused the client credentials: access_denied: Unauthorized", logins: 1},
		{name: "test connection with wrong secret", secret: "not-the-secret", cmd: TestConnectionName,
			status: 401, msg: "Wiz refused the client credentials: access_denied: Unauthorized", logins: 1},
		{name: "legacy audience", settings: map[string]string{FieldAudience: "beyond-api"}, cmd: FetchEventName,
			status: 400, msg: "Wiz refused the client credentials: invalid_grant: Invalid audience: beyond-api", logins: 1},
		{name: "reply without access_token", cmd: FetchEventName,
			fault:  &fake.Fault{Path: "oauth/token", Body: `{"token_type":"Bearer","expires_in":86400}`},
			status: 200, msg: "the token reply from Wiz has no access_token", logins: 1},
		{name: "reply with an empty access_token", cmd: AddIssueCommentsName,
			fault:  &fake.Fault{Path: "oauth/token", Body: `{"access_token":"","message":"tenant suspended"}`},
			status: 200, msg: "the token reply from Wiz has no access_token: tenant suspended", logins: 1},
		{name: "reply not JSON", cmd: TestConnectionName,
			fault:  &fake.Fault{Path: "oauth/token", Body: `<html>login</html>`},
			status: 200, msg: "the token reply from Wiz has no access_token", logins: 1},
		{name: "token endpoint down", cmd: FetchEventName,
			fault:  &fake.Fault{Path: "oauth/token", Status: 503},
			status: 503, msg: "log in to Wiz failed: server_error: Internal server error", logins: 3},
		{name: "token endpoint rate limit", cmd: ListProjectsName,
			fault:  &fake.Fault{Path: "oauth/token", Status: 429, RetryAfter: "3600"},
			status: 429, msg: "log in to Wiz failed: too_many_requests: Rate limit exceeded", logins: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			id, secret := fake.ClientID, fake.ClientSecret
			if tc.id != "" {
				id = tc.id
			}
			if tc.secret != "" {
				secret = tc.secret
				h.secrets = append(h.secrets, secret)
			}
			conn := h.connection(tc.settings, id, secret)
			if tc.fault != nil {
				h.srv.Inject(*tc.fault)
			}
			inputs := map[string]any{}
			if tc.cmd == AddIssueCommentsName {
				inputs = map[string]any{"issue_ids": anys(fake.SampleIssueID), "note_text": "n"}
			}
			env := h.runWith(conn, tc.cmd, inputs)
			indicator := h.command(tc.cmd).spec.FailureIndicator()
			if tc.cmd == AddIssueCommentsName {
				tc.msg = "1 of 1 failed: " + fake.SampleIssueID + ": 200 " + tc.msg
			}
			checkError(t, env, actions.Failed, indicator, tc.status, tc.msg)
			if n := len(h.requests(tokenPath)); n != tc.logins {
				t.Errorf("%d token requests, want %d", n, tc.logins)
			}
			audience := "wiz-api"
			if a := tc.settings[FieldAudience]; a != "" {
				audience = a
			}
			checkTokenForm(t, h.requests(tokenPath)[0], audience, id, secret)
			if n := len(h.requests(gqlPath)); n != 0 {
				t.Errorf("%d GraphQL requests, want none without a token", n)
			}
		})
	}
}

// TestLoginRetried checks that a login that fails on the way (503, a
// reset, a cut reply) is tried again, and the command then succeeds.
func TestLoginRetried(t *testing.T) {
	t.Parallel()
	for name, f := range map[string]fake.Fault{
		"503":       {Path: "oauth/token", Times: 1, Status: 503},
		"429":       {Path: "oauth/token", Times: 1, Status: 429},
		"reset":     {Path: "oauth/token", Times: 1, Reset: true},
		"truncated": {Path: "oauth/token", Times: 1, Truncate: true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.srv.Inject(f)
			env := h.run(TestConnectionName, nil)
			if env.ReturnData != actions.Successful {
				t.Fatalf("ReturnData = %s %+v", env.ReturnData, env.Error)
			}
			if n := len(h.requests(tokenPath)); n != 2 {
				t.Errorf("%d token requests, want 2", n)
			}
			if n := len(h.requests(gqlPath)); n != 1 {
				t.Errorf("%d GraphQL requests, want 1", n)
			}
		})
	}
}

// TestLoginNotLogged checks that the debug log of a login names the path
// and the lifetime, never the form.
func TestLoginNotLogged(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	if env := h.run(TestConnectionName, nil); env.ReturnData != actions.Successful {
		t.Fatalf("%s %+v", env.ReturnData, env.Error)
	}
	logs := h.log.String()
	for _, want := range []string{"path=/oauth/token", "logged in to Wiz", "expires_in=24h0m0s", "path=/graphql"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	for _, no := range []string{"client_secret", "client_id=", "Bearer"} {
		if strings.Contains(logs, no) {
			t.Errorf("log shows %q:\n%s", no, logs)
		}
	}
}

// TestWrongTokenURL checks a token URL the server does not serve: the
// 404 fails the command as a failed login, naming no credential.
func TestWrongTokenURL(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	conn := h.connection(map[string]string{FieldTokenURL: h.ts.URL + "/oauth/wrong"}, fake.ClientID, fake.ClientSecret)
	env := h.runWith(conn, TestConnectionName, nil)
	checkError(t, env, actions.Failed, "Test Connection failed. Failed to check the connector.", 404, "log in to Wiz failed")
	reqs := h.srv.Requests()
	if len(reqs) != 1 || reqs[0].Path != "/oauth/wrong" {
		t.Errorf("requests %v, want one to /oauth/wrong", reqs)
	}
}
