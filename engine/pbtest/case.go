package pbtest

import (
	"slices"

	"gopkg.in/yaml.v3"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine/playbook"
)

func (d *decoder) testCase(name string, p playbook.Pos, n *yaml.Node) *Case {
	c := &Case{Name: name, Pos: p, Mocks: map[string]*Mock{}}
	m := d.mapping(n, "test case "+name, caseKeys)
	if m == nil {
		return c
	}
	if x := m["description"]; x != nil {
		c.Description = d.str(x, "description")
	}
	if x := m["inputs"]; x != nil {
		if x.Kind != yaml.MappingNode {
			d.errorf(pos(x), "", "inputs must be a mapping")
		} else {
			c.Inputs, _ = d.data(x).(map[string]any)
		}
	}
	if x := m["event"]; x != nil {
		c.Event = d.data(x)
	}
	if x := m["sandbox"]; x != nil {
		c.Sandbox = d.boolean(x, "sandbox")
	}
	if x := m["dry_run"]; x != nil {
		c.DryRun = d.boolean(x, "dry_run")
	}
	if x := m["mocks"]; x != nil {
		d.mocks(c, x)
	}
	if x := m["expect"]; x != nil {
		d.expect(c, x)
	}
	return c
}

func (d *decoder) mocks(c *Case, n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		d.errorf(pos(n), "", "mocks must map task ids to envelopes")
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if c.Mocks[k.Value] != nil {
			d.errorf(pos(k), "", "duplicate mock for task %q", k.Value)
			continue
		}
		mk := &Mock{Task: k.Value, Pos: pos(k)}
		switch {
		case isOnly(v, "items"):
			items := v.Content[1]
			if items.Kind != yaml.SequenceNode {
				d.errorf(pos(items), "", "items must be a list: one envelope (or list of envelopes) per for_each item")
				continue
			}
			mk.Items = [][]actions.Envelope{}
			for _, it := range items.Content {
				mk.Items = append(mk.Items, d.sequence(it))
			}
		case isOnly(v, "match"):
			mk.Match = d.match(v.Content[1])
		default:
			mk.Seq = d.sequence(v)
		}
		c.Mocks[k.Value] = mk
		c.MockOrder = append(c.MockOrder, k.Value)
	}
}

// isOnly reports whether n is a mapping of the one key k.
func isOnly(n *yaml.Node, k string) bool {
	return n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[0].Value == k
}

// match reads the rules of a {match: [...]} mock.
func (d *decoder) match(n *yaml.Node) []*MatchRule {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		d.errorf(pos(n), "", "match must be a list of {when: CONDITION, then: ENVELOPE}, tried in order for each for_each item")
		return []*MatchRule{}
	}
	out := make([]*MatchRule, 0, len(n.Content))
	for _, r := range n.Content {
		rule := &MatchRule{Pos: pos(r)}
		m := d.mapping(r, "match rule", matchKeys)
		if m == nil {
			continue
		}
		if x := m["when"]; x != nil {
			rule.When, rule.Pos = d.condition(x, "when"), pos(x)
			if rule.When.Src != "" {
				var err error
				if rule.prg, err = compileCond(matchEnv, rule.When.Src); err != nil {
					d.errs = append(d.errs, condError(d.file, "when", rule.When, err))
				}
			}
		}
		if x := m["then"]; x != nil {
			rule.Then = d.sequence(x)
		} else {
			d.errorf(pos(r), "", "match rule needs then: the envelope (or list of envelopes) for the items it matches")
		}
		out = append(out, rule)
	}
	return out
}

// sequence reads an envelope or a list of envelopes.
func (d *decoder) sequence(n *yaml.Node) []actions.Envelope {
	if n.Kind == yaml.SequenceNode {
		if len(n.Content) == 0 {
			d.errorf(pos(n), "", "a mock sequence needs at least one envelope")
			return nil
		}
		out := make([]actions.Envelope, 0, len(n.Content))
		for _, e := range n.Content {
			out = append(out, d.envelope(e))
		}
		return out
	}
	return []actions.Envelope{d.envelope(n)}
}

