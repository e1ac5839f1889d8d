package actions

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRequestGetters(t *testing.T) {
	t.Parallel()
	r := Request{Inputs: map[string]any{
		"s":        "abc",
		"secret":   NewSecret("k3y"),
		"i":        int64(42),
		"fi":       42.0,
		"f":        2.5,
		"b":        true,
		"d":        "1m30s",
		"t":        "2024-08-06T18:00:00Z",
		"list":     []any{"a", int64(1), 2.5, true, map[string]any{}},
		"one":      "solo",
		"m":        map[string]any{"k": "v"},
		"wrongInt": "7",
	}}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"String", r.String("s"), "abc"},
		{"String of Secret", r.String("secret"), "k3y"},
		{"String absent", r.String("nope"), ""},
		{"String of int", r.String("i"), ""},
		{"Secret", r.Secret("secret").Reveal(), "k3y"},
		{"Secret of string", r.Secret("s").Reveal(), "abc"},
		{"Int", r.Int("i"), int64(42)},
		{"Int of integral float", r.Int("fi"), int64(42)},
		{"Int of fraction", r.Int("f"), int64(0)},
		{"Int of string", r.Int("wrongInt"), int64(0)},
		{"Float", r.Float("f"), 2.5},
		{"Float of int", r.Float("i"), 42.0},
		{"Bool", r.Bool("b"), true},
		{"Bool absent", r.Bool("nope"), false},
		{"Duration", r.Duration("d"), 90 * time.Second},
		{"Duration absent", r.Duration("nope"), time.Duration(0)},
		{"Time", r.Time("t"), time.Date(2024, 8, 6, 18, 0, 0, 0, time.UTC)},
		{"Time absent", r.Time("nope").IsZero(), true},
		{"Strings", r.Strings("list"), []string{"a", "1", "2.5", "true"}},
		{"Strings of one", r.Strings("one"), []string{"solo"}},
		{"Strings absent", r.Strings("nope"), []string(nil)},
		{"Map", r.Map("m"), map[string]any{"k": "v"}},
		{"Map absent", r.Map("nope"), map[string]any(nil)},
		{"Value", r.Value("i"), int64(42)},
		{"Value absent", r.Value("nope"), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, tc.got); diff != "" {
				t.Errorf("%s mismatch (-want +got):\n%s", tc.name, diff)
			}
		})
	}
}

func TestRequestGettersNilInputs(t *testing.T) {
	t.Parallel()
	var r Request
	if got := r.String("x"); got != "" {
		t.Errorf(`String("x") = %q, want ""`, got)
	}
	if got := r.Strings("x"); got != nil {
		t.Errorf(`Strings("x") = %v, want nil`, got)
	}
}
