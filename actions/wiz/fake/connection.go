package fake

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Page size limits (API notes §2.6): 500 on issues, projects and
// configuration findings [V: XSOAR-Wiz, Sentinel-CCF]; 1000 on
// vulnerability findings [V: Sentinel-CCF pages them by 1000].
const (
	maxPage     = 500
	maxVulnPage = 1000
)

// pageArgs reads first and after. first is required ("You must include a
// value, or the API call fails" [V: Wiz-docs]) and must be 1 to limit;
// after "" is the same as no cursor [I].
func pageArgs(args map[string]any, limit int) (first int, after string, e *gqlError) {
	v, ok := args["first"]
	if !ok || v == nil {
		return 0, "", newError(codeBadUserInput, fmt.Sprintf("The first argument is required: set it to the page size, 1 to %d", limit))
	}
	n, ok := toInt(v)
	if !ok || n < 1 || n > int64(limit) {
		return 0, "", newError(codeBadUserInput, fmt.Sprintf("The first argument must be between 1 and %d, got %s", limit, shortValue(v)))
	}
	if a, ok := args["after"].(string); ok {
		after = a
	}
	return int(n), after, nil
}

// toInt converts a whole JSON or literal number.
func toInt(v any) (int64, bool) {
	switch v := v.(type) {
	case int64:
		return v, true
	case int:
		return int64(v), true
	case float64:
		if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
			return 0, false
		}
		return int64(v), true
	}
	return 0, false
}

// cursor is the opaque pagination cursor, base64 of JSON in the shape the
// service uses ({"fields":[{"Field":...,"Value":...}]} [V: Wiz-docs]):
// the ID of the last node of a page and the number of nodes up to it.
type cursor struct {
	Fields []cursorField `json:"fields"`
}

type cursorField struct {
	Field string `json:"Field"`
	Value string `json:"Value"`
}

func encodeCursor(id string, offset int) string {
	b, _ := json.Marshal(cursor{Fields: []cursorField{{"Id", id}, {"Offset", strconv.Itoa(offset)}}})
	return base64.StdEncoding.EncodeToString(b)
}

// decodeCursor returns the last ID and the offset of a cursor.
func decodeCursor(s string) (string, int, bool) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return "", 0, false
	}
	var c cursor
	if json.Unmarshal(b, &c) != nil {
		return "", 0, false
	}
	id, offset := "", -1
	for _, f := range c.Fields {
		switch f.Field {
		case "Id":
			id = f.Value
		case "Offset":
			n, err := strconv.Atoi(f.Value)
			if err != nil {
				return "", 0, false
			}
			offset = n
		}
	}
	if id == "" || offset < 0 {
		return "", 0, false
	}
	return id, offset, true
}

// connection returns one page of nodes as a connection object: nodes,
// pageInfo and totalCount (all matching nodes). A page after a cursor
// starts after the cursor's node; when that node no longer matches, at the
// cursor's offset.
func connection(nodes []obj, first int, after string) (obj, *gqlError) {
	start := 0
	if after != "" {
		id, offset, ok := decodeCursor(after)
		if !ok {
			return nil, newError(codeBadUserInput, fmt.Sprintf("Invalid cursor %s: pass the endCursor of a previous page", shortValue(after)))
		}
		start = min(offset, len(nodes))
		if i := slices.IndexFunc(nodes, func(m obj) bool { return m["id"] == id }); i >= 0 {
			start = i + 1
		}
	}
	end := min(start+first, len(nodes))
	page := make([]any, 0, end-start)
	for _, m := range nodes[start:end] {
		page = append(page, m)
	}
	var endCursor any
	if end > start {
		id, _ := nodes[end-1]["id"].(string)
		endCursor = encodeCursor(id, end)
	}
	return obj{
		"nodes":      page,
		"pageInfo":   obj{"hasNextPage": end < len(nodes), "endCursor": endCursor},
		"totalCount": len(nodes),
	}, nil
}

// filters is a conjunction of predicates built from a filterBy argument:
// keys are ANDed, the values of a list key ORed (API notes §11).
type filters struct {
	preds []func(obj) bool
	err   *gqlError
}

func (f *filters) match(m obj) bool {
	for _, p := range f.preds {
		if !p(m) {
			return false
		}
	}
	return true
}

// apply returns the nodes that match, in their order, in a new slice.
func (f *filters) apply(nodes []obj) []obj {
	out := make([]obj, 0, len(nodes))
	for _, m := range nodes {
		if f.match(m) {
			out = append(out, m)
		}
	}
	return out
}

func (f *filters) add(p func(obj) bool) { f.preds = append(f.preds, p) }

// oneOf keeps nodes of which one of get's values is one of v's.
func (f *filters) oneOf(v any, get func(obj) []string) {
	want := stringList(v)
	f.add(func(m obj) bool {
		for _, s := range get(m) {
			if slices.Contains(want, s) {
				return true
			}
		}
		return false
	})
}

