package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// MinPrefix is the shortest run id prefix [Store.GetRun] accepts.
const MinPrefix = 6

// AmbiguousError is a run id prefix that matches more than one run.
type AmbiguousError struct {
	Prefix  string
	Matches []string // the first few matching ids, in id order
	More    bool     // whether more runs match than Matches lists
}

func (e *AmbiguousError) Error() string {
	more := ""
	if e.More {
		more = ", ..."
	}
	return fmt.Sprintf("run id prefix %q is ambiguous: it matches %s%s", e.Prefix, strings.Join(e.Matches, ", "), more)
}

// maxMatches is how many ids an [AmbiguousError] lists.
const maxMatches = 5

// runCols are the columns scanRun reads, all but the report.
const runCols = `id, playbook, file, status, triggered_by, trigger_ref, started_at, finished_at, owner, error, inputs, event`

// GetRun reads one run with its report. id is a run id or a prefix of one
// at least [MinPrefix] characters long that no other run shares. A run
// that does not exist is an error wrapping [ErrNotFound]; a prefix of
// several is an [*AmbiguousError].
func (s *Store) GetRun(ctx context.Context, id string) (Run, error) {
	full, err := s.resolveRun(ctx, id)
	if err != nil {
		return Run{}, err
	}
	row := s.db.QueryRowContext(ctx, `SELECT `+runCols+`, (SELECT report FROM run_reports WHERE run_id = runs.id)
		FROM runs WHERE id = ?`, full)
	r, err := scanRun(row, true)
	if errors.Is(err, sql.ErrNoRows) { // deleted since it was resolved
		err = ErrNotFound
	}
	if err != nil {
		return Run{}, fmt.Errorf("run %s: %w", id, err)
	}
	return r, nil
}

