package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestAddEventsDedup(t *testing.T) {
	s := openTest(t)
	first, err := s.AddEvents(t.Context(), "xdr", []Event{event("xdr", "a"), event("xdr", "b")}, t0)
	if err != nil {
		t.Fatalf("AddEvents() = %v", err)
	}
	if diff := cmp.Diff([]string{"a", "b"}, keys(first)); diff != "" {
		t.Errorf("first AddEvents() mismatch (-want +got):\n%s", diff)
	}
	// b again, c new, a again with other fields, c twice: the first c wins.
	again := event("xdr", "a")
	again.Fields = json.RawMessage(`{"changed":true}`)
	c2 := event("xdr", "c")
	c2.UniqueKey = "second c"
	second, err := s.AddEvents(t.Context(), "xdr", []Event{event("xdr", "b"), event("xdr", "c"), again, c2}, t0)
	if err != nil {
		t.Fatalf("AddEvents() = %v", err)
	}
	if diff := cmp.Diff([]string{"c"}, keys(second)); diff != "" {
		t.Errorf("second AddEvents() mismatch (-want +got):\n%s", diff)
	}
	// Another source may use the same keys.
	other, err := s.AddEvents(t.Context(), "wiz", []Event{event("wiz", "a")}, t0)
	if err != nil || len(other) != 1 {
		t.Errorf("AddEvents(other source) = %v, %v, want one new event", keys(other), err)
	}

	got, err := s.ListEvents(t.Context(), EventFilter{Source: "xdr"})
	if err != nil {
		t.Fatalf("ListEvents() = %v", err)
	}
	want := []Event{second[0], first[1], first[0]}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ListEvents() mismatch (-want +got):\n%s", diff)
	}
	if got[0].UniqueKey != "u-c" || string(got[2].Fields) != `{"z":1,"id":"a"}` {
		t.Errorf("stored events = %+v, want the first of each key, fields byte for byte", got)
	}
	if !(first[0].Seq < first[1].Seq && first[1].Seq < second[0].Seq) {
		t.Errorf("seqs %d, %d, %d are not increasing", first[0].Seq, first[1].Seq, second[0].Seq)
	}
}

func TestAddEventsDefaults(t *testing.T) {
	s := openTest(t)
	got, err := s.AddEvents(t.Context(), "xdr", []Event{{Source: "xdr", Key: "k"}}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	ev := got[0]
	if ev.State != StatePending || string(ev.Fields) != "{}" || ev.Raw != nil || ev.FetchedAt.IsZero() {
		t.Errorf("AddEvents() = %+v, want pending, fields {}, no raw, fetched now", ev)
	}
	if _, ok, err := s.Mark(t.Context(), "xdr"); ok || err != nil {
		t.Errorf("Mark() after a zero mark = %v, %v, want none", ok, err)
	}
	listed, err := s.ListEvents(t.Context(), EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, listed); diff != "" {
		t.Errorf("ListEvents() mismatch with AddEvents() (-want +got):\n%s", diff)
	}
}

func TestMarkMovesForward(t *testing.T) {
	s := openTest(t)
	if _, ok, err := s.Mark(t.Context(), "xdr"); ok || err != nil {
		t.Fatalf("Mark() of a new source = %v, %v, want none", ok, err)
	}
	for _, tc := range []struct {
		mark, want time.Time
	}{
		{t0, t0},
		{t0.Add(time.Nanosecond), t0.Add(time.Nanosecond)},
		{t0.Add(-time.Hour), t0.Add(time.Nanosecond)}, // earlier: kept
		{time.Time{}, t0.Add(time.Nanosecond)},        // zero: kept
		{t0.Add(time.Hour), t0.Add(time.Hour)},
	} {
		if _, err := s.AddEvents(t.Context(), "xdr", nil, tc.mark); err != nil {
			t.Fatalf("AddEvents(mark %v) = %v", tc.mark, err)
		}
		got, ok, err := s.Mark(t.Context(), "xdr")
		if err != nil || !ok || !got.Equal(tc.want) || got.Location() != time.UTC {
			t.Errorf("after AddEvents(mark %v): Mark() = %v, %v, %v, want %v in UTC", tc.mark, got, ok, err, tc.want)
		}
	}
}

func TestAddEventsFailureStoresNothing(t *testing.T) {
	s := openTest(t)
	if _, err := s.AddEvents(t.Context(), "xdr", []Event{event("xdr", "a")}, t0); err != nil {
		t.Fatal(err)
	}
	bad := []struct {
		name string
		ev   Event
	}{
		{"other source", event("wiz", "x")},
		{"no key", event("xdr", "")},
		{"unknown state", Event{Source: "xdr", Key: "x", State: "done"}},
		{"triggered", Event{Source: "xdr", Key: "x", State: StateTriggered}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			// Good events come before the bad one, so they were written
			// when it failed: the transaction must roll them back.
			evs := []Event{event("xdr", "b"), event("xdr", "c"), tc.ev}
			if got, err := s.AddEvents(t.Context(), "xdr", evs, t0.Add(time.Hour)); err == nil {
				t.Fatalf("AddEvents() = %v, nil, want an error", keys(got))
			}
			listed, err := s.ListEvents(t.Context(), EventFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"a"}, keys(listed)); diff != "" {
				t.Errorf("events after a failed AddEvents() mismatch (-want +got):\n%s", diff)
			}
			if mark, _, err := s.Mark(t.Context(), "xdr"); err != nil || !mark.Equal(t0) {
				t.Errorf("Mark() after a failed AddEvents() = %v, %v, want %v", mark, err, t0)
			}
		})
	}
}

