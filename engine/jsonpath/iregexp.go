package jsonpath

import (
	"strings"
	"unicode/utf8"
)

// translateIRegexp validates an I-Regexp (RFC 9485) and translates it to Go's
// regexp syntax:
//   - "." becomes [^\n\r] (Go's "." excludes only \n);
//   - groups become non-capturing;
//   - \p{Cn} and \p{C} outside classes are expanded (Go has no Cn table);
//   - "^" and "$" outside classes are anchors, as the JSONPath Compliance
//     Test Suite expects (strict I-Regexp treats them as ordinary characters).
//
// It reports false for patterns outside I-Regexp, such as \d, lazy or
// possessive quantifiers, back references and look-around.
func translateIRegexp(src string) (string, bool) {
	t := reTranslator{src: src}
	t.out.Grow(len(src) + 16)
	if !t.alternation(0) || t.pos != len(src) {
		return "", false
	}
	return t.out.String(), true
}

type reTranslator struct {
	src string
	pos int
	out strings.Builder
}

const maxRegexpNesting = 100

// assigned lists the Go categories that together cover every assigned code
// point (all but Cn).
const assigned = `\p{L}\p{M}\p{N}\p{P}\p{S}\p{Z}\p{Cc}\p{Cf}\p{Co}\p{Cs}`

func (t *reTranslator) peek() byte {
	if t.pos < len(t.src) {
		return t.src[t.pos]
	}
	return 0
}

// alternation parses branch *("|" branch).
func (t *reTranslator) alternation(depth int) bool {
	if depth > maxRegexpNesting {
		return false
	}
	for {
		if !t.branch(depth) {
			return false
		}
		if t.pos >= len(t.src) || t.src[t.pos] != '|' {
			return true
		}
		t.pos++
		t.out.WriteByte('|')
	}
}

// branch parses *piece.
func (t *reTranslator) branch(depth int) bool {
	for t.pos < len(t.src) {
		if c := t.src[t.pos]; c == '|' || c == ')' {
			return true
		}
		if !t.piece(depth) {
			return false
		}
	}
	return true
}

// piece parses atom [quantifier].
func (t *reTranslator) piece(depth int) bool {
	quantifiable := true
	switch c := t.src[t.pos]; c {
	case '(':
		t.pos++
		t.out.WriteString("(?:")
		if !t.alternation(depth+1) || t.peek() != ')' {
			return false
		}
		t.pos++
		t.out.WriteByte(')')
	case '.':
		t.pos++
		t.out.WriteString(`[^\n\r]`)
	case '[':
		if !t.class() {
			return false
		}
	case '\\':
		if !t.escape(false) {
			return false
		}
	case '^', '$':
		t.pos++
		t.out.WriteByte(c)
		quantifiable = false
	case '*', '+', '?', '{', '}', ']', ')', '|':
		return false
	default:
		r, size := utf8.DecodeRuneInString(t.src[t.pos:])
		if r == utf8.RuneError && size <= 1 {
			return false
		}
		t.pos += size
		writeLiteral(&t.out, r)
	}
	switch t.peek() {
	case '*', '+', '?':
		if !quantifiable {
			return false
		}
		t.out.WriteByte(t.src[t.pos])
		t.pos++
	case '{':
		if !quantifiable {
			return false
		}
		return t.rangeQuantifier()
	}
	return true
}

// rangeQuantifier parses "{" QuantExact ["," [QuantExact]] "}".
func (t *reTranslator) rangeQuantifier() bool {
	start := t.pos
	t.pos++
	if !t.digits() {
		return false
	}
	if t.peek() == ',' {
		t.pos++
		for isDigit(t.peek()) {
			t.pos++
		}
	}
	if t.peek() != '}' {
		return false
	}
	t.pos++
	t.out.WriteString(t.src[start:t.pos])
	return true
}

func (t *reTranslator) digits() bool {
	start := t.pos
	for isDigit(t.peek()) {
		t.pos++
	}
	return t.pos > start
}

// singleCharEsc maps the character after a backslash in a SingleCharEsc to
// the character it denotes, or reports false.
func singleCharEsc(c byte) (byte, bool) {
	switch c {
	case '(', ')', '*', '+', '-', '.', '?', '[', '\\', ']', '^', '{', '|', '}':
		return c, true
	case '$': // not I-Regexp, but needed while "$" is an anchor
		return c, true
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 't':
		return '\t', true
	}
	return 0, false
}

