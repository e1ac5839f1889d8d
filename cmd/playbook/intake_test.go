package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/actions/cortexxdr"
	"github.com/playbook-sh/playbook/actions/wiz"
)

// shippedMapping returns the vendor page's mapping with that name.
func shippedMapping(t *testing.T, name string) actions.Mapping {
	t.Helper()
	for _, m := range append(wiz.Mappings(), cortexxdr.Mappings()...) {
		if m.Name == name {
			return m
		}
	}
	t.Fatalf("no shipped mapping %q", name)
	return actions.Mapping{}
}

// listedEvent is one row of events list --format json.
type listedEvent struct {
	Source    string         `json:"source"`
	Key       string         `json:"key"`
	FetchedAt string         `json:"fetched_at"`
	State     string         `json:"state"`
	RunID     string         `json:"run_id"`
	Fields    map[string]any `json:"fields"`
	Raw       any            `json:"raw"`
	// Names are the fields' names in the listing's order, and
	// FieldsJSON the fields as listed.
	Names      []string        `json:"-"`
	FieldsJSON json.RawMessage `json:"-"`
}

// listEvents runs events list for one source and decodes it, numbers as
// json.Number and field names in order.
func listEvents(t *testing.T, state, source string) []listedEvent {
	t.Helper()
	args := []string{"events", "list", "--state", state, "--format", "json", "--limit", "1000"}
	if source != "" {
		args = append(args, "--source", source)
	}
	out, errs, code := cli(t, t.Context(), args...)
	if code != exitOK {
		t.Fatalf("events list: exit %d\n%s%s", code, out, errs)
	}
	var rows []json.RawMessage
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("events list is not a JSON array: %v\n%s", err, out)
	}
	evs := make([]listedEvent, len(rows))
	for i, r := range rows {
		dec := json.NewDecoder(bytes.NewReader(r))
		dec.UseNumber()
		if err := dec.Decode(&evs[i]); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		var shape struct {
			Fields json.RawMessage `json:"fields"`
		}
		json.Unmarshal(r, &shape)
		evs[i].Names = jsonKeys(t, shape.Fields)
		evs[i].FieldsJSON = shape.Fields
	}
	return evs
}

// jsonKeys returns a JSON object's keys in document order.
func jsonKeys(t *testing.T, obj []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(obj))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %s", obj)
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// lookup follows a mapping path (".a.b", "a.b", ".a[*].b") through a
// decoded event, independently of engine/jsonpath. It reports the value
// and whether the mapping should keep it: JSON null, a missing member and
// a wildcard selecting nothing are all "missing".
func lookup(node any, path string) (any, bool) {
	path = strings.TrimPrefix(path, ".")
	if path == "" {
		return node, node != nil
	}
	seg, rest, _ := strings.Cut(path, ".")
	name, wild := strings.CutSuffix(seg, "[*]")
	m, ok := node.(map[string]any)
	if !ok {
		return nil, false
	}
	v, ok := m[name]
	if !ok || v == nil {
		return nil, false
	}
	if !wild {
		return lookup(v, rest)
	}
	list, ok := v.([]any)
	if !ok {
		return nil, false
	}
	var out []any
	for _, e := range list {
		if x, ok := lookup(e, rest); ok {
			out = append(out, x)
		}
	}
	return out, len(out) > 0
}

// normalizeEvents makes an events listing stable for a golden file: the
// events sorted by key, fetched_at left out, RFC 3339 times with
// fractional seconds (the Wiz fake seeds relative to its start) replaced,
// and the vendor's raw node left out: the golden is about the mapping,
// and the checks in TestIntakeMappingGoldens tie each field to raw.
func normalizeEvents(t *testing.T, evs []listedEvent) []byte {
	t.Helper()
	type row struct {
		Source string `json:"source"`
		Key    string `json:"key"`
		State  string `json:"state"`
		RunID  string `json:"run_id,omitempty"`
		Fields any    `json:"fields"`
	}
	rows := make([]row, len(evs))
	for i, ev := range evs {
		rows[i] = row{Source: ev.Source, Key: ev.Key, State: ev.State, RunID: ev.RunID, Fields: ev.FieldsJSON}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Key < rows[j].Key })
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rows); err != nil {
		t.Fatal(err)
	}
	// Wiz writes times with fractional seconds; Cortex XDR writes epoch
	// milliseconds, fixed in its fake, so they stay.
	return []byte(recentTime.ReplaceAllString(b.String(), "<recent time>"))
}

