package jsonpath

import (
	"strconv"
	"strings"
)

// logical is a filter expression of LogicalType.
type logical interface {
	test(e *evaluator, cur any) bool
}

// valueExpr is an expression of ValueType: a literal, a singular query or a
// function returning a value. ok is false for the special result Nothing.
type valueExpr interface {
	value(e *evaluator, cur any) (v any, ok bool)
}

type orExpr []logical
type andExpr []logical
type notExpr struct{ x logical }

// existExpr is a test-expr on a filter query: true when it selects a node.
type existExpr struct{ q *query }

type cmpOp uint8

const (
	opEq cmpOp = iota
	opNe
	opLt
	opLe
	opGt
	opGe
)

type cmpExpr struct {
	op   cmpOp
	l, r valueExpr
}

type literalExpr struct{ v any }

type singularExpr struct{ q *query }

// operand is a parsed literal, filter query or function call, before it is
// checked against the type its position requires.
type operand struct {
	off   int
	isLit bool
	lit   any
	q     *query
	fn    *funcCall
}

// parseLogical parses logical-or-expr.
func (p *parser) parseLogical() (logical, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	first, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	var list orExpr
	for {
		save := p.pos
		p.skipBlank()
		if !strings.HasPrefix(p.src[p.pos:], "||") {
			p.pos = save
			break
		}
		p.pos += 2
		p.skipBlank()
		next, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		if list == nil {
			list = orExpr{first}
		}
		list = append(list, next)
	}
	if list == nil {
		return first, nil
	}
	return list, nil
}

// parseAnd parses logical-and-expr.
func (p *parser) parseAnd() (logical, error) {
	first, err := p.parseBasic()
	if err != nil {
		return nil, err
	}
	var list andExpr
	for {
		save := p.pos
		p.skipBlank()
		if !strings.HasPrefix(p.src[p.pos:], "&&") {
			p.pos = save
			break
		}
		p.pos += 2
		p.skipBlank()
		next, err := p.parseBasic()
		if err != nil {
			return nil, err
		}
		if list == nil {
			list = andExpr{first}
		}
		list = append(list, next)
	}
	if list == nil {
		return first, nil
	}
	return list, nil
}

// parseBasic parses basic-expr: paren-expr, comparison-expr or test-expr.
func (p *parser) parseBasic() (logical, error) {
	if p.peek() == '!' {
		p.pos++
		p.skipBlank()
		var x logical
		var err error
		if p.peek() == '(' {
			x, err = p.parseParen()
		} else {
			var op operand
			if op, err = p.parsePrimary(); err == nil {
				x, err = p.asTest(op)
			}
		}
		if err != nil {
			return nil, err
		}
		return notExpr{x}, nil
	}
	if p.peek() == '(' {
		return p.parseParen()
	}
	left, err := p.parsePrimary()
	if err != nil {
		return nil, err
	}
	save := p.pos
	p.skipBlank()
	op, n := cmpOpAt(p.src[p.pos:])
	if n == 0 {
		p.pos = save
		return p.asTest(left)
	}
	l, err := p.asComparable(left)
	if err != nil {
		return nil, err
	}
	p.pos += n
	p.skipBlank()
	right, err := p.parsePrimary()
	if err != nil {
		return nil, err
	}
	r, err := p.asComparable(right)
	if err != nil {
		return nil, err
	}
	return &cmpExpr{op: op, l: l, r: r}, nil
}

func cmpOpAt(s string) (cmpOp, int) {
	if len(s) >= 2 && s[1] == '=' {
		switch s[0] {
		case '=':
			return opEq, 2
		case '!':
			return opNe, 2
		case '<':
			return opLe, 2
		case '>':
			return opGe, 2
		}
	}
	if len(s) >= 1 {
		switch s[0] {
		case '<':
			return opLt, 1
		case '>':
			return opGt, 1
		}
	}
	return 0, 0
}

// parseParen parses "(" S logical-expr S ")".
func (p *parser) parseParen() (logical, error) {
	p.pos++ // '('
	p.skipBlank()
	x, err := p.parseLogical()
	if err != nil {
		return nil, err
	}
	p.skipBlank()
	if p.peek() != ')' {
		return nil, p.fail(p.pos, "expected ')', found "+p.describe())
	}
	p.pos++
	return x, nil
}

