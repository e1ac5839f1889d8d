package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/playbook"
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
		_, err := e.load(f)
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
