package eval

import (
	"context"
	"fmt"
	"strings"

	"github.com/expr-lang/expr/vm"
)

// Lang names an expression language.
type Lang string

// The expression languages a playbook may choose with `expressions:`.
const (
	CEL  Lang = "cel"
	Expr Lang = "expr"
)

// Vars is the run context an expression sees. Its top-level names are
// "inputs", "tasks", "item", "index", "event" and "run"; values are
// JSON-shaped (nil, bool, string, int64, float64, []any, map[string]any).
//
// The caller fills only what is available. A top-level name missing from
// Vars evaluates as null in both languages, so `item == null` holds outside
// for_each and `has(tasks.x)` style checks work; selecting a field of a
// missing name is an evaluation error, as it is for any null.
// Eval never modifies Vars, so one Vars may be shared by concurrent calls.
type Vars map[string]any

// Options configure compilation.
type Options struct {
	// JSONPath compiles a literal JSONPath for the jsonpath(v, "$.x") helper
	// and for "$."-strings in templates. It returns a function applying the
	// path (definite path → value or nil; else []any). The returned function
	// must be safe for concurrent use and do no I/O.
	// nil means JSONPath is unsupported (compile error if used).
	JSONPath func(path string) (func(root any) any, error)
}

// Limits on what Compile accepts and on what one evaluation may do. They
// are far above any expression a person writes, and stop runaway input.
const (
	// maxSourceLen bounds an expression's length in bytes.
	maxSourceLen = 32 << 10
	// maxNodes bounds an expression's syntax tree (expr's MaxNodes and
	// cel-go's ExpressionNodeLimit).
	maxNodes = 10_000
	// celCostLimit bounds one CEL evaluation. A cost unit is about one
	// operation: an exists() over 100k items with a small predicate costs
	// under 1M; a runaway nested map() stops in well under a second.
	celCostLimit = 10_000_000
)

// Program is a compiled expression. It is safe for concurrent use.
type Program struct {
	lang Lang
	src  string
	refs []Ref
	cel  *celProgram
	expr *vm.Program
}

// Compile compiles src in lang once, at load: syntax errors, unknown
// top-level names (with a "did you mean" hint) and misuse of jsonpath()
// are reported as *[Error] with a byte offset into src.
func Compile(lang Lang, src string, opts Options) (*Program, error) {
	p, err := compile(lang, src, opts)
	if err != nil {
		err.Offset = clampOffset(src, err.Offset)
		return nil, err
	}
	return p, nil
}

func compile(lang Lang, src string, opts Options) (*Program, *Error) {
	if len(src) > maxSourceLen {
		return nil, errorf(0, "expression is too long (%d bytes, limit %d)", len(src), maxSourceLen)
	}
	if strings.TrimSpace(src) == "" {
		return nil, errorf(0, "empty expression")
	}
	switch lang {
	case CEL:
		return compileCEL(src, opts)
	case Expr:
		return compileExpr(src, opts)
	}
	return nil, errorf(-1, "unknown expression language %q (want %q or %q)", lang, CEL, Expr)
}

// Source returns the text the program was compiled from.
func (p *Program) Source() string { return p.src }

// Lang returns the language the program was compiled in.
func (p *Program) Lang() Lang { return p.lang }

// Refs returns the member chains rooted at top-level names that the
// expression reads, in source order. The caller must not modify them.
func (p *Program) Refs() []Ref { return p.refs }

// Eval evaluates the program against vars and returns a JSON-shaped value.
// An error is an *[Error]; its Offset is that of the failing node when the
// language reports one, else -1. A cancelled ctx stops a CEL evaluation
// (checked every 100 comprehension steps) and the error wraps ctx's cause.
func (p *Program) Eval(ctx context.Context, vars Vars) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, &Error{Offset: -1, Msg: fmt.Sprintf("internal error: %v", r)}
		}
	}()
	if e := cancelled(ctx); e != nil {
		return nil, e
	}
	var e *Error
	switch p.lang {
	case CEL:
		v, e = p.evalCEL(ctx, vars)
	default:
		v, e = p.evalExpr(vars)
	}
	if e != nil {
		e.Offset = clampOffset(p.src, e.Offset)
		return nil, e
	}
	return v, nil
}

// EvalBool evaluates a condition (`when`, `until`, trigger `when`). A
// result that is not a boolean is an error: "condition must be a boolean,
// got string".
func (p *Program) EvalBool(ctx context.Context, vars Vars) (bool, error) {
	v, err := p.Eval(ctx, vars)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, errorf(0, "condition must be a boolean, got %s", typeName(v))
	}
	return b, nil
}

// typeName names the JSON type of a JSON-shaped value, for messages.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case int64:
		return "integer"
	case float64:
		return "number"
	case []any:
		return "list"
	case map[string]any:
		return "map"
	}
	return fmt.Sprintf("%T", v)
}

// cancelled returns the error for an evaluation started on a done ctx.
func cancelled(ctx context.Context) *Error {
	if ctx.Err() == nil {
		return nil
	}
	cause := context.Cause(ctx)
	return &Error{Offset: -1, Msg: "evaluation cancelled: " + cause.Error(), err: cause}
}
