package engine

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/internal/goldencmds"
)

// goldenScript is the "vendor" of the golden runs (goldencmds.Vendor):
// ids starting "bad" fail (bad-400 with 400, others 500), "flaky" ids
// fail with 503 on the first call.
func goldenScript(_ string, n int, req actions.Request) actions.Envelope {
	return goldencmds.Vendor(n, req)
}

// TestRunGolden runs each testdata/runs/<case>/playbook.yaml and compares
// the report, run id and times normalised, with report.golden.json.
// UPDATE_GOLDEN=1 go test ./engine/... rewrites them.
func TestRunGolden(t *testing.T) {
	t.Parallel()
	dirs, _ := filepath.Glob("testdata/runs/*")
	if len(dirs) == 0 {
		t.Fatal("no cases")
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(filepath.Join(dir, "playbook.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			fixed := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
			r := runYAML(t, string(src), nil, goldenScript, WithClock(fixedClock{fixed}), WithRunID(func() string { return "run-1" }))
			got, err := r.rep.JSON()
			if err != nil {
				t.Fatal(err)
			}
			// The report reads back as it was written.
			back, err := DecodeReport(got)
			if err != nil {
				t.Fatal(err)
			}
			again, err := back.JSON()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(got), string(again)); diff != "" {
				t.Errorf("report after DecodeReport (-written +read back):\n%s", diff)
			}
			golden := filepath.Join(dir, "report.golden.json")
			if os.Getenv("UPDATE_GOLDEN") != "" {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("read golden (run with UPDATE_GOLDEN=1): %v", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}
		})
	}
}

// fixedClock never moves; its waits return at once.
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }
func (c fixedClock) Sleep(ctx context.Context, _ time.Duration) error {
	return ctx.Err()
}