func TestPendingEventsAndStates(t *testing.T) {
	s := openTest(t)
	none := event("xdr", "n")
	none.State = StateNone
	if _, err := s.AddEvents(t.Context(), "xdr", []Event{event("xdr", "c"), event("xdr", "a"), none, event("xdr", "b")}, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddEvents(t.Context(), "wiz", []Event{event("wiz", "w")}, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.SetEventState(t.Context(), "xdr", "a", StateSkipped); err != nil {
		t.Fatalf("SetEventState() = %v", err)
	}
	got, err := s.PendingEvents(t.Context(), "xdr")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"c", "b"}, keys(got)); diff != "" {
		t.Errorf("PendingEvents(xdr) mismatch (-want +got):\n%s", diff)
	}
	if got, err = s.PendingEvents(t.Context(), ""); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"c", "b", "w"}, keys(got)); diff != "" {
		t.Errorf("PendingEvents(all) mismatch (-want +got):\n%s", diff)
	}

	if err := s.SetEventState(t.Context(), "xdr", "zz", StateSkipped); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetEventState(missing) = %v, want ErrNotFound", err)
	}
	for _, state := range []string{StateTriggered, "done"} {
		if err := s.SetEventState(t.Context(), "xdr", "c", state); err == nil {
			t.Errorf("SetEventState(%q) = nil, want an error", state)
		}
	}
	if err := s.TriggerRun(t.Context(), "xdr", "c", run("run-c", 0)); err != nil {
		t.Fatal(err)
	}
	if err := s.SetEventState(t.Context(), "xdr", "c", StatePending); !errors.Is(err, ErrAlreadyTriggered) {
		t.Errorf("SetEventState(triggered event) = %v, want ErrAlreadyTriggered", err)
	}
}

