package actions

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDecodeJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		data    string
		want    any
		wantErr string
	}{
		{name: "integer", data: `42`, want: int64(42)},
		{name: "negative integer", data: `-7`, want: int64(-7)},
		{name: "float", data: `2.5`, want: 2.5},
		{name: "integral float stays float", data: `1.0`, want: 1.0},
		{name: "exponent", data: `1e3`, want: 1000.0},
		{name: "beyond int64", data: `9223372036854775808`, want: 9223372036854775808.0},
		{name: "null", data: `null`, want: nil},
		{name: "string", data: `"x"`, want: "x"},
		{name: "white space around", data: " \n{\"a\": 1}\n ", want: map[string]any{"a": int64(1)}},
		{
			name: "nested",
			data: `{"reply": {"total_count": 2, "endpoints": [{"id": "e1", "ip": ["10.0.0.1"], "score": 0.5}, {"id": "e2", "n": [1, 2]}]}}`,
			want: map[string]any{"reply": map[string]any{
				"total_count": int64(2),
				"endpoints": []any{
					map[string]any{"id": "e1", "ip": []any{"10.0.0.1"}, "score": 0.5},
					map[string]any{"id": "e2", "n": []any{int64(1), int64(2)}},
				},
			}},
		},
		{name: "trailing data", data: `{"a":1} {"b":2}`, wantErr: "trailing data"},
		{name: "trailing garbage", data: `1 x`, wantErr: "trailing data"},
		{name: "empty", data: ``, wantErr: "no value"},
		{name: "truncated", data: `{"a":`, wantErr: "decode json"},
		{name: "syntax", data: `{a:1}`, wantErr: "decode json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := DecodeJSON([]byte(tc.data))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("DecodeJSON(%q) = %v, %v, want error containing %q", tc.data, got, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("DecodeJSON(%q) error = %v", tc.data, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("DecodeJSON(%q) mismatch (-want +got):\n%s", tc.data, diff)
			}
		})
	}
}

type status string

type point struct {
	X      int    `json:"x"`
	Label  string `json:"label,omitempty"`
	hidden int
}

type textKey struct{ v string }

func (k textKey) MarshalText() ([]byte, error) { return []byte("k:" + k.v), nil }

func TestNormalize(t *testing.T) {
	t.Parallel()
	when := time.Date(2024, 8, 6, 18, 0, 0, 0, time.UTC)
	p := &point{X: 1}
	tests := []struct {
		name string
		v    any
		want any
	}{
		{"nil", nil, nil},
		{"int", 3, int64(3)},
		{"int8", int8(-3), int64(-3)},
		{"int32", int32(3), int64(3)},
		{"uint", uint(3), int64(3)},
		{"uint64 small", uint64(3), int64(3)},
		{"uint64 huge", uint64(math.MaxUint64), float64(math.MaxUint64)},
		{"float32", float32(0.1), 0.1},
		{"float64 integral stays", 2.0, 2.0},
		{"json.Number int", json.Number("12"), int64(12)},
		{"json.Number float", json.Number("1.5"), 1.5},
		{"time", when, "2024-08-06T18:00:00Z"},
		{"duration", 1500 * time.Millisecond, "1.5s"},
		{"secret", NewSecret("s3cr3t"), "[redacted]"},
		{"named string", status("open"), "open"},
		{"[]string", []string{"a", "b"}, []any{"a", "b"}},
		{"[]int", []int{1}, []any{int64(1)}},
		{"[]int32 by reflection", []int32{1}, []any{int64(1)}},
		{"[]map[string]any", []map[string]any{{"a": 1}}, []any{map[string]any{"a": int64(1)}}},
		{"map[string]string", map[string]string{"a": "b"}, map[string]any{"a": "b"}},
		{"map[string]int", map[string]int{"a": 1}, map[string]any{"a": int64(1)}},
		{"map[string]float64 by reflection", map[string]float64{"a": 1.5}, map[string]any{"a": 1.5}},
		{"map[any]any", map[any]any{"a": 1, 2: []any{3}}, map[string]any{"a": int64(1), "2": []any{int64(3)}}},
		{"nested in []any", []any{1, "x", []string{"y"}}, []any{int64(1), "x", []any{"y"}}},
		{"nested in map", map[string]any{"a": map[string]any{"b": uint16(2)}}, map[string]any{"a": map[string]any{"b": int64(2)}}},
		{"struct", point{X: 1, hidden: 2}, map[string]any{"x": int64(1)}},
		{"pointer to struct", p, map[string]any{"x": int64(1)}},
		{"nil pointer", (*point)(nil), nil},
		{"array", [2]int{1, 2}, []any{int64(1), int64(2)}},
		{"bytes", []byte("hi"), "aGk="},
		{"text marshaler", textKey{"a"}, "k:a"},
		{"nil slice", []int32(nil), nil},
		{"unencodable", make(chan int), "chan"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Normalize(tc.v)
			if tc.name == "unencodable" {
				if s, ok := got.(string); !ok || !strings.HasPrefix(s, "0x") {
					t.Errorf("Normalize(chan) = %#v, want its fmt text", got)
				}
				return
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Normalize(%#v) mismatch (-want +got):\n%s", tc.v, diff)
			}
		})
	}
}

func TestNormalizeDoesNotCopyShapedValues(t *testing.T) {
	t.Parallel()
	list := []any{"a", int64(1), map[string]any{"b": []any{true}}}
	got := Normalize(list).([]any)
	if &got[0] != &list[0] {
		t.Error("Normalize copied an already JSON-shaped []any")
	}

	mixed := []any{"a", 2}
	got = Normalize(mixed).([]any)
	if diff := cmp.Diff([]any{"a", int64(2)}, got); diff != "" {
		t.Errorf("Normalize mismatch (-want +got):\n%s", diff)
	}
	if got, want := mixed[1], any(2); got != want {
		t.Errorf("Normalize changed its argument: mixed[1] = %#v, want %#v", got, want)
	}
}

func BenchmarkDecodeJSON(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"reply":{"total_count":1000,"endpoints":[`)
	for i := range 1000 {
		if i > 0 {
			sb.WriteString(",")
		}
		sb.WriteString(`{"endpoint_id":"abc123","endpoint_name":"host","ip":["10.0.0.1"],"last_seen":1700000000000,"score":0.5}`)
	}
	sb.WriteString(`]}}`)
	data := []byte(sb.String())
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := DecodeJSON(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNormalizeShaped(b *testing.B) {
	v, err := DecodeJSON([]byte(`{"a":[1,2,3,{"b":"c","d":[true,false,null]}],"e":{"f":1.5}}`))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		Normalize(v)
	}
}
