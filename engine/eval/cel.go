package eval

import (
	"context"
	"errors"
	"strings"
	"sync"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/functions"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/ext"
	"cel.dev/cel-go/interpreter"
)

// jsonpathOverload is the overload ID of jsonpath(dyn, string) -> dyn.
const jsonpathOverload = "jsonpath_dyn_string"

var (
	celOnce sync.Once
	celBase *cel.Env
	celErr  error
)

// celEnv returns the environment every CEL expression is checked in. It is
// built once and shared: a *cel.Env is safe for concurrent use.
func celEnv() (*cel.Env, error) {
	celOnce.Do(func() {
		dynMap := cel.MapType(cel.StringType, cel.DynType)
		celBase, celErr = cel.NewEnv(
			cel.Variable("inputs", dynMap),
			cel.Variable("tasks", dynMap),
			cel.Variable("item", cel.DynType),
			cel.Variable("index", cel.IntType),
			cel.Variable("event", cel.DynType),
			cel.Variable("run", dynMap),
			// Declared here, bound per program to its compiled paths.
			cel.Function("jsonpath", cel.Overload(jsonpathOverload,
				[]*cel.Type{cel.DynType, cel.StringType}, cel.DynType)),
			cel.OptionalTypes(),
			ext.Strings(),
			ext.Lists(),
			ext.Sets(),
			ext.Math(),
			ext.Encoders(),
			ext.Bindings(),
			// JSON numbers mix ints and doubles: let 7.5 > 7 compare.
			cel.CrossTypeNumericComparisons(true),
			cel.DefaultUTCTimeZone(true),
			cel.ParserExpressionSizeLimit(maxSourceLen),
			cel.ParserRecursionLimit(200),
			cel.ExpressionNodeLimit(maxNodes),
		)
	})
	return celBase, celErr
}

// celProgram is the CEL half of a Program.
type celProgram struct {
	prg   cel.Program
	info  *ast.SourceInfo // for the offsets of runtime errors
	loops bool            // has comprehensions: evaluate with ContextEval
}

// celHasLoop reports whether e holds a comprehension. cel-go checks for
// interrupts only inside comprehensions, so a program without one gains
// nothing from ContextEval, which costs ~0.5µs per evaluation.
func celHasLoop(e ast.Expr) bool {
	found := false
	celWalk(e, func(sub ast.Expr) bool {
		found = sub.Kind() == ast.ComprehensionKind
		return !found
	})
	return found
}

func compileCEL(src string, opts Options) (*Program, *Error) {
	env, err := celEnv()
	if err != nil {
		return nil, errorf(-1, "cel environment: %v", err)
	}
	parsed, iss := env.Parse(src)
	if iss.Err() != nil {
		return nil, celIssue(src, iss, nil)
	}
	checked, iss := env.Check(parsed)
	if iss.Err() != nil {
		return nil, celIssue(src, iss, parsed.NativeRep())
	}
	a := checked.NativeRep()
	pos := newCELPos(src, a.SourceInfo())

	paths, perr := celJSONPaths(a.Expr(), pos, opts)
	if perr != nil {
		return nil, perr
	}
	// Constant folding (cel.OptOptimize) is left out: it made a typical
	// condition slower.
	popts := []cel.ProgramOption{
		cel.CostLimit(celCostLimit),
		cel.InterruptCheckFrequency(100),
	}
	if len(paths) > 0 {
		popts = append(popts, cel.Functions(jsonpathBinding(env.CELTypeAdapter(), paths)...))
	}
	prg, err := env.Program(checked, popts...)
	if err != nil {
		return nil, errorf(-1, "%s", lowerFirst(err.Error()))
	}
	return &Program{
		lang: CEL,
		src:  src,
		refs: celRefs(a.Expr(), pos),
		cel:  &celProgram{prg: prg, info: a.SourceInfo(), loops: celHasLoop(a.Expr())},
	}, nil
}

// CELIssue turns the first of cel-go's compile issues for src into an
// *Error with its offset in src and a short message, for CEL environments
// outside the playbook's own (test files' assertions).
func CELIssue(src string, iss *cel.Issues) *Error { return celIssue(src, iss, nil) }

