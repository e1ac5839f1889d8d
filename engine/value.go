package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/playbook-sh/playbook/engine/eval"
	"github.com/playbook-sh/playbook/engine/playbook"
)

// value is a compiled value of a file: a constant, a template, or a list
// or map of values. Constant subtrees are folded, so evaluating them costs
// nothing.
type value struct {
	src      *playbook.Value
	constant any
	isConst  bool
	tmpl     *eval.Template
	list     []*value
	keys     []string
	vals     []*value
}

// value compiles v, checking every template's references against s.
func (c *compiler) value(v *playbook.Value, s *scope) *value {
	if v == nil {
		return &value{isConst: true}
	}
	out := &value{src: v}
	switch v.Kind {
	case playbook.ScalarKind:
		str, ok := v.Data.(string)
		if !ok || !eval.IsTemplate(str) {
			if ok {
				// "$$x" with no template still needs unescaping.
				if t, err := eval.ParseTemplate(c.lang, str, c.opts); err == nil {
					if k, isK := t.Const(); isK {
						out.constant, out.isConst = k, true
						return out
					}
				}
			}
			out.constant, out.isConst = v.Data, true
			return out
		}
		t, err := eval.ParseTemplate(c.lang, str, c.opts)
		if err != nil {
			c.evalError(v, s.what, err)
			out.constant, out.isConst = nil, true
			return out
		}
		if k, isK := t.Const(); isK {
			out.constant, out.isConst = k, true
			return out
		}
		c.checkRefs(t.Refs(), s, v.At)
		out.tmpl = t
		return out
	case playbook.ListKind:
		allConst := true
		for _, e := range v.List {
			ce := c.value(e, s)
			out.list = append(out.list, ce)
			allConst = allConst && ce.isConst
		}
		if allConst {
			out.constant, out.isConst = out.plainConst(), true
		}
		return out
	}
	allConst := true
	for _, e := range v.Map {
		ce := c.value(e.Value, s)
		out.keys = append(out.keys, e.Key)
		out.vals = append(out.vals, ce)
		allConst = allConst && ce.isConst
	}
	if allConst {
		out.constant, out.isConst = out.plainConst(), true
	}
	return out
}

// plainConst builds the constant of a list or map whose elements are all
// constant.
func (v *value) plainConst() any {
	if v.src != nil && v.src.Kind == playbook.ListKind {
		out := make([]any, len(v.list))
		for i, e := range v.list {
			out[i] = e.constant
		}
		return out
	}
	out := make(map[string]any, len(v.keys))
	for i, k := range v.keys {
		out[k] = v.vals[i].constant
	}
	return out
}

// program compiles a condition (when, until, retry_if).
func (c *compiler) program(v *playbook.Value, s *scope) *eval.Program {
	if v == nil {
		return nil
	}
	p, err := eval.Compile(c.lang, v.Str(), c.opts)
	if err != nil {
		c.evalError(v, s.what, err)
		return nil
	}
	c.checkRefs(p.Refs(), s, v.At)
	return p
}

func (c *compiler) evalError(v *playbook.Value, what string, err error) {
	var ee *eval.Error
	if errors.As(err, &ee) {
		c.errorf(v.At(ee.Offset), ee.Hint, "%s: %s", what, ee.Msg)
		return
	}
	c.errorf(v.Pos, "", "%s: %v", what, err)
}

// EvalError is a template or expression that failed at run time, located
// in its file.
type EvalError struct {
	File string
	Pos  playbook.Pos
	What string
	Err  error
}

func (e *EvalError) Error() string {
	msg := e.Err.Error()
	var ee *eval.Error
	if errors.As(e.Err, &ee) {
		msg = ee.Msg
	}
	return fmt.Sprintf("%s:%d:%d: %s: %s", e.File, e.Pos.Line, e.Pos.Col, e.What, msg)
}

func (e *EvalError) Unwrap() error { return e.Err }

// eval computes the value in vars. Constants are returned as they are:
// callers must not modify them.
func (v *value) eval(ctx context.Context, vars eval.Vars, file, what string) (any, error) {
	if v.isConst {
		return v.constant, nil
	}
	switch {
	case v.tmpl != nil:
		out, err := v.tmpl.Eval(ctx, vars)
		if err != nil {
			off := -1
			var ee *eval.Error
			if errors.As(err, &ee) {
				off = ee.Offset
			}
			return nil, &EvalError{File: file, Pos: v.src.At(off), What: what, Err: err}
		}
		return out, nil
	case v.src.Kind == playbook.ListKind:
		out := make([]any, len(v.list))
		for i, e := range v.list {
			x, err := e.eval(ctx, vars, file, what)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	}
	out := make(map[string]any, len(v.keys))
	for i, k := range v.keys {
		x, err := v.vals[i].eval(ctx, vars, file, what)
		if err != nil {
			return nil, err
		}
		out[k] = x
	}
	return out, nil
}

// evalBool runs a condition, locating its error in the file.
func evalBool(ctx context.Context, p *eval.Program, src *playbook.Value, vars eval.Vars, file, what string) (bool, error) {
	ok, err := p.EvalBool(ctx, vars)
	if err != nil {
		off := -1
		var ee *eval.Error
		if errors.As(err, &ee) {
			off = ee.Offset
		}
		return false, &EvalError{File: file, Pos: src.At(off), What: what, Err: err}
	}
	return ok, nil
}
