package eval

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	celtypes "cel.dev/cel-go/common/types"
	exprast "github.com/expr-lang/expr/ast"
)

// Ref is one member chain rooted at a top-level variable, found statically
// in an expression or a JSONPath string:
//
//	tasks.a.return_data          → ["tasks" "a" "return_data"]
//	tasks["a"].raw_data          → ["tasks" "a" "raw_data"]
//	tasks.a.raw_data.items[0]    → ["tasks" "a" "raw_data" "items" "0"]
//	tasks[x].y                   → ["tasks"], Dynamic
//	has(tasks.a.raw_data.x)      → ["tasks" "a" "raw_data" "x"]
//	"$.tasks.a.raw_data.x"       → ["tasks" "a" "raw_data" "x"]
//	"$..x", "$.tasks[*]"         → [], ["tasks"]; Dynamic
//
// A path stops at a non-constant index (Dynamic is then true) or at a
// function or method call (the chain before it is the ref). Numeric
// constant indexes appear as their decimal text. Offset is the byte offset,
// in the text given to [Compile] or [ParseTemplate], of the chain's root
// identifier (of its first name, in a JSONPath string; 0 for "$" alone).
type Ref struct {
	Path    []string
	Offset  int
	Dynamic bool
}

func sortRefs(refs []Ref) []Ref {
	slices.SortStableFunc(refs, func(a, b Ref) int { return cmp.Compare(a.Offset, b.Offset) })
	return refs
}

// celRefs finds the chains in a checked CEL expression, including those
// inside has() and comprehension ranges. Comprehension variables shadow
// top-level names.
func celRefs(root celast.Expr, pos *celPos) []Ref {
	w := &celRefWalker{pos: pos}
	w.walk(root, nil)
	return sortRefs(w.refs)
}

type celRefWalker struct {
	pos  *celPos
	refs []Ref
}

func (w *celRefWalker) walk(e celast.Expr, scope []string) {
	if e == nil {
		return
	}
	if w.chain(e, scope) {
		return
	}
	switch e.Kind() {
	case celast.SelectKind:
		w.walk(e.AsSelect().Operand(), scope)
	case celast.CallKind:
		c := e.AsCall()
		if c.IsMemberFunction() {
			w.walk(c.Target(), scope)
		}
		for _, a := range c.Args() {
			w.walk(a, scope)
		}
	case celast.ListKind:
		for _, el := range e.AsList().Elements() {
			w.walk(el, scope)
		}
	case celast.MapKind:
		for _, en := range e.AsMap().Entries() {
			me := en.AsMapEntry()
			w.walk(me.Key(), scope)
			w.walk(me.Value(), scope)
		}
	case celast.StructKind:
		for _, f := range e.AsStruct().Fields() {
			w.walk(f.AsStructField().Value(), scope)
		}
	case celast.ComprehensionKind:
		c := e.AsComprehension()
		w.walk(c.IterRange(), scope)
		w.walk(c.AccuInit(), scope)
		inner := append(slices.Clip(scope), c.IterVar(), c.AccuVar())
		if c.HasIterVar2() {
			inner = append(inner, c.IterVar2())
		}
		w.walk(c.LoopCondition(), inner)
		w.walk(c.LoopStep(), inner)
		w.walk(c.Result(), inner)
	}
}

// chain records e as a ref if it is a member chain rooted at a top-level
// name, walks the non-constant indexes inside it, and reports whether it
// did.
func (w *celRefWalker) chain(e celast.Expr, scope []string) bool {
	var rev []string // path, last element first
	var dynamic []celast.Expr
	for cur := e; ; {
		switch cur.Kind() {
		case celast.IdentKind:
			name := cur.AsIdent()
			if !isTopName(name) || slices.Contains(scope, name) {
				return false
			}
			path := make([]string, 0, len(rev)+1)
			path = append(path, name)
			for i := len(rev) - 1; i >= 0; i-- {
				path = append(path, rev[i])
			}
			w.refs = append(w.refs, Ref{Path: path, Offset: w.pos.offset(cur.ID()), Dynamic: len(dynamic) > 0})
			for _, d := range dynamic {
				w.walk(d, scope)
			}
			return true
		case celast.SelectKind:
			s := cur.AsSelect()
			rev = append(rev, s.FieldName())
			cur = s.Operand()
		case celast.CallKind:
			c := cur.AsCall()
			args := c.Args()
			if c.IsMemberFunction() || len(args) != 2 {
				return false
			}
			switch c.FunctionName() {
			case operators.Index, operators.OptIndex, operators.OptSelect:
				if key, ok := celConstKey(args[1]); ok {
					rev = append(rev, key)
				} else {
					rev = rev[:0]
					dynamic = append(dynamic, args[1])
				}
				cur = args[0]
			default:
				return false
			}
		default:
			return false
		}
	}
}

// celConstKey returns the text of a constant string or integer index.
func celConstKey(e celast.Expr) (string, bool) {
	if e.Kind() != celast.LiteralKind {
		return "", false
	}
	switch v := e.AsLiteral().(type) {
	case celtypes.String:
		return string(v), true
	case celtypes.Int:
		return strconv.FormatInt(int64(v), 10), true
	case celtypes.Uint:
		return strconv.FormatUint(uint64(v), 10), true
	}
	return "", false
}

