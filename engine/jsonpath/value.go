package jsonpath

import (
	"cmp"
	"encoding/json"
	"math"
	"reflect"
)

// normalize returns v as a JSON-shaped value when it is another Go
// representation of one: slices and arrays (but not []byte) become []any,
// string-keyed maps map[string]any, and named string, bool and number types
// their base types. The usual JSON-shaped values are returned as they are,
// without allocating; other values are returned unchanged and act as leaves.
func normalize(v any) any {
	switch v.(type) {
	case nil, bool, string, int64, float64, []any, map[string]any, json.Number,
		int, int8, int16, int32, uint, uint8, uint16, uint32, uint64, float32, []byte:
		return v
	}
	return normalizeSlow(v)
}

func normalizeSlow(v any) any {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return v // bytes are a leaf, as encoding/json writes them as a string
		}
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = rv.Index(i).Interface()
		}
		return out
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return v
		}
		out := make(map[string]any, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			out[it.Key().String()] = it.Value().Interface()
		}
		return out
	case reflect.String:
		return rv.String()
	case reflect.Bool:
		return rv.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return rv.Uint()
	case reflect.Float32, reflect.Float64:
		return rv.Float()
	}
	return v
}

// isLeaf reports whether v is neither an array nor an object.
func isLeaf(v any) bool {
	switch v.(type) {
	case []any, map[string]any:
		return false
	case nil, bool, string, int64, float64, json.Number:
		return true
	}
	switch normalize(v).(type) {
	case []any, map[string]any:
		return false
	}
	return true
}

// asArray returns v as an array, if it is one.
func asArray(v any) ([]any, bool) {
	a, ok := normalize(v).([]any)
	return a, ok
}

// lookup returns the member name of v, if v is an object that has it.
func lookup(v any, name string) (any, bool) {
	obj, ok := v.(map[string]any)
	if !ok {
		if obj, ok = normalize(v).(map[string]any); !ok {
			return nil, false
		}
	}
	x, ok := obj[name]
	return x, ok
}

// containerLen returns the number of elements or members of an array or
// object.
func containerLen(v any) (int, bool) {
	switch t := normalize(v).(type) {
	case []any:
		return len(t), true
	case map[string]any:
		return len(t), true
	}
	return 0, false
}

type numKind uint8

const (
	notNumber numKind = iota
	intNumber
	floatNumber
)

// toNumber classifies a numeric value as an int64 or a float64.
func toNumber(v any) (int64, float64, numKind) {
	switch n := v.(type) {
	case int64:
		return n, 0, intNumber
	case float64:
		return 0, n, floatNumber
	case int:
		return int64(n), 0, intNumber
	case int8:
		return int64(n), 0, intNumber
	case int16:
		return int64(n), 0, intNumber
	case int32:
		return int64(n), 0, intNumber
	case uint8:
		return int64(n), 0, intNumber
	case uint16:
		return int64(n), 0, intNumber
	case uint32:
		return int64(n), 0, intNumber
	case uint:
		return uintNumber(uint64(n))
	case uint64:
		return uintNumber(n)
	case float32:
		return 0, float64(n), floatNumber
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return i, 0, intNumber
		}
		if f, err := n.Float64(); err == nil {
			return 0, f, floatNumber
		}
	}
	return 0, 0, notNumber
}

func uintNumber(u uint64) (int64, float64, numKind) {
	if u <= math.MaxInt64 {
		return int64(u), 0, intNumber
	}
	return 0, float64(u), floatNumber
}

// compareNumbers compares a and b numerically; ok is false if either is not
// a number or is NaN.
func compareNumbers(a, b any) (c int, ok bool) {
	ai, af, ak := toNumber(a)
	bi, bf, bk := toNumber(b)
	switch {
	case ak == notNumber || bk == notNumber || ak == floatNumber && math.IsNaN(af) || bk == floatNumber && math.IsNaN(bf):
		return 0, false
	case ak == intNumber && bk == intNumber:
		return cmp.Compare(ai, bi), true
	case ak == floatNumber && bk == floatNumber:
		return cmp.Compare(af, bf), true
	case ak == intNumber:
		return compareIntFloat(ai, bf), true
	default:
		return -compareIntFloat(bi, af), true
	}
}

// compareIntFloat compares i with f (not NaN) exactly.
func compareIntFloat(i int64, f float64) int {
	const two63 = 9223372036854775808.0
	if f >= two63 {
		return -1
	}
	if f < -two63 {
		return 1
	}
	t := math.Trunc(f)
	if c := cmp.Compare(i, int64(t)); c != 0 {
		return c
	}
	return cmp.Compare(t, f)
}

// equalValues is RFC 9535 equality of two values (not Nothing): numbers by
// value, arrays and objects by deep equality, no type coercion.
func equalValues(a, b any, depth int) bool {
	a, b = normalize(a), normalize(b)
	if _, _, k := toNumber(a); k != notNumber {
		c, ok := compareNumbers(a, b)
		return ok && c == 0
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) || depth >= maxDepth {
			return false
		}
		for i := range x {
			if !equalValues(x[i], y[i], depth+1) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) || depth >= maxDepth {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !equalValues(xv, yv, depth+1) {
				return false
			}
		}
		return true
	}
	// Not a JSON value: fall back to Go's notion of equality.
	return reflect.DeepEqual(a, b)
}

// lessValues reports a < b for two numbers or two strings (by Unicode scalar
// values, which byte order of UTF-8 preserves); any other pair is unordered.
func lessValues(a, b any) bool {
	a, b = normalize(a), normalize(b)
	if x, ok := a.(string); ok {
		y, ok := b.(string)
		return ok && x < y
	}
	c, ok := compareNumbers(a, b)
	return ok && c < 0
}
