package fake

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"
)

// obj is a stored object: the JSON-like value of an issue, a finding, a
// project or one of their parts. Keys are the schema's field names; keys
// starting with "_" are the fake's own bookkeeping (a project's parent
// folder, an entity's subscription ID), never served and never returned by
// the accessors.
type obj = map[string]any

// ordered is a response object whose keys keep the order of the query's
// selection set, as GraphQL requires of a response.
type ordered struct {
	keys []string
	vals []any
}

func (o *ordered) add(k string, v any) {
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
}

// get returns the value under k, for tests and fault matching.
func (o *ordered) get(k string) (any, bool) {
	if i := slices.Index(o.keys, k); i >= 0 {
		return o.vals[i], true
	}
	return nil, false
}

// MarshalJSON writes the object with its keys in selection order.
func (o *ordered) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	if err := writeJSON(&b, o); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// encodeJSON returns v as compact JSON without HTML escaping (the service
// is a Node.js server whose JSON.stringify does not escape <, > and &).
func encodeJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := writeJSON(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// writeJSON appends v to b. It handles the types responses are built from
// and falls back to encoding/json for the rest; map keys are sorted.
func writeJSON(b *bytes.Buffer, v any) error {
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case *ordered:
		if v == nil {
			b.WriteString("null")
			return nil
		}
		b.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, k)
			b.WriteByte(':')
			if err := writeJSON(b, v.vals[i]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case string:
		writeString(b, v)
	case time.Time:
		writeString(b, formatTime(v))
	case bool:
		if v {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJSON(b, e); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case map[string]any:
		b.WriteByte('{')
		for i, k := range slices.Sorted(maps.Keys(v)) {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, k)
			b.WriteByte(':')
			if err := writeJSON(b, v[k]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	default:
		var tmp bytes.Buffer
		enc := json.NewEncoder(&tmp)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return err
		}
		b.Write(bytes.TrimRight(tmp.Bytes(), "\n"))
	}
	return nil
}

// writeString appends s as a JSON string, escaping only what JSON requires
// (and U+2028/U+2029, as encoding/json does).
func writeString(b *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for _, r := range strings.ToValidUTF8(s, "\ufffd") {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x2028 || r == 0x2029:
			b.WriteString(`\u`)
			b.WriteByte(hex[r>>12&0xf])
			b.WriteByte(hex[r>>8&0xf])
			b.WriteByte(hex[r>>4&0xf])
			b.WriteByte(hex[r&0xf])
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}

// plainJSON returns v as encoding/json decodes its JSON into an any: maps
// of any, []any, float64 numbers, with the fake's "_" keys left out.
// Accessors use it so that what they return is what a client decodes and
// shares nothing with the server.
func plainJSON(v any) any { return stripPrivate(cloneJSON(v)) }

// cloneJSON returns a deep copy of v as encoding/json decodes its JSON.
func cloneJSON(v any) any {
	b, err := encodeJSON(v)
	if err != nil {
		return nil
	}
	var out any
	if json.Unmarshal(b, &out) != nil {
		return nil
	}
	return out
}

// stripPrivate removes the "_" keys of every object in v, in place.
func stripPrivate(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if strings.HasPrefix(k, "_") {
				delete(v, k)
				continue
			}
			stripPrivate(e)
		}
	case []any:
		for _, e := range v {
			stripPrivate(e)
		}
	}
	return v
}

// formatTime renders a time as the service does: RFC 3339 in UTC with up
// to microsecond precision, trailing zeros dropped, as in
// "2024-04-17T19:17:28.470891Z" and "2024-04-30T04:01:29.78729Z"
// [V: D3 samples, Wiz-docs].
func formatTime(t time.Time) string {
	return t.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
}

// parseTime parses a DateTime input: RFC 3339 with an optional fraction of
// a second, as the API's examples send it ("2024-10-22T07:30:28.924Z").
func parseTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC().Truncate(time.Microsecond), true
}