func TestTriggerRunOnce(t *testing.T) {
	s := openTest(t)
	if _, err := s.AddEvents(t.Context(), "xdr", []Event{event("xdr", "a"), event("xdr", "s")}, t0); err != nil {
		t.Fatal(err)
	}
	r := run("run-1", 0)
	r.Trigger, r.TriggerRef = "intake:xdr", "a"
	if err := s.TriggerRun(t.Context(), "xdr", "a", r); err != nil {
		t.Fatalf("TriggerRun() = %v", err)
	}
	if err := s.TriggerRun(t.Context(), "xdr", "a", run("run-2", 0)); !errors.Is(err, ErrAlreadyTriggered) {
		t.Errorf("second TriggerRun() = %v, want ErrAlreadyTriggered", err)
	}
	if err := s.SetEventState(t.Context(), "xdr", "s", StateSkipped); err != nil {
		t.Fatal(err)
	}
	if err := s.TriggerRun(t.Context(), "xdr", "s", run("run-3", 0)); !errors.Is(err, ErrAlreadyTriggered) {
		t.Errorf("TriggerRun(skipped) = %v, want ErrAlreadyTriggered", err)
	}
	if err := s.TriggerRun(t.Context(), "xdr", "zz", run("run-4", 0)); !errors.Is(err, ErrNotFound) {
		t.Errorf("TriggerRun(missing) = %v, want ErrNotFound", err)
	}
	runs, err := s.ListRuns(t.Context(), RunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"run-1"}, ids(runs)); diff != "" {
		t.Errorf("runs mismatch (-want +got):\n%s", diff)
	}
	evs, err := s.ListEvents(t.Context(), EventFilter{Source: "xdr"})
	if err != nil {
		t.Fatal(err)
	}
	if got := evs[1]; got.Key != "a" || got.State != StateTriggered || got.RunID != "run-1" {
		t.Errorf("event a = %+v, want triggered by run-1", got)
	}
}

func TestTriggerRunConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	stores := []*Store{openAt(t, path), openAt(t, path)}
	if _, err := stores[0].AddEvents(t.Context(), "xdr", []Event{event("xdr", "a")}, t0); err != nil {
		t.Fatal(err)
	}
	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = stores[i%2].TriggerRun(t.Context(), "xdr", "a", run(fmt.Sprintf("run-%02d", i), 0))
		})
	}
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, ErrAlreadyTriggered):
			t.Errorf("TriggerRun #%d = %v, want nil or ErrAlreadyTriggered", i, err)
		}
	}
	if ok != 1 {
		t.Errorf("%d TriggerRun calls succeeded, want 1", ok)
	}
	runs, err := stores[1].ListRuns(t.Context(), RunFilter{})
	if err != nil || len(runs) != 1 {
		t.Errorf("ListRuns() = %v, %v, want one run", ids(runs), err)
	}
}

func TestListEventsPaging(t *testing.T) {
	s := openTest(t)
	var evs []Event
	for i := range 7 {
		ev := event("xdr", fmt.Sprintf("k%d", i))
		ev.FetchedAt = t0.Add(time.Duration(i) * time.Minute)
		evs = append(evs, ev)
	}
	if _, err := s.AddEvents(t.Context(), "xdr", evs, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddEvents(t.Context(), "wiz", []Event{event("wiz", "w")}, t0); err != nil {
		t.Fatal(err)
	}
	var got []string
	var pages []int
	f := EventFilter{Source: "xdr", Limit: 3}
	for {
		page, err := s.ListEvents(t.Context(), f)
		if err != nil {
			t.Fatalf("ListEvents() = %v", err)
		}
		if len(page) == 0 {
			break
		}
		pages = append(pages, len(page))
		got = append(got, keys(page)...)
		f.BeforeSeq = page[len(page)-1].Seq
	}
	if diff := cmp.Diff([]string{"k6", "k5", "k4", "k3", "k2", "k1", "k0"}, got); diff != "" {
		t.Errorf("paged ListEvents() mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{3, 3, 1}, pages); diff != "" {
		t.Errorf("page sizes mismatch (-want +got):\n%s", diff)
	}
	since, err := s.ListEvents(t.Context(), EventFilter{Source: "xdr", Since: t0.Add(5 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"k6", "k5"}, keys(since)); diff != "" {
		t.Errorf("ListEvents(since) mismatch (-want +got):\n%s", diff)
	}
	all, err := s.ListEvents(t.Context(), EventFilter{})
	if err != nil || len(all) != 8 || all[0].Key != "w" {
		t.Errorf("ListEvents(all) = %v, %v, want 8 events, w first", keys(all), err)
	}
}
