package schema

import (
	"regexp"
	"testing"
	"time"
)

// TestDurationPattern checks the schema's duration pattern against
// time.ParseDuration, as the loader reads durations (negative ones are
// rejected there).
func TestDurationPattern(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(durationPattern)
	for _, s := range []string{
		"0", "+0", "30s", "1h30m", "1.5s", ".5s", "1.s", "10ms", "3us", "3µs", "3μs", "2ns",
		"1h2m3s4ms5us6ns", "+5m", "",
		"-1s", "-0", "1", "s", "1d", "1 s", " 1s", "1s ", "1.2.3s", "5m-1s", "0x10s", "1e3s",
	} {
		d, err := time.ParseDuration(s)
		want := err == nil && d >= 0 && s != "-0"
		if got := re.MatchString(s); got != want {
			t.Errorf("pattern matches %q = %v, want %v (ParseDuration: %v, %v)", s, got, want, d, err)
		}
	}
}
