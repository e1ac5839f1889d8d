package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestOpenMigratesOnceAndReopens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	ms, err := migrations()
	if err != nil {
		t.Fatalf("migrations() = %v", err)
	}
	for i := range 3 {
		s, err := Open(t.Context(), path)
		if err != nil {
			t.Fatalf("Open #%d = %v", i, err)
		}
		if v, err := s.SchemaVersion(t.Context()); err != nil || v != len(ms) {
			t.Errorf("Open #%d: SchemaVersion() = %d, %v, want %d", i, v, err, len(ms))
		}
		var n int
		if err := s.db.QueryRowContext(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n != len(ms) {
			t.Errorf("Open #%d: %d migration rows (%v), want %d", i, n, err, len(ms))
		}
		if i == 0 {
			mustCreate(t, s, run("run-000001", 0))
		}
		if _, err := s.GetRun(t.Context(), "run-000001"); err != nil {
			t.Errorf("Open #%d: GetRun() = %v", i, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOpenNewerSchemaFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s := openAt(t, path)
	if _, err := s.db.ExecContext(t.Context(), `INSERT INTO schema_migrations (version, applied_at) VALUES (99, '')`); err != nil {
		t.Fatal(err)
	}
	ms, _ := migrations()
	_, err := Open(t.Context(), path)
	want := "state file " + path + fmt.Sprintf(" is schema version 99; this playbook knows up to %d (upgrade playbook)", len(ms))
	if err == nil || err.Error() != want {
		t.Errorf("Open(newer file) = %v, want %q", err, want)
	}
}

func TestOpenFileModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no unix file modes")
	}
	dir := filepath.Join(t.TempDir(), "a", "b")
	path := filepath.Join(dir, "state.db")
	s := openAt(t, path)
	mustCreate(t, s, run("run-000001", 0)) // a write, so the WAL exists
	if got := fileMode(t, path); got != 0o600 {
		t.Errorf("state file mode = %v, want 0600", got)
	}
	if got := fileMode(t, path+"-wal"); got != 0o600 {
		t.Errorf("WAL file mode = %v, want 0600", got)
	}
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if got := fileMode(t, d); got != 0o700 {
			t.Errorf("directory %s mode = %v, want 0700", d, got)
		}
	}

	// An existing file with a looser mode is tightened.
	loose := filepath.Join(t.TempDir(), "loose.db")
	if err := os.WriteFile(loose, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	openAt(t, loose)
	if got := fileMode(t, loose); got != 0o600 {
		t.Errorf("existing file mode after Open = %v, want 0600", got)
	}
}

func TestOpenPathWithSpecialCharacters(t *testing.T) {
	names := []string{"with space", "query?x=1", "hash#frag", "percent%20", "all ?#%&=;"}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), name)
			path := filepath.Join(dir, name+".db")
			s, err := Open(t.Context(), path)
			if err != nil {
				t.Fatalf("Open(%q) = %v", path, err)
			}
			if s.Path() != path {
				t.Errorf("Path() = %q, want %q", s.Path(), path)
			}
			mustCreate(t, s, run("run-000001", 0))
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if !strings.HasPrefix(e.Name(), name+".db") {
					t.Errorf("stray file %q beside %q", e.Name(), path)
				}
			}
			s = openAt(t, path)
			if _, err := s.GetRun(t.Context(), "run-000001"); err != nil {
				t.Errorf("GetRun after reopen = %v", err)
			}
		})
	}
}

func TestOpenRelativePath(t *testing.T) {
	t.Chdir(t.TempDir())
	s := openAt(t, "state.db")
	want, err := filepath.Abs("state.db")
	if err != nil {
		t.Fatal(err)
	}
	if s.Path() != want {
		t.Errorf("Path() = %q, want %q", s.Path(), want)
	}
}

func TestDefaultPath(t *testing.T) {
	home := func() (string, error) { return "/home/ann", nil }
	noHome := func() (string, error) { return "", errors.New("$HOME is not defined") }
	tests := []struct {
		name string
		goos string
		env  map[string]string
		home func() (string, error)
		want string
		err  bool
	}{
		{name: "xdg", goos: "linux", env: map[string]string{"XDG_STATE_HOME": "/xdg"}, home: home,
			want: filepath.Join("/xdg", "playbook", "state.db")},
		{name: "relative xdg ignored", goos: "linux", env: map[string]string{"XDG_STATE_HOME": "rel"}, home: home,
			want: filepath.Join("/home/ann", ".local", "state", "playbook", "state.db")},
		{name: "linux", goos: "linux", home: home,
			want: filepath.Join("/home/ann", ".local", "state", "playbook", "state.db")},
		{name: "darwin", goos: "darwin", home: home,
			want: filepath.Join("/home/ann", "Library", "Application Support", "playbook", "state.db")},
		{name: "windows", goos: "windows", env: map[string]string{"LocalAppData": `C:\Users\ann\AppData\Local`},
			want: filepath.Join(`C:\Users\ann\AppData\Local`, "playbook", "state.db")},
		{name: "windows without LocalAppData", goos: "windows", err: true},
		{name: "no home", goos: "linux", home: noHome, err: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := defaultPath(tc.goos, func(k string) string { return tc.env[k] }, tc.home)
			if (err != nil) != tc.err || got != tc.want {
				t.Errorf("defaultPath() = %q, %v, want %q (error %v)", got, err, tc.want, tc.err)
			}
		})
	}
	if _, err := DefaultPath(); err != nil {
		t.Logf("DefaultPath() = %v", err)
	}
}

func TestDSN(t *testing.T) {
	got := dsn("/tmp/a b/x?y#z%.db")
	want := "file:///tmp/a%20b/x%3Fy%23z%25.db?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)&_txlock=immediate"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dsn() mismatch (-want +got):\n%s", diff)
	}
}

func TestPragmas(t *testing.T) {
	s := openTest(t)
	for pragma, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "10000"} {
		var got string
		if err := s.db.QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(&got); err != nil || got != want {
			t.Errorf("PRAGMA %s = %q, %v, want %q", pragma, got, err, want)
		}
	}
}
