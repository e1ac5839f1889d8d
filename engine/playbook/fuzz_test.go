package playbook

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad checks the loader never panics, every error lies inside the
// input, and a loaded playbook loads the same again.
func FuzzLoad(f *testing.F) {
	for _, dir := range []string{"../../playbooks", "../testdata/invalid", "../testdata/runs"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
		more, _ := filepath.Glob(filepath.Join(dir, "*", "*.yaml"))
		for _, p := range append(files, more...) {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte("playbook: a\ntasks:\n  t: {run: x.y, when: |\n    a\n}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 1<<14 {
			return
		}
		pb, err := Parse("f.yaml", src)
		lines := LineCount(src)
		var el ErrorList
		if err != nil {
			if !errors.As(err, &el) {
				t.Fatalf("error %T is not an ErrorList", err)
			}
			for _, e := range el {
				if e.Pos.Line < 0 || e.Pos.Line > lines+1 {
					t.Fatalf("error line %d outside the %d-line input: %v", e.Pos.Line, lines, e)
				}
			}
			return
		}
		again, err := Parse("f.yaml", src)
		if err != nil || len(again.Tasks) != len(pb.Tasks) {
			t.Fatalf("reload differs: %v", err)
		}
	})
}
