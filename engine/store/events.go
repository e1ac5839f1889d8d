package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Event states.
const (
	StatePending   = "pending"   // a trigger must still decide
	StateSkipped   = "skipped"   // the trigger decided not to run
	StateTriggered = "triggered" // a run was started for it ([Store.TriggerRun])
	StateNone      = "none"      // the source has no trigger
)

// ErrAlreadyTriggered is returned when an event already started a run,
// or a trigger already decided about it.
var ErrAlreadyTriggered = errors.New("event already triggered")

// Event is one ingested event of an intake source.
type Event struct {
	Source    string          // intake source name
	Key       string          // dedup key, unique within Source
	UniqueKey string          // the mapped unique key value, for display
	Fields    json.RawMessage // mapped fields, a JSON object; nil is stored as {}
	Raw       json.RawMessage // the vendor's event node; may be nil
	FetchedAt time.Time       // zero is the time it is added
	State     string          // one of the State constants; empty is pending
	RunID     string          // the run it triggered, if any
	Seq       int64           // insertion order, set by the store
}

func knownState(s string) bool {
	switch s {
	case StatePending, StateSkipped, StateTriggered, StateNone:
		return true
	}
	return false
}

// AddEvents, in one transaction, stores the events of source whose Key is
// new (a key seen before, or earlier in evs, is left as it is) and moves
// source's high-water mark to mark. The mark only moves forward: a mark
// before the stored one, or the zero time, leaves it. It returns the
// events it stored, in input order, with Seq set. Every event must have
// Source == source, a Key, and a State other than triggered. On any
// error nothing is stored and the mark is unchanged.
func (s *Store) AddEvents(ctx context.Context, source string, evs []Event, mark time.Time) ([]Event, error) {
	if source == "" {
		return nil, errors.New("add events: empty source")
	}
	if err := checkTimes(mark); err != nil {
		return nil, fmt.Errorf("add events to %s: %w", source, err)
	}
	now := time.Now()
	var added []Event
	err := s.write(ctx, func(tx *sql.Tx) error {
		ins, err := tx.PrepareContext(ctx, `INSERT INTO events (source, key, unique_key, fetched_at, state, fields, raw)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, key) DO NOTHING`)
		if err != nil {
			return err
		}
		defer ins.Close()
		for i, ev := range evs {
			if err := checkEvent(source, &ev, now); err != nil {
				return fmt.Errorf("event %d (key %q): %w", i, ev.Key, err)
			}
			res, err := ins.ExecContext(ctx, source, ev.Key, ev.UniqueKey, dbTime(ev.FetchedAt), ev.State,
				string(ev.Fields), dbJSON(ev.Raw))
			if err != nil {
				return fmt.Errorf("event %d (key %q): %w", i, ev.Key, err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				continue
			}
			if ev.Seq, err = res.LastInsertId(); err != nil {
				return err
			}
			added = append(added, ev)
		}
		if mark.IsZero() {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO marks (source, mark) VALUES (?, ?)
			ON CONFLICT (source) DO UPDATE SET mark = max(mark, excluded.mark)`, source, dbTime(mark))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("add events to %s: %w", source, err)
	}
	return added, nil
}

// checkEvent validates ev and fills in its defaults as stored.
func checkEvent(source string, ev *Event, now time.Time) error {
	switch {
	case ev.Source != source:
		return fmt.Errorf("source is %q, not %q", ev.Source, source)
	case ev.Key == "":
		return errors.New("empty key")
	case ev.State == StateTriggered || ev.RunID != "":
		return errors.New("only TriggerRun triggers an event")
	}
	if ev.State == "" {
		ev.State = StatePending
	}
	if !knownState(ev.State) {
		return fmt.Errorf("unknown state %q", ev.State)
	}
	if ev.FetchedAt.IsZero() {
		ev.FetchedAt = now
	}
	if err := checkTimes(ev.FetchedAt); err != nil {
		return err
	}
	ev.FetchedAt = ev.FetchedAt.UTC()
	ev.Fields = orObject(ev.Fields)
	return nil
}

// Mark is source's high-water mark, and whether it has one.
func (s *Store) Mark(ctx context.Context, source string) (time.Time, bool, error) {
	var v sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT mark FROM marks WHERE source = ?`, source).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("mark of %s: %w", source, err)
	}
	t, err := parseTime(v)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("mark of %s: %w", source, err)
	}
	return t, true, nil
}

// eventCols are the columns scanEvent reads.
const eventCols = `seq, source, key, unique_key, fetched_at, state, run_id, fields, raw`

// PendingEvents is source's pending events, oldest first; an empty source
// is every source's.
func (s *Store) PendingEvents(ctx context.Context, source string) ([]Event, error) {
	q := `SELECT ` + eventCols + ` FROM events WHERE state = 'pending' AND source = ? ORDER BY seq`
	args := []any{source}
	if source == "" {
		q, args = `SELECT `+eventCols+` FROM events WHERE state = 'pending' ORDER BY seq`, nil
	}
	evs, err := s.queryEvents(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("pending events of %s: %w", source, err)
	}
	return evs, nil
}

// SetEventState sets an event's state, as a trigger decides ("skipped").
// A triggered event keeps its state: that is [ErrAlreadyTriggered], as is
// setting StateTriggered, which only [Store.TriggerRun] does.
func (s *Store) SetEventState(ctx context.Context, source, key, state string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if state == StateTriggered {
			return errors.New("only TriggerRun triggers an event")
		}
		if !knownState(state) {
			return fmt.Errorf("unknown state %q", state)
		}
		res, err := tx.ExecContext(ctx, `UPDATE events SET state = ? WHERE source = ? AND key = ? AND state != ?`,
			state, source, key, StateTriggered)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		return eventMissing(ctx, tx, source, key)
	})
	if err != nil {
		return fmt.Errorf("set state of event %s/%s: %w", source, key, err)
	}
	return nil
}

