package playbook

import (
	"fmt"
	"sort"
	"strings"

	"github.com/playbook-sh/playbook/internal/textdist"
)

// MaxErrors caps how many errors one file reports.
const MaxErrors = 100

// Pos is a 1-based line and column in a file. The zero Pos means unknown.
type Pos struct {
	Line int `json:"line"`
	Col  int `json:"col"`
}

// Error is one problem in a file, printed as FILE:LINE:COL: msg (hint).
type Error struct {
	File string
	Pos  Pos
	Msg  string
	Hint string // "did you mean \"needs\"?", or ""
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	line, col := e.Pos.Line, e.Pos.Col
	if line < 1 {
		line = 1
	}
	if col < 1 {
		col = 1
	}
	fmt.Fprintf(&b, ":%d:%d: %s", line, col, e.Msg)
	if e.Hint != "" {
		b.WriteString(" (" + e.Hint + ")")
	}
	return b.String()
}

// ErrorList is every problem found in one or more files, sorted by file
// and position, at most [MaxErrors] of them.
type ErrorList []*Error

func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Sort orders the list by file, line and column, drops exact duplicates and
// caps it at MaxErrors.
func (l *ErrorList) Sort() {
	s := *l
	sort.SliceStable(s, func(i, j int) bool {
		a, b := s[i], s[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		return a.Pos.Col < b.Pos.Col
	})
	out := s[:0]
	for i, e := range s {
		if i > 0 && e.Error() == s[i-1].Error() {
			continue
		}
		out = append(out, e)
	}
	if len(out) > MaxErrors {
		out = out[:MaxErrors]
	}
	*l = out
}

// Err returns the list as an error, or nil when it is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	l.Sort()
	return l
}

// Suggest returns `did you mean "x"?` for the candidate closest to name, or
// "" when none is close enough.
func Suggest(name string, candidates []string) string {
	best, bestD := "", -1
	for _, c := range candidates {
		// A name that is the start of a candidate (incident → incident_id).
		if len(name) >= 3 && strings.HasPrefix(strings.ToLower(c), strings.ToLower(name)) && bestD != 0 {
			if best == "" || len(c) < len(best) {
				best, bestD = c, 1
			}
			continue
		}
		d := textdist.Distance(strings.ToLower(name), strings.ToLower(c))
		limit := 2
		if len(name) > 8 {
			limit = 3
		}
		if d <= limit && (bestD < 0 || d < bestD || (d == bestD && c < best)) {
			best, bestD = c, d
		}
	}
	if best == "" || best == name {
		return ""
	}
	return fmt.Sprintf("did you mean %q?", best)
}

// LineCount is the number of lines in src as YAML counts them: "\n",
// "\r\n" and a lone "\r" each end a line. Error positions lie within it.
func LineCount(src []byte) int {
	n := 1
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '\n':
			n++
		case '\r':
			n++
			if i+1 < len(src) && src[i+1] == '\n' {
				i++
			}
		}
	}
	return n
}
