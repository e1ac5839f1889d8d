package actions

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var testSpec = Spec{
	Name:  "test.fetch",
	Title: "Fetch",
	Inputs: []Input{
		{Name: "url", Type: String, Required: true},
		{Name: "method", Type: String, Default: "get", Options: []Option{{Label: "GET", Value: "GET"}, {Label: "POST", Value: "POST"}}},
		{Name: "limit", Type: Integer, Default: int64(50), Min: Float(1), Max: Float(100)},
		{Name: "host_names", Type: Array, Items: String},
		{Name: "timeout", Type: Duration},
	},
}

func TestSpecCoerceInputs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		with    map[string]any
		want    map[string]any
		wantErr *InputError
	}{
		{
			name: "defaults filled",
			with: map[string]any{"url": "https://x"},
			want: map[string]any{"url": "https://x", "method": "GET", "limit": int64(50)},
		},
		{
			name: "given values coerced",
			with: map[string]any{"url": "https://x", "method": "post", "limit": 7.0, "host_names": "h1", "timeout": "5s"},
			want: map[string]any{"url": "https://x", "method": "POST", "limit": int64(7), "host_names": []any{"h1"}, "timeout": "5s"},
		},
		{
			name: "null takes the default",
			with: map[string]any{"url": "https://x", "limit": nil, "host_names": nil},
			want: map[string]any{"url": "https://x", "method": "GET", "limit": int64(50)},
		},
		{
			name:    "missing required",
			with:    map[string]any{"limit": 5},
			wantErr: &InputError{Input: "url", Msg: `missing required input "url"`},
		},
		{
			name:    "null required",
			with:    map[string]any{"url": nil},
			wantErr: &InputError{Input: "url", Msg: "must not be null"},
		},
		{
			name:    "unknown with suggestion before missing",
			with:    map[string]any{"urll": "https://x"},
			wantErr: &InputError{Input: "urll", Msg: `unknown input "urll" (did you mean "url"?)`},
		},
		{
			name:    "unknown without suggestion",
			with:    map[string]any{"url": "https://x", "zzzzzz": 1},
			wantErr: &InputError{Input: "zzzzzz", Msg: `unknown input "zzzzzz"`},
		},
		{
			name:    "wrong value",
			with:    map[string]any{"url": "https://x", "limit": 250},
			wantErr: &InputError{Input: "limit", Msg: "must be at most 100, got 250"},
		},
		{
			name:    "first error in spec order",
			with:    map[string]any{"url": int64(1), "limit": 250},
			wantErr: &InputError{Input: "url", Msg: "must be a string, got integer"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := testSpec.CoerceInputs(tc.with)
			if tc.wantErr != nil {
				var ie *InputError
				if !errors.As(err, &ie) {
					t.Fatalf("CoerceInputs(%v) error = %v, want %v", tc.with, err, tc.wantErr)
				}
				if diff := cmp.Diff(tc.wantErr, ie); diff != "" {
					t.Errorf("CoerceInputs(%v) error mismatch (-want +got):\n%s", tc.with, diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("CoerceInputs(%v) error = %v", tc.with, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("CoerceInputs(%v) mismatch (-want +got):\n%s", tc.with, diff)
			}
		})
	}
}

func TestSpecCoerceInputsLeavesArgumentAlone(t *testing.T) {
	t.Parallel()
	with := map[string]any{"url": "https://x", "method": "post"}
	if _, err := testSpec.CoerceInputs(with); err != nil {
		t.Fatal(err)
	}
	if got, want := with["method"], any("post"); got != want {
		t.Errorf(`with["method"] = %v after CoerceInputs, want %v`, got, want)
	}
	if _, ok := with["limit"]; ok {
		t.Error(`CoerceInputs added "limit" to its argument`)
	}
}

func TestSpecCheckLiteral(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		input   string
		v       any
		wantErr string
	}{
		{name: "ok", input: "limit", v: int64(5)},
		{name: "nil is fine", input: "url", v: nil},
		{name: "option label", input: "method", v: "Post"},
		{name: "range", input: "limit", v: int64(0), wantErr: `input "limit": must be at least 1, got 0`},
		{name: "option", input: "method", v: "PUT", wantErr: `input "method": must be one of "GET", "POST", got "PUT"`},
		{name: "unknown", input: "metod", v: "GET", wantErr: `unknown input "metod" (did you mean "method"?)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := testSpec.CheckLiteral(tc.input, tc.v)
			if tc.wantErr == "" {
				if err != nil {
					t.Errorf("CheckLiteral(%q, %v) = %v, want nil", tc.input, tc.v, err)
				}
				return
			}
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("CheckLiteral(%q, %v) = %v, want %s", tc.input, tc.v, err, tc.wantErr)
			}
			if _, ok := errors.AsType[*InputError](err); !ok {
				t.Errorf("CheckLiteral(%q, %v) = %T, want *InputError", tc.input, tc.v, err)
			}
		})
	}
}

func TestInputErrorError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  *InputError
		want string
	}{
		{&InputError{Input: "limit", Msg: "must be at most 100, got 250"}, `input "limit": must be at most 100, got 250`},
		{&InputError{Input: "url", Msg: `missing required input "url"`}, `missing required input "url"`},
		{&InputError{Input: "urll", Msg: `unknown input "urll"`}, `unknown input "urll"`},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			t.Parallel()
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("Error() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	candidates := []string{"url", "method", "host_names", "endpoint_ids", "limit"}
	tests := []struct {
		name string
		want string
	}{
		{"urll", "url"},
		{"metod", "method"},
		{"Host Names", "host_names"},
		{"hostnames", "host_names"},
		{"endpoint-id", "endpoint_ids"},
		{"limt", "limit"},
		{"x", ""},
		{"timeout", ""},
		{"", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := suggest(tc.name, candidates); got != tc.want {
				t.Errorf("suggest(%q) = %q, want %q", tc.name, got, tc.want)
			}
		})
	}
}