// eventMissing explains why an update matched no event: ErrNotFound, or
// ErrAlreadyTriggered when the event exists.
func eventMissing(ctx context.Context, tx *sql.Tx, source, key string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM events WHERE source = ? AND key = ?`, source, key).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return ErrNotFound
	case err != nil:
		return err
	}
	return ErrAlreadyTriggered
}

// TriggerRun, in one transaction, creates the run r (as
// [Store.CreateRun]) and marks the event triggered by it, but only while
// the event is pending: otherwise it creates nothing and returns
// [ErrAlreadyTriggered] (or [ErrNotFound]). So neither a crash nor a second
// process can start two runs for one event.
func (s *Store) TriggerRun(ctx context.Context, source, key string, r Run) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		// The run goes first: the event's run_id refers to it.
		if err := createRun(ctx, tx, r); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE events SET state = ?, run_id = ?
			WHERE source = ? AND key = ? AND state = ?`, StateTriggered, r.ID, source, key, StatePending)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		return eventMissing(ctx, tx, source, key)
	})
	if err != nil {
		return fmt.Errorf("trigger run %s for event %s/%s: %w", r.ID, source, key, err)
	}
	return nil
}

// EventFilter selects events for [Store.ListEvents]. Zero fields select all.
type EventFilter struct {
	Source    string
	Since     time.Time // fetched at or after Since
	Limit     int       // at most this many; 0 is 100
	BeforeSeq int64     // only events with a smaller Seq: the last page's last Seq
}

// defaultEventLimit is the page size of an EventFilter with no Limit.
const defaultEventLimit = 100

// ListEvents lists events newest first (by Seq).
func (s *Store) ListEvents(ctx context.Context, f EventFilter) ([]Event, error) {
	var where []string
	var args []any
	if f.Source != "" {
		where, args = append(where, `source = ?`), append(args, f.Source)
	}
	if err := checkTimes(f.Since); err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	if !f.Since.IsZero() {
		where, args = append(where, `fetched_at >= ?`), append(args, dbTime(f.Since))
	}
	if f.BeforeSeq > 0 {
		where, args = append(where, `seq < ?`), append(args, f.BeforeSeq)
	}
	q := `SELECT ` + eventCols + ` FROM events`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultEventLimit
	}
	evs, err := s.queryEvents(ctx, q+` ORDER BY seq DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	return evs, nil
}

func (s *Store) queryEvents(ctx context.Context, q string, args ...any) ([]Event, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var evs []Event
	for rows.Next() {
		var ev Event
		var fetched, runID sql.NullString
		var fields, raw []byte
		if err := rows.Scan(&ev.Seq, &ev.Source, &ev.Key, &ev.UniqueKey, &fetched, &ev.State, &runID,
			&fields, &raw); err != nil {
			return nil, err
		}
		if ev.FetchedAt, err = parseTime(fetched); err != nil {
			return nil, err
		}
		ev.RunID, ev.Fields, ev.Raw = runID.String, fields, raw
		evs = append(evs, ev)
	}
	return evs, rows.Err()
}
