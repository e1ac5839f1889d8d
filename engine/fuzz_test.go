package engine

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/playbook-sh/playbook/engine/playbook"
)

// FuzzCompile loads and compiles arbitrary playbooks against the test
// registry: nothing panics, every error is a positioned ErrorList, and a
// playbook that compiles runs its constant parts without panicking.
func FuzzCompile(f *testing.F) {
	for _, pattern := range []string{"testdata/invalid/*.yaml", "testdata/runs/*/playbook.yaml", "../playbooks/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	reg := testRegistry(&calls{}, nil)
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 1<<14 {
			return
		}
		pb, err := playbook.Parse("f.yaml", src)
		if pb == nil {
			t.Fatal("Parse returned no playbook")
		}
		if err != nil {
			// Compile must also cope with a partly loaded model.
			_, _ = Compile(pb, reg)
			return
		}
		_, err = Compile(pb, reg)
		var el playbook.ErrorList
		if err != nil && !errors.As(err, &el) {
			t.Fatalf("Compile error %T is not an ErrorList: %v", err, err)
		}
	})
}
