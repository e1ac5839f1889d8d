package console_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/actions/core"
	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/console"
	"github.com/playbook-sh/playbook/engine/store"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Sentinel credentials: none may appear in any response.
const (
	viewerPassword = "sentinel-viewer-password-1"
	runnerPassword = "sentinel-runner-password-2"
	runnerToken    = "sentinel-runner-token-0123456789"
	viewerToken    = "sentinel-viewer-token-0123456789"
)

var t0 = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

type fixture struct {
	t      testing.TB
	st     *store.Store
	con    *console.Server
	srv    *httptest.Server
	now    time.Time
	mu     sync.Mutex
	reruns []string // "run-id by user"
	pb     *engine.Compiled
	extra  *console.Playbook // replaces the contain playbook when set
}

func registry() *actions.Registry {
	reg := actions.NewRegistry()
	core.Register(reg)
	return reg
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	pb, err := engine.Load("testdata/contain.yaml", registry())
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, st: st, now: t0.Add(48 * time.Hour), pb: pb}
	abs, _ := filepath.Abs("testdata/contain.yaml")
	f.con, err = console.New(console.Options{
		Store: st,
		Users: []console.User{
			{Name: "ann", Role: console.Viewer, Password: actions.NewSecret(viewerPassword), Token: actions.NewSecret(viewerToken)},
			{Name: "rob", Role: console.Runner, Password: actions.NewSecret(runnerPassword), Token: actions.NewSecret(runnerToken)},
		},
		Playbooks: func(context.Context) []console.Playbook {
			f.mu.Lock()
			defer f.mu.Unlock()
			if f.extra != nil {
				return []console.Playbook{*f.extra}
			}
			return []console.Playbook{{Name: "contain", File: abs, Compiled: pb, Triggers: []string{"webhook:contain"},
				Schedules: []console.Schedule{{Name: "nightly", Spec: "0 3 * * * (UTC)", Next: t0.Add(72 * time.Hour)}}}}
		},
		Connections: []console.Connection{{Name: "xdr", Integration: "cortex_xdr"}},
		Rerun: func(_ context.Context, r store.Run, user string) (string, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.reruns = append(f.reruns, r.ID+" by "+user)
			return "new-run-1", nil
		},
		Now: func() time.Time {
			f.mu.Lock()
			defer f.mu.Unlock()
			return f.now
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(f.con.Handler())
	t.Cleanup(f.srv.Close)
	return f
}

// record stores a finished run of the contain playbook with the given
// Key Field values and input.
func (f *fixture) record(id string, at time.Time, status, incident string, endpoints ...string) {
	f.t.Helper()
	abs, _ := filepath.Abs("testdata/contain.yaml")
	inputs, _ := json.Marshal(map[string]any{"incident_id": incident})
	if err := f.st.CreateRun(f.t.Context(), store.Run{ID: id, Playbook: "contain", File: abs, Trigger: "webhook:contain",
		Inputs: inputs, StartedAt: at}); err != nil {
		f.t.Fatal(err)
	}
	ms := func(n int) time.Time { return at.Add(time.Duration(n) * time.Millisecond) }
	rep := map[string]any{"playbook": "contain", "run_id": id, "status": status, "inputs": map[string]any{"incident_id": incident},
		"started_at": at, "finished_at": ms(3000),
		"tasks": map[string]any{
			"hosts": map[string]any{"status": "succeeded", "return_data": "Successful", "key_fields": map[string]any{"EndpointIDs": endpoints}, "attempts": 1,
				"started_at": ms(0), "finished_at": ms(400),
				"attempt_log": []any{map[string]any{"attempt": 1, "started_at": ms(0), "finished_at": ms(400), "return_data": "Successful"}}},
			// Two calls a second's backoff apart.
			"isolate": map[string]any{"status": "failed", "error": map[string]any{"message": "endpoint offline", "status_code": 503}, "attempts": 2,
				"started_at": ms(400), "finished_at": ms(2700), "attempt_log": []any{
					map[string]any{"attempt": 1, "started_at": ms(400), "finished_at": ms(1200), "return_data": "Failed", "status_code": 503, "error": "endpoint offline"},
					map[string]any{"attempt": 2, "started_at": ms(2200), "finished_at": ms(2700), "return_data": "Failed", "status_code": 503, "error": "endpoint offline"},
				}},
			"notify": map[string]any{"status": "skipped", "reason": "need isolate failed"},
		}}
	b, _ := json.Marshal(rep)
	if err := f.st.FinishRun(f.t.Context(), id, status, at.Add(3*time.Second), b, ""); err != nil {
		f.t.Fatal(err)
	}
}

type client struct {
	f      *fixture
	c      *http.Client
	header http.Header
	csrf   string
}

func (f *fixture) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{f: f, c: &http.Client{Jar: jar}, header: http.Header{}}
}

func (f *fixture) bearer(token string) *client {
	c := f.client()
	c.header.Set("Authorization", "Bearer "+token)
	return c
}

func (f *fixture) basic(user, pass string) *client {
	c := f.client()
	r, _ := http.NewRequest("GET", "/", nil)
	r.SetBasicAuth(user, pass)
	c.header.Set("Authorization", r.Header.Get("Authorization"))
	return c
}

// login logs in through the API as a browser does.
func (f *fixture) login(user, pass string) *client {
	f.t.Helper()
	c := f.client()
	code, body := c.do("POST", "/api/login", `{"user":"`+user+`","password":"`+pass+`"}`, http.Header{"Origin": {f.srv.URL}})
	if code != http.StatusOK {
		f.t.Fatalf("login %s = %d %s", user, code, body)
	}
	var s struct{ CSRF string }
	json.Unmarshal([]byte(body), &s)
	c.csrf = s.CSRF
	return c
}

func (c *client) do(method, path, body string, extra http.Header) (int, string) {
	c.f.t.Helper()
	req, err := http.NewRequest(method, c.f.srv.URL+path, strings.NewReader(body))
	if err != nil {
		c.f.t.Fatal(err)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	for k, v := range extra {
		req.Header[k] = v
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.c.Do(req)
	if err != nil {
		c.f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func (c *client) get(path string) (int, string) { return c.do("GET", path, "", nil) }

// getJSON GETs path, wants 200, and decodes the body into v.
func (c *client) getJSON(path string, v any) {
	c.f.t.Helper()
	code, body := c.get(path)
	if code != http.StatusOK {
		c.f.t.Fatalf("GET %s = %d %s", path, code, body)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		c.f.t.Fatalf("GET %s: %v\n%s", path, err, body)
	}
}

var readEndpoints = []string{"/api/session", "/api/runs", "/api/runs/run-a", "/api/playbooks", "/api/events", "/api/connections"}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.record("run-a", t0, "Failed", "INC-1", "e-17")
	anon := f.client()
	for _, p := range append(readEndpoints, "/api/stream") {
		if code, _ := anon.get(p); code != http.StatusUnauthorized {
			t.Errorf("anonymous GET %s = %d, want 401", p, code)
		}
	}
	if code, _ := anon.do("POST", "/api/runs/run-a/rerun", "{}", nil); code != http.StatusUnauthorized {
		t.Errorf("anonymous rerun = %d, want 401", code)
	}
	for name, c := range map[string]*client{
		"wrong token":    f.bearer("sentinel-wrong-token-000000000"),
		"wrong password": f.basic("ann", "nope"),
		"other's pass":   f.basic("ann", runnerPassword),
	} {
		if code, _ := c.get("/api/runs"); code != http.StatusUnauthorized {
			t.Errorf("%s: GET /api/runs = %d, want 401", name, code)
		}
	}
	for name, c := range map[string]*client{
		"viewer token":   f.bearer(viewerToken),
		"viewer basic":   f.basic("ann", viewerPassword),
		"viewer session": f.login("ann", viewerPassword),
		"runner token":   f.bearer(runnerToken),
	} {
		for _, p := range readEndpoints {
			if code, body := c.get(p); code != http.StatusOK {
				t.Errorf("%s: GET %s = %d %s", name, p, code, body)
			}
		}
	}
}

func TestRerunRolesAndCSRF(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.record("run-a", t0, "Failed", "INC-1", "e-17")
	viewer := f.login("ann", viewerPassword)
	runner := f.login("rob", runnerPassword)
	for _, tc := range []struct {
		name string
		c    *client
		hdr  http.Header
		code int
	}{
		{"viewer session with its CSRF token", viewer, http.Header{"X-Csrf-Token": {viewer.csrf}}, http.StatusForbidden},
		{"viewer token", f.bearer(viewerToken), nil, http.StatusForbidden},
		{"runner session without a CSRF token", runner, nil, http.StatusForbidden},
		{"runner session with another session's token", runner, http.Header{"X-Csrf-Token": {viewer.csrf}}, http.StatusForbidden},
		{"runner by HTTP Basic (browsers resend it)", f.basic("rob", runnerPassword), nil, http.StatusForbidden},
		{"runner session with its CSRF token", runner, http.Header{"X-Csrf-Token": {runner.csrf}}, http.StatusAccepted},
		{"runner token", f.bearer(runnerToken), nil, http.StatusAccepted},
	} {
		code, body := tc.c.do("POST", "/api/runs/run-a/rerun", "{}", tc.hdr)
		if code != tc.code {
			t.Errorf("%s: rerun = %d %s, want %d", tc.name, code, body, tc.code)
		}
		if code == http.StatusAccepted && body != `{"run_id":"new-run-1"}`+"\n" {
			t.Errorf("%s: rerun body = %s", tc.name, body)
		}
	}
	if diff := cmp.Diff([]string{"run-a by rob", "run-a by rob"}, f.reruns); diff != "" {
		t.Errorf("reruns (-want +got):\n%s", diff)
	}
	// A viewer never gets can_rerun; a runner does.
	var v, r struct {
		CanRerun bool `json:"can_rerun"`
	}
	viewer.getJSON("/api/runs/run-a", &v)
	runner.getJSON("/api/runs/run-a", &r)
	if v.CanRerun || !r.CanRerun {
		t.Errorf("can_rerun: viewer %v, runner %v", v.CanRerun, r.CanRerun)
	}
	if code, _ := runner.do("POST", "/api/runs/nope/rerun", "{}", http.Header{"X-Csrf-Token": {runner.csrf}}); code != http.StatusNotFound {
		t.Errorf("rerun of an unknown run = %d, want 404", code)
	}
}

func TestLoginLogoutAndSessions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.client()
	if code, _ := c.do("POST", "/api/login", `{"user":"ann","password":"`+viewerPassword+`"}`, http.Header{"Origin": {"https://evil.example"}}); code != http.StatusForbidden {
		t.Errorf("cross-origin login = %d, want 403", code)
	}
	if code, _ := c.do("POST", "/api/login", `not json`, nil); code != http.StatusBadRequest {
		t.Errorf("bad login body = %d, want 400", code)
	}
	// Five failures lock the name for a minute, the right password too.
	for i := range 5 {
		if code, _ := c.do("POST", "/api/login", `{"user":"ann","password":"wrong"}`, nil); code != http.StatusUnauthorized {
			t.Errorf("failure %d = %d, want 401", i+1, code)
		}
	}
	if code, _ := c.do("POST", "/api/login", `{"user":"ann","password":"`+viewerPassword+`"}`, nil); code != http.StatusTooManyRequests {
		t.Errorf("login while locked = %d, want 429", code)
	}
	f.mu.Lock()
	f.now = f.now.Add(2 * time.Minute)
	f.mu.Unlock()
	s := f.login("ann", viewerPassword)

	// The cookie is HttpOnly and SameSite=Strict.
	u, _ := url.Parse(f.srv.URL)
	if len(s.c.Jar.Cookies(u)) != 1 {
		t.Fatal("no session cookie")
	}
	req, _ := http.NewRequest("POST", f.srv.URL+"/api/login", strings.NewReader(`{"user":"ann","password":"`+viewerPassword+`"}`))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if sc := res.Header.Get("Set-Cookie"); !strings.Contains(sc, "HttpOnly") || !strings.Contains(sc, "SameSite=Strict") {
		t.Errorf("Set-Cookie = %q", sc)
	}

	var info map[string]any
	s.getJSON("/api/session", &info)
	if info["user"] != "ann" || info["role"] != "viewer" || info["csrf"] == "" {
		t.Errorf("session = %v", info)
	}
	if code, _ := s.do("POST", "/api/logout", "", nil); code != http.StatusForbidden {
		t.Errorf("logout without CSRF = %d, want 403", code)
	}
	if code, _ := s.do("POST", "/api/logout", "", http.Header{"X-Csrf-Token": {s.csrf}}); code != http.StatusNoContent {
		t.Errorf("logout = %d, want 204", code)
	}
	if code, _ := s.get("/api/session"); code != http.StatusUnauthorized {
		t.Errorf("session after logout = %d, want 401", code)
	}

	// A session ends after its TTL (12h by default).
	s = f.login("ann", viewerPassword)
	f.mu.Lock()
	f.now = f.now.Add(13 * time.Hour)
	f.mu.Unlock()
	if code, _ := s.get("/api/session"); code != http.StatusUnauthorized {
		t.Errorf("session after its TTL = %d, want 401", code)
	}
}

type runRow struct {
	RunID      string `json:"run_id"`
	Status     string `json:"status"`
	Trigger    string `json:"trigger"`
	DurationMS *int64 `json:"duration_ms"`
}

type runPage struct {
	Runs []runRow `json:"runs"`
	Next *string  `json:"next_cursor"`
}

func ids(p runPage) []string {
	var out []string
	for _, r := range p.Runs {
		out = append(out, r.RunID)
	}
	return out
}

func TestListRunsFiltersAndPaging(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.record("run-a", t0, "Failed", "INC-1", "e-17", "e-18")
	f.record("run-b", t0.Add(time.Hour), "Successful", "INC-2", "e-18")
	f.record("run-c", t0.Add(2*time.Hour), "Failed", "INC-9", "e-17")
	c := f.bearer(viewerToken)
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{"run-c", "run-b", "run-a"}},
		{"?key=EndpointIDs:e-17", []string{"run-c", "run-a"}},
		{"?key=EndpointIDs=e-18&status=failed", []string{"run-a"}},
		{"?key=incident_id:INC-9", []string{"run-c"}},
		{"?key=EndpointIDs:e-17&key=incident_id:INC-1", []string{"run-a"}},
		{"?key=EndpointIDs:e-99", nil},
		{"?playbook=contain&trigger=webhook", []string{"run-c", "run-b", "run-a"}},
		{"?since=2026-11-01T10:30:00Z", []string{"run-c"}},
		{"?since=24h", nil}, // now is t0+48h
	} {
		var p runPage
		c.getJSON("/api/runs"+tc.query, &p)
		if diff := cmp.Diff(tc.want, ids(p)); diff != "" {
			t.Errorf("runs%s (-want +got):\n%s", tc.query, diff)
		}
	}
	// Pages of 2 with the cursor, then the last page has no cursor.
	var p1, p2 runPage
	c.getJSON("/api/runs?limit=2", &p1)
	if p1.Next == nil || len(p1.Runs) != 2 {
		t.Fatalf("first page = %+v", p1)
	}
	c.getJSON("/api/runs?limit=2&cursor="+url.QueryEscape(*p1.Next), &p2)
	if diff := cmp.Diff([]string{"run-a"}, ids(p2)); diff != "" || p2.Next != nil {
		t.Errorf("second page = %+v", p2)
	}
	if p1.Runs[0].DurationMS == nil || *p1.Runs[0].DurationMS != 3000 {
		t.Errorf("duration = %v", p1.Runs[0].DurationMS)
	}
	for _, q := range []string{"?status=done", "?since=yesterday", "?limit=0", "?limit=501", "?cursor=abc", "?key=novalue", "?key==x"} {
		code, body := c.get("/api/runs" + q)
		if code != http.StatusBadRequest || !strings.Contains(body, `"error"`) {
			t.Errorf("runs%s = %d %s, want 400 with an error", q, code, body)
		}
	}
}

func TestGetRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.record("run-a", t0, "Failed", "INC-1", "e-17")
	c := f.bearer(viewerToken)
	var got struct {
		Run    runRow `json:"run"`
		Report struct {
			Tasks map[string]struct {
				Status string `json:"status"`
				Reason string `json:"reason"`
				Error  *struct {
					Message string `json:"message"`
				} `json:"error"`
			} `json:"tasks"`
		} `json:"report"`
		Graph console.Graph `json:"graph"`
	}
	c.getJSON("/api/runs/run-a", &got)
	if got.Run.RunID != "run-a" || got.Run.Status != "Failed" {
		t.Errorf("run = %+v", got.Run)
	}
	if tr := got.Report.Tasks["isolate"]; tr.Status != "failed" || tr.Error == nil || tr.Error.Message != "endpoint offline" {
		t.Errorf("isolate = %+v", tr)
	}
	if tr := got.Report.Tasks["notify"]; tr.Reason != "need isolate failed" {
		t.Errorf("notify = %+v", tr)
	}
	want := []console.GraphNode{
		{ID: "hosts", Run: "core.set", Needs: []string{}, Join: "all_succeeded", Pos: "testdata/contain.yaml:5:3"},
		{ID: "isolate", Run: "core.set", Needs: []string{"hosts"}, Join: "all_succeeded", When: "size(tasks.hosts.key_fields.EndpointIDs) > 0", ForEach: true, Pos: "testdata/contain.yaml:10:3"},
		{ID: "notify", Run: "core.set", Needs: []string{"isolate"}, Join: "all_done", Pos: "testdata/contain.yaml:16:3"},
		{ID: "cleanup", Run: "core.set", Needs: []string{}, Join: "all_succeeded", Finally: true, Pos: "testdata/contain.yaml:22:3"},
	}
	if diff := cmp.Diff(want, got.Graph.Nodes); diff != "" || got.Graph.Error != "" {
		t.Errorf("graph (-want +got):\n%s\nerror %q", diff, got.Graph.Error)
	}
	if code, _ := c.get("/api/runs/nope"); code != http.StatusNotFound {
		t.Errorf("unknown run = %d, want 404", code)
	}
	if code, _ := c.get("/api/nothing"); code != http.StatusNotFound {
		t.Errorf("unknown endpoint = %d, want 404", code)
	}
}