// escape parses a backslash escape outside a character class.
func (t *reTranslator) escape(inClass bool) bool {
	t.pos++ // '\'
	c := t.peek()
	if c == 'p' || c == 'P' {
		return t.category(c == 'P', inClass)
	}
	ch, ok := singleCharEsc(c)
	if !ok {
		return false
	}
	t.pos++
	writeLiteral(&t.out, rune(ch))
	return true
}

// category parses the rest of \p{X} or \P{X} (t.pos is at 'p' or 'P').
func (t *reTranslator) category(negated, inClass bool) bool {
	t.pos++
	if t.peek() != '{' {
		return false
	}
	end := strings.IndexByte(t.src[t.pos:], '}')
	if end < 0 {
		return false
	}
	name := t.src[t.pos+1 : t.pos+end]
	t.pos += end + 1
	if !validCategory(name) {
		return false
	}
	switch {
	case name == "Cn" || name == "C":
		var pos string // the categories whose union is the complement
		if name == "Cn" {
			pos = assigned
		} else {
			pos = `\p{L}\p{M}\p{N}\p{P}\p{S}\p{Z}`
		}
		switch {
		case negated && inClass:
			t.out.WriteString(pos)
		case negated:
			t.out.WriteString("[" + pos + "]")
		case inClass:
			// Go cannot nest a negated class inside a class.
			return false
		default:
			t.out.WriteString("[^" + pos + "]")
		}
	case negated:
		t.out.WriteString(`\P{` + name + `}`)
	default:
		t.out.WriteString(`\p{` + name + `}`)
	}
	return true
}

func validCategory(name string) bool {
	if len(name) == 0 || len(name) > 2 {
		return false
	}
	var subs string
	switch name[0] {
	case 'L':
		subs = "lmotu"
	case 'M':
		subs = "cen"
	case 'N':
		subs = "dlo"
	case 'P':
		subs = "cdefios"
	case 'Z':
		subs = "lps"
	case 'S':
		subs = "ckmo"
	case 'C':
		subs = "cfno"
	default:
		return false
	}
	return len(name) == 1 || strings.IndexByte(subs, name[1]) >= 0
}

// class parses a charClassExpr: "[" ["^"] ("-" / CCE1) *CCE1 ["-"] "]".
func (t *reTranslator) class() bool {
	t.pos++ // '['
	t.out.WriteByte('[')
	if t.peek() == '^' {
		t.pos++
		t.out.WriteByte('^')
	}
	for first := true; ; first = false {
		if t.pos >= len(t.src) {
			return false
		}
		c := t.src[t.pos]
		switch {
		case c == ']' && !first:
			t.pos++
			t.out.WriteByte(']')
			return true
		case c == '-':
			// A literal '-' only first or last.
			if !first && (t.pos+1 >= len(t.src) || t.src[t.pos+1] != ']') {
				return false
			}
			t.pos++
			t.out.WriteString(`\-`)
			continue
		case c == '\\' && t.pos+1 < len(t.src) && (t.src[t.pos+1] == 'p' || t.src[t.pos+1] == 'P'):
			if !t.escape(true) {
				return false
			}
			continue
		}
		lo, ok := t.classChar()
		if !ok {
			return false
		}
		writeLiteral(&t.out, lo)
		if t.peek() == '-' && t.pos+1 < len(t.src) && t.src[t.pos+1] != ']' {
			t.pos++
			hi, ok := t.classChar()
			if !ok || hi < lo {
				return false
			}
			t.out.WriteByte('-')
			writeLiteral(&t.out, hi)
		}
	}
}

// classChar parses a CCchar: a character other than '-', '[', '\', ']', or
// a SingleCharEsc.
func (t *reTranslator) classChar() (rune, bool) {
	if t.pos >= len(t.src) {
		return 0, false
	}
	switch c := t.src[t.pos]; c {
	case '\\':
		if t.pos+1 >= len(t.src) {
			return 0, false
		}
		ch, ok := singleCharEsc(t.src[t.pos+1])
		t.pos += 2
		return rune(ch), ok
	case '-', '[', ']':
		return 0, false
	}
	r, size := utf8.DecodeRuneInString(t.src[t.pos:])
	if r == utf8.RuneError && size <= 1 {
		return 0, false
	}
	t.pos += size
	return r, true
}

// writeLiteral writes r so that Go's regexp reads it literally, both inside
// and outside a character class.
func writeLiteral(b *strings.Builder, r rune) {
	switch r {
	case '\\', '.', '+', '*', '?', '(', ')', '|', '[', ']', '{', '}', '^', '$', '-':
		b.WriteByte('\\')
	}
	b.WriteRune(r)
}
