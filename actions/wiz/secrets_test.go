package wiz

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/actions/wiz/fake"
)

// TestLogAtTrace checks that the harness's secret check has a log to
// look at: every command logs its calls at Trace level, and (in the
// harness) no credential or token shows in those lines.
func TestLogAtTrace(t *testing.T) {
	t.Parallel()
	for _, tc := range commandCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tc.opts...)
			if env := h.run(tc.cmd, tc.inputs); env.ReturnData != tc.rd {
				t.Fatalf("%s %+v", env.ReturnData, env.Error)
			}
			logs := h.log.String()
			if !strings.Contains(logs, "vendor call") || !strings.Contains(logs, "path=/graphql") {
				t.Errorf("log has no call lines:\n%s", logs)
			}
			if len(h.tokens()) != 1 {
				t.Errorf("%d tokens known to the check, want 1", len(h.tokens()))
			}
		})
	}
}

// TestSecretEchoed checks replies that quote the client ID, the client
// secret or the access token (a misbehaving proxy or server): each is
// masked in Error.Message, in Raw Data and in the log. The harness fails
// the test if one shows anywhere.
func TestSecretEchoed(t *testing.T) {
	t.Parallel()
	const (
		id, secret = fake.ClientID, fake.ClientSecret
		tok        = "<TOKEN>" // replaced by the token the client holds
	)
	tests := []struct {
		name   string
		fault  fake.Fault
		login  bool // log in first, so that the token is known
		cmd    string
		inputs map[string]any
		rd     actions.ReturnData
		status int
		msg    string
		// raw is a path in Raw Data and the masked value it must hold.
		rawPath []string
		rawWant any
	}{
		{name: "GraphQL error quoting everything", login: true, cmd: FetchEventName,
			fault: fake.Fault{Path: "graphql", Status: 400, Body: `{"errors":[{"message":"token ` + tok + ` of ` + id + ` (secret ` + secret +
				`) is wrong","extensions":{"code":"BAD_USER_INPUT","authorization":"Bearer ` + tok + `"}}]}`},
			rd: actions.Failed, status: 400, msg: "token [redacted] of [redacted] (secret [redacted]) is wrong",
			rawPath: []string{"errors", "0", "extensions", "authorization"}, rawWant: "Bearer [redacted]"},
		{name: "text error page quoting the token", login: true, cmd: ListProjectsName,
			fault: fake.Fault{Path: "graphql", Status: 502, Body: "<html>upstream refused Authorization: Bearer " + tok + "</html>"},
			rd:    actions.Failed, status: 502, msg: "<html>upstream refused Authorization: Bearer [redacted]</html>"},
		{name: "successful reply quoting the secret", login: true, cmd: FetchEventName,
			fault: fake.Fault{Path: "graphql", Body: `{"data":{"issues":{"nodes":[{"__typename":"Issue","id":"i-1","status":"OPEN",` +
				`"updatedAt":"2026-03-10T10:00:00Z","note":"` + secret + `","` + tok + `":true}],"pageInfo":{"hasNextPage":false,"endCursor":null}}}}`},
			rd: actions.Successful, rawPath: []string{"data", "nodes", "0", "note"}, rawWant: "[redacted]"},
		{name: "mutation error quoting the token", login: true, cmd: AddIssueCommentsName, inputs: noteOn(fake.SampleIssueID, "n"),
			fault: fake.Fault{Path: "graphql", Operation: "createIssueNote",
				Body: `{"data":{"createIssueNote":null},"errors":[{"message":"bad token ` + tok + `","extensions":{"code":"NOT_FOUND"}}]}`},
			rd: actions.Failed, status: 404, msg: "1 of 1 failed: " + fake.SampleIssueID + ": 404 bad token [redacted]",
			rawPath: []string{"Results", "0", "errors", "0", "message"}, rawWant: "bad token [redacted]"},
		{name: "token endpoint quoting the secret", cmd: TestConnectionName,
			fault: fake.Fault{Path: "oauth/token", Status: 401,
				Body: `{"error":"access_denied","error_description":"client ` + id + ` secret ` + secret + ` is wrong"}`},
			rd: actions.Failed, status: 401, msg: "Wiz refused the client credentials: access_denied: client [redacted] secret [redacted] is wrong",
			rawPath: []string{"error_description"}, rawWant: "client [redacted] secret [redacted] is wrong"},
		{name: "token reply without a token quoting the secret", cmd: FetchEventName,
			fault: fake.Fault{Path: "oauth/token", Body: `{"message":"no token for ` + secret + `"}`},
			rd:    actions.Failed, status: 200, msg: "the token reply from Wiz has no access_token: no token for [redacted]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			f := tc.fault
			if tc.login {
				if env := h.run(TestConnectionName, nil); env.ReturnData != actions.Successful {
					t.Fatalf("login: %s %+v", env.ReturnData, env.Error)
				}
				f.Body = strings.ReplaceAll(f.Body, tok, h.tokens()[0])
			}
			h.srv.Inject(f)
			env := h.run(tc.cmd, tc.inputs)
			if env.ReturnData != tc.rd {
				t.Fatalf("ReturnData = %s %+v, want %s", env.ReturnData, env.Error, tc.rd)
			}
			if tc.rd == actions.Failed {
				checkError(t, env, actions.Failed, h.command(tc.cmd).spec.FailureIndicator(), tc.status, tc.msg)
			}
			if tc.rawPath != nil {
				if got := walk(env.RawData, tc.rawPath...); got != tc.rawWant {
					t.Errorf("Raw Data %v = %v, want %v", tc.rawPath, got, tc.rawWant)
				}
			}
			if tc.login {
				// The token is still the one in use: the masking did not
				// depend on having dropped it.
				if n := h.srv.TokensIssued(); n != 1 {
					t.Errorf("TokensIssued = %d, want 1", n)
				}
			}
		})
	}
}

