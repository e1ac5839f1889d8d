package wiz

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/actions/wiz/fake"
)

// noteOn is Add Issue Comments' inputs for one issue.
func noteOn(id, note string) map[string]any {
	return map[string]any{"issue_ids": anys(id), "note_text": note}
}

// without returns the default service account less one scope.
func without(scope string) fake.ServiceAccount {
	a := fake.DefaultServiceAccount()
	var keep []string
	for _, s := range a.Scopes {
		if s != scope {
			keep = append(keep, s)
		}
	}
	a.Scopes = keep
	return a
}

// TestErrors checks each error shape: GraphQL errors in a 200 reply (with
// the status their code stands for), refusals with their HTTP status, a
// missing scope, replies that are not GraphQL; the Error's three fields,
// how many requests were sent, and Raw Data holding the vendor's reply.
func TestErrors(t *testing.T) {
	t.Parallel()
	gqlErr := func(code, msg string) string {
		return `{"data":{"issues":null},"errors":[{"message":"` + msg + `","path":["issues"],"extensions":{"code":"` + code + `"}}]}`
	}
	tests := []struct {
		name   string
		opts   []fake.Option
		fault  *fake.Fault
		cmd    string
		inputs map[string]any
		status int
		msg    string
		prefix bool // msg is a prefix of the message
		calls  int  // GraphQL requests
		// raw is the Raw Data; "reply" for the fake's last reply.
		raw any
	}{
		{name: "NOT_FOUND in a 200 reply", cmd: FetchEventName,
			fault:  &fake.Fault{Path: "graphql", Body: gqlErr("NOT_FOUND", "Resource not found")},
			status: 404, msg: "Resource not found", calls: 1, raw: "reply"},
		{name: "BAD_USER_INPUT in a 200 reply", cmd: FetchEventName,
			fault:  &fake.Fault{Path: "graphql", Body: gqlErr("BAD_USER_INPUT", "Invalid cursor")},
			status: 400, msg: "Invalid cursor", calls: 1, raw: "reply"},
		{name: "UNAUTHORIZED in a 200 reply", cmd: TestConnectionName,
			fault:  &fake.Fault{Path: "graphql", Body: gqlErr("UNAUTHORIZED", "Forbidden resource")},
			status: 403, msg: "Forbidden resource", calls: 1, raw: "reply"},
		{name: "INTERNAL in a 200 reply is not retried", cmd: FetchEventName,
			fault:  &fake.Fault{Path: "graphql", Times: 1, Body: gqlErr("INTERNAL", "Internal server error")},
			status: 500, msg: "Internal server error", calls: 1, raw: "reply"},
		{name: "several errors, each message once", cmd: FetchEventName,
			fault: &fake.Fault{Path: "graphql", Body: `{"data":null,"errors":[{"message":"first","extensions":{"code":"BAD_USER_INPUT"}},` +
				`{"message":"second","extensions":{"code":"NOT_FOUND"}},{"message":"first"}]}`},
			status: 400, msg: "first; second", calls: 1, raw: "reply"},
		{name: "an error beside data", cmd: ListProjectsName,
			fault:  &fake.Fault{Path: "graphql", Body: `{"data":{"projects":{"nodes":[],"pageInfo":{"hasNextPage":false}}},"errors":[{"message":"partial outage","extensions":{"code":"INTERNAL"}}]}`},
			status: 500, msg: "partial outage", calls: 1, raw: "reply"},
		{name: "note the fake refuses in a 200 reply", cmd: AddIssueCommentsName, inputs: noteOn(fake.SampleIssueID, "   "),
			status: 400, msg: "1 of 1 failed: " + fake.SampleIssueID + ": 400 The note text must not be empty", calls: 1},
		{name: "variable the schema refuses, HTTP 400", cmd: FetchEventName,
			inputs: map[string]any{"additional_filters": map[string]any{"severity": anys("URGENT")}},
			status: 400, msg: `Variable "$filterBy" got invalid value at "filterBy.severity[0]"; URGENT is not a valid Severity`,
			calls: 1, raw: "reply"},
		{name: "unknown filter, HTTP 400", cmd: FetchEventName,
			inputs: map[string]any{"event_type": "Cloud Configuration Findings", "additional_filters": map[string]any{"noSuchFilter": true}},
			status: 400, msg: `Variable "$filterBy" got invalid value at "filterBy.noSuchFilter"; unknown field`, calls: 1, raw: "reply"},
		{name: "list projects without read:projects", opts: []fake.Option{fake.WithServiceAccounts(without(fake.ScopeReadProjects))},
			cmd: ListProjectsName, status: 403, msg: "Unauthorized: missing required scope read:projects", calls: 1, raw: "reply"},
		{name: "fetch findings without read:cloud_configuration",
			opts: []fake.Option{fake.WithServiceAccounts(without(fake.ScopeReadCloudConfiguration))},
			cmd:  FetchEventName, inputs: map[string]any{"event_type": "Cloud Configuration Findings"},
			status: 403, msg: "Unauthorized: missing required scope read:cloud_configuration", calls: 1, raw: "reply"},
		{name: "comment without write:issue_comments", opts: []fake.Option{fake.WithServiceAccounts(without(fake.ScopeWriteIssueComments))},
			cmd: AddIssueCommentsName, inputs: noteOn(fake.SampleIssueID, "n"),
			status: 403, msg: "1 of 1 failed: " + fake.SampleIssueID + ": 403 Unauthorized: missing required scope write:issue_comments", calls: 1},
		{name: "due time without update:write:issue_due_at", opts: []fake.Option{fake.WithServiceAccounts(without(fake.ScopeWriteIssueDueAt))},
			cmd: UpdateIssuesName, inputs: map[string]any{"issue_ids": anys(fake.SampleIssueID), "due_time": "2026-12-01"},
			status: 403, msg: "1 of 1 failed: " + fake.SampleIssueID + ": 403 Unauthorized: missing required scope update:write:issue_due_at", calls: 1},
		{name: "test connection without read:issues", opts: []fake.Option{fake.WithServiceAccounts(without(fake.ScopeReadIssues))},
			cmd: TestConnectionName, status: 403, msg: "Unauthorized: missing required scope read:issues", calls: 1, raw: "reply"},
		{name: "reply without data", cmd: TestConnectionName, fault: &fake.Fault{Path: "graphql", Body: `{}`},
			status: 200, msg: "the reply to issuesV2 has no data", calls: 1, raw: map[string]any{}},
		{name: "reply not JSON", cmd: FetchEventName, fault: &fake.Fault{Path: "graphql", Body: `{"data": {"issues": `},
			status: 200, msg: "the reply to issuesV2 is not valid JSON: ", prefix: true, calls: 1},
		{name: "HTML error page", cmd: ListProjectsName, fault: &fake.Fault{Path: "graphql", Status: 404, Body: "<html>Not Found</html>"},
			status: 404, msg: "<html>Not Found</html>", calls: 1},
		{name: "empty error reply", cmd: ListProjectsName, fault: &fake.Fault{Path: "graphql", Status: 418, Body: " "},
			status: 418, msg: "I'm a teapot", calls: 1},
		{name: "JSON error reply without errors", cmd: ListProjectsName, fault: &fake.Fault{Path: "graphql", Status: 400, Body: `{"data":null}`},
			status: 400, msg: "Bad Request", calls: 1, raw: "reply"},
		{name: "refused request, HTTP 400", cmd: TestConnectionName, fault: &fake.Fault{Path: "graphql", Status: 400},
			status: 400, msg: "Bad request", calls: 1, raw: "reply"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tc.opts...)
			if tc.fault != nil {
				h.srv.Inject(*tc.fault)
			}
			env := h.run(tc.cmd, tc.inputs)
			if env.ReturnData != actions.Failed || env.Error == nil {
				t.Fatalf("ReturnData = %s %+v, want Failed", env.ReturnData, env.Error)
			}
			indicator := h.command(tc.cmd).spec.FailureIndicator()
			if tc.prefix {
				if !strings.HasPrefix(env.Error.Message, tc.msg) || env.Error.StatusCode != tc.status || env.Error.FailureIndicator != indicator {
					t.Errorf("Error = %+v, want %s %d %q...", env.Error, indicator, tc.status, tc.msg)
				}
			} else {
				checkError(t, env, actions.Failed, indicator, tc.status, tc.msg)
			}
			if n := len(h.requests(gqlPath)); n != tc.calls {
				t.Errorf("%d GraphQL requests, want %d", n, tc.calls)
			}
			switch want := tc.raw.(type) {
			case nil:
			case string:
				replies := h.replies()
				if diff := cmp.Diff(replies[len(replies)-1], env.RawData); diff != "" {
					t.Errorf("Raw Data is not the vendor's reply (-want +got):\n%s", diff)
				}
			default:
				if diff := cmp.Diff(want, env.RawData); diff != "" {
					t.Errorf("Raw Data mismatch (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// TestRetries checks what is retried: a read after 429 or 5xx, up to
// max_retries; a mutation after 429 (Wiz did nothing), never after a 5xx
// (it may have been done).
func TestRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		retries  string // max_retries; "" for the harness's 2
		fault    fake.Fault
		cmd      string
		inputs   map[string]any
		calls    int
		rd       actions.ReturnData
		status   int
		msg      string
		notes    int // notes added to the sample issue
		duration time.Duration
	}{
		{name: "read after 429", fault: fake.Fault{Path: "graphql", Times: 1, Status: 429},
			cmd: FetchEventName, calls: 2, rd: actions.Successful},
		{name: "read after 503", fault: fake.Fault{Path: "graphql", Times: 1, Status: 503},
			cmd: ListProjectsName, calls: 2, rd: actions.Successful},
		{name: "read after 500 twice", fault: fake.Fault{Path: "graphql", Times: 2, Status: 500},
			cmd: TestConnectionName, calls: 3, rd: actions.Successful},
		{name: "read 503 every time", fault: fake.Fault{Path: "graphql", Status: 503},
			cmd: FetchEventName, calls: 3, rd: actions.Failed, status: 503, msg: "Internal server error"},
		{name: "read 502 every time, 4 retries", retries: "4", fault: fake.Fault{Path: "graphql", Status: 502},
			cmd: ListProjectsName, calls: 5, rd: actions.Failed, status: 502, msg: "Internal server error"},
		{name: "read 500 without retries", retries: "0", fault: fake.Fault{Path: "graphql", Status: 500},
			cmd: TestConnectionName, calls: 1, rd: actions.Failed, status: 500, msg: "Internal server error"},
		{name: "read 429 every time", fault: fake.Fault{Path: "graphql", Status: 429},
			cmd: FetchEventName, calls: 3, rd: actions.Failed, status: 429, msg: "Rate limit exceeded"},
		{name: "read 429 longer than we wait", fault: fake.Fault{Path: "graphql", Times: 1, Status: 429, RetryAfter: "3600"},
			cmd: FetchEventName, calls: 1, rd: actions.Failed, status: 429, msg: "Rate limit exceeded"},
		{name: "mutation after 429", fault: fake.Fault{Path: "graphql", Times: 1, Status: 429},
			cmd: AddIssueCommentsName, inputs: noteOn(fake.SampleIssueID, "n"), calls: 2, rd: actions.Successful, notes: 1},
		{name: "mutation after 500", fault: fake.Fault{Path: "graphql", Operation: "createIssueNote", Times: 1, Status: 500},
			cmd: AddIssueCommentsName, inputs: noteOn(fake.SampleIssueID, "n"), calls: 1, rd: actions.Failed,
			status: 500, msg: "1 of 1 failed: " + fake.SampleIssueID + ": 500 Internal server error"},
		{name: "mutation after 503", fault: fake.Fault{Path: "graphql", Operation: "updateIssue", Times: 1, Status: 503},
			cmd: UpdateIssuesName, inputs: map[string]any{"issue_ids": anys(fake.SampleIssueID), "status": "In Progress"}, calls: 1,
			rd: actions.Failed, status: 503, msg: "1 of 1 failed: " + fake.SampleIssueID + ": 503 Internal server error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			if tc.retries != "" {
				h.conn = h.connection(map[string]string{"max_retries": tc.retries}, fake.ClientID, fake.ClientSecret)
			}
			before := len(notesOf(t, h, fake.SampleIssueID))
			h.srv.Inject(tc.fault)
			env := h.run(tc.cmd, tc.inputs)
			if n := len(h.requests(gqlPath)); n != tc.calls {
				t.Errorf("%d GraphQL requests, want %d", n, tc.calls)
			}
			if env.ReturnData != tc.rd {
				t.Fatalf("ReturnData = %s %+v, want %s", env.ReturnData, env.Error, tc.rd)
			}
			if tc.rd == actions.Failed {
				checkError(t, env, actions.Failed, h.command(tc.cmd).spec.FailureIndicator(), tc.status, tc.msg)
			}
			if got := len(notesOf(t, h, fake.SampleIssueID)) - before; got != tc.notes {
				t.Errorf("%d notes added, want %d", got, tc.notes)
			}
		})
	}
}

// TestRetryAfter checks that a 429's Retry-After is waited out, for a
// read and for a mutation, which then happens once.
func TestRetryAfter(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cmd    string
		inputs map[string]any
	}{
		{FetchEventName, nil},
		{AddIssueCommentsName, noteOn(fake.SampleIssueID, "after the wait")},
	} {
		t.Run(tc.cmd, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			before := len(notesOf(t, h, fake.SampleIssueID))
			h.srv.Inject(fake.Fault{Path: "graphql", Times: 1, Status: 429, RetryAfter: "1"})
			start := time.Now()
			env := h.run(tc.cmd, tc.inputs)
			elapsed := time.Since(start)
			if env.ReturnData != actions.Successful {
				t.Fatalf("ReturnData = %s %+v", env.ReturnData, env.Error)
			}
			if elapsed < 950*time.Millisecond {
				t.Errorf("succeeded after %v, want >= the 1s Retry-After", elapsed)
			}
			if n := len(h.requests(gqlPath)); n != 2 {
				t.Errorf("%d requests, want 2", n)
			}
			want := before
			if tc.cmd == AddIssueCommentsName {
				want++
			}
			if got := len(notesOf(t, h, fake.SampleIssueID)); got != want {
				t.Errorf("%d notes, want %d", got, want)
			}
		})
	}
}