// celIssue turns the first of cel-go's issues into an *Error. parsed, when
// not nil, tells an undeclared variable from an undeclared function.
func celIssue(src string, iss *cel.Issues, parsed *ast.AST) *Error {
	errs := iss.Errors()
	if len(errs) == 0 {
		return errorf(-1, "%s", lowerFirst(iss.String()))
	}
	ce := errs[0]
	off := -1
	if ce.Location != nil && ce.Location.Line() > 0 {
		off = lineColToByte(src, ce.Location.Line(), ce.Location.Column())
	} else if parsed != nil && ce.ExprID != 0 {
		off = newCELPos(src, parsed.SourceInfo()).offset(ce.ExprID)
	}
	e := &Error{Offset: off, Msg: lowerFirst(celSyntaxMessage(ce.Message))}
	if rest, ok := strings.CutPrefix(ce.Message, "undeclared reference to '"); ok {
		// "undeclared reference to 'x' (in container 'c') (did you mean 'y'?)"
		name, tail, _ := strings.Cut(rest, "'")
		e.Msg = "undeclared reference to " + quote(name)
		switch {
		case parsed != nil && celIsIdent(parsed.Expr(), ce.ExprID):
			e.Hint = nameHint(name)
		case strings.Contains(tail, "(did you mean "):
			_, h, _ := strings.Cut(tail, "(did you mean ")
			h, _, _ = strings.Cut(h, ")")
			e.Hint = "did you mean " + strings.ReplaceAll(h, "'", `"`)
		}
	}
	return e
}

// celIsIdent reports whether the node with the given id is an identifier.
func celIsIdent(root ast.Expr, id int64) bool {
	found := false
	celWalk(root, func(e ast.Expr) bool {
		if e.ID() == id {
			found = e.Kind() == ast.IdentKind
		}
		return !found
	})
	return found
}

// celWalk calls fn for e and its descendants, depth first, until fn
// returns false.
func celWalk(e ast.Expr, fn func(ast.Expr) bool) bool {
	if e == nil || !fn(e) {
		return false
	}
	switch e.Kind() {
	case ast.CallKind:
		c := e.AsCall()
		if c.IsMemberFunction() && !celWalk(c.Target(), fn) {
			return false
		}
		for _, a := range c.Args() {
			if !celWalk(a, fn) {
				return false
			}
		}
	case ast.SelectKind:
		return celWalk(e.AsSelect().Operand(), fn)
	case ast.ListKind:
		for _, el := range e.AsList().Elements() {
			if !celWalk(el, fn) {
				return false
			}
		}
	case ast.MapKind:
		for _, en := range e.AsMap().Entries() {
			me := en.AsMapEntry()
			if !celWalk(me.Key(), fn) || !celWalk(me.Value(), fn) {
				return false
			}
		}
	case ast.StructKind:
		for _, f := range e.AsStruct().Fields() {
			if !celWalk(f.AsStructField().Value(), fn) {
				return false
			}
		}
	case ast.ComprehensionKind:
		c := e.AsComprehension()
		for _, sub := range []ast.Expr{c.IterRange(), c.AccuInit(), c.LoopCondition(), c.LoopStep(), c.Result()} {
			if !celWalk(sub, fn) {
				return false
			}
		}
	}
	return true
}

// celJSONPaths compiles the literal path of every jsonpath(v, "...") call.
func celJSONPaths(root ast.Expr, pos *celPos, opts Options) (map[string]func(any) any, *Error) {
	var paths map[string]func(any) any
	var perr *Error
	celWalk(root, func(e ast.Expr) bool {
		if e.Kind() != ast.CallKind {
			return true
		}
		c := e.AsCall()
		if c.FunctionName() != "jsonpath" || c.IsMemberFunction() || len(c.Args()) != 2 {
			return true
		}
		arg := c.Args()[1]
		lit, ok := celStringLiteral(arg)
		if !ok {
			perr = errorf(pos.start(arg), "jsonpath path must be a string literal")
			return false
		}
		if _, done := paths[lit]; done {
			return true
		}
		fn, err := compileJSONPath(lit, opts)
		if err != nil {
			perr = err.shift(pos.start(arg))
			return false
		}
		if paths == nil {
			paths = make(map[string]func(any) any)
		}
		paths[lit] = fn
		return true
	})
	return paths, perr
}

// compileJSONPath compiles a literal path with opts.JSONPath. Errors are at
// offset 0 of the literal. A panic in the compiler becomes an error.
func compileJSONPath(path string, opts Options) (fn func(any) any, e *Error) {
	if opts.JSONPath == nil {
		return nil, errorf(0, "jsonpath is not supported here")
	}
	defer func() {
		if r := recover(); r != nil {
			fn, e = nil, errorf(0, "invalid jsonpath %s: internal error: %v", quote(path), r)
		}
	}()
	fn, err := opts.JSONPath(path)
	if err != nil {
		return nil, &Error{Offset: 0, Msg: "invalid jsonpath " + quote(path) + ": " + lowerFirst(err.Error()), err: err}
	}
	if fn == nil {
		return nil, errorf(0, "invalid jsonpath %s", quote(path))
	}
	return fn, nil
}

