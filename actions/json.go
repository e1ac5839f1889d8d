package actions

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"time"
)

// DecodeJSON decodes one JSON value into JSON-shaped values (see
// [Normalize]): numbers that parse as int64 become int64, other numbers
// float64. Data after the value, other than white space, is an error.
func DecodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("decode json: no value")
		}
		return nil, fmt.Errorf("decode json: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("decode json: trailing data after offset %d", dec.InputOffset())
	}
	return numbers(v), nil
}

// numbers replaces the json.Numbers of a freshly decoded value, in place.
func numbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		return jsonNumber(x)
	case []any:
		for i, e := range x {
			x[i] = numbers(e)
		}
	case map[string]any:
		for k, e := range x {
			switch e.(type) {
			case json.Number, []any, map[string]any:
				x[k] = numbers(e)
			}
		}
	}
	return v
}

// Normalize converts a Go value, as yaml.v3 or code produces it, into the
// JSON-shaped form every envelope holds: nil, bool, string, int64, float64,
// []any and map[string]any, recursively.
//
// Integer kinds become int64 (a uint64 beyond int64 becomes float64),
// float32 becomes the float64 of its shortest decimal, json.Number becomes
// int64 or float64, time.Time an RFC 3339 string, time.Duration its
// String form and a [Secret] "[redacted]". Slices and maps of any element
// type become []any and map[string]any; a map key that is not a string is
// printed with fmt. Structs, and values with their own JSON or text
// marshalling, go through a JSON round trip; a value JSON cannot encode
// becomes its fmt text. Already JSON-shaped values are returned without
// copying.
func Normalize(v any) any { return normalize(v, false) }

// normalize is [Normalize]; keepSecrets leaves [Secret] values in place,
// for input values that command request builders reveal.
func normalize(v any, keepSecrets bool) any {
	switch x := v.(type) {
	case nil, bool, string, int64, float64:
		return v
	case []any:
		if n, changed := normalizeSlice(x, keepSecrets); changed {
			return n
		}
		return v
	case map[string]any:
		if n, changed := normalizeMap(x, keepSecrets); changed {
			return n
		}
		return v
	case int:
		return int64(x)
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint:
		return uintValue(uint64(x))
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint64:
		return uintValue(x)
	case float32:
		f, _ := strconv.ParseFloat(strconv.FormatFloat(float64(x), 'g', -1, 32), 64)
		return f
	case json.Number:
		return jsonNumber(x)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case time.Duration:
		return x.String()
	case Secret:
		if keepSecrets {
			return x
		}
		return x.String()
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return out
	case []int:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = int64(e)
		}
		return out
	case []int64:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return out
	case []float64:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return out
	case []map[string]any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i], _ = normalizeMap(e, keepSecrets)
		}
		return out
	case map[string]string:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = e
		}
		return out
	case map[string]int:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = int64(e)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[keyString(k)] = normalize(e, keepSecrets)
		}
		return out
	}
	return normalizeReflect(v, keepSecrets)
}

func uintValue(u uint64) any {
	if u > math.MaxInt64 {
		return float64(u)
	}
	return int64(u)
}

func keyString(k any) string {
	if s, ok := k.(string); ok {
		return s
	}
	return fmt.Sprint(k)
}

// normalizeSlice normalizes the elements of s, copying s only when an
// element changes; changed reports whether it did.
func normalizeSlice(s []any, keepSecrets bool) (out []any, changed bool) {
	for i, e := range s {
		n, ch := normalizeElem(e, keepSecrets)
		if ch && out == nil {
			out = make([]any, len(s))
			copy(out, s[:i])
		}
		if out != nil {
			out[i] = n
		}
	}
	if out == nil {
		return s, false
	}
	return out, true
}

// normalizeMap normalizes the values of m, copying m only when a value
// changes; changed reports whether it did.
func normalizeMap(m map[string]any, keepSecrets bool) (out map[string]any, changed bool) {
	for k, e := range m {
		n, ch := normalizeElem(e, keepSecrets)
		if !ch {
			continue
		}
		if out == nil {
			out = make(map[string]any, len(m))
			for k2, e2 := range m {
				out[k2] = e2
			}
		}
		out[k] = n
	}
	if out == nil {
		return m, false
	}
	return out, true
}

// normalizeElem normalizes one element of a container, reporting whether
// it changed, without allocating for JSON-shaped values.
func normalizeElem(e any, keepSecrets bool) (any, bool) {
	switch x := e.(type) {
	case nil, bool, string, int64, float64:
		return e, false
	case []any:
		n, ch := normalizeSlice(x, keepSecrets)
		if !ch {
			return e, false
		}
		return n, true
	case map[string]any:
		n, ch := normalizeMap(x, keepSecrets)
		if !ch {
			return e, false
		}
		return n, true
	case Secret:
		if keepSecrets {
			return e, false
		}
	}
	return normalize(e, keepSecrets), true
}

var (
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// normalizeReflect handles what the type switch of normalize does not:
// named kinds, other slices and maps, pointers, and (through JSON) structs
// and marshalers.
func normalizeReflect(v any, keepSecrets bool) any {
	rv := reflect.ValueOf(v)
	t := rv.Type()
	if t.Implements(jsonMarshalerType) || t.Implements(textMarshalerType) {
		return viaJSON(v)
	}
	switch rv.Kind() {
	case reflect.Bool:
		return rv.Bool()
	case reflect.String:
		return rv.String()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return uintValue(rv.Uint())
	case reflect.Float32:
		return normalize(float32(rv.Float()), keepSecrets)
	case reflect.Float64:
		return rv.Float()
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil
		}
		return normalize(rv.Elem().Interface(), keepSecrets)
	case reflect.Slice:
		if rv.IsNil() {
			return nil
		}
		if t.Elem().Kind() == reflect.Uint8 {
			return viaJSON(v) // base64, as encoding/json writes []byte
		}
		fallthrough
	case reflect.Array:
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = normalize(rv.Index(i).Interface(), keepSecrets)
		}
		return out
	case reflect.Map:
		if rv.IsNil() {
			return nil
		}
		out := make(map[string]any, rv.Len())
		iter := rv.MapRange()
		for iter.Next() {
			k := iter.Key()
			key := ""
			if k.Kind() == reflect.String {
				key = k.String()
			} else {
				key = fmt.Sprint(k.Interface())
			}
			out[key] = normalize(iter.Value().Interface(), keepSecrets)
		}
		return out
	case reflect.Struct:
		return viaJSON(v)
	}
	return fmt.Sprint(v)
}

// viaJSON normalizes v through a JSON round trip, or returns its fmt text
// when JSON cannot encode it.
func viaJSON(v any) any {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	out, err := DecodeJSON(data)
	if err != nil {
		return fmt.Sprint(v)
	}
	return out
}