// failNth answers the nth GraphQL request (1-based) with status and
// body, and passes every other request to next.
type failNth struct {
	next   http.Handler
	n      int32
	status int
	body   string
	seen   atomic.Int32
}

func (f *failNth) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == gqlPath && f.seen.Add(1) == f.n {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.status)
		_, _ = w.Write([]byte(f.body))
		return
	}
	f.next.ServeHTTP(w, r)
}

// TestFetchEventLaterPageFails checks that a failure on a later page
// fails the fetch, naming the page, with the vendor's reply as Raw Data.
func TestFetchEventLaterPageFails(t *testing.T) {
	t.Parallel()
	clk := &clock{now: t0}
	srv := fake.New(fake.WithClock(clk.Now), fake.WithGeneratedIssues(1200))
	body := `{"errors":[{"message":"Invalid cursor","extensions":{"code":"BAD_USER_INPUT"}}]}`
	h := newHarnessFor(t, clk, srv, &failNth{next: srv, n: 2, status: 400, body: body})
	env := h.run(FetchEventName, nil)
	checkError(t, env, actions.Failed, "Fetch Event failed.", 400, "page 2 of issuesV2: Invalid cursor")
	if n := len(h.requests(gqlPath)); n != 1 {
		// The second request never reached the fake.
		t.Errorf("%d requests reached the fake, want 1", n)
	}
	if diff := cmp.Diff(decode(t, []byte(body)), env.RawData); diff != "" {
		t.Errorf("Raw Data mismatch (-want +got):\n%s", diff)
	}
}