// flag keeps nodes for which has returns the boolean v.
func (f *filters) flag(v any, has func(obj) bool) {
	b, ok := v.(bool)
	if !ok {
		return
	}
	f.add(func(m obj) bool { return has(m) == b })
}

// search keeps nodes one of whose get values contains v, ignoring case.
func (f *filters) search(v any, get func(obj) []string) {
	s, ok := v.(string)
	if !ok || s == "" {
		return
	}
	s = strings.ToLower(s)
	f.add(func(m obj) bool {
		for _, t := range get(m) {
			if strings.Contains(strings.ToLower(t), s) {
				return true
			}
		}
		return false
	})
}

// dateRange keeps nodes whose time key is after v.after and before
// v.before, both exclusive [I]; a node without the time never matches a
// range.
func (f *filters) dateRange(name string, v any, key string) {
	r, ok := v.(map[string]any)
	if !ok {
		return
	}
	bound := func(k string) (time.Time, bool) {
		raw, ok := r[k]
		if !ok || raw == nil {
			return time.Time{}, false
		}
		s, _ := raw.(string)
		t, ok := parseTime(s)
		if !ok && f.err == nil {
			f.err = newError(codeBadUserInput, fmt.Sprintf("filterBy.%s.%s: DateTime cannot represent an invalid date-time string %s", name, k, shortValue(raw)))
		}
		return t, ok
	}
	after, hasAfter := bound("after")
	before, hasBefore := bound("before")
	if !hasAfter && !hasBefore {
		return
	}
	f.add(func(m obj) bool {
		t, ok := m[key].(time.Time)
		if !ok {
			return false
		}
		return (!hasAfter || t.After(after)) && (!hasBefore || t.Before(before))
	})
}

// stringList reads a list filter value: a list, or one value standing for
// a list of one (GraphQL input coercion). Integer IDs become strings.
func stringList(v any) []string {
	one := func(e any) (string, bool) {
		switch e := e.(type) {
		case string:
			return e, true
		case float64:
			return strconv.FormatFloat(e, 'f', -1, 64), true
		case int64:
			return strconv.FormatInt(e, 10), true
		}
		return "", false
	}
	if l, ok := v.([]any); ok {
		out := make([]string, 0, len(l))
		for _, e := range l {
			if s, ok := one(e); ok {
				out = append(out, s)
			}
		}
		return out
	}
	if s, ok := one(v); ok {
		return []string{s}
	}
	return nil
}

// Getters for filters and sorting.

func str(m obj, k string) string { s, _ := m[k].(string); return s }

func strs(m obj, k string) []string {
	if s, ok := m[k].(string); ok {
		return []string{s}
	}
	return nil
}

func child(m obj, k string) obj { c, _ := m[k].(obj); return c }

func children(m obj, k string) []obj {
	l, _ := m[k].([]any)
	out := make([]obj, 0, len(l))
	for _, e := range l {
		if c, ok := e.(obj); ok {
			out = append(out, c)
		}
	}
	return out
}

// ids returns the ids of the objects listed under k.
func ids(m obj, k string) []string {
	var out []string
	for _, c := range children(m, k) {
		out = append(out, str(c, "id"))
	}
	return out
}

// severityRank orders severities from NONE (0) to CRITICAL (5).
var severityRank = map[string]int{"NONE": 0, "INFORMATIONAL": 1, "LOW": 2, "MEDIUM": 3, "HIGH": 4, "CRITICAL": 5}

// sortKey returns a node's sort value (int, int64, float64 or string) and
// whether it has one.
type sortKey func(obj) (any, bool)

func timeKey(k string) sortKey {
	return func(m obj) (any, bool) {
		t, ok := m[k].(time.Time)
		return t.UnixMicro(), ok
	}
}

func severityKey(k string) sortKey {
	return func(m obj) (any, bool) {
		r, ok := severityRank[str(m, k)]
		return r, ok
	}
}

// orderBy sorts nodes in place, stably, by key in direction ("ASC" unless
// "DESC"); nodes without a value come last either way [I].
func orderBy(nodes []obj, key sortKey, direction any) {
	desc := direction == "DESC"
	slices.SortStableFunc(nodes, func(a, b obj) int {
		ka, oka := key(a)
		kb, okb := key(b)
		switch {
		case !oka && !okb:
			return 0
		case !oka:
			return 1
		case !okb:
			return -1
		}
		c := compareAny(ka, kb)
		if desc {
			c = -c
		}
		return c
	})
}

func compareAny(a, b any) int {
	switch a := a.(type) {
	case int:
		bi, _ := b.(int)
		return cmp.Compare(a, bi)
	case int64:
		bi, _ := b.(int64)
		return cmp.Compare(a, bi)
	case float64:
		bf, _ := b.(float64)
		return cmp.Compare(a, bf)
	case string:
		bs, _ := b.(string)
		return cmp.Compare(strings.ToLower(a), strings.ToLower(bs))
	}
	return 0
}
