package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/playbook-sh/playbook/engine/pbtest"
	"github.com/playbook-sh/playbook/engine/playbook"
)

// testOptions are the flags of playbook test.
type testOptions struct {
	paths    []string
	junit    string
	coverage bool
}

func (e *env) test(ctx context.Context, args []string) int {
	o := &testOptions{}
	fset := newFlags("test", "test [PATH...] [--junit F] [--coverage]", e.stderr)
	fset.StringVar(&o.junit, "junit", "", "also write JUnit XML to this file")
	fset.BoolVar(&o.coverage, "coverage", false, "report which tasks, when and join outcomes no test exercised")
	pos, err := parse(fset, args)
	if err != nil {
		return exitUsage
	}
	o.paths = pos
	if len(o.paths) == 0 {
		o.paths = []string{"."}
	}
	files, err := testFiles(o.paths)
	if err != nil {
		fmt.Fprintf(e.stderr, "playbook test: %v\n", err)
		return exitUsage
	}
	if len(files) == 0 {
		fmt.Fprintf(e.stderr, "playbook test: no *.test.yaml files under %s\n", strings.Join(o.paths, ", "))
		return exitUsage
	}
	runner := &pbtest.Runner{Registry: e.reg}
	var all []*pbtest.Result
	var coverage []*pbtest.Coverage
	invalid := false
	for _, path := range files {
		f, err := pbtest.Load(path)
		if err == nil {
			var results []*pbtest.Result
			var cov *pbtest.Coverage
			results, c, rerr := runner.Run(ctx, f)
			err = rerr
			if err == nil {
				all = append(all, results...)
				pbtest.WriteResults(e.stdout, results)
				if o.coverage {
					cov = pbtest.NewCoverage(c)
					for _, r := range results {
						cov.Add(r.Report)
					}
					coverage = append(coverage, cov)
				}
			}
		}
		if err != nil {
			invalid = true
			var el playbook.ErrorList
			if errors.As(err, &el) {
				fmt.Fprintln(e.stderr, el)
			} else {
				fmt.Fprintf(e.stderr, "%s: %v\n", path, err)
			}
		}
	}
	for _, cv := range coverage {
		cv.Write(e.stdout)
	}
	if o.junit != "" {
		if err := writeJUnit(o.junit, all); err != nil {
			fmt.Fprintf(e.stderr, "playbook test: %v\n", err)
			return exitUsage
		}
	}
	failed := 0
	for _, r := range all {
		if !r.Passed() {
			failed++
		}
	}
	fmt.Fprintf(e.stdout, "%d passed, %d failed\n", len(all)-failed, failed)
	switch {
	case invalid:
		return exitUsage
	case failed > 0:
		return exitFailed
	}
	return exitOK
}

func writeJUnit(path string, results []*pbtest.Result) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pbtest.WriteJUnit(f, results); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// testFiles expands the paths: a file as it is, a directory searched
// recursively for *.test.yaml.
func testFiles(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && path != p && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			if !d.IsDir() && (strings.HasSuffix(path, ".test.yaml") || strings.HasSuffix(path, ".test.yml")) {
				out = append(out, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(out)
	return out, nil
}