func celStringLiteral(e ast.Expr) (string, bool) {
	if e.Kind() != ast.LiteralKind {
		return "", false
	}
	s, ok := e.AsLiteral().(types.String)
	return string(s), ok
}

// jsonpathBinding implements jsonpath(v, path) for one program: path is
// one of the literals compiled at load.
func jsonpathBinding(adapter types.Adapter, paths map[string]func(any) any) []*functions.Overload {
	fn := func(v, path ref.Val) ref.Val {
		p, ok := path.(types.String)
		if !ok {
			return types.NoSuchOverloadErr()
		}
		apply := paths[string(p)]
		if apply == nil {
			return types.NewErr("jsonpath %s was not compiled", quote(string(p)))
		}
		root, err := fromCEL(v)
		if err != nil {
			return types.WrapErr(err)
		}
		return adapter.NativeToValue(apply(root))
	}
	return []*functions.Overload{
		{Operator: jsonpathOverload, Binary: fn},
		{Operator: "jsonpath", Binary: fn},
	}
}

// celVars is the activation over Vars: the declared top-level names that
// Vars lacks resolve to null. It avoids copying Vars.
type celVars Vars

func (v celVars) ResolveName(name string) (any, bool) {
	if val, ok := v[name]; ok {
		if val == nil {
			return types.NullValue, true
		}
		return val, true
	}
	if isTopName(name) {
		return types.NullValue, true
	}
	return nil, false
}

func (celVars) Parent() interpreter.Activation { return nil }

func (p *Program) evalCEL(ctx context.Context, vars Vars) (any, *Error) {
	var out ref.Val
	var err error
	if p.cel.loops {
		out, _, err = p.cel.prg.ContextEval(ctx, celVars(vars))
	} else {
		out, _, err = p.cel.prg.Eval(celVars(vars))
	}
	if err != nil {
		return nil, p.celEvalError(ctx, err)
	}
	v, cerr := fromCEL(out)
	if cerr != nil {
		return nil, &Error{Offset: -1, Msg: cerr.Error(), err: cerr}
	}
	return v, nil
}

// celEvalError locates a runtime error at the node that failed.
func (p *Program) celEvalError(ctx context.Context, err error) *Error {
	e := &Error{Offset: -1, Msg: lowerFirst(err.Error()), err: err}
	var ie interpreter.EvalCancelledError
	switch {
	case errors.As(err, &ie) && ie.Cause == interpreter.CostLimitExceeded:
		e.Msg = "expression exceeded its cost limit (runaway loop?)"
	case ctx.Err() != nil:
		e.Msg = "evaluation cancelled: " + context.Cause(ctx).Error()
		e.err = context.Cause(ctx)
	}
	var te *types.Err
	if errors.As(err, &te) && te.NodeID() != 0 {
		e.Offset = newCELPos(p.src, p.cel.info).offset(te.NodeID())
	}
	return e
}

// celPos maps cel-go node IDs to byte offsets in the source. cel-go counts
// offsets in code points.
type celPos struct {
	src   string
	info  *ast.SourceInfo
	ascii bool
}

func newCELPos(src string, info *ast.SourceInfo) *celPos {
	ascii := true
	for i := 0; i < len(src); i++ {
		if src[i] >= 0x80 {
			ascii = false
			break
		}
	}
	return &celPos{src: src, info: info, ascii: ascii}
}

// offset returns the byte offset where node id starts, or -1.
func (p *celPos) offset(id int64) int {
	r, ok := p.info.GetOffsetRange(id)
	if !ok || r.Start < 0 {
		return -1
	}
	if p.ascii {
		return clampOffset(p.src, int(r.Start))
	}
	return runeToByte(p.src, int(r.Start))
}

// start returns the byte offset where the text of e begins: the smallest
// offset in its subtree (a select sits at its dot, a call at its paren).
func (p *celPos) start(e ast.Expr) int {
	start := -1
	celWalk(e, func(sub ast.Expr) bool {
		if off := p.offset(sub.ID()); off >= 0 && (start < 0 || off < start) {
			start = off
		}
		return true
	})
	return start
}

// celSyntaxMessage shortens the parser's "mismatched input 'x' expecting
// {a long token list}" to what a user needs.
func celSyntaxMessage(msg string) string {
	rest, ok := strings.CutPrefix(msg, "Syntax error: mismatched input ")
	if !ok {
		return msg
	}
	tok, _, _ := strings.Cut(rest, " expecting")
	if tok == "'<EOF>'" {
		return "syntax error: the expression ends too early"
	}
	return "syntax error: unexpected " + strings.ReplaceAll(tok, "'", "\"")
}
