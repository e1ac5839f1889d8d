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

// healthLogMax is how many checks of each connection [Store.HealthHistory]
// keeps.
const healthLogMax = 1000

// SetHealth stores a connection's health, replacing any before, and
// appends the check to the connection's history ([Store.HealthHistory]),
// dropping its checks beyond the newest 1,000. The check is at LastCheck
// (zero: now); its error is LastError unless OK.
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
		if err != nil {
			return err
		}
		checked, errText := h.LastCheck, h.LastError
		if checked.IsZero() {
			checked = time.Now()
		}
		if h.OK {
			errText = ""
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO health_log (connection, checked_at, ok, error) VALUES (?, ?, ?, ?)`,
			h.Connection, dbTime(checked), h.OK, errText); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM health_log WHERE rowid IN (SELECT rowid FROM health_log
			WHERE connection = ? ORDER BY checked_at DESC, rowid DESC LIMIT -1 OFFSET ?)`, h.Connection, healthLogMax)
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

// HealthCheck is one check of a connection's health.
type HealthCheck struct {
	CheckedAt time.Time // in UTC
	OK        bool
	Error     string // empty when OK
}

// defaultHealthLimit is the number of checks HealthHistory returns when
// given no limit.
const defaultHealthLimit = 100

// HealthHistory is a connection's newest checks, newest first (by check
// time, then by when they were stored): at most limit of them, 100 when
// limit <= 0. Only the newest 1,000 are kept. A connection never checked
// has none.
func (s *Store) HealthHistory(ctx context.Context, connection string, limit int) ([]HealthCheck, error) {
	if limit <= 0 {
		limit = defaultHealthLimit
	}
	rows, err := s.db.QueryContext(ctx, `SELECT checked_at, ok, error FROM health_log WHERE connection = ?
		ORDER BY checked_at DESC, rowid DESC LIMIT ?`, connection, limit)
	if err != nil {
		return nil, fmt.Errorf("health history of %s: %w", connection, err)
	}
	defer rows.Close()
	var hs []HealthCheck
	for rows.Next() {
		var h HealthCheck
		var checked sql.NullString
		if err := rows.Scan(&checked, &h.OK, &h.Error); err != nil {
			return nil, fmt.Errorf("health history of %s: %w", connection, err)
		}
		if h.CheckedAt, err = parseTime(checked); err != nil {
			return nil, fmt.Errorf("health history of %s: %w", connection, err)
		}
		hs = append(hs, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("health history of %s: %w", connection, err)
	}
	return hs, nil
}
