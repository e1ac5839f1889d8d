package store

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkListRuns lists the first page of 50 of one status among 10,000
// runs, each with a 2 KB report.
func BenchmarkListRuns(b *testing.B) {
	s, err := Open(b.Context(), filepath.Join(b.TempDir(), "state.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	report := json.RawMessage(`{"pad":"` + strings.Repeat("x", 2048) + `"}`)
	statuses := []string{StatusSuccessful, StatusFailed, StatusPartiallySuccessful, StatusCancelled}
	// One transaction for the setup: 10,000 separate commits would each wait
	// for an fsync.
	err = s.write(b.Context(), func(tx *sql.Tx) error {
		for i := range 10_000 {
			r := run(fmt.Sprintf("run-%05d", i), i)
			r.Status, r.FinishedAt, r.Report = statuses[i%len(statuses)], r.StartedAt.Add(time.Second), report
			if err := createRun(b.Context(), tx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		runs, err := s.ListRuns(b.Context(), RunFilter{Status: StatusFailed})
		if err != nil || len(runs) != 50 {
			b.Fatalf("ListRuns() = %d runs, %v", len(runs), err)
		}
	}
}

// BenchmarkAddEvents adds 100 new events per call, each call one
// transaction with its mark.
func BenchmarkAddEvents(b *testing.B) {
	s, err := Open(b.Context(), filepath.Join(b.TempDir(), "state.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	fields := json.RawMessage(`{"id":"x","severity":"high","host":"h-1","description":"` + strings.Repeat("d", 200) + `"}`)
	evs := make([]Event, 100)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		for i := range evs {
			evs[i] = Event{Source: "xdr", Key: fmt.Sprintf("k%08d", n), Fields: fields, FetchedAt: t0, State: StatePending}
			n++
		}
		added, err := s.AddEvents(b.Context(), "xdr", evs, t0.Add(time.Duration(n)))
		if err != nil || len(added) != len(evs) {
			b.Fatalf("AddEvents() = %d, %v", len(added), err)
		}
	}
}
