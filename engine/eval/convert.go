package eval

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"time"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
)

// maxDepth bounds the nesting of a value being converted, so a cyclic or
// absurdly deep value fails instead of overflowing the stack.
const maxDepth = 1000

// fromCEL converts a CEL value to a JSON-shaped Go value: Int and Uint (when
// it fits) become int64, Double float64, lists []any, maps map[string]any
// (keys of other kinds are stringified), Timestamp an RFC 3339 string,
// Duration a Go duration string, Bytes a string, Null nil.
func fromCEL(v ref.Val) (any, error) {
	n, _, err := celValue(v, 0)
	return n, err
}

// celValue converts v. changed is always true for CEL values; it follows
// normalize's signature so the two can recurse into each other.
func celValue(v ref.Val, depth int) (any, bool, error) {
	if depth > maxDepth {
		return nil, false, fmt.Errorf("value nested deeper than %d levels", maxDepth)
	}
	switch x := v.(type) {
	case nil, types.Null:
		return nil, true, nil
	case types.Bool:
		return bool(x), true, nil
	case types.Int:
		return int64(x), true, nil
	case types.Uint:
		if x <= math.MaxInt64 {
			return int64(x), true, nil
		}
		return float64(x), true, nil
	case types.Double:
		return float64(x), true, nil
	case types.String:
		return string(x), true, nil
	case types.Bytes:
		return string(x), true, nil
	case types.Timestamp:
		return x.Time.UTC().Format(time.RFC3339Nano), true, nil
	case types.Duration:
		return x.Duration.String(), true, nil
	case *types.Err:
		return nil, false, x
	case *types.Unknown:
		return nil, false, fmt.Errorf("unknown value")
	case *types.Optional:
		if !x.HasValue() {
			return nil, true, nil
		}
		return celValue(x.GetValue(), depth+1)
	case *types.Type:
		return x.TypeName(), true, nil
	case traits.Lister:
		// A list wrapping Vars data holds it as []any: keep it if it is
		// already JSON-shaped, without copying.
		if l, ok := x.Value().([]any); ok {
			if n, _, err := normalize(l, depth+1); err == nil {
				return n, true, nil
			}
		}
		size, ok := x.Size().(types.Int)
		if !ok {
			return nil, false, fmt.Errorf("list of unknown size")
		}
		out := make([]any, 0, int(size))
		for it := x.Iterator(); it.HasNext() == types.True; {
			e, _, err := celValue(it.Next(), depth+1)
			if err != nil {
				return nil, false, err
			}
			out = append(out, e)
		}
		return out, true, nil
	case traits.Mapper:
		if m, ok := x.Value().(map[string]any); ok {
			if n, _, err := normalize(m, depth+1); err == nil {
				return n, true, nil
			}
		}
		out := make(map[string]any)
		for it := x.Iterator(); it.HasNext() == types.True; {
			k := it.Next()
			val, found := x.Find(k)
			if !found {
				continue
			}
			kn, _, err := celValue(k, depth+1)
			if err != nil {
				return nil, false, err
			}
			e, _, err := celValue(val, depth+1)
			if err != nil {
				return nil, false, err
			}
			out[keyString(kn)] = e
		}
		return out, true, nil
	}
	n, _, err := normalize(v.Value(), depth+1)
	return n, true, err
}

