package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/pbtest"
	"github.com/playbook-sh/playbook/engine/playbook"
	"github.com/playbook-sh/playbook/engine/serve"
)

func (e *env) validate(_ context.Context, args []string) int {
	fs := newFlags("validate", "validate FILE...", e.stderr)
	quiet := fs.Bool("q", false, "print nothing for valid files")
	files, err := parse(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(files) == 0 {
		fmt.Fprintln(e.stderr, "playbook validate: name at least one playbook file")
		fs.Usage()
		return exitUsage
	}
	code := exitOK
	for _, f := range files {
		var err error
		switch {
		case isTestFile(f):
			err = e.checkTestFile(f)
		case isServeFile(f):
			_, err = serve.Load(f, e.reg)
		default:
			_, err = e.load(f)
		}
		if err != nil {
			code = exitFailed
			fmt.Fprintln(e.stdout, err)
			continue
		}
		if !*quiet {
			fmt.Fprintf(e.stdout, "%s: valid\n", f)
		}
	}
	return code
}

// load reads, loads and compiles one playbook. The error lists every
// problem as FILE:LINE:COL: message lines.
func (e *env) load(file string) (*engine.Compiled, error) {
	c, err := engine.Load(file, e.reg)
	if err != nil {
		var el playbook.ErrorList
		if errors.As(err, &el) {
			return nil, el
		}
		return nil, &playbook.Error{File: file, Pos: playbook.Pos{Line: 1, Col: 1}, Msg: err.Error()}
	}
	return c, nil
}

// isServeFile reports whether path names a serve file: serve.yaml, or
// NAME.serve.yaml.
func isServeFile(path string) bool {
	base := filepath.Base(path)
	for _, ext := range []string{".yaml", ".yml"} {
		if base == "serve"+ext || strings.HasSuffix(base, ".serve"+ext) {
			return true
		}
	}
	return false
}

func isTestFile(path string) bool {
	return strings.HasSuffix(path, ".test.yaml") || strings.HasSuffix(path, ".test.yml")
}

// checkTestFile validates a test file and the playbook it names.
func (e *env) checkTestFile(path string) error {
	f, err := pbtest.Load(path)
	if err == nil {
		err = pbtest.Check(f, e.reg)
	}
	var el playbook.ErrorList
	if err == nil || errors.As(err, &el) {
		return err
	}
	return &playbook.Error{File: path, Pos: playbook.Pos{Line: 1, Col: 1}, Msg: err.Error()}
}
