package jsonpath

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Floors for the pass rates over testdata/cts.json; raise them when the
// implementation improves, never lower them to make a change pass.
const (
	minValidPassRate   = 0.99 // share of valid-selector cases whose result matches
	minInvalidPassRate = 0.99 // share of invalid selectors that Compile rejects
)

// knownFailingCTS lists the CTS cases this implementation is known to fail.
// A failure of any other case fails TestCTS.
var knownFailingCTS = map[string]bool{}

// ctsCase is one case of the JSONPath Compliance Test Suite.
type ctsCase struct {
	Name            string          `json:"name"`
	Selector        string          `json:"selector"`
	Document        json.RawMessage `json:"document"`
	Result          json.RawMessage `json:"result"`
	Results         json.RawMessage `json:"results"`
	InvalidSelector bool            `json:"invalid_selector"`
}

func loadCTS(tb testing.TB) []ctsCase {
	tb.Helper()
	data, err := os.ReadFile("testdata/cts.json")
	if err != nil {
		tb.Fatal(err)
	}
	var suite struct {
		Tests []ctsCase `json:"tests"`
	}
	if err := json.Unmarshal(data, &suite); err != nil {
		tb.Fatal(err)
	}
	if len(suite.Tests) == 0 {
		tb.Fatal("testdata/cts.json holds no tests")
	}
	return suite.Tests
}

// decodeJSON decodes JSON the way the engine sees it: numbers become int64
// when integral and float64 otherwise.
func decodeJSON(tb testing.TB, raw []byte) any {
	tb.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		tb.Fatalf("decode %s: %v", raw, err)
	}
	return normalizeNumbers(v)
}

// normalizeNumbers replaces every json.Number in v by an int64 when it is
// integral (and fits) and by a float64 otherwise.
func normalizeNumbers(v any) any {
	switch t := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(t), 10, 64); err == nil {
			return i
		}
		f, err := strconv.ParseFloat(string(t), 64)
		if err != nil {
			return string(t)
		}
		if f == math.Trunc(f) && math.Abs(f) < 1<<63 {
			return int64(f)
		}
		return f
	case []any:
		for i := range t {
			t[i] = normalizeNumbers(t[i])
		}
	case map[string]any:
		for k, x := range t {
			t[k] = normalizeNumbers(x)
		}
	}
	return v
}

// runCTSCase reports whether the implementation passes c, and why not.
func runCTSCase(t *testing.T, c ctsCase) (bool, string) {
	t.Helper()
	p, err := Compile(c.Selector)
	if c.InvalidSelector {
		if err == nil {
			return false, "Compile accepted an invalid selector"
		}
		var se *SyntaxError
		if !errors.As(err, &se) || se.Offset < 0 || se.Offset > len(c.Selector) {
			return false, "error is not a *SyntaxError with an offset within the query: " + err.Error()
		}
		return true, ""
	}
	if err != nil {
		return false, "Compile: " + err.Error()
	}
	got := p.Query(decodeJSON(t, c.Document))
	if len(c.Result) > 0 {
		want := decodeJSON(t, c.Result)
		if diff := cmp.Diff(want, any(got)); diff != "" {
			return false, "result mismatch (-want +got):\n" + diff
		}
		return true, ""
	}
	alternatives, _ := decodeJSON(t, c.Results).([]any)
	for _, want := range alternatives {
		if cmp.Equal(want, any(got)) {
			return true, ""
		}
	}
	return false, fmt.Sprintf("result matches none of the acceptable results: got %#v", got)
}

func TestCTS(t *testing.T) {
	cases := loadCTS(t)
	var valid, validPass, invalid, invalidPass int
	seen := make(map[string]bool, len(cases))
	for _, c := range cases {
		if seen[c.Name] {
			t.Errorf("duplicate CTS case name %q", c.Name)
		}
		seen[c.Name] = true
		var passed bool
		t.Run(c.Name, func(t *testing.T) {
			var why string
			passed, why = runCTSCase(t, c)
			switch {
			case passed && knownFailingCTS[c.Name]:
				t.Logf("known-failing case now passes: remove it from knownFailingCTS")
			case !passed && knownFailingCTS[c.Name]:
				t.Skipf("known failure: selector %q: %s", c.Selector, why)
			case !passed:
				t.Errorf("selector %q: %s", c.Selector, why)
			}
		})
		if c.InvalidSelector {
			invalid++
			if passed {
				invalidPass++
			}
		} else {
			valid++
			if passed {
				validPass++
			}
		}
	}
	for name := range knownFailingCTS {
		if !seen[name] {
			t.Errorf("knownFailingCTS names %q, which is not in testdata/cts.json", name)
		}
	}
	validRate := float64(validPass) / float64(valid)
	invalidRate := float64(invalidPass) / float64(invalid)
	t.Logf("CTS valid selectors: %d/%d pass (%.1f%%)", validPass, valid, 100*validRate)
	t.Logf("CTS invalid selectors: %d/%d rejected (%.1f%%)", invalidPass, invalid, 100*invalidRate)
	if validRate < 0.95 || validRate < minValidPassRate {
		t.Errorf("valid-selector pass rate %.4f is below the floor %.4f (and 0.95)", validRate, minValidPassRate)
	}
	if invalidRate < minInvalidPassRate {
		t.Errorf("invalid-selector rejection rate %.4f is below the floor %.4f", invalidRate, minInvalidPassRate)
	}
}
