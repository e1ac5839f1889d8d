package playbook

import (
	"gopkg.in/yaml.v3"
)

// The keys each mapping of a playbook may hold.
var (
	playbookKeys = []string{"playbook", "description", "expressions", "inputs", "connections", "tasks", "finally", "outputs", "fail_fast", "concurrency", "timeout"}
	inputKeys    = []string{"type", "required", "default", "description"}
	taskKeys     = []string{"run", "description", "connection", "with", "needs", "join", "when", "for_each", "concurrency", "retry", "timeout", "until", "repeat", "key_fields", "allow_failure", "allow_empty"}
	retryKeys    = []string{"attempts", "backoff", "max_backoff", "retry_if"}
	repeatKeys   = []string{"every", "max"}
)

// PlaybookKeys, TaskKeys, InputKeys, RetryKeys and RepeatKeys are the keys
// the loader accepts, for the schema generator and editor completion.
func PlaybookKeys() []string { return append([]string(nil), playbookKeys...) }

// TaskKeys returns the keys a task accepts.
func TaskKeys() []string { return append([]string(nil), taskKeys...) }

func (d *decoder) inputs(n *yaml.Node) []*InputDecl {
	if n.Kind != yaml.MappingNode {
		d.errorf(pos(n), "", "inputs must be a mapping of input names, got %s", kindName(n))
		return nil
	}
	var out []*InputDecl
	d.eachKey(n, "inputs", func(k, v *yaml.Node) {
		in := &InputDecl{Name: k.Value, Pos: pos(k), Type: TypeString}
		if !validID.MatchString(in.Name) {
			d.errorf(pos(k), "", "input name %q must be letters, digits and '_', not starting with a digit", in.Name)
		}
		out = append(out, in)
		if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
			return // `name:` alone is a string input
		}
		f := d.mapping(v, "input "+in.Name, inputKeys)
		if f == nil {
			return
		}
		if t := f["type"]; t != nil {
			in.Type, in.TypePos = InputType(d.str(t, "type")), pos(t)
			ok := false
			names := make([]string, len(InputTypes))
			for i, it := range InputTypes {
				names[i] = string(it)
				ok = ok || it == in.Type
			}
			if !ok {
				d.errorf(pos(t), Suggest(string(in.Type), names), "unknown input type %q (string, integer, number, boolean, array, object)", in.Type)
			}
		}
		if r := f["required"]; r != nil {
			in.Required = d.boolean(r, "required")
		}
		if df := f["default"]; df != nil {
			in.Default = d.value(df)
		}
		if ds := f["description"]; ds != nil {
			in.Description = d.str(ds, "description")
		}
	})
	return out
}

func (d *decoder) connections(n *yaml.Node) []*ConnectionDecl {
	if n.Kind != yaml.MappingNode {
		d.errorf(pos(n), "", "connections must map names to integrations, got %s", kindName(n))
		return nil
	}
	var out []*ConnectionDecl
	d.eachKey(n, "connections", func(k, v *yaml.Node) {
		c := &ConnectionDecl{Name: k.Value, Pos: pos(k), Integration: d.str(v, "connection "+k.Value), IntegPos: pos(v)}
		if !validID.MatchString(c.Name) {
			d.errorf(pos(k), "", "connection name %q must be letters, digits and '_'", c.Name)
		}
		out = append(out, c)
	})
	return out
}

func (d *decoder) outputs(n *yaml.Node) []*Output {
	if n.Kind != yaml.MappingNode {
		d.errorf(pos(n), "", "outputs must be a mapping, got %s", kindName(n))
		return nil
	}
	var out []*Output
	d.eachKey(n, "outputs", func(k, v *yaml.Node) {
		if !validID.MatchString(k.Value) {
			d.errorf(pos(k), "", "output name %q must be letters, digits and '_'", k.Value)
		}
		out = append(out, &Output{Name: k.Value, Pos: pos(k), Value: d.value(v)})
	})
	return out
}

// eachKey calls fn for each key of mapping n in file order, reporting
// duplicates.
func (d *decoder) eachKey(n *yaml.Node, what string, fn func(k, v *yaml.Node)) {
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errorf(pos(k), "", "%s keys must be strings", what)
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.errorf(pos(k), "", "duplicate key %q in %s (first at line %d)", k.Value, what, first)
			continue
		}
		seen[k.Value] = k.Line
		fn(k, v)
	}
}