// parsePrimary parses a literal, a filter query or a function expression.
func (p *parser) parsePrimary() (operand, error) {
	start := p.pos
	c := p.peek()
	switch {
	case p.pos >= len(p.src):
		return operand{}, p.fail(p.pos, "expected expression, found end of query")
	case c == '$' || c == '@':
		if err := p.enter(); err != nil {
			return operand{}, err
		}
		defer p.leave()
		p.pos++
		segs, err := p.parseSegments()
		if err != nil {
			return operand{}, err
		}
		return operand{off: start, q: &query{abs: c == '$', segs: segs, singular: isSingular(segs)}}, nil
	case c == '\'' || c == '"':
		s, err := p.parseString()
		return operand{off: start, isLit: true, lit: s}, err
	case c == '-' || isDigit(c):
		v, err := p.parseNumber()
		return operand{off: start, isLit: true, lit: v}, err
	case isLcAlpha(c):
		for p.pos < len(p.src) && (isLcAlpha(p.src[p.pos]) || isDigit(p.src[p.pos]) || p.src[p.pos] == '_') {
			p.pos++
		}
		name := p.src[start:p.pos]
		if p.peek() == '(' {
			fn, err := p.parseFunction(name, start)
			return operand{off: start, fn: fn}, err
		}
		switch name {
		case "true":
			return operand{off: start, isLit: true, lit: true}, nil
		case "false":
			return operand{off: start, isLit: true, lit: false}, nil
		case "null":
			return operand{off: start, isLit: true, lit: nil}, nil
		}
		return operand{}, p.fail(start, "unknown name "+strconv.Quote(name))
	}
	return operand{}, p.fail(p.pos, "expected expression, found "+p.describe())
}

// parseNumber parses number = (int / "-0") [frac] [exp]. Integers that fit
// become int64; anything else float64.
func (p *parser) parseNumber() (any, error) {
	start := p.pos
	if p.peek() == '-' {
		p.pos++
	}
	if !isDigit(p.peek()) {
		return nil, p.fail(p.pos, "expected digit, found "+p.describe())
	}
	if p.src[p.pos] == '0' {
		p.pos++
		if isDigit(p.peek()) {
			return nil, p.fail(start, "leading zero in number")
		}
	}
	p.skipDigits()
	isInt := true
	if p.peek() == '.' {
		p.pos++
		if !isDigit(p.peek()) {
			return nil, p.fail(p.pos, "expected digit after decimal point")
		}
		p.skipDigits()
		isInt = false
	}
	if c := p.peek(); c == 'e' || c == 'E' {
		p.pos++
		if c := p.peek(); c == '+' || c == '-' {
			p.pos++
		}
		if !isDigit(p.peek()) {
			return nil, p.fail(p.pos, "expected digit in exponent")
		}
		p.skipDigits()
		isInt = false
	}
	text := p.src[start:p.pos]
	if isInt {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return n, nil
		}
	}
	// The syntax is already checked; a range error yields ±Inf or 0.
	f, _ := strconv.ParseFloat(text, 64)
	return f, nil
}

func (p *parser) skipDigits() {
	for isDigit(p.peek()) {
		p.pos++
	}
}

// parseFunction parses the argument list of function name (p.pos is at "(")
// and checks the arguments' types.
func (p *parser) parseFunction(name string, start int) (*funcCall, error) {
	def, ok := functions[name]
	if !ok {
		return nil, p.fail(start, "unknown function "+strconv.Quote(name))
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	p.pos++ // '('
	p.skipBlank()
	var args []operand
	if p.peek() != ')' {
		for {
			a, err := p.parsePrimary()
			if err != nil {
				return nil, err
			}
			args = append(args, a)
			p.skipBlank()
			if p.peek() != ',' {
				break
			}
			p.pos++
			p.skipBlank()
		}
	}
	if p.peek() != ')' {
		return nil, p.fail(p.pos, "expected ',' or ')' in call of "+name+"(), found "+p.describe())
	}
	p.pos++
	if len(args) != len(def.params) {
		return nil, p.fail(start, name+"() takes "+strconv.Itoa(len(def.params))+" argument(s), got "+strconv.Itoa(len(args)))
	}
	fc := &funcCall{def: def, args: make([]funcArg, len(args))}
	for i, a := range args {
		switch def.params[i] {
		case typeValue:
			v, err := p.asValue(a, name+"() argument")
			if err != nil {
				return nil, err
			}
			fc.args[i].val = v
		case typeNodes:
			if a.q == nil {
				return nil, p.fail(a.off, name+"() argument must be a query")
			}
			fc.args[i].nodes = a.q
		}
	}
	fc.prepare()
	return fc, nil
}

// asValue checks that op is of ValueType (or a singular query, which
// converts to it).
func (p *parser) asValue(op operand, what string) (valueExpr, error) {
	switch {
	case op.isLit:
		return &literalExpr{op.lit}, nil
	case op.q != nil:
		if !op.q.singular {
			return nil, p.fail(op.off, what+" must be a singular query (only name and index selectors)")
		}
		return &singularExpr{op.q}, nil
	case op.fn != nil && op.fn.def.result == typeValue:
		return op.fn, nil
	}
	return nil, p.fail(op.off, what+" must be a value, not a logical result")
}

func (p *parser) asComparable(op operand) (valueExpr, error) {
	return p.asValue(op, "comparison operand")
}

// asTest checks that op can stand alone as a test-expr.
func (p *parser) asTest(op operand) (logical, error) {
	switch {
	case op.isLit:
		return nil, p.fail(op.off, "a literal must be compared")
	case op.q != nil:
		return &existExpr{op.q}, nil
	case op.fn != nil && op.fn.def.result == typeLogical:
		return op.fn, nil
	case op.fn != nil:
		return nil, p.fail(op.off, "the result of "+op.fn.def.name+"() must be compared")
	}
	return nil, p.fail(op.off, "expected a test expression")
}
