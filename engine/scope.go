package engine

import (
	"slices"
	"sort"
	"strings"

	"github.com/playbook-sh/playbook/engine/eval"
	"github.com/playbook-sh/playbook/engine/plan"
	"github.com/playbook-sh/playbook/engine/playbook"
)

// scope is where an expression or template stands, deciding which names it
// may read: tasks it transitively needs (any task for finally tasks and
// outputs), its own envelope only in until and retry_if, item and index
// only inside a for_each task's inputs.
type scope struct {
	what      string
	task      *task  // nil for outputs
	ancestors []bool // of task, in its own plan
	finally   bool
	main      *plan.Plan // set for finally tasks: every main task is readable
	anyTask   bool       // outputs
	item      bool
	self      bool

	readMain, readFin map[int]bool
	readAll           bool
}

func (s *scope) reads() []int    { return sortedKeys(s.readMain) }
func (s *scope) readsFin() []int { return sortedKeys(s.readFin) }

func sortedKeys(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}

// checkRefs reports every reference of refs that the scope may not read.
// at maps an offset in the source to a file position.
func (c *compiler) checkRefs(refs []eval.Ref, s *scope, at func(int) playbook.Pos) {
	for _, r := range refs {
		if len(r.Path) == 0 {
			if r.Dynamic { // $, $..x: may read the whole context
				c.readAllTasks(s)
			}
			continue
		}
		p := at(r.Offset)
		switch r.Path[0] {
		case "inputs":
			if len(r.Path) > 1 && c.pb.Input(r.Path[1]) == nil {
				c.errorf(p, playbook.Suggest(r.Path[1], c.inputNames()), "%s: unknown input %q", s.what, r.Path[1])
			}
		case "item", "index":
			if !s.item {
				if s.task != nil && s.task.ForEach != nil {
					c.errorf(p, "", "%s: %s is defined only inside the task's inputs, until and retry_if (%s is evaluated once, before the items)", s.what, r.Path[0], s.what)
				} else {
					c.errorf(p, "", "%s: %s is defined only in a for_each task", s.what, r.Path[0])
				}
			}
		case "run":
			if len(r.Path) > 1 && r.Path[1] != "id" && r.Path[1] != "started_at" {
				c.errorf(p, playbook.Suggest(r.Path[1], []string{"id", "started_at"}), "%s: run has no field %q (run.id, run.started_at)", s.what, r.Path[1])
			}
		case "tasks":
			if len(r.Path) == 1 {
				c.readAllTasks(s)
				continue
			}
			c.checkTaskRef(r, s, p)
		}
	}
}

// readAllTasks records a dynamic read (tasks[x], $..x): every task the
// scope may read.
func (c *compiler) readAllTasks(s *scope) {
	s.readAll = true
	if s.task == nil {
		return
	}
	for i, a := range s.ancestors {
		if a {
			s.markRead(s.task.Finally, i)
		}
	}
	if s.finally && s.main != nil {
		for i := 0; i < s.main.Len(); i++ {
			s.markRead(false, i)
		}
	}
}

func (s *scope) markRead(finally bool, i int) {
	if finally {
		if s.readFin == nil {
			s.readFin = map[int]bool{}
		}
		s.readFin[i] = true
		return
	}
	if s.readMain == nil {
		s.readMain = map[int]bool{}
	}
	s.readMain[i] = true
}

func (c *compiler) checkTaskRef(r eval.Ref, s *scope, p playbook.Pos) {
	id := r.Path[1]
	target := c.pb.Task(id)
	if target == nil {
		c.errorf(p, playbook.Suggest(id, c.taskIDs()), "%s: unknown task %q", s.what, id)
		return
	}
	if len(r.Path) > 2 {
		field := r.Path[2]
		if !slices.Contains(envelopeFields, field) {
			c.errorf(p, playbook.Suggest(field, envelopeFields), "%s: tasks.%s has no field %q", s.what, id, field)
			return
		}
		if len(r.Path) > 3 {
			sub := r.Path[3]
			switch field {
			case "error":
				if !slices.Contains(errorFields, sub) {
					c.errorf(p, playbook.Suggest(sub, errorFields), "%s: tasks.%s.error has no field %q", s.what, id, sub)
				}
			case "key_fields":
				if names, known := c.keyFieldNames(target); known && !slices.Contains(names, sub) {
					c.errorf(p, playbook.Suggest(sub, names), "%s: tasks.%s.key_fields has no Key Field %q (%s returns %s)", s.what, id, sub, target.Run, listOrNone(names))
				}
			}
		}
	}
	if s.anyTask {
		return
	}
	own := s.task
	if id == own.ID {
		if !s.self {
			c.errorf(p, "", "%s: task %s reads its own envelope; tasks.%s is defined only in until and retry_if", s.what, id, id)
		}
		return
	}
	if s.finally && !target.Finally {
		i, _ := s.main.Index(id)
		s.markRead(false, i)
		return
	}
	if target.Finally && !s.finally {
		c.errorf(p, "", "%s: task %s reads finally task %s, which runs after every task", s.what, own.ID, id)
		return
	}
	i := c.planIndex(target)
	if i < 0 || i >= len(s.ancestors) || !s.ancestors[i] {
		c.errorf(p, "", "%s: task %s reads tasks.%s but does not need it: add %s to needs (directly or through another need)", s.what, own.ID, id, id)
		return
	}
	s.markRead(s.finally, i)
}

// planIndex is t's index within its own section.
func (c *compiler) planIndex(t *playbook.Task) int {
	list := c.pb.Tasks
	if t.Finally {
		list = c.pb.Finally
	}
	for i, x := range list {
		if x == t {
			return i
		}
	}
	return -1
}

// keyFieldNames lists the Key Fields a task returns; known is false when
// the command is unknown (its error is reported elsewhere).
func (c *compiler) keyFieldNames(t *playbook.Task) ([]string, bool) {
	var names []string
	if t.Run != SubPlaybook {
		cmd, ok := c.reg.Lookup(t.Run)
		if !ok {
			return nil, false
		}
		names = append(names, cmd.Spec().KeyFields...)
		// A command whose Key Fields are an input (core.set) returns the
		// names written there; a template there makes them unknown.
		if in, ok := cmd.Spec().Input("key_fields"); ok && in.Type == "object" {
			kv := t.With.Get("key_fields")
			if kv != nil && kv.Kind != playbook.MapKind {
				return nil, false
			}
			if kv != nil {
				for _, e := range kv.Map {
					names = append(names, e.Key)
				}
			}
		}
	}
	for _, kf := range t.KeyFields {
		names = append(names, kf.Name)
	}
	return names, true
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

func (c *compiler) inputNames() []string {
	out := make([]string, len(c.pb.Inputs))
	for i, in := range c.pb.Inputs {
		out[i] = in.Name
	}
	return out
}

func (c *compiler) taskIDs() []string {
	var out []string
	for _, t := range c.pb.Tasks {
		out = append(out, t.ID)
	}
	for _, t := range c.pb.Finally {
		out = append(out, t.ID)
	}
	return out
}
