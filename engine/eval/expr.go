package eval

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/types"
	"github.com/expr-lang/expr/vm"
)

// exprEnv declares the run context to expr's checker, so an unknown
// top-level name is a compile error. The maps accept any key: a task ID or
// input name is checked by the loader, against Refs.
var exprEnv = types.Map{
	"inputs": types.Map{types.Extra: types.Any},
	"tasks":  types.Map{types.Extra: types.Any},
	"item":   types.Any,
	"index":  types.Any,
	"event":  types.Any,
	"run":    types.Map{types.Extra: types.Any},
}

func compileExpr(src string, opts Options) (*Program, *Error) {
	var paths map[string]func(any) any
	jsonpath := func(args ...any) (any, error) {
		if len(args) != 2 {
			return nil, fmt.Errorf("jsonpath takes 2 arguments, got %d", len(args))
		}
		p, _ := args[1].(string)
		apply := paths[p]
		if apply == nil {
			return nil, fmt.Errorf("jsonpath %s was not compiled", quote(p))
		}
		root, _, err := normalize(args[0], 0)
		if err != nil {
			return nil, err
		}
		return apply(root), nil
	}
	prg, err := expr.Compile(src,
		expr.Env(exprEnv),
		expr.Function("jsonpath", jsonpath, new(func(any, string) any)),
		expr.MaxNodes(maxNodes),
		// Determinism (Temporal replays runs): no clock; use
		// run.started_at. date("...") without a zone already parses as UTC.
		expr.DisableBuiltin("now"),
	)
	if err != nil {
		return nil, exprError(src, err)
	}
	// Parse again for what the compiled program does not keep as written:
	// the literal jsonpath arguments and the member chains.
	tree, err := parser.Parse(src)
	if err != nil {
		return nil, exprError(src, err)
	}
	pos := newExprPos(src)
	paths, perr := exprJSONPaths(tree.Node, pos, opts)
	if perr != nil {
		return nil, perr
	}
	return &Program{lang: Expr, src: src, refs: exprRefs(tree.Node, pos), expr: prg}, nil
}

// exprError converts an error from expr's parser, checker or VM.
func exprError(src string, err error) *Error {
	var fe *file.Error
	if !errors.As(err, &fe) {
		return &Error{Offset: -1, Msg: lowerFirst(err.Error()), err: err}
	}
	e := &Error{Offset: newExprPos(src).offset(fe.From), Msg: lowerFirst(fe.Message), err: fe.Prev}
	if name, ok := strings.CutPrefix(fe.Message, "unknown name "); ok {
		if followedByCall(src, e.Offset, name) {
			e.Msg = "unknown function " + name
		} else {
			e.Hint = nameHint(name)
		}
	}
	return e
}

// vms reuses expr VMs (their stacks) between evaluations. A VM is used by
// one evaluation at a time.
var vms = sync.Pool{New: func() any { return new(vm.VM) }}

func (p *Program) evalExpr(vars Vars) (any, *Error) {
	m := vms.Get().(*vm.VM)
	out, err := m.Run(p.expr, map[string]any(vars))
	// Drop references to run data before pooling.
	clear(m.Stack[:cap(m.Stack)])
	clear(m.Scopes[:cap(m.Scopes)])
	clear(m.Variables)
	vms.Put(m)
	if err != nil {
		return nil, exprError(p.src, err)
	}
	v, _, err := normalize(out, 0)
	if err != nil {
		return nil, &Error{Offset: -1, Msg: err.Error(), err: err}
	}
	return v, nil
}

// exprJSONPaths compiles the literal path of every jsonpath(v, "...") call.
func exprJSONPaths(root ast.Node, pos *exprPos, opts Options) (map[string]func(any) any, *Error) {
	v := &jsonpathVisitor{pos: pos, opts: opts}
	ast.Walk(&root, v)
	return v.paths, v.err
}

type jsonpathVisitor struct {
	pos   *exprPos
	opts  Options
	paths map[string]func(any) any
	err   *Error
}

func (v *jsonpathVisitor) Visit(node *ast.Node) {
	call, ok := (*node).(*ast.CallNode)
	if !ok || v.err != nil {
		return
	}
	id, ok := call.Callee.(*ast.IdentifierNode)
	if !ok || id.Value != "jsonpath" || len(call.Arguments) != 2 {
		return
	}
	arg := call.Arguments[1]
	lit, ok := arg.(*ast.StringNode)
	if !ok {
		v.err = errorf(v.pos.offset(exprStart(arg)), "jsonpath path must be a string literal")
		return
	}
	if _, done := v.paths[lit.Value]; done {
		return
	}
	fn, err := compileJSONPath(lit.Value, v.opts)
	if err != nil {
		v.err = err.shift(v.pos.offset(exprStart(arg)))
		return
	}
	if v.paths == nil {
		v.paths = make(map[string]func(any) any)
	}
	v.paths[lit.Value] = fn
}

// exprPos maps expr's code point offsets to byte offsets in the source.
type exprPos struct {
	src   string
	ascii bool
}

func newExprPos(src string) *exprPos {
	ascii := true
	for i := 0; i < len(src); i++ {
		if src[i] >= 0x80 {
			ascii = false
			break
		}
	}
	return &exprPos{src: src, ascii: ascii}
}

func (p *exprPos) offset(from int) int {
	if p.ascii {
		return clampOffset(p.src, from)
	}
	return runeToByte(p.src, from)
}

// followedByCall reports whether the name at byte offset off in src is
// called: expr reports an unknown function as an unknown name.
func followedByCall(src string, off int, name string) bool {
	if off < 0 || off+len(name) > len(src) || src[off:off+len(name)] != name {
		return false
	}
	rest := strings.TrimLeft(src[off+len(name):], " \t\r\n")
	return strings.HasPrefix(rest, "(")
}

// exprStart returns the code point offset where the text of n begins: the
// smallest offset in its subtree (a member node sits at its property).
func exprStart(n ast.Node) int {
	start := n.Location().From
	ast.Walk(&n, visitorFunc(func(node *ast.Node) {
		start = min(start, (*node).Location().From)
	}))
	return start
}

// visitorFunc adapts a function to expr's ast.Visitor.
type visitorFunc func(*ast.Node)

func (f visitorFunc) Visit(n *ast.Node) { f(n) }