func (d *decoder) tasks(n *yaml.Node, finally bool) []*Task {
	what := "tasks"
	if finally {
		what = "finally"
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(pos(n), "", "%s must map task ids to tasks, got %s", what, kindName(n))
		return nil
	}
	var out []*Task
	d.eachKey(n, what, func(k, v *yaml.Node) {
		t := &Task{ID: k.Value, Pos: pos(k), Finally: finally, Join: JoinAllSucceeded}
		if !validID.MatchString(t.ID) {
			d.errorf(pos(k), "", "task id %q must be letters, digits and '_', not starting with a digit (it is used as tasks.%s)", t.ID, t.ID)
		}
		out = append(out, t)
		d.task(t, v)
	})
	return out
}

func (d *decoder) task(t *Task, n *yaml.Node) {
	f, keys := d.mappingKeys(n, "task "+t.ID, taskKeys)
	if f == nil {
		return
	}
	if r := f["run"]; r != nil {
		t.Run, t.RunPos = d.str(r, "run"), pos(r)
	} else {
		d.errorf(t.Pos, "", "task %s has no run: name the command it calls (see playbook actions list)", t.ID)
	}
	if x := f["description"]; x != nil {
		t.Description = d.str(x, "description")
	}
	if x := f["connection"]; x != nil {
		t.Connection, t.ConnectionPos = d.str(x, "connection"), pos(x)
	}
	if x := f["with"]; x != nil {
		t.WithPos = pos(keys["with"])
		if x.Kind != yaml.MappingNode {
			d.errorf(pos(x), "", "with must be a mapping of input names, got %s", kindName(x))
		} else {
			t.With = d.value(x)
		}
	}
	if x := f["needs"]; x != nil {
		t.Needs = d.names(x, "needs")
	}
	if x := f["join"]; x != nil {
		t.Join, t.JoinPos = Join(d.str(x, "join")), pos(x)
		names := make([]string, len(Joins))
		ok := false
		for i, j := range Joins {
			names[i] = string(j)
			ok = ok || j == t.Join
		}
		if !ok {
			d.errorf(pos(x), Suggest(string(t.Join), names), "unknown join %q (all_succeeded, any_succeeded, none_failed, any_failed, all_done)", t.Join)
		}
	}
	if x := f["when"]; x != nil {
		t.When = d.expr(x, "when")
	}
	if x := f["until"]; x != nil {
		t.Until = d.expr(x, "until")
	}
	if x := f["for_each"]; x != nil {
		t.ForEach = d.value(x)
		if x.Kind == yaml.MappingNode || (x.Kind == yaml.ScalarNode && x.ShortTag() != "!!str") {
			d.errorf(pos(x), "", "for_each must be a list or a template giving one, got %s", kindName(x))
		}
	}
	if x := f["concurrency"]; x != nil {
		t.Concurrency = d.positive(x, "concurrency")
		if f["for_each"] == nil {
			d.errorf(pos(keys["concurrency"]), "", "concurrency applies to for_each items; this task has no for_each")
		}
	}
	if x := f["timeout"]; x != nil {
		t.Timeout = d.duration(x, "timeout")
	}
	if x := f["retry"]; x != nil {
		t.Retry = d.retry(x)
	}
	if x := f["repeat"]; x != nil {
		t.Repeat = d.repeat(x)
		if t.Until == nil {
			d.errorf(pos(keys["repeat"]), "", "repeat polls until a condition holds; add until:")
		}
	} else if t.Until != nil {
		d.errorf(pos(keys["until"]), "", "until needs repeat: {every, max} to bound the polling")
	}
	if x := f["key_fields"]; x != nil {
		t.KeyFields = d.keyFields(x)
	}
	if x := f["allow_failure"]; x != nil {
		t.AllowFailure = d.boolean(x, "allow_failure")
	}
	if x := f["allow_empty"]; x != nil {
		t.AllowEmpty = d.names(x, "allow_empty")
	}
}

// expr reads a condition: a string, or a boolean written plainly.
func (d *decoder) expr(n *yaml.Node, what string) *Value {
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		d.errorf(pos(n), "", "%s must be an expression, got %s", what, kindName(n))
		return nil
	}
	v := d.value(n)
	v.Data = n.Value // `when: true` is the expression "true"
	if n.Value == "" {
		d.errorf(pos(n), "", "%s is empty", what)
	}
	return v
}

