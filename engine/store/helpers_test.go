package store

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// t0 is the base time of test runs and events, with nanoseconds and in a
// zone other than UTC, to check both survive the round trip.
var t0 = time.Date(2025, 3, 1, 12, 0, 0, 123456789, time.FixedZone("CET", 3600))

// openTest opens a new state file in a temporary directory, closed at the
// end of the test.
func openTest(t *testing.T) *Store {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "state.db"))
}

// openAt opens path, closed at the end of the test.
func openAt(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open(%q) = %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close() = %v", err)
		}
	})
	return s
}

// run is a running run started at t0 plus offset seconds.
func run(id string, offset int) Run {
	return Run{ID: id, Playbook: "triage", File: "triage.yaml", Trigger: "cli",
		StartedAt: t0.Add(time.Duration(offset) * time.Second), Owner: Owner()}
}

// mustCreate stores runs.
func mustCreate(t *testing.T, s *Store, runs ...Run) {
	t.Helper()
	for _, r := range runs {
		if err := s.CreateRun(t.Context(), r); err != nil {
			t.Fatalf("CreateRun(%s) = %v", r.ID, err)
		}
	}
}

// ids is the ids of runs, in order.
func ids(runs []Run) []string {
	out := []string{}
	for _, r := range runs {
		out = append(out, r.ID)
	}
	return out
}

// event is a new event of source with key k, fetched at t0.
func event(source, k string) Event {
	return Event{Source: source, Key: k, UniqueKey: "u-" + k,
		Fields: json.RawMessage(fmt.Sprintf(`{"z":1,"id":%q}`, k)), Raw: json.RawMessage(`{"raw":true}`),
		FetchedAt: t0, State: StatePending}
}

// keys is the keys of evs, in order.
func keys(evs []Event) []string {
	out := []string{}
	for _, ev := range evs {
		out = append(out, ev.Key)
	}
	return out
}

// fileMode is path's permission bits.
func fileMode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// pid is this process's id.
var pid = os.Getpid()

// ownerToken fabricates an owner token.
func ownerToken(host string, pid int, start int64) string {
	return fmt.Sprintf("%s:%d:%d", host, pid, start)
}