// TestRunningRunAndStream follows a running run: the stream announces
// its start and each task, and GET shows checkpointed and running tasks.
func TestRunningRunAndStream(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.login("ann", viewerPassword)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", f.srv.URL+"/api/stream", nil)
	res, err := c.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("stream Content-Type = %q", ct)
	}
	lines := bufio.NewScanner(res.Body)
	next := func() (string, string) { // the next event and its data
		t.Helper()
		var ev string
		for lines.Scan() {
			l := lines.Text()
			switch {
			case strings.HasPrefix(l, "event: "):
				ev = l[7:]
			case strings.HasPrefix(l, "data: "):
				return ev, l[6:]
			}
		}
		t.Fatalf("stream ended: %v", lines.Err())
		return "", ""
	}
	if !lines.Scan() || lines.Text() != ": connected" {
		t.Fatalf("first line %q", lines.Text())
	}

	abs, _ := filepath.Abs("testdata/contain.yaml")
	if err := f.st.CreateRun(t.Context(), store.Run{ID: "live-1", Playbook: "contain", File: abs, Trigger: "cli", StartedAt: t0}); err != nil {
		t.Fatal(err)
	}
	f.con.RunStarted("live-1")
	if ev, data := next(); ev != "run" || !strings.Contains(data, `"run_id":"live-1"`) || !strings.Contains(data, `"status":"running"`) {
		t.Errorf("event %s %s", ev, data)
	}
	if err := f.st.SaveTask(t.Context(), "live-1", "hosts", json.RawMessage(`{"status":"succeeded","return_data":"Successful","attempts":1}`)); err != nil {
		t.Fatal(err)
	}
	f.con.TaskEvent("live-1", engine.Event{Kind: engine.TaskFinished, Task: "hosts", Status: "succeeded"})
	f.con.TaskEvent("live-1", engine.Event{Kind: engine.TaskStarted, Task: "isolate"})
	if ev, data := next(); ev != "task" || data != `{"run_id":"live-1","status":"succeeded","task":"hosts"}` {
		t.Errorf("event %s %s", ev, data)
	}
	if ev, data := next(); ev != "task" || data != `{"run_id":"live-1","status":"running","task":"isolate"}` {
		t.Errorf("event %s %s", ev, data)
	}
	var got struct {
		Report struct {
			Status string                    `json:"status"`
			Tasks  map[string]map[string]any `json:"tasks"`
		} `json:"report"`
		CanRerun bool `json:"can_rerun"`
	}
	c.getJSON("/api/runs/live-1", &got)
	if got.Report.Status != "running" || got.Report.Tasks["hosts"]["status"] != "succeeded" ||
		got.Report.Tasks["isolate"]["status"] != "running" || len(got.Report.Tasks) != 2 {
		t.Errorf("running report = %+v", got.Report)
	}
	f.con.TaskEvent("live-1", engine.Event{Kind: engine.TaskFinished, Task: "isolate", Status: "failed"})
	if err := f.st.FinishRun(t.Context(), "live-1", "Failed", t0.Add(time.Second), []byte(`{"status":"Failed","tasks":{}}`), ""); err != nil {
		t.Fatal(err)
	}
	f.con.RunFinished("live-1")
	next() // the task event
	if ev, data := next(); ev != "run" || !strings.Contains(data, `"status":"Failed"`) {
		t.Errorf("event %s %s", ev, data)
	}
}

