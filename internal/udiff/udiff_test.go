package udiff

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

func TestUnified(t *testing.T) {
	for _, tc := range []struct {
		name, a, b, want string
	}{
		{"equal", "a\nb\n", "a\nb\n", ""},
		{"one line changed", "{\n  \"ids\": [\n    \"e1\"\n  ]\n}\n", "{\n  \"ids\": []\n}\n",
			"--- want\n+++ got\n@@ -1,5 +1,3 @@\n {\n-  \"ids\": [\n-    \"e1\"\n-  ]\n+  \"ids\": []\n }\n"},
		{"from empty", "", "x\n", "--- want\n+++ got\n@@ -0,0 +1 @@\n+x\n"},
		{"to empty", "x\ny\n", "", "--- want\n+++ got\n@@ -1,2 +0,0 @@\n-x\n-y\n"},
		{"two hunks", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "1\nTWO\n3\n4\n5\n6\n7\n8\n9\nTEN\n",
			"--- want\n+++ got\n@@ -1,3 +1,3 @@\n 1\n-2\n+TWO\n 3\n@@ -9,2 +9,2 @@\n 9\n-10\n+TEN\n"},
		{"near changes merge", "1\n2\n3\n4\n5\n", "1\nB\n3\nD\n5\n",
			"--- want\n+++ got\n@@ -1,5 +1,5 @@\n 1\n-2\n+B\n 3\n-4\n+D\n 5\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Unified("want", "got", tc.a, tc.b, 1); got != tc.want {
				t.Errorf("Unified =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// apply applies a unified diff made by Unified to a.
func apply(t *testing.T, a, diff string) string {
	t.Helper()
	src := lines(a)
	var out []string
	next := 0 // next unread line of src, 0-based
	dl := lines(diff)
	for i := 2; i < len(dl); i++ {
		l := dl[i]
		if strings.HasPrefix(l, "@@ ") {
			var aStart string
			fmt.Sscanf(l, "@@ -%s", &aStart)
			startStr, countStr, hasCount := strings.Cut(aStart, ",")
			start, _ := strconv.Atoi(startStr)
			if hasCount && countStr == "0" {
				start++ // an empty range names the line before
			}
			for next < start-1 {
				out = append(out, src[next])
				next++
			}
			continue
		}
		switch l[0] {
		case ' ':
			if src[next] != l[1:] {
				t.Fatalf("context %q does not match line %d %q", l[1:], next+1, src[next])
			}
			out = append(out, src[next])
			next++
		case '-':
			if src[next] != l[1:] {
				t.Fatalf("deletion %q does not match line %d %q", l[1:], next+1, src[next])
			}
			next++
		case '+':
			out = append(out, l[1:])
		}
	}
	out = append(out, src[next:]...)
	if len(out) == 0 {
		return ""
	}
	return strings.Join(out, "\n") + "\n"
}

// TestUnifiedApplies checks, over random edits, that every diff applied
// to its first input gives its second.
func TestUnifiedApplies(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	gen := func() string {
		n := r.IntN(30)
		var b strings.Builder
		for range n {
			fmt.Fprintf(&b, "%c\n", 'a'+r.IntN(4))
		}
		return b.String()
	}
	for i := range 2000 {
		a, b := gen(), gen()
		ctx := r.IntN(4)
		d := Unified("a", "b", a, b, ctx)
		if a == b {
			if d != "" {
				t.Fatalf("case %d: equal inputs gave a diff", i)
			}
			continue
		}
		if got := apply(t, a, d); got != b {
			t.Fatalf("case %d (context %d): applying\n%s\nto\n%q\ngave %q, want %q", i, ctx, d, a, got, b)
		}
	}
}

func TestUnifiedLargeFallsBack(t *testing.T) {
	var a, b strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&a, "a%d\n", i)
		fmt.Fprintf(&b, "b%d\n", i)
	}
	d := Unified("a", "b", a.String(), b.String(), 3)
	if got := apply(t, a.String(), d); got != b.String() {
		t.Fatal("the fallback diff does not apply")
	}
}
