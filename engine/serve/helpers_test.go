package serve

import (
	"bytes"
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"go.uber.org/goleak"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/actions/core"
	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/store"
)

func TestMain(m *testing.M) {
	// Triggered runs end before IntakeOnce returns; nothing outlives a test.
	goleak.VerifyTestMain(m)
}

// The test integration, "test", stands in for a vendor: engine/serve never
// imports one. Its fetch command reads Raw Data from a feed, its other
// commands count their runs.
const (
	fetchName  = "test.fetch"
	recordName = "test.record"
	blockName  = "test.block"
	pingName   = "test.ping"
)

// testFeed is test.fetch: a fetch command that may run at most every 12h and
// returns its items as {"items": [...]}, whatever the window.
type testFeed struct {
	mu    sync.Mutex
	items []any
	calls []map[string]any
	fail  bool
}

func (f *testFeed) Spec() actions.Spec {
	return actions.Spec{Name: fetchName, Title: "Fetch Items", Connection: "test", Inputs: []actions.Input{
		{Name: "start_time", Type: actions.Time, Required: true},
		{Name: "end_time", Type: actions.Time},
		{Name: "kind", Type: actions.String, Options: []actions.Option{{Label: "Issues", Value: "issues"}, {Label: "Alerts", Value: "alerts"}}},
		{Name: "statuses", Type: actions.Array, Items: actions.String},
	}, Intake: &actions.Intake{Start: "start_time", End: "end_time", MinEvery: 12 * time.Hour,
		Mappings: []string{"test.items", "test.alerts", "test.mixed"}}}
}

func (f *testFeed) Run(_ context.Context, r actions.Request) actions.Envelope {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, r.Inputs)
	if f.fail {
		return actions.Fail("Fetch Items failed.", 503, "busy", nil)
	}
	return actions.Succeed(map[string]any{"items": append([]any{}, f.items...)}, nil)
}

func (f *testFeed) set(items ...map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items = f.items[:0]
	for _, it := range items {
		f.items = append(f.items, it)
	}
}

// projectFeed is test.fetch_project, a fetch command with a required
// input of its own.
type projectFeed struct{ testFeed }

func (p *projectFeed) Spec() actions.Spec {
	s := p.testFeed.Spec()
	s.Name, s.Title = "test.fetch_project", "Fetch Project Items"
	s.Inputs = append(s.Inputs, actions.Input{Name: "project", Type: actions.String, Required: true})
	return s
}

// testCounter is a command that counts its runs and remembers their inputs.
// hook, when set, decides the envelope.
type testCounter struct {
	name string
	mu   sync.Mutex
	runs []map[string]any
	hook func(ctx context.Context, r actions.Request) actions.Envelope
}

func (c *testCounter) Spec() actions.Spec {
	return actions.Spec{Name: c.name, Title: "Record", Local: true,
		Inputs: []actions.Input{{Name: "values", Type: actions.Any}}}
}

func (c *testCounter) Run(ctx context.Context, r actions.Request) actions.Envelope {
	c.mu.Lock()
	c.runs = append(c.runs, r.Inputs)
	hook := c.hook
	c.mu.Unlock()
	if hook != nil {
		return hook(ctx, r)
	}
	return actions.Succeed(r.Inputs["values"], nil)
}

func (c *testCounter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.runs)
}

func (c *testCounter) inputs() []map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]map[string]any(nil), c.runs...)
}

func (c *testCounter) setHook(h func(ctx context.Context, r actions.Request) actions.Envelope) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hook = h
}

// testPing is a command that needs a test connection and is not a fetch.
type testPing struct{}

func (testPing) Spec() actions.Spec {
	return actions.Spec{Name: pingName, Title: "Ping", Connection: "test"}
}

func (testPing) Run(context.Context, actions.Request) actions.Envelope {
	return actions.Succeed("pong", nil)
}

// testMappings are the test integration's shipped mappings. Their field
// names are written as a vendor page writes them, with spaces.
var testMappings = []actions.Mapping{
	{Name: "test.items", MainPath: "$.items", UniqueKey: ".id", Fields: []actions.MappedField{
		{Name: "Document ID", Path: ".id"},
		{Name: "Severity", Path: ".severity"},
		{Name: "Field Name", Path: ".title"},
		{Name: "Notes", Path: ".notes"},
		{Name: "Count", Path: ".count"},
	}},
	{Name: "test.alerts", MainPath: "$.items", UniqueKey: ".alert_id", Fields: []actions.MappedField{
		{Name: "Alert ID", Path: ".alert_id"},
	}},
	{Name: "test.mixed", MainPath: "$.items", UniqueKey: ".id", Sources: []actions.EventSource{
		{Search: "{kind}=issue", Fields: []actions.MappedField{{Name: "Issue", Path: ".issue"}}},
	}},
}

// testFixture is a registry with core, the test integration and its commands.
type testFixture struct {
	reg    *actions.Registry
	feed   *testFeed
	record *testCounter
	block  *testCounter
}

func newTestFixture() *testFixture {
	f := &testFixture{reg: actions.NewRegistry(), feed: &testFeed{},
		record: &testCounter{name: recordName}, block: &testCounter{name: blockName}}
	core.Register(f.reg)
	f.reg.Register(f.feed, &projectFeed{}, f.record, f.block, testPing{})
	f.reg.RegisterIntegration(actions.Integration{Name: "test", Title: "Test", Mappings: testMappings})
	return f
}

// testDir is where serve.yaml of the tests "is": its playbooks are under
// testdata/playbooks.
const testDir = "testdata"

var servePath = filepath.Join(testDir, "serve.yaml")

// parse parses src as testdata/serve.yaml.
func (f *testFixture) parse(t *testing.T, src string) *Config {
	t.Helper()
	cfg, err := Parse(servePath, []byte(src), f.reg)
	if err != nil {
		t.Fatalf("Parse:\n%s\n-- error --\n%v", src, err)
	}
	return cfg
}

// openTestStore opens a new state file, closed at the end of the test.
func openTestStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("Close() = %v", err)
		}
	})
	return st
}

// recorder records runs of the fixture's commands in st; the playbooks
// need no connection.
func (f *testFixture) recorder(st *store.Store, log hclog.Logger) *Recorder {
	return &Recorder{Store: st, Registry: f.reg, Logger: log,
		Connections: func(*engine.Compiled) (map[string]*actions.Connection, error) { return nil, nil }}
}

// syncBuffer is an hclog output that goroutines may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *syncBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newLogger(out *syncBuffer) hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{Name: "serve", Output: out, Level: hclog.Debug})
}