// intakeJSONOut is intake run --format json.
type intakeJSONOut struct {
	Intake    string   `json:"intake"`
	Calls     int      `json:"calls"`
	Fetched   int      `json:"fetched"`
	New       []string `json:"new"`
	Triggered []string `json:"triggered"`
	Skipped   int      `json:"skipped"`
	Unmapped  int      `json:"unmapped"`
}

// intakeOnce runs intake run NAME --once --format json and decodes it.
func intakeOnce(t *testing.T, config, state, name string, extra ...string) intakeJSONOut {
	t.Helper()
	args := append([]string{"intake", "run", name, "--config", config, "--state", state, "--once", "--format", "json"}, extra...)
	out, errs, code := cli(t, t.Context(), args...)
	if code != exitOK {
		t.Fatalf("intake run %s: exit %d\n%s%s", name, code, out, errs)
	}
	var res intakeJSONOut
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("intake run output is not JSON: %v\n%s", err, out)
	}
	return res
}

// TestIntakeMappingGoldens fetches every seeded event of each vendor
// fake through each shipped field mapping, in sandbox mode, and compares
// the stored events with testdata/intake/<mapping>.golden.json. It also
// checks each event against the mapping table: its unique key, only
// declared field names, each field equal to its path's value in the
// vendor's node, and a field whose path finds nothing left out.
func TestIntakeMappingGoldens(t *testing.T) {
	t.Parallel()
	cases := []struct {
		mapping, command, with string
		lookback               string
		// eventType is the Event Type label a Wiz event carries.
		eventType string
		// typename is the __typename of every Wiz node.
		typename string
		// keyPath is the unique key's path in the raw node.
		keyPath string
		// absent is a field the data leaves out on at least one event.
		absent string
	}{
		{mapping: wiz.MappingIssues, command: "wiz.fetch_event", with: "{event_type: Issues}", lookback: "8760h",
			eventType: "Issues", typename: "Issue", keyPath: ".id", absent: "Resolved Time"},
		{mapping: wiz.MappingConfigurationFindings, command: "wiz.fetch_event", with: "{event_type: Cloud Configuration Findings}", lookback: "8760h",
			eventType: "Cloud Configuration Findings", typename: "ConfigurationFinding", keyPath: ".id", absent: "Tag"},
		{mapping: wiz.MappingVulnerabilityFindings, command: "wiz.fetch_event", with: "{event_type: Vulnerability Findings}", lookback: "8760h",
			eventType: "Vulnerability Findings", typename: "VulnerabilityFinding", keyPath: ".id", absent: "Fixed Version"},
		// Cortex XDR's fake has fixed incidents of November 2026; a
		// lookback of ten years reaches them until 2036.
		{mapping: cortexxdr.MappingIncidents, command: "cortex_xdr.fetch_incident", with: "{time_field: Creation Time}", lookback: "87600h",
			keyPath: ".incident_id", absent: "Event Type"},
		{mapping: cortexxdr.MappingIncidentAlerts, command: "cortex_xdr.fetch_incident", with: "{time_field: Creation Time, allow_retrieve_extra_data: true}", lookback: "87600h",
			keyPath: ".alert_id", absent: "URL"},
	}
	for _, tc := range cases {
		t.Run(tc.mapping, func(t *testing.T) {
			t.Parallel()
			m := shippedMapping(t, tc.mapping)
			dir := t.TempDir()
			state := filepath.Join(dir, "state.db")
			src := "src"
			every := "24h"
			if strings.HasPrefix(tc.command, "cortex_xdr.") {
				every = "15m"
			}
			config := func(name, with, mapping string) string {
				return writeAt(t, filepath.Join(dir, name), fmt.Sprintf(`intake:
  %s:
    connection: conn
    command: %s
    with: %s
    every: %s
    lookback: %s
    mapping: %s
`, src, tc.command, with, every, tc.lookback, mapping))
			}
			fetched, stored := 0, 0
			if tc.mapping == cortexxdr.MappingIncidentAlerts {
				// get_incident_extra_data is allowed 10 calls a minute,
				// one per incident: the client paces the 11th by 6s and
				// the sandbox fake refuses it for a minute. So fetch the
				// incidents' alerts ten incidents at a time, each batch in
				// its own process (a fresh sandbox fake and client), by
				// incident_id_list (which replaces the time window). The
				// incident ids come from a plain fetch first.
				list := config("incidents.yaml", "{time_field: Creation Time}", cortexxdr.MappingIncidents)
				intakeOnce(t, list, filepath.Join(dir, "ids.db"), src, "--sandbox")
				var ids []string
				for _, ev := range listEvents(t, filepath.Join(dir, "ids.db"), src) {
					ids = append(ids, ev.Key)
				}
				slices.Sort(ids)
				for batch := range slices.Chunk(ids, 10) {
					q, _ := json.Marshal(batch)
					with := strings.TrimSuffix(tc.with, "}") +
						`, other_filters: [{field: incident_id_list, operator: in, value: ` + string(q) + `}]}`
					res := intakeOnce(t, config("batch.yaml", with, tc.mapping), state, src, "--sandbox")
					fetched += res.Fetched
					stored += len(res.New)
					if res.Unmapped != 0 {
						t.Errorf("%d events unmapped", res.Unmapped)
					}
				}
			} else {
				res := intakeOnce(t, config("serve.yaml", tc.with, tc.mapping), state, src, "--sandbox")
				fetched, stored = res.Fetched, len(res.New)
				if res.Unmapped != 0 || len(res.Triggered) != 0 {
					t.Errorf("intake run = %+v, want no unmapped events and no runs", res)
				}
			}
			evs := listEvents(t, state, src)
			if len(evs) == 0 || fetched != len(evs) || stored != len(evs) {
				t.Fatalf("intake fetched %d and stored %d events, events list shows %d", fetched, stored, len(evs))
			}

			declared := map[string]bool{}
			applied := m.Fields // the fields every event gets
			for _, f := range m.Fields {
				declared[f.Name] = true
			}
			for _, s := range m.Sources {
				for _, f := range s.Fields {
					declared[f.Name] = true
				}
			}
			if tc.typename != "" {
				applied = m.Sources[0].Fields // the event type's search string
			}
			keys := map[string]bool{}
			absent := map[string]int{}
			for _, ev := range evs {
				if ev.Source != src || ev.State != "none" || ev.RunID != "" {
					t.Errorf("event %s: source %q, state %q, run %q; want %s, none, no run", ev.Key, ev.Source, ev.State, ev.RunID, src)
				}
				want, ok := lookup(ev.Raw, tc.keyPath)
				if ev.Key == "" || !ok || ev.Key != text(want) {
					t.Errorf("event key %q, want the node's %s %v", ev.Key, tc.keyPath, want)
				}
				if keys[ev.Key] {
					t.Errorf("event %s is listed twice", ev.Key)
				}
				keys[ev.Key] = true
				for _, n := range ev.Names {
					if !declared[n] {
						t.Errorf("event %s: field %q is not in mapping %s", ev.Key, n, tc.mapping)
					}
				}
				if tc.typename != "" {
					if got, _ := lookup(ev.Raw, ".__typename"); got != tc.typename {
						t.Errorf("event %s: __typename %v, want %s", ev.Key, got, tc.typename)
					}
					if got := ev.Fields["Event Type"]; got != tc.eventType {
						t.Errorf("event %s: Event Type %v, want the label %q", ev.Key, got, tc.eventType)
					}
				} else if et, ok := lookup(ev.Raw, ".eventType"); ok {
					t.Errorf("event %s: eventType %v: the incident alerts event source would apply", ev.Key, et)
				}
				var order []string
				for _, f := range applied {
					want, ok := lookup(ev.Raw, f.Path)
					got, present := ev.Fields[f.Name]
					switch {
					case !ok && present:
						t.Errorf("event %s: field %q = %v, but %s is missing from the node", ev.Key, f.Name, got, f.Path)
					case !ok:
						absent[f.Name]++
					case !present:
						t.Errorf("event %s: field %q is missing, want %s = %v", ev.Key, f.Name, f.Path, want)
					default:
						order = append(order, f.Name)
						if diff := cmp.Diff(want, got); diff != "" {
							t.Errorf("event %s: field %q (-%s +field):\n%s", ev.Key, f.Name, f.Path, diff)
						}
					}
				}
				if !slices.Equal(order, ev.Names) {
					t.Errorf("event %s: fields in order %q, want the mapping's %q", ev.Key, ev.Names, order)
				}
			}
			if absent[tc.absent] == 0 {
				t.Errorf("no event lacks %q; fields some event lacks: %v", tc.absent, absent)
			}
			golden(t, filepath.Join("testdata", "intake", tc.mapping+".golden.json"), normalizeEvents(t, evs))
		})
	}
}

// text is a unique key's value as intake compares it: a string as it is,
// anything else as JSON.
func text(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}