// TestTransportFailures checks replies that never come whole: a cut
// body, a reset, a reply slower than the connection's timeout. A read is
// retried and fails with a message naming the path; a mutation that
// reached the wire is not retried.
func TestTransportFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		settings map[string]string
		fault    fake.Fault
		cmd      string
		inputs   map[string]any
		calls    int
		rd       actions.ReturnData
		msg      string // the message; "..." stands for any text
		within   time.Duration
	}{
		{name: "truncated once", fault: fake.Fault{Path: "graphql", Times: 1, Truncate: true},
			cmd: FetchEventName, calls: 2, rd: actions.Successful},
		{name: "truncated every time", fault: fake.Fault{Path: "graphql", Truncate: true},
			cmd: FetchEventName, calls: 3, rd: actions.Failed, msg: "read reply: /graphql: unexpected EOF (after 3 attempts)"},
		{name: "reset once", fault: fake.Fault{Path: "graphql", Times: 1, Reset: true},
			cmd: ListProjectsName, calls: 2, rd: actions.Successful},
		{name: "reset every time", fault: fake.Fault{Path: "graphql", Reset: true},
			cmd: ListProjectsName, calls: 3, rd: actions.Failed, msg: "/graphql: ... (after 3 attempts)"},
		{name: "mutation reset", fault: fake.Fault{Path: "graphql", Operation: "createIssueNote", Reset: true},
			cmd: AddIssueCommentsName, inputs: noteOn(fake.SampleIssueID, "n"), calls: 1, rd: actions.Failed,
			msg: "1 of 1 failed: " + fake.SampleIssueID + ": 0 /graphql: ..."},
		{name: "mutation truncated", fault: fake.Fault{Path: "graphql", Operation: "updateIssue", Truncate: true},
			cmd: UpdateIssuesName, inputs: map[string]any{"issue_ids": anys(fake.SampleIssueID), "status": "In Progress"}, calls: 1,
			rd: actions.Failed, msg: "1 of 1 failed: " + fake.SampleIssueID + ": 0 read reply: /graphql: unexpected EOF"},
		{name: "slower than the timeout", settings: map[string]string{"timeout": "200ms", "max_retries": "1"},
			fault: fake.Fault{Path: "graphql", Latency: 10 * time.Second},
			cmd:   TestConnectionName, calls: 2, rd: actions.Failed, msg: "/graphql: timed out after 200ms (after 2 attempts)",
			within: 3 * time.Second},
		{name: "slow once", settings: map[string]string{"timeout": "200ms"},
			fault: fake.Fault{Path: "graphql", Times: 1, Latency: 10 * time.Second},
			cmd:   FetchEventName, calls: 2, rd: actions.Successful, within: 3 * time.Second},
		{name: "slow login", settings: map[string]string{"timeout": "200ms", "max_retries": "0"},
			fault: fake.Fault{Path: "oauth/token", Latency: 10 * time.Second},
			cmd:   FetchEventName, calls: 0, rd: actions.Failed, msg: "log in to Wiz: /oauth/token: timed out after 200ms",
			within: 3 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			if tc.settings != nil {
				h.conn = h.connection(tc.settings, fake.ClientID, fake.ClientSecret)
			}
			before := len(notesOf(t, h, fake.SampleIssueID))
			h.srv.Inject(tc.fault)
			start := time.Now()
			env := h.run(tc.cmd, tc.inputs)
			if d := time.Since(start); tc.within > 0 && d > tc.within {
				t.Errorf("took %v, want under %v", d, tc.within)
			}
			if n := len(h.requests(gqlPath)); n != tc.calls {
				t.Errorf("%d GraphQL requests, want %d", n, tc.calls)
			}
			if env.ReturnData != tc.rd {
				t.Fatalf("ReturnData = %s %+v, want %s", env.ReturnData, env.Error, tc.rd)
			}
			if tc.rd == actions.Successful {
				return
			}
			indicator := h.command(tc.cmd).spec.FailureIndicator()
			if p, sfx, ok := strings.Cut(tc.msg, "..."); ok {
				m := env.Error.Message
				if env.Error.StatusCode != 0 || env.Error.FailureIndicator != indicator || !strings.HasPrefix(m, p) || !strings.HasSuffix(m, sfx) {
					t.Errorf("Error = %+v, want %s 0 %q", env.Error, indicator, tc.msg)
				}
			} else {
				checkError(t, env, actions.Failed, indicator, 0, tc.msg)
			}
			if got := len(notesOf(t, h, fake.SampleIssueID)); got != before {
				t.Errorf("%d notes, want %d", got, before)
			}
		})
	}
}

