package actions

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxShown is the most characters of a value an error message quotes.
const maxShown = 80

// Coerce checks one value against the input's declared type, option list
// and limits, and returns it in JSON-shaped form (see [Normalize]):
//
//   - String: a string; a number is not silently a string.
//   - Integer: int64, from any integer kind or a float64 with no fraction.
//   - Number: int64 or float64.
//   - Boolean: a bool, or true/false/yes/no in any case (the vendor pages
//     write "No").
//   - Array: []any; a scalar becomes a one-element list, and each element
//     is coerced by [Input.Items].
//   - Object: map[string]any.
//   - Any (or no type): anything.
//   - Duration: a Go duration string of at least zero, kept as given.
//   - Time: RFC 3339 or one of the vendor pages' example forms, returned as
//     an RFC 3339 string in UTC.
//
// With [Input.Options], a value matches an option's label or wire value
// case-insensitively with "_" equal to a space, and the result is the wire
// value; for an Array input each element is matched.
//
// A nil value returns (nil, nil): the caller checks requiredness. A
// [Secret] given to a String input is kept as is, and Object and Any values
// keep the Secrets inside them. Error messages do not name the input (the
// caller does, see [InputError]), quote at most 80 characters of the value,
// and never quote the value of a [Input.Secret] input.
func (in Input) Coerce(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch in.Type {
	case Array:
		return in.coerceArray(v)
	case "", Any:
		v = normalize(v, true)
		if len(in.Options) > 0 {
			return in.matchScalar(v)
		}
		return v, nil
	}
	return in.coerceScalar(in.Type, v)
}

// coerceArray coerces an Array input: a list, or a scalar taken as a list
// of one, each element coerced by Items, Options, Min and Max.
func (in Input) coerceArray(v any) (any, error) {
	var list []any
	switch x := v.(type) {
	case []any:
		list = x
	case Secret:
		list = []any{x}
	default:
		if n := normalize(v, true); n != nil {
			if l, ok := n.([]any); ok {
				list = l
			} else {
				list = []any{n}
			}
		}
	}
	if in.MaxItems > 0 && len(list) > in.MaxItems {
		return nil, fmt.Errorf("must have at most %d items, got %d", in.MaxItems, len(list))
	}
	item := Input{Type: in.Items, Options: in.Options, Min: in.Min, Max: in.Max, Secret: in.Secret, Refused: in.Refused}
	if item.Type == "" {
		item.Type = Any
	}
	out := make([]any, len(list))
	for i, e := range list {
		if e == nil {
			return nil, fmt.Errorf("item %d: must not be null", i)
		}
		c, err := item.Coerce(e)
		if err != nil {
			return nil, fmt.Errorf("item %d: %w", i, err)
		}
		out[i] = c
	}
	return out, nil
}

// coerceScalar coerces a value of a scalar type t, then matches Options.
func (in Input) coerceScalar(t Type, v any) (any, error) {
	var (
		c   any
		err error
	)
	switch t {
	case String:
		c, err = in.toString(v)
	case Integer:
		c, err = in.toInteger(v)
	case Number:
		c, err = in.toNumber(v)
	case Boolean:
		c, err = in.toBoolean(v)
	case Object:
		c, err = toObject(v)
	case Duration:
		c, err = in.toDuration(v)
	case Time:
		c, err = in.toTime(v)
	default:
		return nil, fmt.Errorf("has unknown type %q", string(t))
	}
	if err != nil || len(in.Options) == 0 {
		return c, err
	}
	return in.matchScalar(c)
}

func (in Input) toString(v any) (any, error) {
	switch x := v.(type) {
	case string, Secret:
		return x, nil
	}
	return nil, fmt.Errorf("must be a string, got %s", typeName(v))
}

func (in Input) toInteger(v any) (any, error) {
	var n int64
	switch x := normalize(v, false).(type) {
	case int64:
		n = x
	case float64:
		i, ok := floatToInt(x)
		if !ok {
			return nil, fmt.Errorf("must be an integer, got %s", in.show(formatNumber(x)))
		}
		n = i
	default:
		return nil, fmt.Errorf("must be an integer, got %s", typeName(v))
	}
	if err := in.checkRange(float64(n), strconv.FormatInt(n, 10)); err != nil {
		return nil, err
	}
	return n, nil
}

func (in Input) toNumber(v any) (any, error) {
	switch x := normalize(v, false).(type) {
	case int64:
		if err := in.checkRange(float64(x), strconv.FormatInt(x, 10)); err != nil {
			return nil, err
		}
		return x, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("must be a finite number, got %s", in.show(formatNumber(x)))
		}
		if err := in.checkRange(x, formatNumber(x)); err != nil {
			return nil, err
		}
		return x, nil
	}
	return nil, fmt.Errorf("must be a number, got %s", typeName(v))
}

// checkRange enforces Min and Max; shown is the value as the user wrote it.
func (in Input) checkRange(f float64, shown string) error {
	if in.Min != nil && f < *in.Min {
		return fmt.Errorf("must be at least %s, got %s", formatNumber(*in.Min), in.show(shown))
	}
	if in.Max != nil && f > *in.Max {
		return fmt.Errorf("must be at most %s, got %s", formatNumber(*in.Max), in.show(shown))
	}
	return nil
}

func (in Input) toBoolean(v any) (any, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "true", "yes":
			return true, nil
		case "false", "no":
			return false, nil
		}
		return nil, fmt.Errorf("must be true, false, yes or no, got %s", in.quote(x))
	}
	return nil, fmt.Errorf("must be a boolean, got %s", typeName(v))
}

