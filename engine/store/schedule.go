package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ScheduleState is where a schedule is: when it last fired and the run
// that firing started.
type ScheduleState struct {
	Name      string
	LastFire  time.Time
	LastRunID string
}

// ScheduleState reads a schedule's state, and whether it has one.
func (s *Store) ScheduleState(ctx context.Context, name string) (ScheduleState, bool, error) {
	st := ScheduleState{Name: name}
	var fire sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT last_fire, last_run_id FROM schedules WHERE name = ?`, name).
		Scan(&fire, &st.LastRunID)
	if errors.Is(err, sql.ErrNoRows) {
		return ScheduleState{}, false, nil
	}
	if err == nil {
		st.LastFire, err = parseTime(fire)
	}
	if err != nil {
		return ScheduleState{}, false, fmt.Errorf("schedule %s: %w", name, err)
	}
	return st, true, nil
}

// SetScheduleState stores a schedule's state, replacing any before.
func (s *Store) SetScheduleState(ctx context.Context, st ScheduleState) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if st.Name == "" {
			return errors.New("empty name")
		}
		if err := checkTimes(st.LastFire); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO schedules (name, last_fire, last_run_id) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET last_fire = excluded.last_fire, last_run_id = excluded.last_run_id`,
			st.Name, dbTime(st.LastFire), st.LastRunID)
		return err
	})
	if err != nil {
		return fmt.Errorf("set schedule %s: %w", st.Name, err)
	}
	return nil
}

// Health is the last known health of a connection.
type Health struct {
	Connection string
	OK         bool
	Failures   int // consecutive failed checks
	LastCheck  time.Time
	LastOK     time.Time // zero if no check succeeded
	LastError  string
	Notified   bool // whether someone was told of the current failure
}

// SetHealth stores a connection's health, replacing any before.
func (s *Store) SetHealth(ctx context.Context, h Health) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if h.Connection == "" {
			return errors.New("empty connection name")
		}
		if err := checkTimes(h.LastCheck, h.LastOK); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO health (connection, ok, failures, last_check, last_ok, last_error, notified)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (connection) DO UPDATE SET ok = excluded.ok, failures = excluded.failures,
				last_check = excluded.last_check, last_ok = excluded.last_ok, last_error = excluded.last_error,
				notified = excluded.notified`,
			h.Connection, h.OK, h.Failures, dbTime(h.LastCheck), dbTime(h.LastOK), h.LastError, h.Notified)
		return err
	})
	if err != nil {
		return fmt.Errorf("set health of %s: %w", h.Connection, err)
	}
	return nil
}

// Health is every connection's health, by connection name.
func (s *Store) Health(ctx context.Context) ([]Health, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT connection, ok, failures, last_check, last_ok, last_error, notified
		FROM health ORDER BY connection`)
	if err != nil {
		return nil, fmt.Errorf("health: %w", err)
	}
	defer rows.Close()
	var hs []Health
	for rows.Next() {
		var h Health
		var check, ok sql.NullString
		if err := rows.Scan(&h.Connection, &h.OK, &h.Failures, &check, &ok, &h.LastError, &h.Notified); err != nil {
			return nil, fmt.Errorf("health: %w", err)
		}
		if h.LastCheck, err = parseTime(check); err != nil {
			return nil, fmt.Errorf("health: %w", err)
		}
		if h.LastOK, err = parseTime(ok); err != nil {
			return nil, fmt.Errorf("health: %w", err)
		}
		hs = append(hs, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("health: %w", err)
	}
	return hs, nil
}
