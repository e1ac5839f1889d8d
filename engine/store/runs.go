package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Run statuses: a run is running until it finishes with one of the
// others, the statuses of a run report. Interrupted is a run whose
// process ended before it finished ([Store.MarkInterrupted]).
const (
	StatusRunning             = "running"
	StatusSuccessful          = "Successful"
	StatusFailed              = "Failed"
	StatusPartiallySuccessful = "Partially Successful"
	StatusCancelled           = "Cancelled"
	StatusInterrupted         = "Interrupted"
)

// finalStatus reports whether status ends a run.
func finalStatus(status string) bool {
	switch status {
	case StatusSuccessful, StatusFailed, StatusPartiallySuccessful, StatusCancelled, StatusInterrupted:
		return true
	}
	return false
}

// interruptedError is the Error of a run [Store.MarkInterrupted] marks.
const interruptedError = "the process running it ended before it finished"

// Run is one playbook run as stored.
type Run struct {
	ID, Playbook, File string
	// Status is StatusRunning, then one of the final statuses.
	Status string
	// Trigger says what started the run: "cli", "schedule:NAME",
	// "intake:NAME" or "webhook:NAME".
	Trigger string
	// TriggerRef says which firing of the trigger: the event key, the
	// schedule's fire time; it may be empty.
	TriggerRef string
	Inputs     json.RawMessage // a JSON object; nil is stored as {}
	Event      json.RawMessage // the triggering event; nil when none
	// StartedAt and FinishedAt are stored in UTC with nanoseconds and
	// read back in UTC. FinishedAt is zero while the run is running.
	StartedAt, FinishedAt time.Time
	// Report is the run report JSON: nil while running, and always nil
	// from ListRuns.
	Report json.RawMessage
	// Owner is the owner token ([Owner]) of the process running it.
	Owner string
	// Error is the report's error text, if any, for list views.
	Error string
}

// CreateRun stores a new run and records its input [Value]s (and the Key
// Field values of its Report, if it has one). An empty Status is
// StatusRunning, an empty Owner is this process's [Owner], and a zero
// StartedAt is now. A run whose ID is already stored is an error wrapping
// [ErrExists].
func (s *Store) CreateRun(ctx context.Context, r Run) error {
	err := s.write(ctx, func(tx *sql.Tx) error { return createRun(ctx, tx, r) })
	if err != nil {
		return fmt.Errorf("create run %s: %w", r.ID, err)
	}
	return nil
}

func createRun(ctx context.Context, tx *sql.Tx, r Run) error {
	if r.ID == "" {
		return errors.New("empty run id")
	}
	if r.Status == "" {
		r.Status = StatusRunning
	}
	if r.Status != StatusRunning && !finalStatus(r.Status) {
		return fmt.Errorf("unknown status %q", r.Status)
	}
	if r.Owner == "" {
		r.Owner = Owner()
	}
	if r.StartedAt.IsZero() {
		r.StartedAt = time.Now()
	}
	if err := checkTimes(r.StartedAt, r.FinishedAt); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO runs (id, playbook, file, status, triggered_by, trigger_ref,
			started_at, finished_at, owner, error, inputs, event)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		r.ID, r.Playbook, r.File, r.Status, r.Trigger, r.TriggerRef,
		dbTime(r.StartedAt), dbTime(r.FinishedAt), r.Owner, r.Error, string(orObject(r.Inputs)), dbJSON(r.Event))
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return ErrExists
	}
	if err := addValues(ctx, tx, r.ID, sourceInput, ""); err != nil {
		return err
	}
	if r.Report == nil {
		return nil
	}
	if _, err = tx.ExecContext(ctx, `INSERT INTO run_reports (run_id, report) VALUES (?, ?)`, r.ID, string(r.Report)); err != nil {
		return err
	}
	return addValues(ctx, tx, r.ID, sourceReport, "")
}