// walk reads a path of map keys and list indexes in decoded JSON.
func walk(v any, path ...string) any {
	for _, p := range path {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			i := 0
			for _, c := range p {
				i = i*10 + int(c-'0')
			}
			if i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// TestSecretsInErrors runs every command with a wrong client secret, the
// path where the secret is refused, and checks (in the harness) that it
// shows in no envelope, error, cause or log line.
func TestSecretsInErrors(t *testing.T) {
	t.Parallel()
	const wrong = "wrong-secret-4f1d9c2e7a"
	h := newHarness(t)
	h.secrets = append(h.secrets, wrong)
	conn := h.connection(nil, fake.ClientID, wrong)
	for _, c := range h.w.Commands() {
		name := c.Spec().Name
		var in map[string]any
		switch name {
		case AddIssueCommentsName:
			in = noteOn(fake.SampleIssueID, "n")
		case UpdateIssuesName:
			in = map[string]any{"issue_ids": anys(fake.SampleIssueID), "status": "Open"}
		}
		if env := h.runWith(conn, name, in); env.ReturnData != actions.Failed {
			t.Errorf("%s: %s, want Failed", name, env.ReturnData)
		}
	}
}

// TestPreview checks the dry run of the two mutating commands: POST to
// the GraphQL endpoint, the headers with the token masked, and the
// document with the first issue's variables, as Run then sends them;
// and that Preview itself sends nothing, not even a login.
func TestPreview(t *testing.T) {
	t.Parallel()
	ids := anys(fake.CIDeployerIssueID, fake.SampleIssueID)
	tests := []struct {
		cmd    string
		inputs map[string]any
		root   string
		vars   map[string]any
	}{
		{AddIssueCommentsName, map[string]any{"issue_ids": ids, "note_text": "Demo note"}, "createIssueNote",
			map[string]any{"input": map[string]any{"issueId": fake.CIDeployerIssueID, "text": "Demo note"}}},
		{UpdateIssuesName, map[string]any{"issue_ids": ids, "status": "Rejected", "reject_reason": "False Positive",
			"note": "This is a test note", "due_time": "2007-12-03T10:15:30Z"}, "updateIssue",
			map[string]any{"issueId": fake.CIDeployerIssueID, "patch": map[string]any{"status": "REJECTED",
				"resolutionReason": "FALSE_POSITIVE", "note": "This is a test note", "dueAt": "2007-12-03T10:15:30.000Z"}}},
	}
	for _, tc := range tests {
		t.Run(tc.cmd, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			c := h.command(tc.cmd)
			p, err := c.Preview(actions.Request{Task: "t1", Inputs: tc.inputs, Connection: h.conn})
			if err != nil {
				t.Fatalf("Preview: %v", err)
			}
			if n := len(h.srv.Requests()); n != 0 || h.srv.TokensIssued() != 0 {
				t.Fatalf("Preview sent %d requests, logged in %d times", n, h.srv.TokensIssued())
			}
			if p.Method != "POST" || p.URL != h.ts.URL+"/graphql" {
				t.Errorf("Preview = %s %s, want POST %s/graphql", p.Method, p.URL, h.ts.URL)
			}
			wantHeaders := map[string]string{"Content-Type": "application/json", "Accept": "application/json",
				"Authorization": "Bearer [redacted]"}
			if diff := cmp.Diff(wantHeaders, p.Headers); diff != "" {
				t.Errorf("Preview headers (-want +got):\n%s", diff)
			}
			body, _ := p.Body.(map[string]any)
			if len(body) != 2 {
				t.Fatalf("Preview body %v, want query and variables", p.Body)
			}
			q, _ := body["query"].(string)
			if op, root := parseOperation(t, q); op == nil || op.Operation != ast.Mutation || root.Name != tc.root {
				t.Errorf("Preview document is not the %s mutation:\n%s", tc.root, q)
			}
			if diff := cmp.Diff(plain(t, tc.vars), plain(t, body["variables"])); diff != "" {
				t.Errorf("Preview variables (-want +got):\n%s", diff)
			}
			data, _ := json.Marshal(p)
			for _, s := range []string{fake.ClientID, fake.ClientSecret} {
				if strings.Contains(string(data), s) {
					t.Error("the preview shows a credential")
				}
			}

			env := h.run(tc.cmd, tc.inputs)
			if env.ReturnData != actions.Successful {
				t.Fatalf("Run: %s %+v", env.ReturnData, env.Error)
			}
			var sent *fake.Request
			for _, r := range h.requests(gqlPath) {
				if walk(plain(t, r.Variables), "issueId") == fake.CIDeployerIssueID ||
					walk(plain(t, r.Variables), "input", "issueId") == fake.CIDeployerIssueID {
					sent = &r
				}
			}
			if sent == nil {
				t.Fatal("Run sent no request for the first issue")
			}
			if sent.Query != q {
				t.Errorf("Preview document differs from the one Run sent")
			}
			if diff := cmp.Diff(plain(t, body["variables"]), plain(t, sent.Variables)); diff != "" {
				t.Errorf("Preview variables differ from Run's (-preview +run):\n%s", diff)
			}
		})
	}
}

// TestPreviewReadOnly checks that the commands that change nothing have
// no request to preview, that a preview checks its inputs, and that
// without a connection it names the endpoint by its field.
func TestPreviewReadOnly(t *testing.T) {
	t.Parallel()
	w := New()
	for _, c := range w.Commands() {
		cmd := c.(*command)
		_, err := cmd.Preview(actions.Request{})
		if cmd.spec.Mutates {
			if err == nil || !strings.Contains(err.Error(), "missing required input") {
				t.Errorf("%s: Preview without inputs: %v, want an input error", cmd.spec.Name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "sends no request to preview") {
			t.Errorf("%s: Preview error %v, want none to preview", cmd.spec.Name, err)
		}
	}
	var upd *command
	for _, c := range w.Commands() {
		if c.Spec().Name == UpdateIssuesName {
			upd = c.(*command)
		}
	}
	if _, err := upd.Preview(actions.Request{Inputs: map[string]any{"issue_ids": anys("a"), "status": "Resolved"}}); err == nil ||
		!strings.Contains(err.Error(), "scan cycle") {
		t.Errorf("Preview of RESOLVED: %v, want it refused", err)
	}
	p, err := upd.Preview(actions.Request{Inputs: map[string]any{"issue_ids": anys("a"), "status": "Open"}})
	if err != nil {
		t.Fatal(err)
	}
	if p.URL != "{api_endpoint_url}/graphql" || p.Headers["Authorization"] != "Bearer [redacted]" {
		t.Errorf("Preview without a connection = %s %v", p.URL, p.Headers)
	}
}
