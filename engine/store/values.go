package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Value is a name and a value a run touched, to find runs by
// ([RunFilter].Values): a top-level input ("incident_id", "INC-9") or a Key
// Field of a task ("EndpointIDs", "e-17"); an input or Key Field that is
// a list gives one Value per element. Strings are as they are; numbers
// and booleans are their JSON text as written ("42", "2.50", "true").
//
// A run's values are recorded as it goes: its inputs when it is created,
// each checkpointed task's Key Fields when the task is saved, and the run
// report's Key Fields when it finishes. They are only added, so a resumed
// run is still found by what it touched before. Nulls, nested objects and
// lists, empty strings and values over 1024 bytes are not recorded. The
// one definition of which JSON nodes are values is the run_value_sources
// view of migration 0002, which the migration's backfill reads as well.
type Value struct {
	Name, Value string
}

// ParseValue reads a [Value] written NAME=VALUE, or NAME:VALUE as in the
// console's URLs (key=EndpointIDs:e-17). It splits at the first '=' or
// ':', so the value may hold either ("url=https://x"). Neither part may
// be empty.
func ParseValue(s string) (Value, error) {
	i := strings.IndexAny(s, "=:")
	if i < 0 {
		return Value{}, fmt.Errorf("value %q: want NAME=VALUE or NAME:VALUE", s)
	}
	v := Value{Name: s[:i], Value: s[i+1:]}
	switch {
	case v.Name == "":
		return Value{}, fmt.Errorf("value %q: empty name before %q", s, s[i])
	case v.Value == "":
		return Value{}, fmt.Errorf("value %q: empty value after %q", s, s[i])
	}
	return v, nil
}

// Sources of a run's values, the source column of the run_value_sources
// view.
const (
	sourceInput  = "input"  // runs.inputs
	sourceReport = "report" // run_reports.report
	sourceTask   = "task"   // run_tasks.report of one task
)

// addValues records the values run_value_sources finds in one source of
// run runID (for sourceTask, in the checkpoint of task taskID; else
// taskID is empty). Values already recorded are left as they are.
func addValues(ctx context.Context, tx *sql.Tx, runID, source, taskID string) error {
	_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO run_values (run_id, name, value)
		SELECT run_id, name, value FROM run_value_sources WHERE run_id = ? AND source = ? AND task_id = ?`,
		runID, source, taskID)
	if err != nil {
		return fmt.Errorf("record %s values: %w", source, err)
	}
	return nil
}

// valueDriveMax is the most runs the value a listing is driven by may
// match; see [Store.valueFilter].
const valueDriveMax = 1000

// valueFilter is how [Store.ListRuns] selects the runs that recorded every
// value of vs: the FROM clause, and WHERE terms with their arguments.
//
// Which plan is fast depends on how many runs a value matches, which the
// query planner cannot know, so this counts them (up to valueDriveMax,
// along the primary key). When the rarest value matches fewer, the query
// is driven by its rows (CROSS JOIN fixes the join order): it reads those
// runs and sorts them, at most valueDriveMax of them. Otherwise every value
// is an EXISTS test of each run read in the listing's order, which finds a
// page after about 50*N/valueDriveMax runs of N at worst. (Among 10,000
// runs, a value of 60 runs lists in 0.3 ms driven and 4.6 ms tested; one of
// every run in 18 ms driven and 0.2 ms tested.) The counts are read
// apart from the listing: one out of date only picks the slower plan.
func (s *Store) valueFilter(ctx context.Context, vs []Value) (string, []string, []any, error) {
	drive, most := -1, valueDriveMax
	for i, v := range vs {
		if v.Name == "" || v.Value == "" {
			return "", nil, nil, fmt.Errorf("value filter %q=%q: empty name or value", v.Name, v.Value)
		}
		var n int
		err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM
			(SELECT 1 FROM run_values WHERE name = ? AND value = ? LIMIT ?)`, v.Name, v.Value, most).Scan(&n)
		if err != nil {
			return "", nil, nil, err
		}
		if n < most {
			drive, most = i, n
		}
	}
	from := `runs`
	var terms []string
	var args []any
	for i, v := range vs {
		if i == drive {
			from = `run_values d CROSS JOIN runs`
			terms = append(terms, `d.name = ? AND d.value = ? AND d.run_id = runs.id`)
		} else {
			terms = append(terms, `EXISTS (SELECT 1 FROM run_values v WHERE v.name = ? AND v.value = ? AND v.run_id = runs.id)`)
		}
		args = append(args, v.Name, v.Value)
	}
	return from, terms, args, nil
}
