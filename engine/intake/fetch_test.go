package intake

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine/store"
)

// vendor is a fetch command over an in-memory event list, paged by offset
// like Cortex XDR's Fetch Incident: it returns the events whose time is in
// [start_time, end_time], newest first, limit at a time.
type vendor struct {
	mu     sync.Mutex
	events []vendorEvent
	calls  []map[string]any
	fail   error // the next call fails with it
}

type vendorEvent struct {
	id string
	at time.Time
}

func (v *vendor) Spec() actions.Spec {
	return actions.Spec{Name: "test.fetch", Title: "Fetch", Inputs: []actions.Input{
		{Name: "start_time", Type: actions.Time, Required: true},
		{Name: "end_time", Type: actions.Time},
		{Name: "offset", Type: actions.Integer, Default: int64(0)},
		{Name: "limit", Type: actions.Integer, Default: int64(20)},
		{Name: "kind", Type: actions.String},
	}, Intake: &actions.Intake{Start: "start_time", End: "end_time", Offset: "offset", Limit: "limit",
		PageSize: 3, PageItems: "$.reply.items"}}
}

func (v *vendor) Run(_ context.Context, r actions.Request) actions.Envelope {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.calls = append(v.calls, r.Inputs)
	if v.fail != nil {
		err := v.fail
		v.fail = nil
		return actions.Fail("Fetch failed.", 503, err.Error(), nil)
	}
	start, end := r.Time("start_time"), r.Time("end_time")
	var in []vendorEvent
	for _, e := range v.events {
		if !e.at.Before(start) && !e.at.After(end) {
			in = append(in, e)
		}
	}
	sort.SliceStable(in, func(i, j int) bool { return in[i].at.After(in[j].at) })
	off, n := int(r.Int("offset")), int(r.Int("limit"))
	items := []any{}
	for i := off; i < len(in) && i < off+n; i++ {
		items = append(items, map[string]any{"id": in[i].id, "at": in[i].at.Format(time.RFC3339)})
	}
	return actions.Succeed(map[string]any{"reply": map[string]any{"items": items}}, nil)
}

func (v *vendor) add(id string, at time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.events = append(v.events, vendorEvent{id, at})
}

var t0 = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func newSource(t *testing.T, v *vendor) *Source {
	m := mustCompile(t, actions.Mapping{MainPath: "$.reply.items", UniqueKey: ".id",
		Fields: []actions.MappedField{{Name: "Time", Path: ".at"}}})
	return &Source{Name: "src", Command: v, With: map[string]any{"kind": "x"}, Tolerance: 5 * time.Minute,
		Lookback: time.Hour, Mapping: m, Trigger: true}
}

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func keys(evs []store.Event) []string {
	out := []string{}
	for _, e := range evs {
		out = append(out, e.Key)
	}
	return out
}

