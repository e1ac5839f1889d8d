package store

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// runValues is the values recorded for run id, by name then value.
func runValues(t *testing.T, s *Store, id string) []Value {
	t.Helper()
	rows, err := s.db.QueryContext(t.Context(), `SELECT name, value FROM run_values WHERE run_id = ? ORDER BY name, value`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	vs := []Value{}
	for rows.Next() {
		var v Value
		if err := rows.Scan(&v.Name, &v.Value); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return vs
}

// keyFields is a task report (a checkpoint) with Key Fields kf, a JSON
// object.
func keyFields(kf string) json.RawMessage {
	return json.RawMessage(`{"status":"succeeded","return_data":"Successful","key_fields":` + kf +
		`,"raw_data":{"EndpointIDs":["raw-1"]},"attempts":1}`)
}

// reportOf is a run report whose tasks are tasks, a JSON object of task
// reports.
func reportOf(tasks string) json.RawMessage {
	return json.RawMessage(`{"playbook":"triage","status":"Successful","inputs":{"ignored":"i"},"tasks":` + tasks + `}`)
}

func TestParseValue(t *testing.T) {
	tests := []struct {
		in      string
		want    Value
		wantErr string
	}{
		{in: "EndpointIDs=e-17", want: Value{"EndpointIDs", "e-17"}},
		{in: "EndpointIDs:e-17", want: Value{"EndpointIDs", "e-17"}},
		{in: "url=https://x/y?a=b", want: Value{"url", "https://x/y?a=b"}},
		{in: "time:12:00", want: Value{"time", "12:00"}},
		{in: "expr:a=b", want: Value{"expr", "a=b"}},
		{in: "count=42", want: Value{"count", "42"}},
		{in: "name= spaced ", want: Value{"name", " spaced "}},
		{in: "EndpointIDs", wantErr: `value "EndpointIDs": want NAME=VALUE or NAME:VALUE`},
		{in: "", wantErr: `value "": want NAME=VALUE or NAME:VALUE`},
		{in: "=e-17", wantErr: `value "=e-17": empty name before '='`},
		{in: ":e-17", wantErr: `value ":e-17": empty name before ':'`},
		{in: "EndpointIDs=", wantErr: `value "EndpointIDs=": empty value after '='`},
		{in: "EndpointIDs:", wantErr: `value "EndpointIDs:": empty value after ':'`},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseValue(tc.in)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Errorf("ParseValue(%q) = %v, %v, want error %q", tc.in, got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("ParseValue(%q) = %v, %v, want %v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestRunValuesRecorded(t *testing.T) {
	s := openTest(t)
	r := run("run-1", 0)
	r.Inputs = json.RawMessage(`{"incident_id":"INC-9","EndpointIDs":["e-17","e-18",7,null,{"x":1},["y"],"e-17"],` +
		`"count":42,"ratio":2.50,"big":1E3,"dry":true,"force":false,"nested":{"a":"b"},"none":null,"empty":"",` +
		`"max":"` + strings.Repeat("é", 512) + `","long":"` + strings.Repeat("é", 513) + `","":"no name","esc":"a\"b\u00e9","k\"e.y":5}`)
	mustCreate(t, s, r)
	inputs := []Value{
		{"EndpointIDs", "7"}, {"EndpointIDs", "e-17"}, {"EndpointIDs", "e-18"},
		{"big", "1E3"}, {"count", "42"}, {"dry", "true"}, {"esc", `a"bé`}, {"force", "false"},
		{"incident_id", "INC-9"}, {`k"e.y`, "5"}, {"max", strings.Repeat("é", 512)}, {"ratio", "2.50"},
	}
	if diff := cmp.Diff(inputs, runValues(t, s, "run-1")); diff != "" {
		t.Errorf("values while running mismatch (-want +got):\n%s", diff)
	}

	// A checkpoint's Key Fields are found while the run runs.
	if err := s.SaveTask(t.Context(), "run-1", "find", keyFields(`{"EndpointIDs":["e-30"],"Flags":[true,1.5]}`)); err != nil {
		t.Fatal(err)
	}
	checkpoint := []Value{{"EndpointIDs", "e-30"}, {"Flags", "1.5"}, {"Flags", "true"}}
	want := sortValues(append(slices.Clone(inputs), checkpoint...))
	if diff := cmp.Diff(want, runValues(t, s, "run-1")); diff != "" {
		t.Errorf("values after SaveTask mismatch (-want +got):\n%s", diff)
	}

	report := reportOf(`{
		"find": {"status":"succeeded","key_fields":{"EndpointIDs":["e-17","e-20"],"Count":[3],"Empty":[],
			"Scalar":"s","Deep":[["e-99"],{"id":"e-98"}],"Nulls":[null]},"raw_data":{"EndpointIDs":["raw-2"]}},
		"skipped": {"status":"skipped","key_fields":{}},
		"weird id.\"x\"": {"key_fields":{"IDs":["w-1"]}},
		"scalar": "not a task"}`)
	if err := s.FinishRun(t.Context(), "run-1", StatusSuccessful, t0.Add(time.Minute), report, ""); err != nil {
		t.Fatal(err)
	}
	fromReport := []Value{{"Count", "3"}, {"EndpointIDs", "e-17"}, {"EndpointIDs", "e-20"}, {"IDs", "w-1"}}
	want = sortValues(append(want, fromReport...))
	if diff := cmp.Diff(want, runValues(t, s, "run-1")); diff != "" {
		t.Errorf("values after FinishRun mismatch (-want +got):\n%s", diff)
	}
}

// sortValues sorts vs by name then value, as SQLite compares text, and
// drops repeats.
func sortValues(vs []Value) []Value {
	slices.SortFunc(vs, func(a, b Value) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Value, b.Value)
	})
	return slices.Compact(vs)
}

func TestRunValuesOfInvalidJSON(t *testing.T) {
	s := openTest(t)
	for i, inputs := range []string{`{bad`, `[1,2]`, `"text"`, `{"a":{"b":"c"}}`} {
		r := run(fmt.Sprintf("run-%d", i), i)
		r.Inputs = json.RawMessage(inputs)
		mustCreate(t, s, r)
		if err := s.SaveTask(t.Context(), r.ID, "a", json.RawMessage(`not json`)); err != nil {
			t.Errorf("SaveTask(invalid JSON) = %v", err)
		}
		for _, report := range []string{`oops`, `{"tasks":"none"}`, `{"tasks":{"a":{"key_fields":["x"]}}}`} {
			if err := s.FinishRun(t.Context(), r.ID, StatusFailed, t0, json.RawMessage(report), ""); err != nil {
				t.Errorf("FinishRun(report %s) = %v", report, err)
			}
		}
		if got := runValues(t, s, r.ID); len(got) != 0 {
			t.Errorf("values of a run with inputs %s = %v, want none", inputs, got)
		}
	}
}

func TestListRunsByValue(t *testing.T) {
	s := openTest(t)
	r1 := run("run-1", 0)
	r1.Inputs = json.RawMessage(`{"incident_id":"INC-9"}`)
	r2 := run("run-2", 10)
	r2.Playbook, r2.Inputs = "contain", json.RawMessage(`{"incident_id":"INC-10"}`)
	r3 := run("run-3", 20)
	r3.Inputs = json.RawMessage(`{"incident_id":"INC-9","count":42}`)
	r4 := run("run-4", 30)
	r4.Inputs = json.RawMessage(`{"host":"e-17"}`)
	mustCreate(t, s, r1, r2, r3, r4)
	for _, f := range []struct {
		id, status, kf string
	}{
		{"run-1", StatusSuccessful, `{"EndpointIDs":["e-17","e-18"]}`},
		{"run-2", StatusFailed, `{"EndpointIDs":["e-17"]}`},
	} {
		report := reportOf(`{"isolate":` + string(keyFields(f.kf)) + `}`)
		if err := s.FinishRun(t.Context(), f.id, f.status, t0.Add(time.Hour), report, ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SaveTask(t.Context(), "run-3", "find", keyFields(`{"EndpointIDs":["e-18"]}`)); err != nil {
		t.Fatal(err)
	}

	e17 := Value{"EndpointIDs", "e-17"}
	inc9 := Value{"incident_id", "INC-9"}
	tests := []struct {
		name string
		f    RunFilter
		want []string
	}{
		{name: "key field of two runs", f: RunFilter{Values: []Value{e17}}, want: []string{"run-2", "run-1"}},
		{name: "input while running", f: RunFilter{Values: []Value{inc9}}, want: []string{"run-3", "run-1"}},
		{name: "checkpoint while running", f: RunFilter{Values: []Value{{"EndpointIDs", "e-18"}}},
			want: []string{"run-3", "run-1"}},
		{name: "number", f: RunFilter{Values: []Value{{"count", "42"}}}, want: []string{"run-3"}},
		{name: "number as written", f: RunFilter{Values: []Value{{"count", "42.0"}}}, want: []string{}},
		{name: "name matters", f: RunFilter{Values: []Value{{"host", "e-17"}}}, want: []string{"run-4"}},
		{name: "two values", f: RunFilter{Values: []Value{inc9, {"EndpointIDs", "e-18"}}},
			want: []string{"run-3", "run-1"}},
		{name: "two values narrow", f: RunFilter{Values: []Value{inc9, e17}}, want: []string{"run-1"}},
		{name: "two values none", f: RunFilter{Values: []Value{{"incident_id", "INC-10"}, {"count", "42"}}},
			want: []string{}},
		{name: "no run", f: RunFilter{Values: []Value{{"EndpointIDs", "e-404"}}}, want: []string{}},
		{name: "status", f: RunFilter{Values: []Value{e17}, Status: StatusSuccessful}, want: []string{"run-1"}},
		{name: "playbook", f: RunFilter{Values: []Value{e17}, Playbook: "contain"}, want: []string{"run-2"}},
		{name: "trigger", f: RunFilter{Values: []Value{e17}, Trigger: "cli"}, want: []string{"run-2", "run-1"}},
		{name: "since", f: RunFilter{Values: []Value{inc9}, Since: t0.Add(5 * time.Second)}, want: []string{"run-3"}},
		{name: "before", f: RunFilter{Values: []Value{e17}, Before: CursorOf(r2)}, want: []string{"run-1"}},
		{name: "limit", f: RunFilter{Values: []Value{e17}, Limit: 1}, want: []string{"run-2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ListRuns(t.Context(), tc.f)
			if err != nil {
				t.Fatalf("ListRuns() = %v", err)
			}
			if diff := cmp.Diff(tc.want, ids(got)); diff != "" {
				t.Errorf("ListRuns(%+v) mismatch (-want +got):\n%s", tc.f, diff)
			}
		})
	}
	for _, v := range []Value{{"", "x"}, {"x", ""}} {
		if _, err := s.ListRuns(t.Context(), RunFilter{Values: []Value{v}}); err == nil {
			t.Errorf("ListRuns(value %+v) = nil error, want one", v)
		}
	}
}

// TestListRunsByValuePaging pages through both plans of a value filter:
// driven by a value of few runs, and testing each run for a value of more
// than valueDriveMax. Runs share start times, and ids are not in start
// order, so a page boundary cuts through ties.
func TestListRunsByValuePaging(t *testing.T) {
	s := openTest(t)
	const n = 1200
	var all []Run
	err := s.write(t.Context(), func(tx *sql.Tx) error {
		for i := range n {
			r := run(fmt.Sprintf("run-%04d", i*7919%n), i/4)
			mode := "auto"
			if i%12 == 0 {
				mode = "manual"
			}
			r.Inputs = json.RawMessage(fmt.Sprintf(`{"mode":%q,"host":"h-%d"}`, mode, i%40))
			r.Status, r.FinishedAt = StatusSuccessful, r.StartedAt.Add(time.Second)
			if i%3 == 0 {
				r.Status = StatusFailed
			}
			if err := createRun(t.Context(), tx, r); err != nil {
				return err
			}
			r.StartedAt, r.FinishedAt = r.StartedAt.UTC(), r.FinishedAt.UTC()
			all = append(all, r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(all, func(a, b Run) int {
		if c := b.StartedAt.Compare(a.StartedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	has := func(r Run, v Value) bool {
		return strings.Contains(string(r.Inputs), fmt.Sprintf(`%q:%q`, v.Name, v.Value))
	}
	auto, h3 := Value{"mode", "auto"}, Value{"host", "h-3"}
	tests := []struct {
		name   string
		f      RunFilter
		driven bool
	}{
		{name: "few runs", f: RunFilter{Values: []Value{h3}, Limit: 7}, driven: true},
		{name: "many runs", f: RunFilter{Values: []Value{auto}, Limit: 250}},
		{name: "many and few", f: RunFilter{Values: []Value{auto, h3}, Limit: 4}, driven: true},
		{name: "many with status", f: RunFilter{Values: []Value{auto}, Status: StatusFailed, Limit: 100}},
		{name: "few with status", f: RunFilter{Values: []Value{h3}, Status: StatusFailed, Limit: 3}, driven: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			from, _, _, err := s.valueFilter(t.Context(), tc.f.Values)
			if err != nil {
				t.Fatal(err)
			}
			if driven := from != "runs"; driven != tc.driven {
				t.Errorf("valueFilter(%v) reads FROM %s, want driven %v", tc.f.Values, from, tc.driven)
			}
			want := []string{}
			for _, r := range all {
				if (tc.f.Status == "" || r.Status == tc.f.Status) &&
					!slices.ContainsFunc(tc.f.Values, func(v Value) bool { return !has(r, v) }) {
					want = append(want, r.ID)
				}
			}
			got := []string{}
			f := tc.f
			for {
				page, err := s.ListRuns(t.Context(), f)
				if err != nil {
					t.Fatalf("ListRuns() = %v", err)
				}
				if len(page) > f.Limit {
					t.Fatalf("ListRuns() = %d runs, want at most %d", len(page), f.Limit)
				}
				if len(page) == 0 {
					break
				}
				got = append(got, ids(page)...)
				f.Before = CursorOf(page[len(page)-1])
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("paged ListRuns(%+v) mismatch (-want +got):\n%s", tc.f, diff)
			}
		})
	}
}

func TestResumeRunKeepsValues(t *testing.T) {
	s := openTest(t)
	r := run("run-1", 0)
	r.Inputs = json.RawMessage(`{"incident_id":"INC-9"}`)
	mustCreate(t, s, r)
	if err := s.SaveTask(t.Context(), "run-1", "find", keyFields(`{"EndpointIDs":["e-1"]}`)); err != nil {
		t.Fatal(err)
	}
	report := reportOf(`{"find":` + string(keyFields(`{"EndpointIDs":["e-1"]}`)) +
		`,"isolate":{"status":"failed","key_fields":{"EndpointIDs":["e-2"]}}}`)
	if err := s.FinishRun(t.Context(), "run-1", StatusFailed, t0.Add(time.Minute), report, "boom"); err != nil {
		t.Fatal(err)
	}
	if err := s.ResumeRun(t.Context(), "run-1", ""); err != nil {
		t.Fatal(err)
	}
	want := []Value{{"EndpointIDs", "e-1"}, {"EndpointIDs", "e-2"}, {"incident_id", "INC-9"}}
	if diff := cmp.Diff(want, runValues(t, s, "run-1")); diff != "" {
		t.Errorf("values after ResumeRun mismatch (-want +got):\n%s", diff)
	}
	for _, v := range want {
		got, err := s.ListRuns(t.Context(), RunFilter{Values: []Value{v}, Status: StatusRunning})
		if err != nil || len(got) != 1 {
			t.Errorf("ListRuns(%v, running) = %v, %v, want run-1", v, ids(got), err)
		}
	}

	report = reportOf(`{"isolate":{"status":"succeeded","key_fields":{"EndpointIDs":["e-3"]}}}`)
	if err := s.FinishRun(t.Context(), "run-1", StatusSuccessful, t0.Add(time.Hour), report, ""); err != nil {
		t.Fatal(err)
	}
	want = []Value{{"EndpointIDs", "e-1"}, {"EndpointIDs", "e-2"}, {"EndpointIDs", "e-3"}, {"incident_id", "INC-9"}}
	if diff := cmp.Diff(want, runValues(t, s, "run-1")); diff != "" {
		t.Errorf("values after the resumed run finished mismatch (-want +got):\n%s", diff)
	}
}

// TestRunValuesGoWithTheRun deletes a run by hand, as nothing in the
// store deletes runs yet: its values must go with it.
func TestRunValuesGoWithTheRun(t *testing.T) {
	s := openTest(t)
	r1, r2 := run("run-1", 0), run("run-2", 1)
	r1.Inputs = json.RawMessage(`{"host":"e-1"}`)
	r2.Inputs = json.RawMessage(`{"host":"e-1"}`)
	mustCreate(t, s, r1, r2)
	if _, err := s.db.ExecContext(t.Context(), `DELETE FROM runs WHERE id = ?`, "run-1"); err != nil {
		t.Fatal(err)
	}
	if got := runValues(t, s, "run-1"); len(got) != 0 {
		t.Errorf("values of a deleted run = %v, want none", got)
	}
	got, err := s.ListRuns(t.Context(), RunFilter{Values: []Value{{"host", "e-1"}}})
	if err != nil || !slices.Equal(ids(got), []string{"run-2"}) {
		t.Errorf("ListRuns(host=e-1) = %v, %v, want [run-2]", ids(got), err)
	}
}

// TestRunValuesBackfill stores runs in a file at schema version 1, then
// opens it: migration 0002 must record the values the store records for
// the same runs as they run.
func TestRunValuesBackfill(t *testing.T) {
	type stored struct {
		run    Run
		tasks  map[string]string
		report string
	}
	runs := []stored{
		{run: Run{ID: "run-a", Inputs: json.RawMessage(`{"incident_id":"INC-9","EndpointIDs":["e-17",7,true],"n":{"x":1}}`)},
			tasks: map[string]string{"find": string(keyFields(`{"EndpointIDs":["e-30"]}`))},
			report: string(reportOf(`{"find":{"key_fields":{"EndpointIDs":["e-30","e-17"]}},` +
				`"isolate":{"key_fields":{"EndpointIDs":["e-18"],"Count":[2.50]}}}`))},
		{run: Run{ID: "run-b", Inputs: json.RawMessage(`{bad`)}, tasks: map[string]string{"a": "not json"}, report: "oops"},
		{run: Run{ID: "run-c", Inputs: json.RawMessage(`{"incident_id":"INC-10"}`)}, // running
			tasks: map[string]string{"a": string(keyFields(`{"IDs":["x"]}`)), "b": string(keyFields(`{"IDs":["y"]}`))}},
		{run: Run{ID: "run-d"}, report: string(reportOf(`{"a":{"key_fields":{"IDs":["z"]}}}`))},
	}

	// The file at version 1, as an older playbook wrote it.
	path := filepath.Join(t.TempDir(), "state.db")
	if err := prepareFile(path); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	stmts := []string{
		`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`,
		ms[0].sql,
		`INSERT INTO schema_migrations (version, applied_at) VALUES (1, '2025-01-01T00:00:00.000000000Z')`,
	}
	for _, q := range stmts {
		if _, err := db.ExecContext(t.Context(), q); err != nil {
			db.Close()
			t.Fatalf("version 1: %v", err)
		}
	}
	for i, sr := range runs {
		_, err := db.ExecContext(t.Context(), `INSERT INTO runs (id, playbook, status, started_at, inputs)
			VALUES (?, 'triage', 'running', ?, ?)`, sr.run.ID, dbTime(t0.Add(time.Duration(i))), string(orObject(sr.run.Inputs)))
		for task, report := range sr.tasks {
			if err == nil {
				_, err = db.ExecContext(t.Context(), `INSERT INTO run_tasks (run_id, task_id, saved_at, report)
					VALUES (?, ?, ?, ?)`, sr.run.ID, task, dbTime(t0), report)
			}
		}
		if err == nil && sr.report != "" {
			_, err = db.ExecContext(t.Context(), `INSERT INTO run_reports (run_id, report) VALUES (?, ?)`, sr.run.ID, sr.report)
		}
		if err != nil {
			db.Close()
			t.Fatalf("version 1: run %s: %v", sr.run.ID, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	migrated := openAt(t, path)

	// The same runs, recorded by this playbook.
	recorded := openTest(t)
	for i, sr := range runs {
		r := run(sr.run.ID, i)
		r.Inputs = sr.run.Inputs
		mustCreate(t, recorded, r)
		for task, report := range sr.tasks {
			if err := recorded.SaveTask(t.Context(), r.ID, task, json.RawMessage(report)); err != nil {
				t.Fatal(err)
			}
		}
		if sr.report != "" {
			if err := recorded.FinishRun(t.Context(), r.ID, StatusFailed, t0, json.RawMessage(sr.report), ""); err != nil {
				t.Fatal(err)
			}
		}
	}

	for _, sr := range runs {
		got, want := runValues(t, migrated, sr.run.ID), runValues(t, recorded, sr.run.ID)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("backfilled values of %s mismatch (-recorded +backfilled):\n%s", sr.run.ID, diff)
		}
	}
	want := []Value{{"Count", "2.50"}, {"EndpointIDs", "7"}, {"EndpointIDs", "e-17"}, {"EndpointIDs", "e-18"},
		{"EndpointIDs", "e-30"}, {"EndpointIDs", "true"}, {"incident_id", "INC-9"}}
	if diff := cmp.Diff(want, runValues(t, migrated, "run-a")); diff != "" {
		t.Errorf("backfilled values of run-a mismatch (-want +got):\n%s", diff)
	}
	got, err := migrated.ListRuns(t.Context(), RunFilter{Values: []Value{{"IDs", "y"}}})
	if err != nil || !slices.Equal(ids(got), []string{"run-c"}) {
		t.Errorf("ListRuns(IDs=y) after the backfill = %v, %v, want [run-c]", ids(got), err)
	}
}

func TestHealthHistory(t *testing.T) {
	s := openTest(t)
	if got, err := s.HealthHistory(t.Context(), "xdr", 0); err != nil || len(got) != 0 {
		t.Fatalf("HealthHistory(never checked) = %v, %v, want none", got, err)
	}
	checks := []Health{
		{Connection: "xdr", OK: true, LastCheck: t0, LastOK: t0},
		{Connection: "wiz", Failures: 1, LastCheck: t0, LastError: "401"},
		{Connection: "xdr", Failures: 1, LastCheck: t0.Add(time.Minute), LastOK: t0, LastError: "timeout"},
		// A check's error is only kept when it failed.
		{Connection: "xdr", OK: true, LastCheck: t0.Add(2 * time.Minute), LastOK: t0.Add(2 * time.Minute), LastError: "timeout"},
		// Two checks at one time: the later stored is newer.
		{Connection: "wiz", Failures: 2, LastCheck: t0, LastError: "403"},
	}
	for _, h := range checks {
		if err := s.SetHealth(t.Context(), h); err != nil {
			t.Fatalf("SetHealth() = %v", err)
		}
	}
	utc := t0.UTC()
	tests := []struct {
		conn  string
		limit int
		want  []HealthCheck
	}{
		{"xdr", 0, []HealthCheck{
			{CheckedAt: utc.Add(2 * time.Minute), OK: true},
			{CheckedAt: utc.Add(time.Minute), Error: "timeout"},
			{CheckedAt: utc, OK: true},
		}},
		{"xdr", 2, []HealthCheck{
			{CheckedAt: utc.Add(2 * time.Minute), OK: true},
			{CheckedAt: utc.Add(time.Minute), Error: "timeout"},
		}},
		{"wiz", -1, []HealthCheck{{CheckedAt: utc, Error: "403"}, {CheckedAt: utc, Error: "401"}}},
	}
	for _, tc := range tests {
		got, err := s.HealthHistory(t.Context(), tc.conn, tc.limit)
		if err != nil {
			t.Fatalf("HealthHistory(%s, %d) = %v", tc.conn, tc.limit, err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("HealthHistory(%s, %d) mismatch (-want +got):\n%s", tc.conn, tc.limit, diff)
		}
	}

	// A check with no time is now.
	before := time.Now()
	if err := s.SetHealth(t.Context(), Health{Connection: "new", OK: true}); err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	got, err := s.HealthHistory(t.Context(), "new", 0)
	if err != nil || len(got) != 1 || got[0].CheckedAt.Before(before) || got[0].CheckedAt.After(after) {
		t.Errorf("HealthHistory(new) = %v, %v, want one check between %v and %v", got, err, before, after)
	}
}

// TestHealthHistoryCap fills a connection's history past the cap by hand;
// the next SetHealth drops its oldest checks, and no other connection's.
func TestHealthHistoryCap(t *testing.T) {
	s := openTest(t)
	const filled = healthLogMax + 5
	err := s.write(t.Context(), func(tx *sql.Tx) error {
		for i := range filled {
			if _, err := tx.ExecContext(t.Context(), `INSERT INTO health_log (connection, checked_at, ok) VALUES ('xdr', ?, 1)`,
				dbTime(t0.Add(time.Duration(i)*time.Second))); err != nil {
				return err
			}
		}
		for i := range 3 {
			if _, err := tx.ExecContext(t.Context(), `INSERT INTO health_log (connection, checked_at, ok) VALUES ('wiz', ?, 1)`,
				dbTime(t0.Add(time.Duration(i)*time.Second))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	last := t0.Add(time.Hour)
	if err := s.SetHealth(t.Context(), Health{Connection: "xdr", LastCheck: last, LastError: "timeout"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.HealthHistory(t.Context(), "xdr", 2*filled)
	if err != nil {
		t.Fatal(err)
	}
	// filled+1 checks, of which the newest healthLogMax stay: the oldest
	// kept is number filled+1-healthLogMax, counting from 0.
	oldest := t0.Add(time.Duration(filled+1-healthLogMax) * time.Second).UTC()
	if len(got) != healthLogMax || !got[0].CheckedAt.Equal(last) || got[0].Error != "timeout" ||
		!got[len(got)-1].CheckedAt.Equal(oldest) {
		t.Errorf("HealthHistory(xdr) = %d checks, newest %+v, oldest %+v; want %d, newest at %v, oldest at %v",
			len(got), got[0], got[len(got)-1], healthLogMax, last, oldest)
	}
	if got, err := s.HealthHistory(t.Context(), "wiz", 0); err != nil || len(got) != 3 {
		t.Errorf("HealthHistory(wiz) = %d checks, %v, want its 3 kept", len(got), err)
	}
}
