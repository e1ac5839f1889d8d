package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migration is one numbered SQL file, applied once in its own transaction.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations reads the embedded files, which must be numbered 1, 2, 3, ...
// in name order ("0001_init.sql").
func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	ms := make([]migration, 0, len(entries))
	for i, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v != i+1 {
			return nil, fmt.Errorf("migration %s: want a name starting %04d_", e.Name(), i+1)
		}
		b, err := fs.ReadFile(migrationFS, "migrations/"+e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: strings.TrimSuffix(e.Name(), ".sql"), sql: string(b)})
	}
	return ms, nil
}

// migrate applies the migrations the file lacks. Another process may be
// migrating the same file, so each transaction checks the version again
// after it holds the write lock.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return fmt.Errorf("state file %s: %w", s.path, err)
	}
	if err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			applied_at TEXT NOT NULL
		)`)
		return err
	}); err != nil {
		return fmt.Errorf("state file %s: %w", s.path, err)
	}
	for _, m := range ms {
		err := s.write(ctx, func(tx *sql.Tx) error {
			v, err := schemaVersion(ctx, tx)
			if err != nil {
				return err
			}
			if v > len(ms) {
				return s.tooNew(v, len(ms))
			}
			if v >= m.version {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
				m.version, dbTime(time.Now()))
			return err
		})
		if err != nil {
			if _, ok := errors.AsType[*versionError](err); ok {
				return err
			}
			return fmt.Errorf("state file %s: %w", s.path, err)
		}
	}
	return nil
}

// versionError is a state file written by a newer playbook.
type versionError struct {
	path         string
	version, max int
}

func (e *versionError) Error() string {
	return fmt.Sprintf("state file %s is schema version %d; this playbook knows up to %d (upgrade playbook)",
		e.path, e.version, e.max)
}

func (s *Store) tooNew(v, max int) error { return &versionError{path: s.path, version: v, max: max} }

// SchemaVersion is the newest migration applied to the file.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	return schemaVersion(ctx, s.db)
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func schemaVersion(ctx context.Context, q queryer) (int, error) {
	var v sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return int(v.Int64), nil
}
