package fake

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
)

// obj is a JSON object read with typed getters. A field holding null counts
// as absent. The first wrong type is kept in err, so a handler reads every
// field and checks err once.
type obj struct {
	name string // for messages: "request_data", "update_data"
	m    map[string]json.RawMessage
	err  *apiError
}

// object decodes raw as an object; null or absent is an empty object.
func object(raw json.RawMessage, name string) (*obj, *apiError) {
	o := &obj{name: name}
	if len(raw) == 0 || isNull(raw) {
		return o, nil
	}
	if err := json.Unmarshal(raw, &o.m); err != nil || o.m == nil {
		return nil, badRequest("%s must be an object", name)
	}
	return o, nil
}

func isNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

func (o *obj) fail(e *apiError) {
	if o.err == nil {
		o.err = e
	}
}

func (o *obj) wrongType(k, what string) {
	o.fail(badRequest("%s.%s must be %s", o.name, k, what))
}

// get returns the field k, or nil when absent or null.
func (o *obj) get(k string) json.RawMessage {
	v, ok := o.m[k]
	if !ok || isNull(v) {
		return nil
	}
	return v
}

func (o *obj) has(k string) bool { return o.get(k) != nil }

func (o *obj) str(k string) (string, bool) {
	v := o.get(k)
	if v == nil {
		return "", false
	}
	s, ok := asString(v)
	if !ok {
		o.wrongType(k, "a string")
	}
	return s, ok
}

func (o *obj) integer(k string) (int64, bool) {
	v := o.get(k)
	if v == nil {
		return 0, false
	}
	n, ok := asInt(v)
	if !ok {
		o.wrongType(k, "an integer")
	}
	return n, ok
}

// id reads an integer ID sent as a JSON number or a numeric string [INF].
func (o *obj) id(k string) (int64, bool) {
	v := o.get(k)
	if v == nil {
		return 0, false
	}
	if n, ok := asInt(v); ok {
		return n, true
	}
	if s, ok := asString(v); ok {
		if n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
			return n, true
		}
	}
	o.wrongType(k, "an integer")
	return 0, false
}

// requiredID reads an ID that must be there: a missing one is the
// "<object>.<k> is required" 400, a malformed one its type error.
func (o *obj) requiredID(k string) (int64, *apiError) {
	id, ok := o.id(k)
	if o.err != nil {
		return 0, o.err
	}
	if !ok {
		return 0, badRequest("%s.%s is required", o.name, k)
	}
	return id, nil
}

func (o *obj) boolean(k string) (bool, bool) {
	v := o.get(k)
	if v == nil {
		return false, false
	}
	var b bool
	if err := json.Unmarshal(v, &b); err != nil {
		o.wrongType(k, "a boolean")
		return false, false
	}
	return b, true
}

func (o *obj) strings(k string) ([]string, bool) {
	v := o.get(k)
	if v == nil {
		return nil, false
	}
	ss, ok := asStrings(v)
	if !ok {
		o.wrongType(k, "a list of strings")
	}
	return ss, ok
}