func (d *decoder) names(n *yaml.Node, what string) []Name {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" {
		return []Name{{Name: n.Value, Pos: pos(n)}}
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(pos(n), "", "%s must be a list of names, got %s", what, kindName(n))
		return nil
	}
	var out []Name
	seen := map[string]bool{}
	for _, c := range n.Content {
		s := d.str(c, what+" entry")
		if s == "" {
			continue
		}
		if seen[s] {
			d.errorf(pos(c), "", "%s lists %q twice", what, s)
			continue
		}
		seen[s] = true
		out = append(out, Name{Name: s, Pos: pos(c)})
	}
	return out
}

func (d *decoder) retry(n *yaml.Node) *Retry {
	r := &Retry{Attempts: 1, Pos: pos(n)}
	f := d.mapping(n, "retry", retryKeys)
	if f == nil {
		return r
	}
	if x := f["attempts"]; x != nil {
		r.Attempts = d.positive(x, "attempts")
		if r.Attempts > 100 {
			d.errorf(pos(x), "", "attempts must be at most 100, got %d", r.Attempts)
		}
	} else {
		d.errorf(pos(n), "", "retry needs attempts (the total number of calls)")
	}
	if x := f["backoff"]; x != nil {
		r.Backoff = d.duration(x, "backoff")
	}
	if x := f["max_backoff"]; x != nil {
		r.MaxBackoff = d.duration(x, "max_backoff")
		if r.MaxBackoff < r.Backoff {
			d.errorf(pos(x), "", "max_backoff %s is shorter than backoff %s", r.MaxBackoff, r.Backoff)
		}
	}
	if x := f["retry_if"]; x != nil {
		r.RetryIf = d.expr(x, "retry_if")
	}
	return r
}

func (d *decoder) repeat(n *yaml.Node) *Repeat {
	r := &Repeat{Pos: pos(n)}
	f := d.mapping(n, "repeat", repeatKeys)
	if f == nil {
		return r
	}
	if x := f["every"]; x != nil {
		r.Every = d.duration(x, "every")
	} else {
		d.errorf(pos(n), "", "repeat needs every (the wait between polls)")
	}
	if x := f["max"]; x != nil {
		r.Max = d.positive(x, "max")
	} else {
		d.errorf(pos(n), "", "repeat needs max (the most polls)")
	}
	return r
}

func (d *decoder) keyFields(n *yaml.Node) []KeyFieldDecl {
	if n.Kind != yaml.MappingNode {
		d.errorf(pos(n), "", "key_fields must map Key Field names to JSONPaths, got %s", kindName(n))
		return nil
	}
	var out []KeyFieldDecl
	d.eachKey(n, "key_fields", func(k, v *yaml.Node) {
		if !validID.MatchString(k.Value) {
			d.errorf(pos(k), "", "Key Field name %q must be letters, digits and '_'", k.Value)
		}
		if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str" {
			d.errorf(pos(v), "", "key field %s must be a JSONPath string, got %s", k.Value, kindName(v))
			return
		}
		out = append(out, KeyFieldDecl{Name: k.Value, Path: d.value(v), Pos: pos(k)})
	})
	return out
}

// checkTaskIDs reports ids used twice across tasks and finally, and needs
// that name no task of the same section.
func (d *decoder) checkTaskIDs(pb *Playbook) {
	ids := map[string]*Task{}
	var main, fin []string
	for _, t := range pb.Tasks {
		ids[t.ID] = t
		main = append(main, t.ID)
	}
	for _, t := range pb.Finally {
		if first, dup := ids[t.ID]; dup {
			d.errorf(t.Pos, "", "finally task %q has the id of the task at line %d", t.ID, first.Pos.Line)
			continue
		}
		ids[t.ID] = t
		fin = append(fin, t.ID)
	}
	for _, t := range append(append([]*Task{}, pb.Tasks...), pb.Finally...) {
		same := main
		if t.Finally {
			same = fin
		}
		for _, n := range t.Needs {
			switch {
			case n.Name == t.ID:
				d.errorf(n.Pos, "", "task %s needs itself", t.ID)
			case !contains(same, n.Name):
				if !t.Finally && contains(fin, n.Name) {
					d.errorf(n.Pos, "", "task %s needs %s, a finally task: finally tasks run after every task", t.ID, n.Name)
				} else if t.Finally && contains(main, n.Name) {
					d.errorf(n.Pos, "", "finally task %s needs %s: finally tasks run after every task has ended; read tasks.%s without needs", t.ID, n.Name, n.Name)
				} else {
					d.errorf(n.Pos, Suggest(n.Name, same), "task %s needs unknown task %q", t.ID, n.Name)
				}
			}
		}
	}
}
