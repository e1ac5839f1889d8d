package intake

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/playbook-sh/playbook/actions"
)

func decode(t *testing.T, s string) any {
	t.Helper()
	v, err := actions.DecodeJSON([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSearchStrings(t *testing.T) {
	node := decode(t, `{"__typename":"Issue","eventType":"IncidentAlerts","n":3,"tags":["a","b"]}`)
	for _, tc := range []struct {
		src  string
		want bool
	}{
		{"{__typename}=Issue", true},
		{"{__typename} = Issue", true},
		{"  {__typename}  =  Issue  ", true},
		{"{__typename} = ConfigurationFinding", false},
		{"{$.eventType}=IncidentAlerts", true},
		{"{.eventType}=IncidentAlerts", true},
		{`{__typename}="Issue"`, true},
		{"{n}=3", true},
		{"{tags[*]}=b", true},
		{"{tags[*]}=c", false},
		{"{missing}=Issue", false},
		{"{__typename}=issue", false}, // values compare exactly
	} {
		s, err := parseSearch(tc.src)
		if err != nil {
			t.Errorf("%q: %v", tc.src, err)
			continue
		}
		if got := s.matches(node); got != tc.want {
			t.Errorf("%q matches = %v, want %v", tc.src, got, tc.want)
		}
	}
}

func TestSearchStringErrors(t *testing.T) {
	for _, tc := range []struct {
		src, msg string
		offset   int
	}{
		{"__typename=Issue", "a search string is {path}=value", 0},
		{"{__typename=Issue", `missing "}"`, 17},
		{"{} = x", "empty path", 1},
		{"{__typename} Issue", `expected "=" after {__typename}`, 12},
		{"{a[}=x", "jsonpath:", 3},
	} {
		_, err := parseSearch(tc.src)
		me, ok := err.(*MappingError)
		if !ok {
			t.Errorf("%q: err = %v, want a *MappingError", tc.src, err)
			continue
		}
		if !strings.Contains(me.Msg, tc.msg) || me.Offset != tc.offset {
			t.Errorf("%q: got %q at %d, want %q at %d", tc.src, me.Msg, me.Offset, tc.msg, tc.offset)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	for _, tc := range []struct {
		m     actions.Mapping
		dedup []string
		want  string
	}{
		{actions.Mapping{UniqueKey: ".id"}, nil, "main_path: a mapping needs its Main Event JSON Path"},
		{actions.Mapping{MainPath: "data.nodes", UniqueKey: ".id"}, nil, `main_path: jsonpath: query must start with "$"`},
		{actions.Mapping{MainPath: "$.data"}, nil, "unique_key: a mapping needs a unique key"},
		{actions.Mapping{MainPath: "$.data", Sources: []actions.EventSource{{Search: "{a}=b"}}}, nil, "unique_key: a mapping needs a unique key"},
		{actions.Mapping{MainPath: "$.data", UniqueKey: ".id[", Fields: nil}, nil, "unique_key: jsonpath:"},
		{actions.Mapping{MainPath: "$.data", UniqueKey: ".id", Fields: []actions.MappedField{{Name: "A", Path: ".a"}, {Name: "A", Path: ".b"}}}, nil, "fields.A: field A is mapped twice"},
		{actions.Mapping{MainPath: "$.data", UniqueKey: ".id", Fields: []actions.MappedField{{Name: "A", Path: ".a]"}}}, nil, "fields.A: jsonpath:"},
		{actions.Mapping{MainPath: "$.data", UniqueKey: ".id", Sources: []actions.EventSource{{Search: "x"}}}, nil, "sources[0].search: a search string is"},
		{actions.Mapping{MainPath: "$.data", UniqueKey: ".id"}, []string{"id", "a["}, "dedup[1]: jsonpath:"},
	} {
		_, err := Compile(tc.m, tc.dedup)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("Compile(%+v) = %v, want %q", tc.m, err, tc.want)
		}
	}
}

func mustCompile(t *testing.T, m actions.Mapping, dedup ...string) *Mapping {
	t.Helper()
	c, err := Compile(m, dedup)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestApply(t *testing.T) {
	m := mustCompile(t, actions.Mapping{
		MainPath: "$.data.nodes", UniqueKey: ".id",
		Fields: []actions.MappedField{{Name: "Status", Path: ".status"}, {Name: "Projects", Path: ".projects[*].name"}},
		Sources: []actions.EventSource{
			{Search: "{__typename}=Issue", Fields: []actions.MappedField{{Name: "Document ID", Path: ".id"}, {Name: "Rule name", Path: "sourceRule.name"}}},
			{Search: "{__typename}=Alert", UniqueKey: ".alert_id", Fields: []actions.MappedField{{Name: "Status", Path: ".state"}}},
		},
	})
	raw := decode(t, `{"data":{"nodes":[
		{"__typename":"Issue","id":"i-1","status":"OPEN","projects":[{"name":"p1"},{"name":"p2"}],"sourceRule":{"name":"SSH open"}},
		{"__typename":"Issue","id":"i-2","status":null,"projects":[]},
		{"__typename":"Alert","id":"x","alert_id":42,"state":"new","status":"ignored"},
		"not an object",
		{"__typename":"Issue","status":"OPEN"},
		{"__typename":"Alert","id":"y"}
	]}}`)
	events, skipped := m.Apply(raw)
	want := []Event{
		{Key: "i-1", UniqueKey: "i-1", Names: []string{"Status", "Projects", "Document ID", "Rule name"},
			Fields: map[string]any{"Status": "OPEN", "Projects": []any{"p1", "p2"}, "Document ID": "i-1", "Rule name": "SSH open"}},
		// A source field the event lacks (null status, no projects, no
		// sourceRule) leaves its field out.
		{Key: "i-2", UniqueKey: "i-2", Names: []string{"Document ID"}, Fields: map[string]any{"Document ID": "i-2"}},
		// A matching source's field of the same name wins; its unique key
		// replaces the mapping's; a number key is its JSON text.
		{Key: "42", UniqueKey: "42", Names: []string{"Status"}, Fields: map[string]any{"Status": "new"}},
	}
	for i := range events {
		events[i].Raw = nil
	}
	if diff := cmp.Diff(want, events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	wantSkipped := []Skipped{{3, "not an object"}, {4, "no unique key at .id"}, {5, "no unique key at .alert_id"}}
	if diff := cmp.Diff(wantSkipped, skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
}

func TestApplyMainPaths(t *testing.T) {
	for _, tc := range []struct {
		main, raw string
		want      []string
	}{
		{"$", `[{"id":"a"},{"id":"b"}]`, []string{"a", "b"}},
		{"$.reply.incidents", `{"reply":{"incidents":[{"id":"a"}]}}`, []string{"a"}},
		{"$.reply.incident", `{"reply":{"incident":{"id":"one"}}}`, []string{"one"}},
		{"$.reply.incidents", `{"reply":{}}`, nil},
		{"$.reply.incidents[*].alerts.data[*]", `{"reply":{"incidents":[{"alerts":{"data":[{"id":"x"},{"id":"y"}]}},{"alerts":{"data":[{"id":"z"}]}},{}]}}`, []string{"x", "y", "z"}},
	} {
		m := mustCompile(t, actions.Mapping{MainPath: tc.main, UniqueKey: "id"})
		events, skipped := m.Apply(decode(t, tc.raw))
		var got []string
		for _, e := range events {
			got = append(got, e.UniqueKey)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" || len(skipped) > 0 {
			t.Errorf("%s: keys (-want +got):\n%s skipped %v", tc.main, diff, skipped)
		}
	}
}

func TestDedupKeys(t *testing.T) {
	m := mustCompile(t, actions.Mapping{MainPath: "$", UniqueKey: ".id"}, "id", ".updatedAt")
	events, _ := m.Apply(decode(t, `[{"id":"a","updatedAt":"t1"},{"id":"a","updatedAt":"t2"},{"id":"b"}]`))
	var got []string
	for _, e := range events {
		got = append(got, e.Key+" "+e.UniqueKey)
	}
	want := []string{`["a","t1"] a`, `["a","t2"] a`, `["b",null] b`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
}

func TestEventContext(t *testing.T) {
	ev := Event{Names: []string{"Document ID", "Rule name", "DocumentID", "raw"},
		Fields: map[string]any{"Document ID": "a", "Rule name": "r", "DocumentID": "taken", "raw": "field"}, Raw: map[string]any{"id": "a"}}
	got := ev.Context()
	want := map[string]any{"Document ID": "a", "Rule name": "r", "Rulename": "r", "DocumentID": "taken", "raw": "field"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("context (-want +got):\n%s", diff)
	}
	ev = Event{Names: []string{"Severity"}, Fields: map[string]any{"Severity": "HIGH"}, Raw: map[string]any{"id": "a"}}
	if got := ev.Context()["raw"]; !cmp.Equal(got, map[string]any{"id": "a"}) {
		t.Errorf("raw = %v", got)
	}
}

// Data is never code: a field holding template or JSONPath syntax is
// stored and handed on as the text it is.
func TestApplyKeepsDataInert(t *testing.T) {
	m := mustCompile(t, actions.Mapping{MainPath: "$", UniqueKey: ".id",
		Fields: []actions.MappedField{{Name: "Title", Path: ".title"}}})
	title := `${{ run.id }} $.secret {{ x }} <% y %>`
	events, _ := m.Apply([]any{map[string]any{"id": "$.id", "title": title}})
	if len(events) != 1 || events[0].Fields["Title"] != title || events[0].UniqueKey != "$.id" {
		t.Fatalf("events = %+v", events)
	}
}

func FuzzSearch(f *testing.F) {
	for _, s := range []string{"{__typename}=Issue", "{$.eventType} = IncidentAlerts", "{a[0]}='x'", "{", "{}=", "x"} {
		f.Add(s)
	}
	node := map[string]any{"a": []any{"x"}, "__typename": "Issue"}
	f.Fuzz(func(t *testing.T, s string) {
		sr, err := parseSearch(s)
		if err != nil {
			if me, ok := err.(*MappingError); !ok || me.Offset < -1 || me.Offset > len(s) {
				t.Fatalf("%q: bad error %#v", s, err)
			}
			return
		}
		sr.matches(node)
	})
}
