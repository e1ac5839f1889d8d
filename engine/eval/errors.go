package eval

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/playbook-sh/playbook/internal/textdist"
)

// Error is a compile or evaluation error located in the source text.
//
// Offset is a byte offset into the text given to [Compile] or
// [ParseTemplate]; the loader adds the position of that text in the file.
// An Error may wrap a cause (the context's error when an evaluation was
// cancelled), so errors.Is(err, context.Canceled) works.
type Error struct {
	Offset int    // byte offset in the source given to Compile/ParseTemplate; -1 when unknown
	Msg    string // lowercase, no position prefix
	Hint   string // optional "did you mean ..." text, e.g. `did you mean "tasks"?`

	err error // cause, for errors.Is / errors.As; may be nil
}

// Error returns the message followed by the hint in parentheses, without
// a position: the caller knows the file and prints FILE:LINE:COL.
func (e *Error) Error() string {
	if e.Hint == "" {
		return e.Msg
	}
	return e.Msg + " (" + e.Hint + ")"
}

// Unwrap returns the cause of an evaluation error, or nil.
func (e *Error) Unwrap() error { return e.err }

// errorf makes an *Error at byte offset off.
func errorf(off int, format string, args ...any) *Error {
	return &Error{Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// shift moves an error found in a piece of a larger text to that text:
// base is the byte offset of the piece in the text. Unknown offsets stay -1.
func (e *Error) shift(base int) *Error {
	if e.Offset >= 0 {
		e.Offset += base
	}
	return e
}

// clampOffset keeps off within [0, len(src)], or -1 when it is unknown.
func clampOffset(src string, off int) int {
	switch {
	case off < 0:
		return -1
	case off > len(src):
		return len(src)
	}
	return off
}

// runeToByte converts an offset counted in code points, as cel-go and expr
// count, to a byte offset into src. An offset past the end gives len(src).
func runeToByte(src string, runeOff int) int {
	if runeOff < 0 {
		return -1
	}
	n := 0
	for i := range src {
		if n == runeOff {
			return i
		}
		n++
	}
	return len(src)
}

// lineColToByte converts a 1-based line and a 0-based column counted in code
// points to a byte offset into src. Lines end at '\n'.
func lineColToByte(src string, line, col int) int {
	if line < 1 || col < 0 {
		return -1
	}
	start := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(src[start:], '\n')
		if i < 0 {
			return len(src)
		}
		start += i + 1
	}
	off := start
	for c := 0; c < col && off < len(src); c++ {
		if src[off] == '\n' {
			break
		}
		_, size := utf8.DecodeRuneInString(src[off:])
		off += size
	}
	return off
}

// topNames are the run context's top-level names, sorted.
var topNames = []string{"event", "index", "inputs", "item", "run", "tasks"}

// isTopName reports whether name is one of the run context's top-level names.
func isTopName(name string) bool {
	_, ok := slices.BinarySearch(topNames, name)
	return ok
}

// nameHint suggests a top-level name for an unknown identifier: the closest
// one within edit distance 2, or else the list of names.
func nameHint(name string) string {
	best, bestDist := "", 3
	for _, n := range topNames {
		if d := textdist.Distance(name, n); d < bestDist {
			best, bestDist = n, d
		}
	}
	if best != "" {
		return fmt.Sprintf("did you mean %q?", best)
	}
	return "known names: " + strings.Join(topNames, ", ")
}

// quote quotes s for a message.
func quote(s string) string { return strconv.Quote(s) }

// lowerFirst lowercases the first letter of a library's message, so it
// reads as our errors do. Words that are all capitals ("ERROR") are left.
func lowerFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError || !unicode.IsUpper(r) {
		return s
	}
	if next, _ := utf8.DecodeRuneInString(s[size:]); unicode.IsUpper(next) {
		return s
	}
	return string(unicode.ToLower(r)) + s[size:]
}
