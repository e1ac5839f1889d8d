package actions

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestInputCoerce(t *testing.T) {
	t.Parallel()
	sortBy := []Option{
		{Label: "Creation Time", Value: "creation_time"},
		{Label: "Modification Time", Value: "modification_time"},
	}
	limit := Input{Type: Integer, Min: Float(1), Max: Float(100)}
	tests := []struct {
		name    string
		in      Input
		v       any
		want    any
		wantErr string
	}{
		{name: "nil", in: Input{Type: String}, v: nil, want: nil},

		{name: "string", in: Input{Type: String}, v: "abc", want: "abc"},
		{name: "string from integer", in: Input{Type: String}, v: int64(5), wantErr: "must be a string, got integer"},
		{name: "string from number", in: Input{Type: String}, v: 1.5, wantErr: "must be a string, got number"},
		{name: "string from bool", in: Input{Type: String}, v: true, wantErr: "must be a string, got boolean"},
		{name: "string from list", in: Input{Type: String}, v: []any{"a"}, wantErr: "must be a string, got array"},
		{name: "string secret kept", in: Input{Type: String}, v: NewSecret("s3cr3t"), want: NewSecret("s3cr3t")},

		{name: "integer", in: Input{Type: Integer}, v: int64(7), want: int64(7)},
		{name: "integer from int", in: Input{Type: Integer}, v: 7, want: int64(7)},
		{name: "integer from int32", in: Input{Type: Integer}, v: int32(-7), want: int64(-7)},
		{name: "integer from uint8", in: Input{Type: Integer}, v: uint8(7), want: int64(7)},
		{name: "integer from integral float", in: Input{Type: Integer}, v: 7.0, want: int64(7)},
		{name: "integer from fraction", in: Input{Type: Integer}, v: 7.5, wantErr: "must be an integer, got 7.5"},
		{name: "integer from string", in: Input{Type: Integer}, v: "7", wantErr: "must be an integer, got string"},
		{name: "integer from huge uint64", in: Input{Type: Integer}, v: uint64(1 << 63), wantErr: "must be an integer, got 9223372036854776000"},
		{name: "integer in range", in: limit, v: int64(100), want: int64(100)},
		{name: "integer above max", in: limit, v: int64(250), wantErr: "must be at most 100, got 250"},
		{name: "integer below min", in: limit, v: 0, wantErr: "must be at least 1, got 0"},

		{name: "number int kept", in: Input{Type: Number}, v: int64(3), want: int64(3)},
		{name: "number float kept", in: Input{Type: Number}, v: 2.5, want: 2.5},
		{name: "number from float32", in: Input{Type: Number}, v: float32(0.1), want: 0.1},
		{name: "number range", in: Input{Type: Number, Max: Float(1.5)}, v: 2.5, wantErr: "must be at most 1.5, got 2.5"},
		{name: "number from string", in: Input{Type: Number}, v: "2", wantErr: "must be a number, got string"},

		{name: "bool", in: Input{Type: Boolean}, v: true, want: true},
		{name: "bool No", in: Input{Type: Boolean}, v: "No", want: false},
		{name: "bool YES", in: Input{Type: Boolean}, v: "YES", want: true},
		{name: "bool False", in: Input{Type: Boolean}, v: "False", want: false},
		{name: "bool wrong string", in: Input{Type: Boolean}, v: "maybe", wantErr: `must be true, false, yes or no, got "maybe"`},
		{name: "bool from integer", in: Input{Type: Boolean}, v: int64(1), wantErr: "must be a boolean, got integer"},

		{name: "array", in: Input{Type: Array, Items: String}, v: []any{"a", "b"}, want: []any{"a", "b"}},
		{name: "array scalar becomes list", in: Input{Type: Array, Items: String}, v: "a", want: []any{"a"}},
		{name: "array from []string", in: Input{Type: Array, Items: String}, v: []string{"a"}, want: []any{"a"}},
		{name: "array any items", in: Input{Type: Array}, v: []any{"a", 1, true}, want: []any{"a", int64(1), true}},
		{name: "array integer items", in: Input{Type: Array, Items: Integer}, v: []any{1.0, int64(2)}, want: []any{int64(1), int64(2)}},
		{name: "array bad item", in: Input{Type: Array, Items: String}, v: []any{"a", int64(2)}, wantErr: "item 1: must be a string, got integer"},
		{name: "array null item", in: Input{Type: Array, Items: String}, v: []any{nil}, wantErr: "item 0: must not be null"},
		{name: "array empty", in: Input{Type: Array, Items: String}, v: []any{}, want: []any{}},
		{name: "array max items", in: Input{Type: Array, MaxItems: 100}, v: make([]any, 150), wantErr: "must have at most 100 items, got 150"},
		{name: "array item range", in: Input{Type: Array, Items: Integer, Max: Float(10)}, v: []any{int64(11)}, wantErr: "item 0: must be at most 10, got 11"},

		{name: "object", in: Input{Type: Object}, v: map[string]any{"a": 1}, want: map[string]any{"a": int64(1)}},
		{name: "object from map[string]string", in: Input{Type: Object}, v: map[string]string{"a": "b"}, want: map[string]any{"a": "b"}},
		{name: "object from string", in: Input{Type: Object}, v: "a", wantErr: "must be an object, got string"},

		{name: "any", in: Input{Type: Any}, v: []int{1}, want: []any{int64(1)}},
		{name: "untyped is any", in: Input{}, v: "x", want: "x"},

		{name: "duration", in: Input{Type: Duration}, v: "30s", want: "30s"},
		{name: "duration zero", in: Input{Type: Duration}, v: "0s", want: "0s"},
		{name: "duration from time.Duration", in: Input{Type: Duration}, v: 90 * time.Second, want: "1m30s"},
		{name: "duration negative", in: Input{Type: Duration}, v: "-1s", wantErr: `must not be negative, got "-1s"`},
		{name: "duration no unit", in: Input{Type: Duration}, v: "30", wantErr: `must be a duration such as "30s" or "12h", got "30"`},
		{name: "duration integer", in: Input{Type: Duration}, v: int64(30), wantErr: `must be a duration string such as "30s", got integer`},

		{name: "time rfc3339", in: Input{Type: Time}, v: "2024-08-06T20:00:00+02:00", want: "2024-08-06T18:00:00Z"},
		{name: "time rfc3339 fraction", in: Input{Type: Time}, v: "2024-08-06T18:00:00.5Z", want: "2024-08-06T18:00:00.5Z"},
		{name: "time seconds", in: Input{Type: Time}, v: "2024-08-06 18:00:00", want: "2024-08-06T18:00:00Z"},
		{name: "time minutes", in: Input{Type: Time}, v: "2019-12-22 00:00", want: "2019-12-22T00:00:00Z"},
		{name: "time 12 AM", in: Input{Type: Time}, v: "2026-01-01 12:00 AM", want: "2026-01-01T00:00:00Z"},
		{name: "time pm lower", in: Input{Type: Time}, v: "2026-01-01 1:30 pm", want: "2026-01-01T13:30:00Z"},
		{name: "time day first", in: Input{Type: Time}, v: "13/07/2023 14:00", want: "2023-07-13T14:00:00Z"},
		{name: "time date only", in: Input{Type: Time}, v: "2023-07-13", want: "2023-07-13T00:00:00Z"},
		{name: "time from time.Time", in: Input{Type: Time}, v: time.Date(2024, 8, 6, 18, 0, 0, 0, time.UTC), want: "2024-08-06T18:00:00Z"},
		{name: "time bad", in: Input{Type: Time}, v: "tomorrow", wantErr: `must be a time such as "2024-08-06 18:00:00" or RFC 3339, got "tomorrow"`},
		{name: "time month first rejected", in: Input{Type: Time}, v: "07/13/2023 14:00", wantErr: "must be a time"},
		{name: "time integer", in: Input{Type: Time}, v: int64(1700000000), wantErr: "must be a time string"},

		{name: "option by label", in: Input{Type: String, Options: sortBy}, v: "Creation Time", want: "creation_time"},
		{name: "option by label folded", in: Input{Type: String, Options: sortBy}, v: "creation_TIME", want: "creation_time"},
		{name: "option by wire value", in: Input{Type: String, Options: sortBy}, v: "modification_time", want: "modification_time"},
		{name: "option by wire value spaced", in: Input{Type: String, Options: sortBy}, v: " Modification time ", want: "modification_time"},
		{name: "option wrong", in: Input{Type: String, Options: sortBy}, v: "foo", wantErr: `must be one of "Creation Time", "Modification Time", got "foo"`},
		{name: "option wrong type", in: Input{Type: String, Options: sortBy}, v: int64(1), wantErr: "must be a string, got integer"},
		{name: "option any type", in: Input{Options: sortBy}, v: "Creation Time", want: "creation_time"},
		{name: "option array", in: Input{Type: Array, Items: String, Options: sortBy}, v: []any{"Creation Time", "modification_time"}, want: []any{"creation_time", "modification_time"}},
		{name: "option array scalar", in: Input{Type: Array, Items: String, Options: sortBy}, v: "creation time", want: []any{"creation_time"}},
		{name: "option array wrong", in: Input{Type: Array, Items: String, Options: sortBy}, v: []any{"Creation Time", "x"}, wantErr: `item 1: must be one of "Creation Time", "Modification Time", got "x"`},
		{name: "option integer", in: Input{Type: Integer, Options: []Option{{Label: "Ten", Value: "10"}}}, v: "Ten", wantErr: "must be an integer, got string"},
		{name: "option integer match", in: Input{Type: Integer, Options: []Option{{Label: "10", Value: "10"}}}, v: 10, want: int64(10)},
		{name: "option without label", in: Input{Type: String, Options: []Option{{Value: "GET"}}}, v: "post", wantErr: `must be one of "GET", got "post"`},

		{name: "long value cut", in: Input{Type: Boolean}, v: strings.Repeat("x", 200), wantErr: `got "` + strings.Repeat("x", 80) + `..."`},
		{name: "secret value never shown", in: Input{Type: Boolean, Secret: true}, v: "hunter2", wantErr: "must be true, false, yes or no, got [redacted]"},
		{name: "secret option never shown", in: Input{Type: String, Options: sortBy, Secret: true}, v: "hunter2", wantErr: "got [redacted]"},
		{name: "unknown type", in: Input{Type: "uuid"}, v: "x", wantErr: `has unknown type "uuid"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := tc.in.Coerce(tc.v)
			if tc.wantErr != "" {
				if err == nil {
					t.Fatalf("Coerce(%v) = %#v, want error containing %q", tc.v, got, tc.wantErr)
				}
				if !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Coerce(%v) error = %q, want it to contain %q", tc.v, err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Fatalf("Coerce error %q shows a secret value", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Coerce(%v) error = %v", tc.v, err)
			}
			if diff := cmp.Diff(tc.want, got, cmp.Comparer(func(a, b Secret) bool { return a.Reveal() == b.Reveal() })); diff != "" {
				t.Errorf("Coerce(%v) mismatch (-want +got):\n%s", tc.v, diff)
			}
		})
	}
}

func TestInputCoerceKeepsSecretsInObjects(t *testing.T) {
	t.Parallel()
	in := Input{Type: Object}
	got, err := in.Coerce(map[string]any{"Authorization": NewSecret("Bearer t0ken"), "n": 1})
	if err != nil {
		t.Fatal(err)
	}
	m := got.(map[string]any)
	s, ok := m["Authorization"].(Secret)
	if !ok || s.Reveal() != "Bearer t0ken" {
		t.Errorf(`Coerce kept m["Authorization"] = %T, want the Secret`, m["Authorization"])
	}
	if got, want := m["n"], any(int64(1)); got != want {
		t.Errorf(`m["n"] = %#v, want %#v`, got, want)
	}
}

func TestTruncate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"abc", 3, "abc"},
		{"abcd", 3, "abc..."},
		{"héllo", 2, "hé..."},
		{"", 2, ""},
	}
	for _, tc := range tests {
		t.Run(tc.s, func(t *testing.T) {
			t.Parallel()
			if got := truncate(tc.s, tc.n); got != tc.want {
				t.Errorf("truncate(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
			}
		})
	}
}

// TestRefused checks that a refused value fails with its reason, for a
// scalar and for an array's items, and that options still match.
func TestRefused(t *testing.T) {
	in := Input{Type: String, Options: []Option{{Label: "Open", Value: "OPEN"}},
		Refused: map[string]string{"RESOLVED": "the vendor sets it"}}
	if v, err := in.Coerce("open"); err != nil || v != "OPEN" {
		t.Errorf("Coerce(open) = %v, %v", v, err)
	}
	if _, err := in.Coerce("Resolved"); err == nil || err.Error() != `"Resolved" cannot be set: the vendor sets it` {
		t.Errorf("Coerce(Resolved) = %v", err)
	}
	if _, err := in.Coerce("Closed"); err == nil || !strings.Contains(err.Error(), "must be one of") {
		t.Errorf("Coerce(Closed) = %v, want the option list", err)
	}
	arr := Input{Type: Array, Items: String, Options: in.Options, Refused: in.Refused}
	if _, err := arr.Coerce([]any{"OPEN", "RESOLVED"}); err == nil || !strings.Contains(err.Error(), "item 1") || !strings.Contains(err.Error(), "the vendor sets it") {
		t.Errorf("array Coerce = %v", err)
	}
}