// resolveRun turns an id or a unique prefix into the id.
func (s *Store) resolveRun(ctx context.Context, id string) (string, error) {
	var full string
	err := s.db.QueryRowContext(ctx, `SELECT id FROM runs WHERE id = ?`, id).Scan(&full)
	if err == nil {
		return full, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("run %s: %w", id, err)
	}
	if utf8.RuneCountInString(id) < MinPrefix {
		return "", fmt.Errorf("run %q: %w (an id prefix needs at least %d characters)", id, ErrNotFound, MinPrefix)
	}
	// Text compares bytewise, so the ids starting with id lie in
	// [id, upper) where upper is id with its last byte incremented; a
	// last byte of 0xff, never in UTF-8, has no upper bound.
	q, args := `SELECT id FROM runs WHERE id >= ?`, []any{id}
	if last := id[len(id)-1]; last < 0xff {
		q += ` AND id < ?`
		args = append(args, id[:len(id)-1]+string([]byte{last + 1}))
	}
	rows, err := s.db.QueryContext(ctx, q+` AND substr(id, 1, length(?)) = ? ORDER BY id LIMIT ?`,
		append(args, id, id, maxMatches+1)...)
	if err != nil {
		return "", fmt.Errorf("run %s: %w", id, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		if err := rows.Scan(&full); err != nil {
			return "", fmt.Errorf("run %s: %w", id, err)
		}
		ids = append(ids, full)
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("run %s: %w", id, err)
	}
	switch {
	case len(ids) == 0:
		return "", fmt.Errorf("run %s: %w", id, ErrNotFound)
	case len(ids) > 1:
		e := &AmbiguousError{Prefix: id, Matches: ids, More: len(ids) > maxMatches}
		if e.More {
			e.Matches = ids[:maxMatches]
		}
		return "", e
	}
	return ids[0], nil
}

// RunFilter selects runs for [Store.ListRuns]. Zero fields select all.
type RunFilter struct {
	Playbook string
	Status   string
	// Trigger is a run's trigger ("schedule:nightly"), or a kind alone
	// ("schedule"), which matches every trigger of that kind.
	Trigger string
	Since   time.Time // runs started at or after Since
	// Values selects the runs that recorded every one of these values
	// (see [Value]); each needs a non-empty Name and Value.
	Values []Value
	Limit  int // at most this many runs; 0 is 50
	// Before continues a listing: only runs after the cursor, in the
	// listing's order, are returned.
	Before *Cursor
}

// Cursor is a position in a run listing: pass the last run of a page,
// [CursorOf], to get the next page.
type Cursor struct {
	StartedAt time.Time
	ID        string
}

// CursorOf is the cursor just after r.
func CursorOf(r Run) *Cursor { return &Cursor{StartedAt: r.StartedAt, ID: r.ID} }

// defaultRunLimit is the page size of a RunFilter with no Limit.
const defaultRunLimit = 50

// ListRuns lists runs newest first (by start time, then by id, both
// descending), without their reports.
func (s *Store) ListRuns(ctx context.Context, f RunFilter) ([]Run, error) {
	var where []string
	var args []any
	if f.Playbook != "" {
		where, args = append(where, `playbook = ?`), append(args, f.Playbook)
	}
	if f.Status != "" {
		where, args = append(where, `status = ?`), append(args, f.Status)
	}
	if f.Trigger != "" {
		if strings.Contains(f.Trigger, ":") {
			where, args = append(where, `triggered_by = ?`), append(args, f.Trigger)
		} else {
			where = append(where, `(triggered_by = ? OR substr(triggered_by, 1, length(?) + 1) = ? || ':')`)
			args = append(args, f.Trigger, f.Trigger, f.Trigger)
		}
	}
	if err := checkTimes(f.Since); err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	if !f.Since.IsZero() {
		where, args = append(where, `started_at >= ?`), append(args, dbTime(f.Since))
	}
	from := `runs`
	if len(f.Values) > 0 {
		vfrom, terms, vargs, err := s.valueFilter(ctx, f.Values)
		if err != nil {
			return nil, fmt.Errorf("list runs: %w", err)
		}
		from, where, args = vfrom, append(where, terms...), append(args, vargs...)
	}
	if f.Before != nil {
		if err := checkTimes(f.Before.StartedAt); err != nil {
			return nil, fmt.Errorf("list runs: %w", err)
		}
		where = append(where, `(started_at, id) < (?, ?)`)
		args = append(args, dbTime(f.Before.StartedAt), f.Before.ID)
	}
	q := `SELECT ` + runCols + ` FROM ` + from
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultRunLimit
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY started_at DESC, id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	defer rows.Close()
	var runs []Run
	for rows.Next() {
		r, err := scanRun(rows, false)
		if err != nil {
			return nil, fmt.Errorf("list runs: %w", err)
		}
		runs = append(runs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	return runs, nil
}

type scanner interface{ Scan(dest ...any) error }

// scanRun reads the runCols, and the report after them if withReport.
func scanRun(sc scanner, withReport bool) (Run, error) {
	var r Run
	var started, finished sql.NullString
	var inputs, event, report []byte
	dest := []any{&r.ID, &r.Playbook, &r.File, &r.Status, &r.Trigger, &r.TriggerRef,
		&started, &finished, &r.Owner, &r.Error, &inputs, &event}
	if withReport {
		dest = append(dest, &report)
	}
	if err := sc.Scan(dest...); err != nil {
		return Run{}, err
	}
	var err error
	if r.StartedAt, err = parseTime(started); err != nil {
		return Run{}, err
	}
	if r.FinishedAt, err = parseTime(finished); err != nil {
		return Run{}, err
	}
	r.Inputs, r.Event, r.Report = inputs, event, report
	return r, nil
}

// RunningOwnedBy lists the runs still running whose owner is owner (a
// backend's, such as "temporal:default"), oldest first.
func (s *Store) RunningOwnedBy(ctx context.Context, owner string) ([]Run, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+runCols+` FROM runs WHERE status = ? AND owner = ? ORDER BY started_at, id`,
		StatusRunning, owner)
	if err != nil {
		return nil, fmt.Errorf("list running runs: %w", err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		r, err := scanRun(rows, false)
		if err != nil {
			return nil, fmt.Errorf("list running runs: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
