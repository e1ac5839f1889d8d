// Package udiff writes line diffs in the unified format of diff -u.
package udiff

import (
	"fmt"
	"strings"
)

// maxCells bounds the longest-common-subsequence table; longer inputs are
// shown as one hunk replacing every line.
const maxCells = 4 << 20

// Unified returns the unified diff of a and b, split into lines, with
// context lines around each change, under the headers "--- aName" and
// "+++ bName". Equal inputs give "".
func Unified(aName, bName, a, b string, context int) string {
	if a == b {
		return ""
	}
	x, y := lines(a), lines(b)
	ops := script(x, y)
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", aName, bName)
	for start := 0; start < len(ops); {
		// Find the next change, then grow the hunk while changes are
		// within 2*context lines of each other.
		first := start
		for first < len(ops) && ops[first].kind == ' ' {
			first++
		}
		if first == len(ops) {
			break
		}
		lo := max(first-context, start)
		hi, last := first, first
		for i := first; i < len(ops); i++ {
			if ops[i].kind != ' ' {
				if i-last > 2*context {
					break
				}
				last = i
			}
		}
		hi = min(last+context+1, len(ops))
		writeHunk(&out, ops[lo:hi])
		start = hi
	}
	return out.String()
}

type op struct {
	kind       byte // ' ', '-', '+'
	text       string
	aLine, bLn int // 1-based line numbers before the op in each input
}

func writeHunk(out *strings.Builder, ops []op) {
	aStart, bStart, aN, bN := ops[0].aLine, ops[0].bLn, 0, 0
	for _, o := range ops {
		if o.kind != '+' {
			aN++
		}
		if o.kind != '-' {
			bN++
		}
	}
	fmt.Fprintf(out, "@@ -%s +%s @@\n", span(aStart, aN), span(bStart, bN))
	for _, o := range ops {
		out.WriteByte(o.kind)
		out.WriteString(o.text)
		out.WriteByte('\n')
	}
}

// span is a hunk range as diff -u writes it: "start,count", with the line
// before for an empty range and no count when it is 1.
func span(start, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("%d,0", start-1)
	case 1:
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}

func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// script is an edit script turning x into y, deletions before insertions
// within a change.
func script(x, y []string) []op {
	// Common prefix and suffix cost nothing.
	p := 0
	for p < len(x) && p < len(y) && x[p] == y[p] {
		p++
	}
	s := 0
	for s < len(x)-p && s < len(y)-p && x[len(x)-1-s] == y[len(y)-1-s] {
		s++
	}
	var ops []op
	for i := 0; i < p; i++ {
		ops = append(ops, op{' ', x[i], i + 1, i + 1})
	}
	mx, my := x[p:len(x)-s], y[p:len(y)-s]
	ai, bi := p+1, p+1
	emit := func(kind byte, text string) {
		ops = append(ops, op{kind, text, ai, bi})
		if kind != '+' {
			ai++
		}
		if kind != '-' {
			bi++
		}
	}
	if len(mx)*len(my) > maxCells {
		for _, l := range mx {
			emit('-', l)
		}
		for _, l := range my {
			emit('+', l)
		}
	} else {
		// lcs[i][j] is the LCS length of mx[i:] and my[j:].
		n, m := len(mx), len(my)
		lcs := make([]int, (n+1)*(m+1))
		at := func(i, j int) int { return i*(m+1) + j }
		for i := n - 1; i >= 0; i-- {
			for j := m - 1; j >= 0; j-- {
				if mx[i] == my[j] {
					lcs[at(i, j)] = lcs[at(i+1, j+1)] + 1
				} else {
					lcs[at(i, j)] = max(lcs[at(i+1, j)], lcs[at(i, j+1)])
				}
			}
		}
		var adds []string
		flush := func() {
			for _, l := range adds {
				emit('+', l)
			}
			adds = adds[:0]
		}
		i, j := 0, 0
		for i < n || j < m {
			switch {
			case i < n && j < m && mx[i] == my[j]:
				flush()
				emit(' ', mx[i])
				i, j = i+1, j+1
			case j < m && (i == n || lcs[at(i, j+1)] > lcs[at(i+1, j)]):
				adds = append(adds, my[j])
				j++
			default:
				emit('-', mx[i])
				i++
			}
		}
		flush()
	}
	for k := 0; k < s; k++ {
		emit(' ', x[len(x)-s+k])
	}
	return ops
}