func toObject(v any) (any, error) {
	if m, ok := normalize(v, true).(map[string]any); ok {
		return m, nil
	}
	return nil, fmt.Errorf("must be an object, got %s", typeName(v))
}

func (in Input) toDuration(v any) (any, error) {
	switch x := v.(type) {
	case time.Duration:
		if x < 0 {
			return nil, fmt.Errorf("must not be negative, got %s", in.quote(x.String()))
		}
		return x.String(), nil
	case string:
		d, err := time.ParseDuration(strings.TrimSpace(x))
		if err != nil {
			return nil, fmt.Errorf("must be a duration such as \"30s\" or \"12h\", got %s", in.quote(x))
		}
		if d < 0 {
			return nil, fmt.Errorf("must not be negative, got %s", in.quote(x))
		}
		return x, nil
	}
	return nil, fmt.Errorf("must be a duration string such as \"30s\", got %s", typeName(v))
}

func (in Input) toTime(v any) (any, error) {
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano), nil
	case string:
		t, ok := parseTime(x)
		if !ok {
			return nil, fmt.Errorf("must be a time such as \"2024-08-06 18:00:00\" or RFC 3339, got %s", in.quote(x))
		}
		return t.Format(time.RFC3339Nano), nil
	}
	return nil, fmt.Errorf("must be a time string such as \"2024-08-06 18:00:00\", got %s", typeName(v))
}

// timeLayouts are the forms a Time input accepts besides RFC 3339: the
// vendor pages' examples ("2024-08-06 18:00:00", "2019-12-22 00:00",
// "2026-01-01 12:00 AM", day-first "13/07/2023 14:00"). Non-zero-padded
// layout fields accept one or two digits.
var timeLayouts = []string{
	"2006-1-2 15:04:05",
	"2006-1-2 15:04",
	"2006-1-2 3:04:05 PM",
	"2006-1-2 3:04 PM",
	"2006-1-2T15:04:05",
	"2006-1-2T15:04",
	"2/1/2006 15:04:05",
	"2/1/2006 15:04",
	"2/1/2006 3:04 PM",
	"2006-1-2",
	"2/1/2006",
}

// parseTime reads a time in RFC 3339 or one of timeLayouts; a form without
// a zone is UTC. The result is in UTC.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	s = strings.ToUpper(s) // "am", "t", "z"
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// matchScalar matches a coerced scalar against Options and returns the
// matched option's wire value, converted back to the value's kind when it
// is not a string.
func (in Input) matchScalar(v any) (any, error) {
	var key string
	switch x := v.(type) {
	case string:
		key = x
	case int64:
		key = strconv.FormatInt(x, 10)
	case float64:
		key = formatNumber(x)
	case bool:
		key = strconv.FormatBool(x)
	default:
		return nil, fmt.Errorf("must be one of %s, got %s", in.optionList(), typeName(v))
	}
	wire, ok := in.matchOption(key)
	if !ok {
		for r, why := range in.Refused {
			if normLabel(r) == normLabel(key) {
				return nil, fmt.Errorf("%s cannot be set: %s", in.quote(key), why)
			}
		}
		return nil, fmt.Errorf("must be one of %s, got %s", in.optionList(), in.quote(key))
	}
	switch v.(type) {
	case int64:
		if n, err := strconv.ParseInt(wire, 10, 64); err == nil {
			return n, nil
		}
		return v, nil
	case float64:
		if f, err := strconv.ParseFloat(wire, 64); err == nil {
			return f, nil
		}
		return v, nil
	case bool:
		return v, nil
	}
	return wire, nil
}

// matchOption returns the wire value of the option whose label or wire
// value matches s.
func (in Input) matchOption(s string) (string, bool) {
	n := normLabel(s)
	for _, o := range in.Options {
		if normLabel(o.Label) == n || normLabel(o.Value) == n {
			return o.Value, true
		}
	}
	return "", false
}

// optionList lists the allowed labels: "Creation Time", "Modification Time".
func (in Input) optionList() string {
	var b strings.Builder
	for i, o := range in.Options {
		if i > 0 {
			b.WriteString(", ")
		}
		l := o.Label
		if l == "" {
			l = o.Value
		}
		b.WriteString(strconv.Quote(l))
	}
	return b.String()
}

// quote returns s quoted for an error message, cut to maxShown characters,
// or [redacted] for a Secret input.
func (in Input) quote(s string) string {
	if in.Secret {
		return "[redacted]"
	}
	return strconv.Quote(truncate(s, maxShown))
}

// show returns an unquoted value (a number) for an error message.
func (in Input) show(s string) string {
	if in.Secret {
		return "[redacted]"
	}
	return truncate(s, maxShown)
}

// truncate cuts s to at most n runes, marking a cut with "...".
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for i = range s {
		if count == n {
			break
		}
		count++
	}
	return s[:i] + "..."
}

// typeName names the JSON type of v for error messages.
func typeName(v any) string {
	switch x := normalize(v, true).(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string, Secret:
		return "string"
	case int64:
		return "integer"
	case float64:
		if _, ok := floatToInt(x); ok {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	default:
		return fmt.Sprintf("%T", v)
	}
}

// floatToInt returns f as an int64 when it has no fraction and fits.
func floatToInt(f float64) (int64, bool) {
	if f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
		return 0, false
	}
	return int64(f), true
}

// formatNumber prints f without an exponent where that stays short:
// 100, 2.5, 1e+30.
func formatNumber(f float64) string {
	if math.Abs(f) < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// jsonNumber converts a json.Number: int64 when it parses as one, else
// float64, else the text.
func jsonNumber(n json.Number) any {
	if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		return i
	}
	if f, err := strconv.ParseFloat(string(n), 64); err == nil {
		return f
	}
	return string(n)
}
