package actions

import (
	"strconv"
	"time"
)

// The typed getters below read the coerced [Request.Inputs] for command
// authors. Each returns its type's zero value when the input is absent or
// holds another type, which coercion by the Spec rules out.

// Value returns the input as coerced, or nil.
func (r Request) Value(name string) any { return r.Inputs[name] }

// String returns a string input. A [Secret] value is revealed: use
// [Request.Secret] to keep it wrapped.
func (r Request) String(name string) string {
	switch x := r.Inputs[name].(type) {
	case string:
		return x
	case Secret:
		return x.Reveal()
	}
	return ""
}

// Secret returns a string input wrapped as a [Secret], whether it was
// given as one or as plain text.
func (r Request) Secret(name string) Secret {
	switch x := r.Inputs[name].(type) {
	case Secret:
		return x
	case string:
		return NewSecret(x)
	}
	return Secret{}
}

// Int returns an Integer input; an integral float64 is converted.
func (r Request) Int(name string) int64 {
	switch x := Normalize(r.Inputs[name]).(type) {
	case int64:
		return x
	case float64:
		if i, ok := floatToInt(x); ok {
			return i
		}
	}
	return 0
}

// Float returns a Number (or Integer) input as a float64.
func (r Request) Float(name string) float64 {
	switch x := Normalize(r.Inputs[name]).(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	}
	return 0
}

// Bool returns a Boolean input.
func (r Request) Bool(name string) bool {
	b, _ := r.Inputs[name].(bool)
	return b
}

// Duration returns a Duration input.
func (r Request) Duration(name string) time.Duration {
	switch x := r.Inputs[name].(type) {
	case string:
		d, _ := time.ParseDuration(x)
		return d
	case time.Duration:
		return x
	}
	return 0
}

// Time returns a Time input, in UTC.
func (r Request) Time(name string) time.Time {
	switch x := r.Inputs[name].(type) {
	case string:
		t, _ := parseTime(x)
		return t
	case time.Time:
		return x.UTC()
	}
	return time.Time{}
}

// Strings returns an Array input as strings: a string element as is, a
// number or boolean in its JSON text, a Secret revealed; other elements
// are left out. A single string is a list of one.
func (r Request) Strings(name string) []string {
	switch x := r.Inputs[name].(type) {
	case nil:
		return nil
	case string:
		return []string{x}
	case []string:
		return x
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := scalarText(e); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// Map returns an Object input.
func (r Request) Map(name string) map[string]any {
	m, _ := r.Inputs[name].(map[string]any)
	return m
}

// scalarText returns a scalar as text: strings as is, numbers and booleans
// as JSON writes them, a Secret revealed.
func scalarText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case Secret:
		return x.Reveal(), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		return formatNumber(x), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}