func TestPlaybooksEventsConnections(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.record("run-a", t0, "Failed", "INC-1", "e-17")
	if _, err := f.st.AddEvents(t.Context(), "wiz-issues", []store.Event{{Source: "wiz-issues", Key: "k1", UniqueKey: "issue-1", Fields: json.RawMessage(`{"Severity":"HIGH","Title":"<img src=x onerror=alert(1)>"}`), FetchedAt: t0}}, t0); err != nil {
		t.Fatal(err)
	}
	if err := f.st.TriggerRun(t.Context(), "wiz-issues", "k1", store.Run{ID: "run-t", Playbook: "triage", Trigger: "intake:wiz-issues", StartedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := f.st.SetHealth(t.Context(), store.Health{Connection: "xdr", OK: false, Failures: 2, LastCheck: t0, LastError: "401 unauthorized"}); err != nil {
		t.Fatal(err)
	}
	c := f.bearer(viewerToken)
	var pbs struct {
		Playbooks []struct {
			Name      string           `json:"name"`
			Valid     bool             `json:"valid"`
			Errors    []string         `json:"errors"`
			Graph     console.Graph    `json:"graph"`
			Schedules []map[string]any `json:"schedules"`
			Triggers  []string         `json:"triggers"`
			LastRuns  []runRow         `json:"last_runs"`
		} `json:"playbooks"`
	}
	c.getJSON("/api/playbooks", &pbs)
	if len(pbs.Playbooks) != 1 {
		t.Fatalf("playbooks = %+v", pbs)
	}
	pb := pbs.Playbooks[0]
	if pb.Name != "contain" || !pb.Valid || len(pb.Graph.Nodes) != 4 || len(pb.LastRuns) != 1 || pb.LastRuns[0].RunID != "run-a" ||
		pb.Schedules[0]["next"] != "2026-11-04T09:00:00Z" || pb.Triggers[0] != "webhook:contain" {
		t.Errorf("playbook = %+v", pb)
	}
	var evs struct {
		Events []map[string]any `json:"events"`
	}
	c.getJSON("/api/events?source=wiz-issues", &evs)
	if len(evs.Events) != 1 || evs.Events[0]["run_id"] != "run-t" || evs.Events[0]["unique_key"] != "issue-1" {
		t.Errorf("events = %+v", evs)
	}
	// Attacker-shaped text is data: it reaches the page JSON-escaped, and
	// the pages put it in text nodes.
	_, raw := c.get("/api/events")
	if strings.Contains(raw, "<img") {
		t.Errorf("event fields are not HTML-escaped in JSON: %s", raw)
	}
	var conns struct {
		Connections []map[string]any `json:"connections"`
	}
	c.getJSON("/api/connections", &conns)
	if len(conns.Connections) != 1 || conns.Connections[0]["integration"] != "cortex_xdr" || conns.Connections[0]["ok"] != false ||
		conns.Connections[0]["last_error"] != "401 unauthorized" {
		t.Errorf("connections = %+v", conns)
	}
	if h, _ := conns.Connections[0]["history"].([]any); len(h) != 1 {
		t.Errorf("history = %v", conns.Connections[0]["history"])
	}
}

var inlineScript = regexp.MustCompile(`(?is)<script(?:\s[^>]*)?>\s*[^<\s]`)

func TestPagesAndHeaders(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, p := range []string{"/", "/app.js", "/app.css", "/api/runs"} {
		res, err := http.Get(f.srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		h := res.Header
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") ||
			!strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP = %q", p, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" || h.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: headers = %v", p, h)
		}
		if p == "/" {
			if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `src="/app.js"`) {
				t.Errorf("/ = %d %s", res.StatusCode, body)
			}
			if inlineScript.Match(body) || strings.Contains(string(body), " style=") || regexp.MustCompile(`\son[a-z]+=`).Match(body) {
				t.Errorf("index.html has inline script, style or handlers:\n%s", body)
			}
		}
		if p == "/app.js" && (res.StatusCode != http.StatusOK || !strings.Contains(h.Get("Content-Type"), "javascript")) {
			t.Errorf("/app.js = %d %s", res.StatusCode, h.Get("Content-Type"))
		}
	}
}

// TestNoSecretInAnyResponse logs in every way and reads every endpoint:
// no password or token appears in any body or header.
func TestNoSecretInAnyResponse(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.record("run-a", t0, "Failed", "INC-1", "e-17")
	sentinels := []string{viewerPassword, runnerPassword, runnerToken, viewerToken}
	check := func(where, s string) {
		for _, sn := range sentinels {
			if strings.Contains(s, sn) {
				t.Errorf("%s holds a credential", where)
			}
		}
	}
	for _, c := range []*client{f.login("rob", runnerPassword), f.bearer(runnerToken), f.basic("ann", viewerPassword)} {
		for _, p := range append(readEndpoints, "/", "/app.js") {
			code, body := c.get(p)
			check(p, body)
			_ = code
		}
		_, body := c.do("POST", "/api/runs/run-a/rerun", "{}", http.Header{"X-Csrf-Token": {c.csrf}})
		check("rerun", body)
	}
	_, body := f.client().do("POST", "/api/login", `{"user":"ann","password":"wrong-`+viewerPassword+`"}`, nil)
	check("failed login", body)
}

func TestNewChecksUsers(t *testing.T) {
	t.Parallel()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tok := actions.NewSecret("a-token-of-enough-length")
	for _, tc := range []struct {
		users []console.User
		want  string
	}{
		{nil, "console: no users"},
		{[]console.User{{Name: "a", Role: "admin", Token: tok}}, `role must be viewer or runner, got "admin"`},
		{[]console.User{{Name: "a", Role: console.Viewer}}, "neither a password nor a token"},
		{[]console.User{{Name: "a", Role: console.Viewer, Token: actions.NewSecret("short")}}, "shorter than 16"},
		{[]console.User{{Name: "a", Role: console.Viewer, Token: tok}, {Name: "b", Role: console.Runner, Token: tok}}, "users a and b share a token"},
	} {
		_, err := console.New(console.Options{Store: st, Users: tc.users})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%v) = %v, want %q", tc.users, err, tc.want)
		}
	}
}
