package jsonpath

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// maxSafeInt is the largest integer RFC 9535 allows in index and slice
// selectors (the I-JSON exact range, 2^53-1).
const maxSafeInt = 1<<53 - 1

// maxNesting bounds the nesting of brackets, parentheses and function calls
// in a query, so that hostile queries cannot exhaust the stack.
const maxNesting = 512

// query is a parsed JSONPath query: the root query of a Path or a filter
// query inside a filter expression.
type query struct {
	abs      bool // starts at the root ($) rather than the current node (@)
	segs     []segment
	singular bool
}

// segment is a child segment or, if desc, a descendant segment.
type segment struct {
	desc bool
	sels []selector
}

type selKind uint8

const (
	selName selKind = iota
	selIndex
	selSlice
	selWildcard
	selFilter
)

// selector is one selector of a segment; which fields matter depends on kind.
type selector struct {
	kind   selKind
	name   string
	index  int64
	slice  sliceSpec
	filter logical
}

// sliceSpec holds the parameters of a slice selector; step defaults to 1.
type sliceSpec struct {
	start, end, step int64
	hasStart, hasEnd bool
}

// isSingular reports whether segs form a singular query.
func isSingular(segs []segment) bool {
	for i := range segs {
		s := &segs[i]
		if s.desc || len(s.sels) != 1 {
			return false
		}
		if k := s.sels[0].kind; k != selName && k != selIndex {
			return false
		}
	}
	return true
}

// parser is a recursive-descent parser over the query text.
type parser struct {
	src   string
	pos   int
	depth int
}

func (p *parser) fail(off int, msg string) *SyntaxError {
	off = max(0, min(off, len(p.src)))
	return &SyntaxError{Offset: off, Msg: msg}
}