// normalize converts a Go value to JSON shape: other integer kinds become
// int64, float32 float64, other slices []any, other maps map[string]any.
// It copies only what changes: a value that is already JSON-shaped comes
// back as is, with changed false.
func normalize(v any, depth int) (out any, changed bool, err error) {
	if depth > maxDepth {
		return nil, false, fmt.Errorf("value nested deeper than %d levels", maxDepth)
	}
	switch x := v.(type) {
	case nil, bool, string, int64, float64:
		return v, false, nil
	case int:
		return int64(x), true, nil
	case int8:
		return int64(x), true, nil
	case int16:
		return int64(x), true, nil
	case int32:
		return int64(x), true, nil
	case uint:
		return uintValue(uint64(x)), true, nil
	case uint8:
		return int64(x), true, nil
	case uint16:
		return int64(x), true, nil
	case uint32:
		return int64(x), true, nil
	case uint64:
		return uintValue(x), true, nil
	case float32:
		return float64(x), true, nil
	case []byte:
		return string(x), true, nil
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano), true, nil
	case time.Duration:
		return x.String(), true, nil
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i, true, nil
		}
		f, err := x.Float64()
		return f, true, err
	case ref.Val:
		return celValue(x, depth)
	case []any:
		var cp []any
		for i, e := range x {
			n, ch, err := normalize(e, depth+1)
			if err != nil {
				return nil, false, err
			}
			if ch && cp == nil {
				cp = make([]any, len(x))
				copy(cp, x[:i])
			}
			if cp != nil {
				cp[i] = n
			}
		}
		if cp == nil {
			return x, false, nil
		}
		return cp, true, nil
	case map[string]any:
		var cp map[string]any
		for k, e := range x {
			n, ch, err := normalize(e, depth+1)
			if err != nil {
				return nil, false, err
			}
			if ch && cp == nil {
				cp = make(map[string]any, len(x))
				for k2, e2 := range x {
					cp[k2] = e2
				}
			}
			if cp != nil {
				cp[k] = n
			}
		}
		if cp == nil {
			return x, false, nil
		}
		return cp, true, nil
	}
	return normalizeReflect(reflect.ValueOf(v), depth)
}

// normalizeReflect handles slices, arrays, maps and pointers of other types.
func normalizeReflect(rv reflect.Value, depth int) (any, bool, error) {
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return nil, true, nil
		}
		out := make([]any, rv.Len())
		for i := range out {
			n, _, err := normalize(rv.Index(i).Interface(), depth+1)
			if err != nil {
				return nil, false, err
			}
			out[i] = n
		}
		return out, true, nil
	case reflect.Map:
		if rv.IsNil() {
			return nil, true, nil
		}
		out := make(map[string]any, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			k, _, err := normalize(it.Key().Interface(), depth+1)
			if err != nil {
				return nil, false, err
			}
			n, _, err := normalize(it.Value().Interface(), depth+1)
			if err != nil {
				return nil, false, err
			}
			out[keyString(k)] = n
		}
		return out, true, nil
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil, true, nil
		}
		n, _, err := normalize(rv.Elem().Interface(), depth+1)
		return n, true, err
	case reflect.String:
		return rv.String(), true, nil
	case reflect.Bool:
		return rv.Bool(), true, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), true, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return uintValue(rv.Uint()), true, nil
	case reflect.Float32, reflect.Float64:
		return rv.Float(), true, nil
	}
	return nil, false, fmt.Errorf("unsupported value of type %s", rv.Type())
}

func uintValue(u uint64) any {
	if u <= math.MaxInt64 {
		return int64(u)
	}
	return float64(u)
}

// keyString turns a converted map key into a string key.
func keyString(k any) string {
	if s, ok := k.(string); ok {
		return s
	}
	s, err := interpolate(k)
	if err != nil {
		return fmt.Sprint(k)
	}
	return s
}

// interpolate formats a JSON-shaped value for a template mixed with text:
// strings as they are, null as "", booleans and numbers in JSON form
// (3.0 → "3", 1e21 → "1e+21"), lists and maps as compact JSON (keys
// sorted, no HTML escaping). A non-finite double prints as NaN, +Inf, -Inf.
func interpolate(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case bool:
		return strconv.FormatBool(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		return formatFloat(x), nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", fmt.Errorf("cannot interpolate %s: %v", typeName(v), err)
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

// formatFloat formats f as encoding/json does.
func formatFloat(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	b, err := json.Marshal(f)
	if err != nil {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return string(b)
}
