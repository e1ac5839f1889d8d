package store

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestScheduleState(t *testing.T) {
	s := openTest(t)
	if _, ok, err := s.ScheduleState(t.Context(), "nightly"); ok || err != nil {
		t.Fatalf("ScheduleState(new) = %v, %v, want none", ok, err)
	}
	for _, st := range []ScheduleState{
		{Name: "nightly", LastFire: t0, LastRunID: "run-1"},
		{Name: "nightly", LastFire: t0.Add(24 * time.Hour), LastRunID: "run-2"},
		{Name: "nightly"},
	} {
		if err := s.SetScheduleState(t.Context(), st); err != nil {
			t.Fatalf("SetScheduleState() = %v", err)
		}
		got, ok, err := s.ScheduleState(t.Context(), "nightly")
		if err != nil || !ok {
			t.Fatalf("ScheduleState() = %v, %v", ok, err)
		}
		if diff := cmp.Diff(st, got); diff != "" {
			t.Errorf("ScheduleState() mismatch (-want +got):\n%s", diff)
		}
	}
	if err := s.SetScheduleState(t.Context(), ScheduleState{}); err == nil {
		t.Error("SetScheduleState(no name) = nil, want an error")
	}
}

func TestHealth(t *testing.T) {
	s := openTest(t)
	if got, err := s.Health(t.Context()); err != nil || len(got) != 0 {
		t.Fatalf("Health() of a new file = %v, %v, want none", got, err)
	}
	xdr := Health{Connection: "xdr", OK: true, LastCheck: t0, LastOK: t0}
	wiz := Health{Connection: "wiz", Failures: 3, LastCheck: t0.Add(time.Minute), LastError: "401", Notified: true}
	for _, h := range []Health{xdr, wiz} {
		if err := s.SetHealth(t.Context(), h); err != nil {
			t.Fatalf("SetHealth() = %v", err)
		}
	}
	xdr = Health{Connection: "xdr", Failures: 1, LastCheck: t0.Add(time.Hour), LastOK: t0, LastError: "timeout"}
	if err := s.SetHealth(t.Context(), xdr); err != nil {
		t.Fatal(err)
	}
	got, err := s.Health(t.Context())
	if err != nil {
		t.Fatalf("Health() = %v", err)
	}
	if diff := cmp.Diff([]Health{wiz, xdr}, got); diff != "" {
		t.Errorf("Health() mismatch (-want +got):\n%s", diff)
	}
	if err := s.SetHealth(t.Context(), Health{}); err == nil {
		t.Error("SetHealth(no connection) = nil, want an error")
	}
}