// TestInvalidEndpointURL checks the page's error: an API endpoint URL
// that is not an http(s) URL fails every command with status 400 and the
// page's message, before any request.
func TestInvalidEndpointURL(t *testing.T) {
	t.Parallel()
	inputs := map[string]map[string]any{
		AddIssueCommentsName: noteOn(fake.SampleIssueID, "n"),
		UpdateIssuesName:     {"issue_ids": anys(fake.SampleIssueID), "status": "Open"},
	}
	indicators := map[string]string{
		AddIssueCommentsName: "Add Issue Comments failed.",
		FetchEventName:       "Fetch Event failed.",
		ListProjectsName:     "List Projects failed.",
		UpdateIssuesName:     "Update Issues failed.",
		TestConnectionName:   "Test Connection failed. Failed to check the connector.",
	}
	for _, u := range []string{"api.us1.app.wiz.io", "ftp://api.us1.app.wiz.io", "https://", "https://api.us1.app.wiz.io/?x=1", "not a url at all", ""} {
		t.Run(u, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			conn := h.rawConnection(map[string]string{FieldAPIEndpointURL: u}, fake.ClientID, fake.ClientSecret)
			for _, c := range h.w.Commands() {
				name := c.Spec().Name
				env := h.runWith(conn, name, inputs[name])
				checkError(t, env, actions.Failed, indicators[name], 400, "API endpoint URL is not valid in format.")
			}
			if n := len(h.srv.Requests()); n != 0 {
				t.Errorf("%d requests sent, want none", n)
			}
		})
	}
}

