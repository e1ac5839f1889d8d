package eval

import (
	"context"
	"fmt"
	"strings"
)

// A template string, as DESIGN §2 defines it:
//
//   - Exactly one ${{ expr }} (whitespace allowed inside the braces, none
//     outside) keeps the value's type: a list stays a list.
//   - ${{ }} mixed with text interpolates as a string: see [interpolate]
//     (null prints as "", numbers as JSON numbers, lists and maps as
//     compact JSON).
//   - A string that starts with "$." or "$[", or is exactly "$", is a
//     JSONPath over the whole run context (Vars as a map).
//   - "$$" escapes only at the start: it stands for one literal "$", and
//     the rest of the string after it is still a template (never a
//     JSONPath). So "$$.x" is "$.x", "$$.x ${{ 1 }}" is "$.x 1", and
//     "$${{ 1 }}" is the literal "${{ 1 }}": after the escape, "{{ 1 }}"
//     holds no "${{". A "$$" elsewhere is two dollars.
//   - The closing "}}" is searched for outside quoted strings, comments
//     and balanced braces, so ${{ "}}" }} and ${{ {"a": {"b": 1}} }} work.
//
// Data is never code: a value produced at run time is returned or
// interpolated as it is and never parsed, whatever it looks like.

// Template is one compiled string leaf of a `with:` or `outputs:` value.
// It is safe for concurrent use.
type Template struct {
	src   string
	kind  templateKind
	lit   string             // constKind: the (unescaped) string
	path  func(root any) any // pathKind
	parts []templatePart     // singleKind: one program; mixedKind: text and programs
	refs  []Ref
}

type templateKind uint8

const (
	constKind  templateKind = iota // no template syntax
	pathKind                       // a JSONPath string
	singleKind                     // exactly one ${{ }}: keeps the value's type
	mixedKind                      // text and ${{ }}: a string
)

// templatePart is literal text (prog nil) or an expression at byte offset
// base of the template.
type templatePart struct {
	lit  string
	prog *Program
	base int
}

// IsTemplate reports whether s holds template syntax ("${{"), is a
// JSONPath string ("$", "$.", "$["), or starts with the "$$" escape: that
// is, whether s must go through [ParseTemplate] to get its value. It is a
// cheap pre-check for loaders.
func IsTemplate(s string) bool {
	if s == "$" || strings.HasPrefix(s, "$.") || strings.HasPrefix(s, "$[") || strings.HasPrefix(s, "$$") {
		return true
	}
	return strings.Contains(s, "${{")
}

// ParseTemplate compiles the string s in lang at load. Errors are *[Error]
// with a byte offset into s.
func ParseTemplate(lang Lang, s string, opts Options) (*Template, error) {
	if lang != CEL && lang != Expr {
		return nil, errorf(-1, "unknown expression language %q (want %q or %q)", lang, CEL, Expr)
	}
	t, err := parseTemplate(lang, s, opts)
	if err != nil {
		err.Offset = clampOffset(s, err.Offset)
		return nil, err
	}
	return t, nil
}

func parseTemplate(lang Lang, s string, opts Options) (*Template, *Error) {
	t := &Template{src: s}
	if s == "$" || strings.HasPrefix(s, "$.") || strings.HasPrefix(s, "$[") {
		ref := jsonpathRefs(s)
		if len(ref.Path) > 0 && !isTopName(ref.Path[0]) {
			return nil, &Error{Offset: ref.Offset, Msg: "unknown name " + quote(ref.Path[0]), Hint: nameHint(ref.Path[0])}
		}
		fn, err := compileJSONPath(s, opts)
		if err != nil {
			return nil, err
		}
		t.kind, t.path, t.refs = pathKind, fn, []Ref{ref}
		return t, nil
	}
	prefix, body, base := "", s, 0
	if strings.HasPrefix(s, "$$") {
		prefix, body, base = "$", s[2:], 2
	}
	parts, err := scanTemplate(lang, body, base, opts)
	if err != nil {
		return nil, err
	}
	if prefix != "" {
		parts = append([]templatePart{{lit: prefix}}, parts...)
		if len(parts) > 1 && parts[1].prog == nil {
			parts[1].lit = prefix + parts[1].lit
			parts = parts[1:]
		}
	}
	switch {
	case len(parts) == 0:
		t.kind = constKind
	case len(parts) == 1 && parts[0].prog == nil:
		t.kind, t.lit = constKind, parts[0].lit
	case len(parts) == 1:
		t.kind = singleKind
	default:
		t.kind = mixedKind
	}
	t.parts = parts
	for _, p := range parts {
		if p.prog == nil {
			continue
		}
		for _, r := range p.prog.refs {
			r.Offset += p.base
			t.refs = append(t.refs, r)
		}
	}
	return t, nil
}

