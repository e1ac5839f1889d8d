package jsonpath

import (
	"fmt"
	"strconv"
)

// Path is a compiled JSONPath query. It is safe for concurrent use.
type Path struct {
	src string
	q   query
}

// SyntaxError reports a query that does not parse. Offset is the byte offset
// in the query where the problem was found (0 ≤ Offset ≤ len(query)).
type SyntaxError struct {
	Offset int
	Msg    string
}

// Error returns "jsonpath: <msg> at offset N".
func (e *SyntaxError) Error() string {
	return "jsonpath: " + e.Msg + " at offset " + strconv.Itoa(e.Offset)
}

// Compile parses an RFC 9535 query, which must start with "$".
func Compile(query string) (*Path, error) {
	p := parser{src: query}
	if len(query) == 0 || query[0] != '$' {
		return nil, p.fail(0, `query must start with "$"`)
	}
	p.pos = 1
	return p.finish()
}

// CompileRelative parses a query relative to a node, as written in field
// mappings. It accepts absolute queries ("$.x") and the relative forms ".x",
// "x", "x.y", "..x" and "[0]", which mean "$.x", "$.x", "$.x.y", "$..x" and
// "$[0]". String returns the text as given.
func CompileRelative(query string) (*Path, error) {
	p := parser{src: query}
	switch {
	case len(query) == 0:
		return nil, p.fail(0, "empty query")
	case query[0] == '$':
		p.pos = 1
	case query[0] == '.' || query[0] == '[':
		// Segments directly after an implicit "$".
	default:
		// A leading member-name-shorthand, as if preceded by "$.".
		name, err := p.parseMemberName()
		if err != nil {
			return nil, err
		}
		path, err := p.finish()
		if err != nil {
			return nil, err
		}
		first := segment{sels: []selector{{kind: selName, name: name}}}
		path.q.segs = append([]segment{first}, path.q.segs...)
		path.q.singular = isSingular(path.q.segs)
		return path, nil
	}
	return p.finish()
}

// MustCompile is like Compile but panics if the query does not parse. It is
// meant for tests and package-level constants.
func MustCompile(query string) *Path {
	p, err := Compile(query)
	if err != nil {
		panic(fmt.Sprintf("jsonpath.MustCompile(%q): %v", query, err))
	}
	return p
}

// finish parses the segments from p.pos to the end of the query.
func (p *parser) finish() (*Path, error) {
	segs, err := p.parseSegments()
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.src) {
		return nil, p.fail(p.pos, "unexpected "+p.describe())
	}
	return &Path{src: p.src, q: query{abs: true, segs: segs, singular: isSingular(segs)}}, nil
}

// String returns the source text of the query.
func (p *Path) String() string { return p.src }

// Singular reports whether the query is an RFC 9535 singular query (only
// single name and index selectors, no descendant segments), i.e. whether it
// designates at most one node.
func (p *Path) Singular() bool { return p.q.singular }

// Query returns the nodelist selected from root, in RFC 9535 order (object
// members in sorted key order). It never returns nil: the slice is empty when
// nothing matches. The values are the document's own, not copies.
func (p *Path) Query(root any) []any {
	e := getEvaluator(root)
	e.run(p.q.segs, root)
	out := e.out
	putEvaluator(e)
	if out == nil {
		return []any{}
	}
	return out
}

// Get applies the engine's design rule: for a singular path it returns the
// selected value, or nil when the path selects nothing; for any other path it
// returns the nodelist as []any (possibly empty, never nil).
func (p *Path) Get(root any) any {
	if p.q.singular {
		v, _ := walkSingular(p.q.segs, root)
		return v
	}
	return p.Query(root)
}
