// Package vendorcmd holds what the vendor integrations' commands share:
// Key Fields gathered in order, the HTML Result table, and readers of
// decoded JSON replies that never panic on the vendor's data.
package vendorcmd

import (
	"fmt"
	"html"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/playbook-sh/playbook/actions"
)

// Keys gathers Key Fields in order.
type Keys struct {
	names []string
	vals  map[string][]any
	seen  map[string]map[string]bool
	dedup bool
}

// NewKeys declares the Key Fields, each starting empty. With dedup, a
// value already present is not added again.
func NewKeys(dedup bool, names ...string) *Keys {
	k := &Keys{names: names, vals: map[string][]any{}, seen: map[string]map[string]bool{}, dedup: dedup}
	for _, n := range names {
		k.vals[n] = []any{}
		k.seen[n] = map[string]bool{}
	}
	return k
}

// Add appends v (skipping nil and "") to the Key Field name.
func (k *Keys) Add(name string, v any) {
	if v == nil || v == "" {
		return
	}
	if k.dedup {
		s := fmt.Sprint(v)
		if k.seen[name][s] {
			return
		}
		k.seen[name][s] = true
	}
	k.vals[name] = append(k.vals[name], v)
}

// Fields returns the Key Fields; a nil Keys has none.
func (k *Keys) Fields() map[string][]any {
	if k == nil {
		return map[string][]any{}
	}
	return k.vals
}

// MaxRows is the most rows a Result table shows; the rest are counted.
const MaxRows = 100

// Table is a Result: an HTML table as the D3 pages show, at most MaxRows
// rows, every cell escaped.
func Table(cols []string, rows [][]string) string {
	var b strings.Builder
	b.WriteString("<table><tr>")
	for _, c := range cols {
		b.WriteString("<th>" + html.EscapeString(c) + "</th>")
	}
	b.WriteString("</tr>")
	for i, r := range rows {
		if i == MaxRows {
			fmt.Fprintf(&b, "<tr><td colspan=\"%d\">%d more rows in Raw Data</td></tr>", len(cols), len(rows)-MaxRows)
			break
		}
		b.WriteString("<tr>")
		for _, c := range r {
			b.WriteString("<td>" + html.EscapeString(c) + "</td>")
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</table>")
	return b.String()
}

// Field walks maps by keys; nil when a step is missing or not a map.
func Field(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

// List returns v as a list, or nil.
func List(v any) []any {
	l, _ := v.([]any)
	return l
}

// Text prints a scalar for a table cell or an ID: strings as is, numbers
// as JSON writes them, lists joined with ", ".
func Text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			parts = append(parts, Text(e))
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprint(v)
}

// MaxMessage is the most characters of a vendor message an error quotes.
const MaxMessage = 500

// Clip trims s and cuts it to MaxMessage characters.
func Clip(s string) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= MaxMessage {
		return s
	}
	return string([]rune(s)[:MaxMessage]) + "..."
}

// Opts makes an option list from label, wire value pairs.
func Opts(pairs ...string) []actions.Option {
	out := make([]actions.Option, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, actions.Option{Label: pairs[i], Value: pairs[i+1]})
	}
	return out
}

// MaskValue applies mask to every string of a decoded reply, map keys
// included, so that Raw Data never quotes a credential. It changes v in
// place and returns it.
func MaskValue(v any, mask func(string) string) any {
	switch x := v.(type) {
	case string:
		return mask(x)
	case []any:
		for i, e := range x {
			x[i] = MaskValue(e, mask)
		}
	case map[string]any:
		for k, e := range x {
			if m := mask(k); m != k {
				delete(x, k)
				x[m] = MaskValue(e, mask)
				continue
			}
			x[k] = MaskValue(e, mask)
		}
	}
	return v
}

// Outcome sets the Return Data of a per-item command's envelope from how
// many of its total items failed: Failed when all did, Partially
// Successful when some did. With any failed, the Error names them
// (failed holds "ID: STATUS message" per item) under the command's
// Failure Indicator fi, with the first failure's status code.
func Outcome(env *actions.Envelope, fi string, total int, failed []string, status int) {
	switch {
	case len(failed) == total && total > 0:
		env.ReturnData = actions.Failed
	case len(failed) > 0:
		env.ReturnData = actions.PartiallySuccessful
	}
	if len(failed) > 0 {
		env.Error = &actions.Error{
			FailureIndicator: fi,
			StatusCode:       status,
			Message:          fmt.Sprintf("%d of %d failed: %s", len(failed), total, strings.Join(failed, "; ")),
		}
	}
}
