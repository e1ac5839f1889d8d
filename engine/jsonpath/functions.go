package jsonpath

import (
	"regexp"
	"sync"
	"unicode/utf8"
)

// fnType is a type of the RFC 9535 function type system.
type fnType uint8

const (
	typeValue fnType = iota
	typeLogical
	typeNodes
)

type fnKind uint8

const (
	fnLength fnKind = iota
	fnCount
	fnMatch
	fnSearch
	fnValue
)

// funcDef declares a function extension: its parameter and result types.
type funcDef struct {
	name   string
	kind   fnKind
	params []fnType
	result fnType
}

// functions are the function extensions of RFC 9535 section 2.4.
var functions = map[string]*funcDef{
	"length": {name: "length", kind: fnLength, params: []fnType{typeValue}, result: typeValue},
	"count":  {name: "count", kind: fnCount, params: []fnType{typeNodes}, result: typeValue},
	"match":  {name: "match", kind: fnMatch, params: []fnType{typeValue, typeValue}, result: typeLogical},
	"search": {name: "search", kind: fnSearch, params: []fnType{typeValue, typeValue}, result: typeLogical},
	"value":  {name: "value", kind: fnValue, params: []fnType{typeNodes}, result: typeValue},
}

// funcArg is one argument: val for a ValueType parameter, nodes for a
// NodesType parameter.
type funcArg struct {
	val   valueExpr
	nodes *query
}

// funcCall is a well-typed function expression. It is a valueExpr when the
// function returns ValueType and a logical when it returns LogicalType.
type funcCall struct {
	def  *funcDef
	args []funcArg

	// For match and search: when static, the pattern is a literal and re is
	// its compiled form (nil if it is not a valid I-Regexp); otherwise
	// patterns come from the document and are compiled through cache.
	static bool
	re     *regexp.Regexp
	cache  *regexCache
}

// prepare compiles a literal regular expression once, at compile time.
func (f *funcCall) prepare() {
	if f.def.kind != fnMatch && f.def.kind != fnSearch {
		return
	}
	if lit, ok := f.args[1].val.(*literalExpr); ok {
		f.static = true
		if s, ok := lit.v.(string); ok {
			f.re = compileIRegexp(s, f.def.kind == fnMatch)
		}
		return
	}
	f.cache = &regexCache{}
}

func (f *funcCall) value(e *evaluator, cur any) (any, bool) {
	switch f.def.kind {
	case fnLength:
		v, ok := f.args[0].val.value(e, cur)
		if !ok {
			return nil, false
		}
		if s, ok := v.(string); ok {
			return int64(utf8.RuneCountInString(s)), true
		}
		if n, ok := containerLen(v); ok {
			return int64(n), true
		}
		return nil, false
	case fnCount:
		n, _ := e.countNodes(f.args[0].nodes, cur, 0)
		return int64(n), true
	case fnValue:
		if n, first := e.countNodes(f.args[0].nodes, cur, 2); n == 1 {
			return first, true
		}
	}
	return nil, false
}

func (f *funcCall) test(e *evaluator, cur any) bool {
	v, ok := f.args[0].val.value(e, cur)
	s, isStr := v.(string)
	if !ok || !isStr {
		return false
	}
	re := f.re
	if !f.static {
		pv, ok := f.args[1].val.value(e, cur)
		ps, isStr := pv.(string)
		if !ok || !isStr {
			return false
		}
		re = f.cache.get(ps, f.def.kind == fnMatch)
	}
	return re != nil && re.MatchString(s)
}

// maxCachedRegexps bounds a regexCache; it is emptied when full.
const maxCachedRegexps = 64

// regexCache holds compiled patterns taken from documents.
type regexCache struct {
	mu sync.Mutex
	m  map[string]*regexp.Regexp // nil value: not a valid I-Regexp
}

func (c *regexCache) get(pattern string, full bool) *regexp.Regexp {
	c.mu.Lock()
	re, ok := c.m[pattern]
	c.mu.Unlock()
	if ok {
		return re
	}
	re = compileIRegexp(pattern, full)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedRegexps {
		c.m = make(map[string]*regexp.Regexp)
	}
	c.m[pattern] = re
	c.mu.Unlock()
	return re
}

// compileIRegexp compiles an I-Regexp (RFC 9485) pattern to a Go regexp,
// anchored at both ends if full. It returns nil if the pattern is not a valid
// I-Regexp or cannot be expressed in Go's syntax.
func compileIRegexp(pattern string, full bool) *regexp.Regexp {
	t, ok := translateIRegexp(pattern)
	if !ok {
		return nil
	}
	if full {
		t = `^(?:` + t + `)$`
	}
	re, err := regexp.Compile(t)
	if err != nil {
		return nil
	}
	return re
}
