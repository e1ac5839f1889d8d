package store

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestTwoHandlesWriteConcurrently stands for a daemon and a `playbook run
// --record` sharing one file: every write must wait its turn, none may
// fail with SQLITE_BUSY.
func TestTwoHandlesWriteConcurrently(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	stores := []*Store{openAt(t, path), openAt(t, path)}
	const workers, perWorker = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*perWorker*4)
	for w := range workers {
		s := stores[w%2]
		wg.Go(func() {
			for i := range perWorker {
				id := fmt.Sprintf("run-w%d-%02d", w, i)
				ctx := t.Context()
				r := run(id, i)
				if err := s.CreateRun(ctx, r); err != nil {
					errs <- err
					continue
				}
				if err := s.SaveTask(ctx, id, "a", json.RawMessage(`{"status":"succeeded"}`)); err != nil {
					errs <- err
				}
				src := fmt.Sprintf("src%d", w%3)
				ev := event(src, fmt.Sprintf("w%d-%d", w, i))
				if _, err := s.AddEvents(ctx, src, []Event{ev, event(src, "shared")}, t0.Add(time.Duration(i)*time.Second)); err != nil {
					errs <- err
				}
				if _, err := s.ListRuns(ctx, RunFilter{Status: StatusRunning, Limit: 5}); err != nil {
					errs <- err
				}
				if err := s.FinishRun(ctx, id, StatusSuccessful, r.StartedAt.Add(time.Second), json.RawMessage(`{}`), ""); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent write: %v", err)
	}
	runs, err := stores[0].ListRuns(t.Context(), RunFilter{Status: StatusSuccessful, Limit: 1000})
	if err != nil || len(runs) != workers*perWorker {
		t.Errorf("ListRuns() = %d runs, %v, want %d", len(runs), err, workers*perWorker)
	}
	evs, err := stores[1].ListEvents(t.Context(), EventFilter{Limit: 1000})
	if want := workers*perWorker + 3; err != nil || len(evs) != want {
		t.Errorf("ListEvents() = %d events, %v, want %d (one shared key per source)", len(evs), err, want)
	}
}
