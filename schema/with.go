package schema

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/playbook-sh/playbook/actions"
)

// template is any string resolved at run time: it may stand for a value of
// any type, so every input that is not a plain string also accepts it.
var template = obj{
	"type":        "string",
	"pattern":     templatePattern,
	"description": "A ${{ }} template or a JSONPath ($. or $[), resolved at run time.",
}

// boolWords are the strings a Boolean input accepts besides true and false
// (any case; the vendor pages write "No").
var boolWords = func() []any {
	var out []any
	for _, w := range []string{"true", "false", "yes", "no"} {
		out = append(out, w, strings.ToUpper(w[:1])+w[1:], strings.ToUpper(w))
	}
	return out
}()

// withSchema is the schema of a task's with: for the command s: each
// declared input, those required without a default, nothing else.
func withSchema(s actions.Spec) (obj, error) {
	props := obj{}
	var required []string
	for _, in := range s.Inputs {
		p, err := inputSchema(in)
		if err != nil {
			return nil, fmt.Errorf("schema: command %s input %s: %w", s.Name, in.Name, err)
		}
		props[in.Name] = p
		if in.Required && in.Default == nil {
			required = append(required, in.Name)
		}
	}
	w := obj{
		"type":                 "object",
		"properties":           props,
		"additionalProperties": false,
		"description":          "Inputs of " + s.Name + ". " + s.Description,
	}
	if len(required) > 0 {
		w["required"] = required
	}
	return w, nil
}

// inputSchema is the schema of one input's value, as [actions.Input.Coerce]
// and the engine read it.
func inputSchema(in actions.Input) (obj, error) {
	var s obj
	if in.Type == actions.Array {
		item := in.Items
		if item == "" {
			item = actions.Any
		}
		alts, err := typed(item, in)
		if err != nil {
			return nil, err
		}
		elem := anyOf(alts)
		list := obj{"type": "array", "items": elem}
		if in.MaxItems > 0 {
			list["maxItems"] = in.MaxItems
		}
		// A scalar given to an array input becomes a list of one.
		one := elem
		if item == actions.Any {
			one = obj{"not": obj{"type": "array"}}
		}
		s = anyOf([]obj{list, one})
	} else {
		alts, err := typed(in.Type, in)
		if err != nil {
			return nil, err
		}
		s = anyOf(alts)
	}
	s["description"] = inputDescription(in)
	if in.Default != nil {
		s["default"] = in.Default
	}
	return s, nil
}

// typed returns the alternatives a value of type t may be, the run-time
// template among them when the type's own schema does not take every
// string already.
func typed(t actions.Type, in actions.Input) ([]obj, error) {
	var s obj
	switch t {
	case actions.String:
		if len(in.Options) == 0 {
			// A plain YAML scalar given to a string input is its text
			// (version: 1.10 stays "1.10").
			return []obj{{"type": []any{"string", "number", "boolean"}}}, nil
		}
		s = obj{"type": "string", "enum": optionValues(in.Options)}
	case actions.Integer, actions.Number:
		s = obj{"type": string(t)}
		if in.Min != nil {
			s["minimum"] = *in.Min
		}
		if in.Max != nil {
			s["maximum"] = *in.Max
		}
	case actions.Boolean:
		return []obj{{"type": "boolean"}, {"type": "string", "enum": boolWords}, template}, nil
	case actions.Object:
		s = obj{"type": "object"}
	case actions.Any:
		if len(in.Options) == 0 {
			return []obj{{}}, nil
		}
		s = obj{"type": "string", "enum": optionValues(in.Options)}
	case actions.Duration:
		s = obj{"type": "string", "pattern": durationPattern}
	case actions.Time:
		return []obj{{"type": "string"}}, nil
	default:
		return nil, fmt.Errorf("unknown input type %q", t)
	}
	return []obj{s, template}, nil
}

// anyOf returns the one schema, or an anyOf of several.
func anyOf(alts []obj) obj {
	if len(alts) == 1 {
		out := obj{}
		for k, v := range alts[0] {
			out[k] = v
		}
		return out
	}
	list := make([]any, len(alts))
	for i, a := range alts {
		list[i] = a
	}
	return obj{"anyOf": list}
}

// optionValues lists each option's label and wire value, once each, in
// option order. The engine also matches them case-insensitively with "_"
// equal to a space, which an enum cannot say: editors suggest the forms
// listed.
func optionValues(opts []actions.Option) []string {
	var out []string
	add := func(s string) {
		for _, o := range out {
			if o == s {
				return
			}
		}
		out = append(out, s)
	}
	for _, o := range opts {
		if o.Label != "" {
			add(o.Label)
		}
		add(o.Value)
	}
	return out
}

// inputDescription is the input's description with its default and
// option list.
func inputDescription(in actions.Input) string {
	d := strings.TrimSpace(in.Description)
	add := func(s string) {
		if d != "" && !strings.HasSuffix(d, ".") {
			d += "."
		}
		if d != "" {
			d += " "
		}
		d += s
	}
	if in.Default != nil {
		add("Default: " + show(in.Default) + ".")
	}
	if len(in.Options) > 0 {
		var opts []string
		for _, o := range in.Options {
			switch {
			case o.Label == "" || o.Label == o.Value:
				opts = append(opts, o.Value)
			default:
				opts = append(opts, o.Label+" ("+o.Value+")")
			}
		}
		add("One of: " + strings.Join(opts, ", ") + ".")
	}
	if in.Type == actions.Array && in.MaxItems > 0 {
		add(fmt.Sprintf("At most %d items.", in.MaxItems))
	}
	return d
}

// show prints a default value: a string as it is, anything else as JSON.
func show(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