func TestFetchWindowsPagesAndDedup(t *testing.T) {
	ctx := context.Background()
	v := &vendor{}
	for i := range 7 {
		v.add(fmt.Sprintf("e%d", i), t0.Add(-time.Duration(i)*time.Minute))
	}
	v.add("too-old", t0.Add(-2*time.Hour))
	st := openStore(t)
	src := newSource(t, v)

	// First fetch: no mark, so the lookback window; 7 events over 3 pages.
	res, err := Fetch(ctx, src, st, t0)
	if err != nil {
		t.Fatal(err)
	}
	if res.Start != t0.Add(-time.Hour) || res.End != t0 || res.Calls != 3 || res.Fetched != 7 {
		t.Errorf("result = %+v", res)
	}
	if diff := cmp.Diff([]string{"e0", "e1", "e2", "e3", "e4", "e5", "e6"}, keys(res.New)); diff != "" {
		t.Errorf("new (-want +got):\n%s", diff)
	}
	for i, c := range v.calls {
		if c["offset"] != int64(3*i) || c["limit"] != int64(3) || c["kind"] != "x" {
			t.Errorf("call %d inputs = %v", i, c)
		}
	}
	mark, ok, err := st.Mark(ctx, "src")
	if err != nil || !ok || !mark.Equal(t0) {
		t.Errorf("mark = %v %v %v, want %v", mark, ok, err, t0)
	}

	// Second fetch, 10 minutes on: from the mark minus the tolerance. A
	// late event inside the tolerance and a new one are new; e0 (at the
	// mark) comes again and is not.
	v.calls = nil
	v.add("late", t0.Add(-2*time.Minute))
	v.add("new", t0.Add(5*time.Minute))
	res, err = Fetch(ctx, src, st, t0.Add(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if res.Start != t0.Add(-5*time.Minute) {
		t.Errorf("start = %v, want the mark minus the tolerance", res.Start)
	}
	if diff := cmp.Diff([]string{"new", "late"}, keys(res.New)); diff != "" {
		t.Errorf("new (-want +got):\n%s", diff)
	}
	if res.Fetched != 8 { // new, e0..e5 and late: within [t0-5m, t0+10m]
		t.Errorf("fetched = %d", res.Fetched)
	}
	pending, err := st.PendingEvents(ctx, "src")
	if err != nil || len(pending) != 9 {
		t.Errorf("pending = %d %v, want 9 (every new event, for the trigger)", len(pending), err)
	}
}

func TestFetchFailureStoresNothing(t *testing.T) {
	ctx := context.Background()
	v := &vendor{}
	v.add("a", t0.Add(-time.Minute))
	st := openStore(t)
	src := newSource(t, v)
	v.fail = errors.New("busy")
	_, err := Fetch(ctx, src, st, t0)
	var fe *FetchError
	if !errors.As(err, &fe) || fe.Failure.StatusCode != 503 || !strings.Contains(err.Error(), "busy") {
		t.Fatalf("err = %v, want the command's failure", err)
	}
	if _, ok, _ := st.Mark(ctx, "src"); ok {
		t.Error("a failed fetch moved the mark")
	}
	evs, _ := st.ListEvents(ctx, store.EventFilter{Source: "src"})
	if len(evs) != 0 {
		t.Errorf("a failed fetch stored %d events", len(evs))
	}
	// The next cycle asks the same window again and gets the event.
	res, err := Fetch(ctx, src, st, t0.Add(time.Minute))
	if err != nil || len(res.New) != 1 || res.Start != t0.Add(time.Minute-time.Hour) {
		t.Fatalf("retry: %+v %v", res, err)
	}
}

// failingStore fails AddEvents, as a crash between the fetch and the
// commit would.
type failingStore struct{ *store.Store }

func (failingStore) AddEvents(context.Context, string, []store.Event, time.Time) ([]store.Event, error) {
	return nil, errors.New("disk full")
}

func TestFetchStoreFailureKeepsMark(t *testing.T) {
	ctx := context.Background()
	v := &vendor{}
	v.add("a", t0.Add(-time.Minute))
	st := openStore(t)
	src := newSource(t, v)
	if _, err := Fetch(ctx, src, st, t0); err != nil {
		t.Fatal(err)
	}
	v.add("b", t0.Add(time.Minute))
	if _, err := Fetch(ctx, src, failingStore{st}, t0.Add(2*time.Minute)); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err = %v", err)
	}
	// Restarted: the window starts from the old mark, so b is not lost.
	res, err := Fetch(ctx, src, st, t0.Add(3*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if res.Start != t0.Add(-5*time.Minute) || !cmp.Equal(keys(res.New), []string{"b"}) {
		t.Errorf("after the failure: start %v new %v", res.Start, keys(res.New))
	}
}

func TestFetchRefusesNonFetchCommand(t *testing.T) {
	v := &vendor{}
	src := newSource(t, v)
	src.Command = plainCommand{}
	if _, err := Fetch(context.Background(), src, openStore(t), t0); err == nil || !strings.Contains(err.Error(), "not a fetch command") {
		t.Fatalf("err = %v", err)
	}
}

type plainCommand struct{}

func (plainCommand) Spec() actions.Spec { return actions.Spec{Name: "test.plain"} }
func (plainCommand) Run(context.Context, actions.Request) actions.Envelope {
	return actions.Succeed(nil, nil)
}

func TestStoredEventRoundTrip(t *testing.T) {
	m := mustCompile(t, actions.Mapping{MainPath: "$", UniqueKey: ".id",
		Fields: []actions.MappedField{{Name: "Z last", Path: ".z"}, {Name: "A first", Path: ".a"}, {Name: "Count", Path: ".n"}}})
	events, _ := m.Apply(decode(t, `[{"id":"k","z":"zz","a":"aa","n":12}]`))
	row, err := storeEvent("src", events[0], t0, "none")
	if err != nil {
		t.Fatal(err)
	}
	if string(row.Fields) != `{"Z last":"zz","A first":"aa","Count":12}` {
		t.Errorf("fields = %s, want the mapping's order", row.Fields)
	}
	back, err := StoredEvent(row)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(events[0], back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}