// TestConnectionErrors checks connections the client refuses before any
// request.
func TestConnectionErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		conn func(h *harness) *actions.Connection
		msg  string
	}{
		{"no connection", func(*harness) *actions.Connection { return nil }, "no wiz connection is bound to this task"},
		{"token URL not https", func(h *harness) *actions.Connection {
			return h.rawConnection(map[string]string{FieldTokenURL: "ftp://auth.app.wiz.io/oauth/token"}, fake.ClientID, fake.ClientSecret)
		}, "connection wiz: token_url must be an https:// URL with a host"},
		{"no client id", func(h *harness) *actions.Connection {
			return h.rawConnection(nil, " ", fake.ClientSecret)
		}, "connection wiz: client_id is not set"},
		{"no client secret", func(h *harness) *actions.Connection {
			return h.rawConnection(nil, fake.ClientID, "")
		}, "connection wiz: client_secret is not set"},
		{"bad timeout", func(h *harness) *actions.Connection {
			return h.rawConnection(map[string]string{"timeout": "soon"}, fake.ClientID, fake.ClientSecret)
		}, "connection timeout: want a duration such as 30s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			env := h.runWith(tc.conn(h), TestConnectionName, nil)
			checkError(t, env, actions.Failed, "Test Connection failed. Failed to check the connector.", 0, tc.msg)
			if n := len(h.srv.Requests()); n != 0 {
				t.Errorf("%d requests sent, want none", n)
			}
		})
	}
}

