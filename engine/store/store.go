package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// ErrNotFound is returned when a run, event or other record does not exist.
var ErrNotFound = errors.New("not found")

// ErrExists is returned by [Store.CreateRun] for a run id already stored.
var ErrExists = errors.New("already exists")

// Store is an open state file. It is safe for concurrent use by many
// goroutines, and other processes may have the same file open.
type Store struct {
	db   *sql.DB
	path string
	// wmu holds one token per write transaction in flight, so this
	// process's writers queue here instead of polling SQLite's lock.
	wmu chan struct{}
}

// busyTimeout is how long a writer waits for another process's write
// transaction before failing with SQLITE_BUSY.
const busyTimeout = 10 * time.Second

// Open opens the state file at path, creating it and its parent
// directories (mode 0700) if need be, makes the file mode 0600, and
// applies pending migrations. A file written by a newer playbook, with
// migrations this one does not know, is an error.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("open state file: empty path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open state file %s: %w", path, err)
	}
	if err := prepareFile(abs); err != nil {
		return nil, fmt.Errorf("open state file %s: %w", abs, err)
	}
	db, err := sql.Open("sqlite", dsn(abs))
	if err != nil {
		return nil, fmt.Errorf("open state file %s: %w", abs, err)
	}
	s := &Store{db: db, path: abs, wmu: make(chan struct{}, 1)}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// prepareFile creates the file's directory and the file itself before
// SQLite opens it, so the file gets mode 0600; SQLite gives its -wal and
// -shm files the same mode.
func prepareFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	f.Close()
	if err != nil {
		return err
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		return os.Chmod(path, 0o600)
	}
	return nil
}

// dsn is the driver's data source name for the absolute path abs: a
// file: URI with the path percent-encoded (so '?', '#' and '%' in a name
// stay part of it) and the connection settings every handle needs.
// synchronous stays FULL, WAL's default: a committed "triggered" must
// survive a power loss, or a restart could start a second run for an event.
func dsn(abs string) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/x becomes file:///C:/x
	}
	var b strings.Builder
	b.WriteString("file://")
	for i := 0; i < len(p); i++ {
		c := p[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~/:", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	fmt.Fprintf(&b, "?_pragma=busy_timeout(%d)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_txlock=immediate",
		busyTimeout.Milliseconds())
	return b.String()
}

// DefaultPath is the state file under the user's state directory:
// $XDG_STATE_HOME/playbook/state.db when XDG_STATE_HOME is an absolute
// path, else ~/.local/state/playbook/state.db (on darwin
// ~/Library/Application Support/playbook/state.db, on windows
// %LocalAppData%\playbook\state.db).
func DefaultPath() (string, error) {
	return defaultPath(runtime.GOOS, os.Getenv, os.UserHomeDir)
}

func defaultPath(goos string, getenv func(string) string, home func() (string, error)) (string, error) {
	if d := getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "playbook", "state.db"), nil
	}
	if goos == "windows" {
		d := getenv("LocalAppData")
		if d == "" {
			return "", errors.New("state directory: %LocalAppData% is not set")
		}
		return filepath.Join(d, "playbook", "state.db"), nil
	}
	h, err := home()
	if err != nil {
		return "", fmt.Errorf("state directory: %w", err)
	}
	if goos == "darwin" {
		return filepath.Join(h, "Library", "Application Support", "playbook", "state.db"), nil
	}
	return filepath.Join(h, ".local", "state", "playbook", "state.db"), nil
}

// Close closes the state file. Calls in flight may fail.
func (s *Store) Close() error { return s.db.Close() }

// Path is the state file's absolute path.
func (s *Store) Path() string { return s.path }

// write runs fn in one write transaction and commits it when fn returns
// nil. The transaction begins IMMEDIATE (the DSN's _txlock), so it takes
// the write lock before it reads and never fails to upgrade a stale read.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	select {
	case s.wmu <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.wmu }()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// timeLayout is how times are stored: UTC, fixed width, nanoseconds, so
// that comparing the text compares the times.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// checkTimes reports a time the layout cannot hold in sortable form.
func checkTimes(ts ...time.Time) error {
	for _, t := range ts {
		if y := t.UTC().Year(); !t.IsZero() && (y < 1 || y > 9999) {
			return fmt.Errorf("time %s is outside years 1 to 9999", t)
		}
	}
	return nil
}

// dbTime is t as stored; the zero time is NULL.
func dbTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(timeLayout)
}

// parseTime reads a stored time back, in UTC; NULL is the zero time.
func parseTime(v sql.NullString) (time.Time, error) {
	if !v.Valid {
		return time.Time{}, nil
	}
	t, err := time.Parse(timeLayout, v.String)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", v.String, err)
	}
	return t, nil
}

// dbJSON is a JSON document as stored: its bytes as text, nil as NULL.
func dbJSON(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

// orObject is b, or the empty object when b is empty.
func orObject(b []byte) []byte {
	if len(b) == 0 {
		return []byte("{}")
	}
	return b
}
