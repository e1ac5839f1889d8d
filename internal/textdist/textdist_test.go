package textdist

import "testing"

func TestDistance(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"needs", "needs", 0},
		{"need", "needs", 1},
		{"retrun_data", "return_data", 1}, // a swap is one edit
		{"kitten", "sitting", 3},
		{"héllo", "hello", 1}, // runes, not bytes
		{"", "abc", 3},
	}
	for _, tc := range tests {
		if got := Distance(tc.a, tc.b); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
	long := string(make([]rune, 100))
	if got := Distance(long, "x"); got < 100 {
		t.Errorf("Distance(long, x) = %d, want far", got)
	}
}