// TestTestConnection checks Test Connection: one login and one read of
// one issue; Successful with the reply, or Failed with the page's
// Failure Indicator.
func TestTestConnection(t *testing.T) {
	t.Parallel()
	t.Run("passes", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		env := h.run(TestConnectionName, nil)
		if env.ReturnData != actions.Successful || env.Error != nil {
			t.Fatalf("%s %+v", env.ReturnData, env.Error)
		}
		if n := len(list(field(env.RawData, "data", "issues", "nodes"))); n != 1 {
			t.Errorf("Raw Data has %d issues, want 1", n)
		}
	})
	for name, f := range map[string]fake.Fault{
		"wrong credentials": {Path: "oauth/token", Status: 401},
		"API down":          {Path: "graphql", Status: 503},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.srv.Inject(f)
			env := h.run(TestConnectionName, nil)
			if env.ReturnData != actions.Failed || env.Error == nil ||
				env.Error.FailureIndicator != "Test Connection failed. Failed to check the connector." || env.Error.StatusCode != f.Status {
				t.Errorf("got %s %+v, want Failed with the page's indicator and %d", env.ReturnData, env.Error, f.Status)
			}
		})
	}
}

// TestCancelled checks that a cancelled run fails with the context's
// error as the cause, for the engine to report it as cancelled.
func TestCancelled(t *testing.T) {
	t.Parallel()
	for _, path := range []string{"oauth/token", "graphql"} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			// The login goes on after the caller gives up (other callers may
			// share it), so it is kept short for the server to close soon.
			h.srv.Inject(fake.Fault{Path: path, Latency: time.Second})
			ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
			defer cancel()
			env := h.command(FetchEventName).Run(ctx, actions.Request{Task: "t1", Connection: h.conn})
			h.checkNoSecret(FetchEventName, env)
			if env.ReturnData != actions.Failed || env.Error == nil || !errors.Is(env.Error, context.DeadlineExceeded) {
				t.Errorf("got %s %+v, want Failed caused by the context", env.ReturnData, env.Error)
			}
		})
	}
}