// describe names the input at p.pos for error messages.
func (p *parser) describe() string {
	if p.pos >= len(p.src) {
		return "end of query"
	}
	r, _ := utf8.DecodeRuneInString(p.src[p.pos:])
	return "character " + strconv.QuoteRune(r)
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxNesting {
		return p.fail(p.pos, "query nested too deeply")
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

func isBlank(c byte) bool   { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
func isDigit(c byte) bool   { return '0' <= c && c <= '9' }
func isAlpha(c byte) bool   { return 'A' <= c&^0x20 && c&^0x20 <= 'Z' }
func isLcAlpha(c byte) bool { return 'a' <= c && c <= 'z' }

func (p *parser) skipBlank() {
	for p.pos < len(p.src) && isBlank(p.src[p.pos]) {
		p.pos++
	}
}

// peek returns the byte at p.pos, or 0 at the end of the query.
func (p *parser) peek() byte {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

// parseSegments parses *(S segment). Blank space is consumed only when a
// segment follows it.
func (p *parser) parseSegments() ([]segment, error) {
	var segs []segment
	for {
		save := p.pos
		p.skipBlank()
		if c := p.peek(); c != '.' && c != '[' {
			p.pos = save
			return segs, nil
		}
		seg, err := p.parseSegment()
		if err != nil {
			return nil, err
		}
		segs = append(segs, seg)
	}
}

// parseSegment parses one segment starting at '.' or '['.
func (p *parser) parseSegment() (segment, error) {
	if p.src[p.pos] == '[' {
		sels, err := p.parseBracketed()
		return segment{sels: sels}, err
	}
	p.pos++ // '.'
	desc := false
	if p.peek() == '.' {
		desc = true
		p.pos++
	}
	switch p.peek() {
	case '[':
		if desc {
			sels, err := p.parseBracketed()
			return segment{desc: true, sels: sels}, err
		}
	case '*':
		p.pos++
		return segment{desc: desc, sels: []selector{{kind: selWildcard}}}, nil
	}
	name, err := p.parseMemberName()
	if err != nil {
		return segment{}, err
	}
	return segment{desc: desc, sels: []selector{{kind: selName, name: name}}}, nil
}

// parseMemberName parses a member-name-shorthand: name-first *name-char.
func (p *parser) parseMemberName() (string, error) {
	start := p.pos
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c < utf8.RuneSelf {
			if isAlpha(c) || c == '_' || (p.pos > start && isDigit(c)) {
				p.pos++
				continue
			}
			break
		}
		// Any non-ASCII scalar value is allowed; UTF-8 cannot encode surrogates.
		r, size := utf8.DecodeRuneInString(p.src[p.pos:])
		if r == utf8.RuneError && size <= 1 {
			return "", p.fail(p.pos, "invalid UTF-8 in member name")
		}
		p.pos += size
	}
	if p.pos == start {
		return "", p.fail(start, "expected member name, wildcard or '[', found "+p.describe())
	}
	return p.src[start:p.pos], nil
}

// parseBracketed parses "[" S selector *(S "," S selector) S "]".
func (p *parser) parseBracketed() ([]selector, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	p.pos++ // '['
	var sels []selector
	for {
		p.skipBlank()
		sel, err := p.parseSelector()
		if err != nil {
			return nil, err
		}
		sels = append(sels, sel)
		p.skipBlank()
		switch p.peek() {
		case ',':
			p.pos++
			continue
		case ']':
			p.pos++
			return sels, nil
		}
		return nil, p.fail(p.pos, "expected ',' or ']', found "+p.describe())
	}
}

func (p *parser) parseSelector() (selector, error) {
	switch c := p.peek(); {
	case p.pos >= len(p.src):
		return selector{}, p.fail(p.pos, "expected selector, found end of query")
	case c == '\'' || c == '"':
		s, err := p.parseString()
		return selector{kind: selName, name: s}, err
	case c == '*':
		p.pos++
		return selector{kind: selWildcard}, nil
	case c == '?':
		p.pos++
		p.skipBlank()
		f, err := p.parseLogical()
		return selector{kind: selFilter, filter: f}, err
	case c == '-' || c == ':' || isDigit(c):
		return p.parseIndexOrSlice()
	}
	return selector{}, p.fail(p.pos, "expected selector, found "+p.describe())
}

// parseIndexOrSlice parses an index selector or
// [start S] ":" S [end S] [":" [S step]].
func (p *parser) parseIndexOrSlice() (selector, error) {
	sl := sliceSpec{step: 1}
	if p.peek() != ':' {
		n, err := p.parseInt()
		if err != nil {
			return selector{}, err
		}
		save := p.pos
		p.skipBlank()
		if p.peek() != ':' {
			p.pos = save
			return selector{kind: selIndex, index: n}, nil
		}
		sl.start, sl.hasStart = n, true
	}
	p.pos++ // ':'
	p.skipBlank()
	if c := p.peek(); c == '-' || isDigit(c) {
		n, err := p.parseInt()
		if err != nil {
			return selector{}, err
		}
		sl.end, sl.hasEnd = n, true
		p.skipBlank()
	}
	if p.peek() == ':' {
		p.pos++
		save := p.pos
		p.skipBlank()
		if c := p.peek(); c == '-' || isDigit(c) {
			n, err := p.parseInt()
			if err != nil {
				return selector{}, err
			}
			sl.step = n
		} else {
			p.pos = save
		}
	}
	return selector{kind: selSlice, slice: sl}, nil
}

// parseInt parses int = "0" / (["-"] DIGIT1 *DIGIT) within ±(2^53-1).
func (p *parser) parseInt() (int64, error) {
	start := p.pos
	neg := p.peek() == '-'
	if neg {
		p.pos++
	}
	if !isDigit(p.peek()) {
		return 0, p.fail(p.pos, "expected digit, found "+p.describe())
	}
	if p.src[p.pos] == '0' {
		p.pos++
		if isDigit(p.peek()) {
			return 0, p.fail(start, "leading zero in integer")
		}
		if neg {
			return 0, p.fail(start, `"-0" is not a valid integer`)
		}
		return 0, nil
	}
	var n int64
	for isDigit(p.peek()) {
		n = n*10 + int64(p.src[p.pos]-'0')
		if n > maxSafeInt {
			return 0, p.fail(start, "integer out of range ±(2^53-1)")
		}
		p.pos++
	}
	if neg {
		n = -n
	}
	return n, nil
}

// parseString parses a single- or double-quoted string literal at p.pos and
// returns its value.
func (p *parser) parseString() (string, error) {
	q := p.src[p.pos]
	start := p.pos
	p.pos++
	var buf []byte
	escaped := false
	lit := p.pos // start of the pending unescaped run
	for {
		if p.pos >= len(p.src) {
			return "", p.fail(start, "unterminated string literal")
		}
		c := p.src[p.pos]
		switch {
		case c == q:
			s := p.src[lit:p.pos]
			if escaped {
				s = string(append(buf, s...))
			}
			p.pos++
			return s, nil
		case c == '\\':
			buf = append(buf, p.src[lit:p.pos]...)
			r, err := p.parseEscape(q)
			if err != nil {
				return "", err
			}
			buf = utf8.AppendRune(buf, r)
			escaped = true
			lit = p.pos
		case c < 0x20:
			return "", p.fail(p.pos, "control character in string literal must be escaped")
		case c < utf8.RuneSelf:
			p.pos++
		default:
			r, size := utf8.DecodeRuneInString(p.src[p.pos:])
			if r == utf8.RuneError && size <= 1 {
				return "", p.fail(p.pos, "invalid UTF-8 in string literal")
			}
			p.pos += size
		}
	}
}

// parseEscape parses an escape sequence at p.pos (a backslash) inside a
// string quoted with q.
func (p *parser) parseEscape(q byte) (rune, error) {
	esc := p.pos
	p.pos++
	if p.pos >= len(p.src) {
		return 0, p.fail(esc, "incomplete escape sequence")
	}
	c := p.src[p.pos]
	p.pos++
	switch c {
	case 'b':
		return '\b', nil
	case 'f':
		return '\f', nil
	case 'n':
		return '\n', nil
	case 'r':
		return '\r', nil
	case 't':
		return '\t', nil
	case '/', '\\':
		return rune(c), nil
	case '\'', '"':
		if c == q {
			return rune(c), nil
		}
	case 'u':
		r, err := p.parseHex4(esc)
		if err != nil {
			return 0, err
		}
		if !utf16.IsSurrogate(r) {
			return r, nil
		}
		if r >= 0xDC00 {
			return 0, p.fail(esc, "unpaired low surrogate in \\u escape")
		}
		if p.pos+1 >= len(p.src) || p.src[p.pos] != '\\' || p.src[p.pos+1] != 'u' {
			return 0, p.fail(esc, "high surrogate not followed by a \\u low surrogate")
		}
		p.pos += 2
		lo, err := p.parseHex4(esc)
		if err != nil {
			return 0, err
		}
		if lo < 0xDC00 || lo > 0xDFFF {
			return 0, p.fail(esc, "high surrogate not followed by a \\u low surrogate")
		}
		return utf16.DecodeRune(r, lo), nil
	}
	return 0, p.fail(esc, "invalid escape sequence")
}

// parseHex4 parses the four hex digits of a \u escape starting at esc.
func (p *parser) parseHex4(esc int) (rune, error) {
	if p.pos+4 > len(p.src) {
		return 0, p.fail(esc, "\\u escape needs four hex digits")
	}
	var r rune
	for i := range 4 {
		c := p.src[p.pos+i]
		var d byte
		switch {
		case isDigit(c):
			d = c - '0'
		case 'a' <= c|0x20 && c|0x20 <= 'f':
			d = c | 0x20 - 'a' + 10
		default:
			return 0, p.fail(esc, "\\u escape needs four hex digits")
		}
		r = r<<4 | rune(d)
	}
	p.pos += 4
	return r, nil
}
