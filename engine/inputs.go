package engine

import (
	"errors"
	"fmt"
	"sort"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine/playbook"
)

// InputError is an input given to a run that does not fit the playbook.
type InputError struct {
	Input string
	Msg   string
}

func (e *InputError) Error() string { return fmt.Sprintf("input %s: %s", e.Input, e.Msg) }

// ParseInput reads a --input value by the input's declared type: strings
// as they are, numbers and booleans by their text, arrays and objects as
// JSON.
func (c *Compiled) ParseInput(name, text string) (any, error) {
	in := c.Playbook.Input(name)
	if in == nil {
		return nil, &InputError{Input: name, Msg: "the playbook declares no such input" + hintSuffix(playbook.Suggest(name, c.inputNames()))}
	}
	if in.Type == playbook.TypeString {
		return text, nil
	}
	if in.Type == playbook.TypeBoolean {
		return text, nil // Coerce reads true/false/yes/no
	}
	v, err := actions.DecodeJSON([]byte(text))
	if err != nil {
		return nil, &InputError{Input: name, Msg: fmt.Sprintf("%q is not a valid %s", truncate(text, 60), in.Type)}
	}
	return v, nil
}

func hintSuffix(h string) string {
	if h == "" {
		return ""
	}
	return " (" + h + ")"
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

func (c *Compiled) inputNames() []string {
	out := make([]string, len(c.Playbook.Inputs))
	for i, in := range c.Playbook.Inputs {
		out[i] = in.Name
	}
	return out
}

// BindInputs checks given inputs against the playbook's declarations,
// applies defaults and reports every missing required input. The values are
// data: a string holding ${{ }} stays that string.
func (c *Compiled) BindInputs(given map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(c.Playbook.Inputs))
	var errs []error
	names := make([]string, 0, len(given))
	for k := range given {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		in := c.Playbook.Input(k)
		if in == nil {
			errs = append(errs, &InputError{Input: k, Msg: "the playbook declares no such input" + hintSuffix(playbook.Suggest(k, c.inputNames()))})
			continue
		}
		v, err := coerceInput(in.Type, actions.Normalize(given[k]))
		if err != nil {
			errs = append(errs, &InputError{Input: k, Msg: err.Error()})
			continue
		}
		out[k] = v
	}
	for _, in := range c.Playbook.Inputs {
		if _, ok := out[in.Name]; ok {
			continue
		}
		if d, ok := c.defaults[in.Name]; ok {
			out[in.Name] = d
			continue
		}
		if in.Required {
			errs = append(errs, &InputError{Input: in.Name, Msg: "required input is missing"})
			continue
		}
		out[in.Name] = nil
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}
