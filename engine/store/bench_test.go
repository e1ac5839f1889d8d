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

// BenchmarkListRunsByValue lists the first page of 50 runs with one value
// among 10,000 runs, each with a 2 KB report whose Key Fields list 3 hosts
// of 500: "host" filters by one host, which about 60 runs touched (the
// listing is driven by the value's rows); "every-run" by an input all
// runs have (the listing tests each run in order).
func BenchmarkListRunsByValue(b *testing.B) {
	s, err := Open(b.Context(), filepath.Join(b.TempDir(), "state.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	const hosts = 500
	pad := strings.Repeat("x", 1900)
	err = s.write(b.Context(), func(tx *sql.Tx) error {
		for i := range 10_000 {
			r := run(fmt.Sprintf("run-%05d", i), i)
			r.Inputs = json.RawMessage(fmt.Sprintf(`{"incident_id":"INC-%d","mode":"auto"}`, i))
			r.Status, r.FinishedAt = StatusSuccessful, r.StartedAt.Add(time.Second)
			r.Report = json.RawMessage(fmt.Sprintf(`{"status":"Successful","tasks":{"isolate":{"status":"succeeded",`+
				`"key_fields":{"EndpointIDs":["e-%d","e-%d","e-%d"]},"raw_data":{"pad":%q}}}}`,
				i%hosts, (i+1)%hosts, (i+2)%hosts, pad))
			if err := createRun(b.Context(), tx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		v    Value
	}{
		{"host", Value{Name: "EndpointIDs", Value: "e-17"}},
		{"every-run", Value{Name: "mode", Value: "auto"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			f := RunFilter{Values: []Value{bc.v}}
			b.ReportAllocs()
			for b.Loop() {
				runs, err := s.ListRuns(b.Context(), f)
				if err != nil || len(runs) != 50 {
					b.Fatalf("ListRuns(%v) = %d runs, %v", bc.v, len(runs), err)
				}
			}
		})
	}
}