func asString(raw json.RawMessage) (string, bool) {
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// asInt reads a JSON number that is an integer.
func asInt(raw json.RawMessage) (int64, bool) {
	t := string(bytes.TrimSpace(raw))
	if t == "" || !(t[0] == '-' || '0' <= t[0] && t[0] <= '9') {
		return 0, false
	}
	if n, err := strconv.ParseInt(t, 10, 64); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

func asStrings(raw json.RawMessage) ([]string, bool) {
	var items []json.RawMessage
	if len(raw) == 0 || raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
		return nil, false
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, ok := asString(it)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// asScalars reads a scalar or a list of scalars (strings or numbers) as
// strings; numbers keep their JSON text.
func asScalars(raw json.RawMessage) ([]string, bool) {
	one := func(r json.RawMessage) (string, bool) {
		if s, ok := asString(r); ok {
			return s, true
		}
		if n, ok := asInt(r); ok {
			return strconv.FormatInt(n, 10), true
		}
		return "", false
	}
	if len(raw) > 0 && raw[0] == '[' {
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return nil, false
		}
		out := make([]string, 0, len(items))
		for _, it := range items {
			s, ok := one(it)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	s, ok := one(raw)
	if !ok {
		return nil, false
	}
	return []string{s}, true
}

// kind is the shape a filter's value must have.
type kind int

const (
	kindStrings         kind = iota // list of strings
	kindString                      // one string
	kindStringOrStrings             // a string or a list of strings
	kindInt                         // an integer (epoch ms)
	kindBool                        // a boolean
	kindScalars                     // a scalar or a list of scalars (IDs as strings or numbers)
)

var kindNames = map[kind]string{
	kindStrings:         "a list of strings",
	kindString:          "a string",
	kindStringOrStrings: "a string or a list of strings",
	kindInt:             "an integer",
	kindBool:            "a boolean",
	kindScalars:         "a value or a list of values",
}

// fieldRule says which operators a filter field takes, the value shape of
// each, and, for string values, the allowed lower-case values (nil: any).
type fieldRule struct {
	ops  map[string]kind
	enum []string
}

// cond is one parsed filter. Operators are lower case; string values keep
// their case except enum values, which are lower-cased.
type cond struct {
	field, op string
	strs      []string
	n         int64
	b         bool
}

// parseFilters parses a filters list [PA]: objects {field, operator, value},
// ANDed, with operators compared case-insensitively [INF].
func parseFilters(raw json.RawMessage, rules map[string]fieldRule) ([]cond, *apiError) {
	if raw == nil {
		return nil, nil
	}
	var items []json.RawMessage
	if len(raw) == 0 || raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
		return nil, badRequest("filters must be a list of filter objects")
	}
	out := make([]cond, 0, len(items))
	for i, it := range items {
		f, err := object(it, "filters["+strconv.Itoa(i)+"]")
		if err != nil {
			return nil, err
		}
		field, _ := f.str("field")
		op, _ := f.str("operator")
		if f.err != nil {
			return nil, f.err
		}
		rule, ok := rules[field]
		if !ok {
			return nil, badRequest("unsupported filter field %q; supported fields: %s", field, strings.Join(ruleNames(rules), ", "))
		}
		op = strings.ToLower(op)
		k, ok := rule.ops[op]
		if !ok {
			return nil, badRequest("unsupported operator %q for filter field %q", op, field)
		}
		c := cond{field: field, op: op}
		v := f.get("value")
		valid := v != nil
		if valid {
			switch k {
			case kindStrings:
				c.strs, valid = asStrings(v)
			case kindString:
				var s string
				s, valid = asString(v)
				c.strs = []string{s}
			case kindStringOrStrings:
				if s, ok := asString(v); ok {
					c.strs = []string{s}
				} else {
					c.strs, valid = asStrings(v)
				}
			case kindInt:
				c.n, valid = asInt(v)
			case kindBool:
				valid = json.Unmarshal(v, &c.b) == nil
			case kindScalars:
				c.strs, valid = asScalars(v)
			}
		}
		if !valid {
			return nil, badRequest("the value of filter field %q with operator %q must be %s", field, op, kindNames[k])
		}
		if rule.enum != nil {
			for j, s := range c.strs {
				c.strs[j] = strings.ToLower(s)
				if !slices.Contains(rule.enum, c.strs[j]) {
					return nil, badRequest("invalid value %q for filter field %q; valid values: %s", s, field, strings.Join(rule.enum, ", "))
				}
			}
		}
		out = append(out, c)
	}
	return out, nil
}

func ruleNames(rules map[string]fieldRule) []string { return sortedKeys(rules) }

// sortedKeys returns m's keys in order, so that messages naming them are
// deterministic.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// page reads search_from and search_to [PA]: the zero-based range
// [search_from, search_to). With limit > 0, search_to defaults to
// search_from+limit and a larger range is refused with 500 [INF]; with
// limit 0 the range is unbounded by default (to = -1).
func (o *obj) page(limit int) (from, to int, err *apiError) {
	f, _ := o.integer("search_from")
	t, hasTo := o.integer("search_to")
	if o.err != nil {
		return 0, 0, o.err
	}
	if f < 0 || t < 0 {
		return 0, 0, badRequest("search_from and search_to must not be negative")
	}
	if f > math.MaxInt32 || t > math.MaxInt32 {
		return 0, 0, badRequest("search_from and search_to must be at most %d", math.MaxInt32)
	}
	from, to = int(f), int(t)
	switch {
	case !hasTo && limit > 0:
		to = from + limit
	case !hasTo:
		to = -1
	case to < from:
		return 0, 0, badRequest("search_to (%d) must not be less than search_from (%d)", to, from)
	case limit > 0 && to-from > limit:
		return 0, 0, failure("The maximum result set size is %d: search_to - search_from must be at most %d, got %d", limit, limit, to-from)
	}
	return from, to, nil
}

// window returns items[from:to] with to = -1 meaning the end.
func window[T any](items []T, from, to int) []T {
	if from >= len(items) {
		return items[:0]
	}
	if to < 0 || to > len(items) {
		to = len(items)
	}
	return items[from:to]
}

// sortSpec reads sort {field, keyword} [PA]; keyword asc or desc in any
// case [INF]. With no sort it returns def and defDesc.
func (o *obj) sortSpec(allowed []string, def string, defDesc bool) (field string, desc bool, err *apiError) {
	raw := o.get("sort")
	if raw == nil {
		return def, defDesc, nil
	}
	so, e := object(raw, "sort")
	if e != nil {
		return "", false, e
	}
	field, _ = so.str("field")
	kw, hasKW := so.str("keyword")
	if so.err != nil {
		return "", false, so.err
	}
	if !slices.Contains(allowed, field) {
		return "", false, badRequest("unsupported sort field %q; supported fields: %s", field, strings.Join(allowed, ", "))
	}
	switch strings.ToLower(kw) {
	case "desc":
		desc = true
	case "asc":
	default:
		if hasKW {
			return "", false, badRequest("unsupported sort keyword %q; use asc or desc", kw)
		}
	}
	return field, desc, nil
}

// anyFold reports whether s equals one of vals, ignoring case.
func anyFold(vals []string, s string) bool {
	for _, v := range vals {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// intersectsFold reports whether a and b share a value, ignoring case.
func intersectsFold(a, b []string) bool {
	for _, s := range a {
		if anyFold(b, s) {
			return true
		}
	}
	return false
}