// scanTemplate splits s into text and compiled ${{ }} expressions. base is
// the offset of s in the template, for errors and refs.
func scanTemplate(lang Lang, s string, base int, opts Options) ([]templatePart, *Error) {
	var parts []templatePart
	for i := 0; i < len(s); {
		j := strings.Index(s[i:], "${{")
		if j < 0 {
			parts = append(parts, templatePart{lit: s[i:]})
			break
		}
		if j > 0 {
			parts = append(parts, templatePart{lit: s[i : i+j]})
		}
		open := i + j
		start := open + 3
		end := findClose(lang, s, start)
		if end < 0 {
			return nil, errorf(base+open, "unterminated ${{: no closing }}")
		}
		src := s[start:end]
		if strings.TrimSpace(src) == "" {
			return nil, errorf(base+open, "empty ${{ }}")
		}
		prog, err := compile(lang, src, opts)
		if err != nil {
			if err.Offset < 0 {
				err.Offset = 0
			}
			return nil, err.shift(base + start)
		}
		parts = append(parts, templatePart{prog: prog, base: base + start})
		i = end + 2
	}
	return parts, nil
}

// findClose returns the index of the "}}" that ends the expression
// starting at s[i], or -1. It skips string literals, comments and
// balanced braces of the language.
func findClose(lang Lang, s string, i int) int {
	depth := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"' || c == '\'' || c == '`' && lang == Expr:
			i = skipString(lang, s, i)
			if i < 0 {
				return -1
			}
			continue
		case c == '/' && i+1 < len(s) && s[i+1] == '/':
			nl := strings.IndexByte(s[i:], '\n')
			if nl < 0 {
				return -1
			}
			i += nl + 1
			continue
		case c == '/' && i+1 < len(s) && s[i+1] == '*' && lang == Expr:
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return -1
			}
			i += 2 + end + 2
			continue
		case c == '{':
			depth++
		case c == '}':
			if depth > 0 {
				depth--
			} else if i+1 < len(s) && s[i+1] == '}' {
				return i
			}
		}
		i++
	}
	return -1
}

// skipString returns the index just past the string literal whose opening
// quote is at s[i], or -1 if it is not closed. CEL has raw (r"...") and
// triple-quoted strings; expr has raw `...` strings.
func skipString(lang Lang, s string, i int) int {
	q := s[i]
	raw := q == '`'
	if lang == CEL && i > 0 && (s[i-1] == 'r' || s[i-1] == 'R') {
		raw = true
	}
	closing := s[i : i+1]
	if lang == CEL && strings.HasPrefix(s[i:], strings.Repeat(closing, 3)) {
		closing = strings.Repeat(closing, 3)
	}
	for j := i + len(closing); j < len(s); j++ {
		switch {
		case s[j] == '\\' && !raw:
			j++
		case strings.HasPrefix(s[j:], closing):
			return j + len(closing)
		}
	}
	return -1
}

// Const returns the template's value when s holds no template or JSONPath:
// the string, with a leading "$$" unescaped.
func (t *Template) Const() (any, bool) {
	if t.kind != constKind {
		return nil, false
	}
	return t.lit, true
}

// Refs returns the chains the template reads, with offsets into s. The
// caller must not modify them.
func (t *Template) Refs() []Ref { return t.refs }

// Source returns the string the template was parsed from.
func (t *Template) Source() string { return t.src }

// Eval evaluates the template against vars. Errors are *[Error] with an
// offset into s.
func (t *Template) Eval(ctx context.Context, vars Vars) (v any, err error) {
	switch t.kind {
	case constKind:
		return t.lit, nil
	case pathKind:
		return t.evalPath(ctx, vars)
	case singleKind:
		return t.parts[0].eval(ctx, vars)
	}
	var b strings.Builder
	for _, p := range t.parts {
		if p.prog == nil {
			b.WriteString(p.lit)
			continue
		}
		v, err := p.eval(ctx, vars)
		if err != nil {
			return nil, err
		}
		s, ierr := interpolate(v)
		if ierr != nil {
			return nil, &Error{Offset: p.base, Msg: ierr.Error(), err: ierr}
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

func (p templatePart) eval(ctx context.Context, vars Vars) (any, error) {
	v, err := p.prog.Eval(ctx, vars)
	if err != nil {
		e := err.(*Error)
		if e.Offset < 0 {
			e.Offset = 0
		}
		return nil, e.shift(p.base)
	}
	return v, nil
}

// evalPath applies the JSONPath to the run context. The path function is
// the caller's: a panic in it becomes an error.
func (t *Template) evalPath(ctx context.Context, vars Vars) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, &Error{Offset: 0, Msg: fmt.Sprintf("jsonpath: internal error: %v", r)}
		}
	}()
	if e := cancelled(ctx); e != nil {
		return nil, e
	}
	v, _, nerr := normalize(t.path(map[string]any(vars)), 0)
	if nerr != nil {
		return nil, &Error{Offset: 0, Msg: nerr.Error(), err: nerr}
	}
	return v, nil
}
