package actions

import (
	"errors"
	"sort"
	"strconv"
	"strings"

	"github.com/playbook-sh/playbook/internal/textdist"
)

// InputError is an input of a call that is missing, unknown or of the
// wrong value. Input is the input's name as the user typed it.
type InputError struct {
	Input string
	Msg   string
	// Rule marks an error of a rule between inputs ([Spec.Check]).
	Rule bool
}

// Error returns `input "name": msg`, or the message alone when it already
// names the input (`missing required input "url"`, `unknown input "urll"
// (did you mean "url"?)`).
func (e *InputError) Error() string {
	if e.Input == "" || strings.HasPrefix(e.Msg, "missing required input ") || strings.HasPrefix(e.Msg, "unknown input ") {
		return e.Msg
	}
	return "input " + strconv.Quote(e.Input) + ": " + e.Msg
}

// CoerceInputs checks the inputs of one call and returns them coerced by
// [Input.Coerce], with the declared Default of each input not given. A nil
// value counts as not given. The original map is not changed.
//
// The first problem is returned as an [*InputError], in this order:
// unknown names (sorted, with a suggestion), then each declared input in
// the Spec's order (a missing required input or a value of the wrong type).
func (s Spec) CoerceInputs(with map[string]any) (map[string]any, error) {
	if err := s.checkNames(with); err != nil {
		return nil, err
	}
	out := make(map[string]any, len(s.Inputs))
	for _, in := range s.Inputs {
		v, given := with[in.Name]
		if v == nil {
			if in.Default != nil {
				v = in.Default
			} else if in.Required {
				msg := "missing required input " + strconv.Quote(in.Name)
				if given {
					msg = "must not be null"
				}
				return nil, &InputError{Input: in.Name, Msg: msg}
			} else {
				continue
			}
		}
		c, err := in.Coerce(v)
		if err != nil {
			return nil, &InputError{Input: in.Name, Msg: err.Error()}
		}
		out[in.Name] = c
	}
	if s.Check != nil {
		if err := s.Check(out); err != nil {
			var ie *InputError
			if !errors.As(err, &ie) {
				ie = &InputError{Msg: err.Error()}
			}
			ie.Rule = true
			return nil, ie
		}
	}
	return out, nil
}

// CheckLiteral checks one literal value of a playbook's `with:` at
// validate time, as [Spec.CoerceInputs] would at run time. A nil value is
// fine. The error is an [*InputError].
func (s Spec) CheckLiteral(name string, v any) error {
	in, ok := s.Input(name)
	if !ok {
		return s.unknownInput(name)
	}
	if _, err := in.Coerce(v); err != nil {
		return &InputError{Input: name, Msg: err.Error()}
	}
	return nil
}

// checkNames returns an error for the first (sorted) name of with that the
// command does not declare.
func (s Spec) checkNames(with map[string]any) error {
	var unknown []string
	for name := range with {
		if _, ok := s.Input(name); !ok {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	return s.unknownInput(unknown[0])
}

func (s Spec) unknownInput(name string) error {
	names := make([]string, len(s.Inputs))
	for i, in := range s.Inputs {
		names[i] = in.Name
	}
	msg := "unknown input " + strconv.Quote(truncate(name, maxShown))
	if len(names) == 0 {
		msg += " (" + s.Name + " takes no inputs)"
	} else if best := suggest(name, names); best != "" {
		msg += " (did you mean " + strconv.Quote(best) + "?)"
	}
	return &InputError{Input: name, Msg: msg}
}

// suggest returns the candidate closest to name, for a "did you mean"
// hint, or "" when none is close. Case, spaces and hyphens are ignored
// ("Host Names" suggests "host_names"); otherwise a candidate must be
// within an edit distance of a third of name's length (at least 1).
func suggest(name string, candidates []string) string {
	fold := func(s string) string {
		return strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(strings.TrimSpace(s)))
	}
	n := fold(name)
	limit := max(1, len([]rune(n))/3)
	best, bestDist := "", limit+1
	for _, c := range candidates {
		if c == name {
			continue
		}
		d := textdist.Distance(n, fold(c))
		if d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}