// envelope reads one mocked envelope; unset fields take a Successful
// default, and an error with no return_data makes it Failed.
func (d *decoder) envelope(n *yaml.Node) actions.Envelope {
	env := actions.Envelope{ReturnData: actions.Successful, KeyFields: map[string][]any{}}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return env
	}
	m := d.mapping(n, "mock envelope", envelopeKeys)
	if m == nil {
		return env
	}
	if x := m["raw_data"]; x != nil {
		env.RawData = d.data(x)
	}
	if x := m["result"]; x != nil {
		env.Result = d.str(x, "result")
	}
	if x := m["key_fields"]; x != nil {
		kf, ok := d.data(x).(map[string]any)
		if !ok {
			d.errorf(pos(x), "", "key_fields must map Key Field names to lists")
		}
		for k, v := range kf {
			if l, ok := v.([]any); ok {
				env.KeyFields[k] = l
			} else if v == nil {
				env.KeyFields[k] = []any{}
			} else {
				env.KeyFields[k] = []any{v}
			}
		}
	}
	if x := m["error"]; x != nil {
		em := d.mapping(x, "error", errorKeys)
		e := &actions.Error{}
		if v := em["failure_indicator"]; v != nil {
			e.FailureIndicator = d.str(v, "failure_indicator")
		}
		if v := em["message"]; v != nil {
			e.Message = d.str(v, "message")
		}
		if v := em["status_code"]; v != nil {
			var code int
			if v.Decode(&code) != nil || code < 0 || code > 999 {
				d.errorf(pos(v), "", "status_code must be an integer from 0 to 999")
			}
			e.StatusCode = code
		}
		env.Error = e
		env.ReturnData = actions.Failed
	}
	if x := m["return_data"]; x != nil {
		rd, ok := actions.ParseReturnData(d.str(x, "return_data"))
		if !ok {
			d.errorf(pos(x), "", "return_data must be Successful, Failed, Partially Successful or Successful with No Event Data, got %q", x.Value)
		}
		env.ReturnData = rd
	}
	return env
}

func (d *decoder) expect(c *Case, n *yaml.Node) {
	m := d.mapping(n, "expect", expectKeys)
	if m == nil {
		return
	}
	e := &c.Expect
	if x := m["status"]; x != nil {
		e.Status, e.StatusPos = d.str(x, "status"), pos(x)
		if e.Status != "" && !slices.Contains(runStatuses, e.Status) {
			d.errorf(pos(x), playbook.Suggest(e.Status, runStatuses), "unknown run status %q (Successful, Failed, Partially Successful, Cancelled)", e.Status)
		}
	}
	if x := m["tasks"]; x != nil {
		if x.Kind != yaml.MappingNode {
			d.errorf(pos(x), "", "expect.tasks must map task ids to expectations")
		} else {
			for i := 0; i+1 < len(x.Content); i += 2 {
				e.Tasks = append(e.Tasks, d.taskExpect(x.Content[i], x.Content[i+1]))
			}
		}
	}
	if x := m["outputs"]; x != nil {
		if x.Kind != yaml.MappingNode {
			d.errorf(pos(x), "", "expect.outputs must be a mapping")
		} else {
			e.Outputs, e.OutputPos = map[string]any{}, map[string]playbook.Pos{}
			for i := 0; i+1 < len(x.Content); i += 2 {
				e.Outputs[x.Content[i].Value] = d.data(x.Content[i+1])
				e.OutputPos[x.Content[i].Value] = pos(x.Content[i])
			}
		}
	}
	if x := m["assert"]; x != nil {
		e.Assert = d.assertions(x)
	}
}

// assertions reads one CEL condition or a list of them.
func (d *decoder) assertions(x *yaml.Node) []Assertion {
	list := []*yaml.Node{x}
	if x.Kind == yaml.SequenceNode {
		list = x.Content
	}
	out := make([]Assertion, 0, len(list))
	for _, a := range list {
		out = append(out, d.condition(a, "assert entry"))
	}
	return out
}

func (d *decoder) taskExpect(k, v *yaml.Node) *TaskExpect {
	te := &TaskExpect{ID: k.Value, Pos: pos(k)}
	m := d.mapping(v, "expectation of task "+k.Value, taskExpKeys)
	if m == nil {
		return te
	}
	if x := m["status"]; x != nil {
		te.Status = d.str(x, "status")
		if te.Status != "" && !slices.Contains(taskStatuses, te.Status) {
			d.errorf(pos(x), playbook.Suggest(te.Status, taskStatuses), "unknown task status %q (succeeded, failed, skipped, cancelled, dry_run)", te.Status)
		}
	}
	if x := m["reason"]; x != nil {
		te.Reason = d.str(x, "reason")
	}
	if x := m["return_data"]; x != nil {
		rd, ok := actions.ParseReturnData(d.str(x, "return_data"))
		if !ok {
			d.errorf(pos(x), "", "unknown return_data %q", x.Value)
		}
		te.ReturnData = string(rd)
	}
	if x := m["attempts"]; x != nil {
		var a int
		if x.Decode(&a) != nil || a < 0 {
			d.errorf(pos(x), "", "attempts must be a whole number")
		}
		te.Attempts = &a
	}
	if x := m["with"]; x != nil {
		te.With, te.HasWith = d.data(x), true
	}
	if x := m["with_assert"]; x != nil {
		te.WithAssert = d.assertions(x)
	}
	return te
}