// SaveTask stores, or replaces, the report of one finished task of a run:
// the checkpoint a resumed run starts from. It records the task's Key
// Field [Value]s, so a running run is found by them.
func (s *Store) SaveTask(ctx context.Context, runID, taskID string, report json.RawMessage) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if report == nil {
			return errors.New("nil report")
		}
		if err := runExists(ctx, tx, runID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO run_tasks (run_id, task_id, saved_at, report) VALUES (?, ?, ?, ?)
			ON CONFLICT (run_id, task_id) DO UPDATE SET saved_at = excluded.saved_at, report = excluded.report`,
			runID, taskID, dbTime(time.Now()), string(report))
		if err != nil {
			return err
		}
		return addValues(ctx, tx, runID, sourceTask, taskID)
	})
	if err != nil {
		return fmt.Errorf("save task %s of run %s: %w", taskID, runID, err)
	}
	return nil
}

func runExists(ctx context.Context, tx *sql.Tx, id string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM runs WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// Tasks is a run's checkpoints: each saved task's report by task id.
func (s *Store) Tasks(ctx context.Context, runID string) (map[string]json.RawMessage, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT task_id, report FROM run_tasks WHERE run_id = ?`, runID)
	if err != nil {
		return nil, fmt.Errorf("tasks of run %s: %w", runID, err)
	}
	defer rows.Close()
	tasks := map[string]json.RawMessage{}
	for rows.Next() {
		var id string
		var report []byte
		if err := rows.Scan(&id, &report); err != nil {
			return nil, fmt.Errorf("tasks of run %s: %w", runID, err)
		}
		tasks[id] = report
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("tasks of run %s: %w", runID, err)
	}
	return tasks, nil
}

// FinishRun records the end of a run: its final status, finish time,
// report (nil for none) and error text, and the report's Key Field
// [Value]s. The run keeps the values recorded before.
func (s *Store) FinishRun(ctx context.Context, id, status string, finished time.Time, report json.RawMessage, errText string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if !finalStatus(status) {
			return fmt.Errorf("%q is not a final status", status)
		}
		if finished.IsZero() {
			return errors.New("zero finish time")
		}
		if err := checkTimes(finished); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE runs SET status = ?, finished_at = ?, error = ? WHERE id = ?`,
			status, dbTime(finished), errText, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrNotFound
		}
		if report == nil {
			_, err = tx.ExecContext(ctx, `DELETE FROM run_reports WHERE run_id = ?`, id)
			return err
		}
		if _, err = tx.ExecContext(ctx, `INSERT INTO run_reports (run_id, report) VALUES (?, ?)
			ON CONFLICT (run_id) DO UPDATE SET report = excluded.report`, id, string(report)); err != nil {
			return err
		}
		return addValues(ctx, tx, id, sourceReport, "")
	})
	if err != nil {
		return fmt.Errorf("finish run %s: %w", id, err)
	}
	return nil
}

// ResumeRun sets an Interrupted, Failed or Cancelled run running again
// under owner (empty: this process's [Owner]): it clears the finish time,
// the error and the report, and keeps the task checkpoints and every
// [Value] recorded, those of the cleared report too. A run in any
// other status is an error naming the status.
func (s *Store) ResumeRun(ctx context.Context, id, owner string) error {
	if owner == "" {
		owner = Owner()
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM runs WHERE id = ?`, id).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		switch status {
		case StatusInterrupted, StatusFailed, StatusCancelled:
		default:
			return fmt.Errorf("the run is %s; only an Interrupted, Failed or Cancelled run can be resumed", status)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE runs SET status = ?, owner = ?, finished_at = NULL, error = ''
			WHERE id = ?`, StatusRunning, owner, id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM run_reports WHERE run_id = ?`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("resume run %s: %w", id, err)
	}
	return nil
}

// MarkInterrupted finishes, as Interrupted, every running run whose owner
// is a process on this host that has ended (see [Owner]), and returns
// their ids. Runs owned by other hosts are left alone: nothing here can
// tell whether their process lives.
func (s *Store) MarkInterrupted(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, owner FROM runs WHERE status = ? ORDER BY id`, StatusRunning)
	if err != nil {
		return nil, fmt.Errorf("mark interrupted runs: %w", err)
	}
	type cand struct{ id, owner string }
	var gone []cand
	for rows.Next() {
		var c cand
		if err := rows.Scan(&c.id, &c.owner); err != nil {
			rows.Close()
			return nil, fmt.Errorf("mark interrupted runs: %w", err)
		}
		if ownerGone(c.owner) {
			gone = append(gone, c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("mark interrupted runs: %w", err)
	}
	if len(gone) == 0 {
		return nil, nil
	}
	var marked []string
	now := dbTime(time.Now())
	err = s.write(ctx, func(tx *sql.Tx) error {
		for _, c := range gone {
			// The owner check skips a run resumed by a live process since
			// it was read.
			res, err := tx.ExecContext(ctx, `UPDATE runs SET status = ?, finished_at = ?, error = ?
				WHERE id = ? AND status = ? AND owner = ?`,
				StatusInterrupted, now, interruptedError, c.id, StatusRunning, c.owner)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 1 {
				marked = append(marked, c.id)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("mark interrupted runs: %w", err)
	}
	return marked, nil
}