// exprRefs finds the chains in a parsed expr expression. (expr refuses a
// `let` or predicate variable named like a top-level name, so nothing
// shadows them.)
func exprRefs(root exprast.Node, pos *exprPos) []Ref {
	c := &exprCollector{inner: make(map[exprast.Node]bool)}
	exprast.Walk(&root, c)
	var refs []Ref
	for _, n := range c.cands {
		if c.inner[n] {
			continue
		}
		if r, ok := exprChain(n); ok {
			r.Offset = pos.offset(r.Offset)
			refs = append(refs, r)
		}
	}
	return sortRefs(refs)
}

// exprCollector gathers chain candidates in one walk. A member node's
// operand is "inner": only the outermost node of a chain is a ref. The
// walk reaches dynamic indexes too, so their chains are candidates of
// their own.
type exprCollector struct {
	cands []exprast.Node
	inner map[exprast.Node]bool
}

func (c *exprCollector) Visit(node *exprast.Node) {
	switch n := (*node).(type) {
	case *exprast.IdentifierNode:
		c.cands = append(c.cands, n)
	case *exprast.MemberNode:
		if n.Method {
			// x.y.Method(): the chain is x.y, which stays a candidate.
			return
		}
		c.cands = append(c.cands, n)
		for op := n.Node; op != nil; {
			c.inner[op] = true
			ch, ok := op.(*exprast.ChainNode)
			if !ok {
				break
			}
			op = ch.Node
		}
	}
}

// exprChain builds the ref for a member chain ending at n. The ref's
// Offset is still expr's code point offset.
func exprChain(n exprast.Node) (Ref, bool) {
	var rev []string
	dynamic := false
	for cur := n; ; {
		switch x := cur.(type) {
		case *exprast.IdentifierNode:
			path := make([]string, 0, len(rev)+1)
			switch {
			case x.Value == "$env":
				// $env is the whole context: $env.tasks.a reads tasks.a;
				// $env alone or $env[k] may read anything.
				if len(rev) == 0 || !isTopName(rev[len(rev)-1]) {
					return Ref{Path: path, Offset: x.Location().From, Dynamic: true}, true
				}
			case isTopName(x.Value):
				path = append(path, x.Value)
			default:
				return Ref{}, false
			}
			for i := len(rev) - 1; i >= 0; i-- {
				path = append(path, rev[i])
			}
			return Ref{Path: path, Offset: x.Location().From, Dynamic: dynamic}, true
		case *exprast.ChainNode:
			cur = x.Node
		case *exprast.MemberNode:
			if x.Method {
				return Ref{}, false
			}
			switch p := x.Property.(type) {
			case *exprast.StringNode:
				rev = append(rev, p.Value)
			case *exprast.IntegerNode:
				rev = append(rev, strconv.Itoa(p.Value))
			default:
				rev = rev[:0]
				dynamic = true
			}
			cur = x.Node
		default:
			return Ref{}, false
		}
	}
}

// jsonpathRefs returns the ref of a JSONPath string over the run context:
// its leading chain of plain names ($.a.b, $['a'][0]); Dynamic when more
// follows (wildcards, filters, descendants, slices).
func jsonpathRefs(p string) Ref {
	r := Ref{Path: []string{}, Offset: 0}
	i := 1 // after "$"
	for i < len(p) {
		switch p[i] {
		case '.':
			j := i + 1
			for j < len(p) && isNameByte(p[j], j == i+1) {
				j++
			}
			if j == i+1 {
				r.Dynamic = true
				return r
			}
			if len(r.Path) == 0 {
				r.Offset = i + 1
			}
			r.Path = append(r.Path, p[i+1:j])
			i = j
		case '[':
			key, n, ok := bracketKey(p[i:])
			if !ok {
				r.Dynamic = true
				return r
			}
			if len(r.Path) == 0 {
				r.Offset = i + 1
			}
			r.Path = append(r.Path, key)
			i += n
		default:
			r.Dynamic = true
			return r
		}
	}
	return r
}

// isNameByte reports whether b may appear in a JSONPath member-name
// shorthand (RFC 9535: ALPHA / "_" / non-ASCII, then also DIGIT).
func isNameByte(b byte, first bool) bool {
	switch {
	case b == '_' || b >= 0x80 || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z':
		return true
	case '0' <= b && b <= '9':
		return !first
	}
	return false
}

// bracketKey reads a single-name or non-negative index selector at the
// start of s ("['a']", `["a"]`, "[0]") and returns its key and length.
func bracketKey(s string) (string, int, bool) {
	if len(s) < 3 {
		return "", 0, false
	}
	if q := s[1]; q == '\'' || q == '"' {
		end := strings.IndexByte(s[2:], q)
		if end < 0 {
			return "", 0, false
		}
		key := s[2 : 2+end]
		if strings.ContainsRune(key, '\\') || 2+end+1 >= len(s) || s[2+end+1] != ']' {
			return "", 0, false
		}
		return key, 2 + end + 2, true
	}
	end := strings.IndexByte(s, ']')
	if end < 2 {
		return "", 0, false
	}
	digits := s[1:end]
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return "", 0, false
		}
	}
	if len(digits) > 1 && digits[0] == '0' {
		return "", 0, false
	}
	return digits, end + 1, true
}
