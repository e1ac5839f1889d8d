package eval

import (
	"strings"
	"testing"
	"time"
)

// TestRunawayGuards: expressions that would run or grow without bound stop
// with an error, quickly.
func TestRunawayGuards(t *testing.T) {
	t.Parallel()
	list := "[1,2,3,4,5,6,7,8,9,10]"
	nested := "a"
	for _, v := range []string{"g", "f", "e", "d", "c", "b", "a"} {
		nested = list + ".map(" + v + ", " + nested + ")"
	}
	concat := "cel.bind(a, 'xxxxxxxxxx', "
	prev := "a"
	for _, v := range []string{"b", "c", "d", "e", "f", "g", "h"} {
		concat += "cel.bind(" + v + ", " + strings.TrimSuffix(strings.Repeat(prev+"+", 10), "+") + ", "
		prev = v
	}
	concat += "h.size()" + strings.Repeat(")", 8)

	for _, tc := range []struct {
		name string
		lang Lang
		src  string
		msg  string
	}{
		{"cel nested map, 10^7 steps", CEL, nested, "cost limit"},
		{"cel string doubling", CEL, concat, "cost limit"},
		{"cel range too large", CEL, "lists.range(100000000).size()", "exceeds maximum"},
		{"cel comprehension over a large range", CEL, "lists.range(1000000).map(x, lists.range(1000000).size()).size()", "cost limit"},
		{"expr memory budget", Expr, "map(1..1000000, map(1..1000000, #))", "memory budget"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := Compile(tc.lang, tc.src, testOpts)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			start := time.Now()
			_, err = p.Eval(t.Context(), nil)
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("Eval = %v, want error containing %q", err, tc.msg)
			}
			// Generous for -race on a shared 2-core machine; ~0.4s normally.
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("Eval took %v to stop", d)
			}
		})
	}
}

// TestSizeGuards: oversized and deeply nested sources are rejected at
// compile time, without hanging.
func TestSizeGuards(t *testing.T) {
	t.Parallel()
	huge := strings.Repeat("a", 10<<20)
	for _, tc := range []struct {
		name string
		lang Lang
		src  string
		msg  string
	}{
		{"cel huge source", CEL, huge, "too long"},
		{"expr huge source", Expr, huge, "too long"},
		{"cel huge string literal", CEL, `"` + huge + `"`, "too long"},
		{"cel deep parentheses", CEL, strings.Repeat("(", 1000) + "1" + strings.Repeat(")", 1000), "recursion limit"},
		{"cel deep lists", CEL, strings.Repeat("[", 1000) + strings.Repeat("]", 1000), "recursion limit"},
		{"cel long chain", CEL, strings.Repeat("1+", 12000) + "1", "recursion depth"},
		{"expr deep negation", Expr, strings.Repeat("!", 20000) + "true", "maximum allowed nodes"},
		{"expr many nodes", Expr, strings.Repeat("1+", 12000) + "1", "maximum allowed nodes"},
		{"expr deep arrays", Expr, strings.Repeat("[", 15000) + strings.Repeat("]", 15000), "maximum allowed nodes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			_, err := Compile(tc.lang, tc.src, testOpts)
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("Compile = %v, want error containing %q", err, tc.msg)
			}
			if e := asError(t, err); e.Offset < -1 || e.Offset > len(tc.src) {
				t.Errorf("Compile error offset %d outside [-1, %d]", e.Offset, len(tc.src))
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("Compile took %v", d)
			}
		})
	}
	t.Run("template with a huge expression", func(t *testing.T) {
		t.Parallel()
		s := "x ${{ " + huge + " }}"
		_, err := ParseTemplate(CEL, s, testOpts)
		if err == nil || !strings.Contains(err.Error(), "too long") {
			t.Fatalf("ParseTemplate = %v, want a too-long error", err)
		}
	})
	t.Run("template of huge text", func(t *testing.T) {
		t.Parallel()
		tmpl, err := ParseTemplate(CEL, huge+"${{ 1 }}", testOpts)
		if err != nil {
			t.Fatalf("ParseTemplate: %v", err)
		}
		v, err := tmpl.Eval(t.Context(), nil)
		if err != nil || len(v.(string)) != len(huge)+1 {
			t.Fatalf("Eval = %.20v, %v", v, err)
		}
	})
}
