package engine

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine/eval"
	"github.com/playbook-sh/playbook/engine/jsonpath"
	"github.com/playbook-sh/playbook/engine/plan"
	"github.com/playbook-sh/playbook/engine/playbook"
)

// SubPlaybook is the run: name of a task that runs another playbook.
const SubPlaybook = "playbook"

// envelopeFields are the fields of tasks.<id> in the run context.
var envelopeFields = []string{"status", "return_data", "raw_data", "key_fields", "result", "error", "reason", "attempts"}

// errorFields are the fields of tasks.<id>.error.
var errorFields = []string{"failure_indicator", "status_code", "message"}

// Compiled is a playbook checked against the registry, with every
// expression, template and JSONPath compiled. It is immutable and safe for
// concurrent runs.
type Compiled struct {
	Playbook *playbook.Playbook
	lang     eval.Lang
	main     *plan.Plan
	fin      *plan.Plan
	tasks    []*task // main tasks, by plan index
	finally  []*task // finally tasks, by plan index
	outputs  []*output
	inputs   []*playbook.InputDecl
	// defaults holds each input's checked default.
	defaults map[string]any
}

// task is one compiled task.
type task struct {
	*playbook.Task
	idx     int
	spec    actions.Spec
	cmd     actions.Command // nil for a sub-playbook
	sub     *Compiled       // the sub-playbook, for run: playbook
	subFile string
	with    *value // a map
	when    *eval.Program
	until   *eval.Program
	retryIf *eval.Program
	forEach *value
	keys    []keyField
	// keyNames are every Key Field the task returns: the command's, the
	// names written in a key_fields input (core.set), and key_fields:.
	keyNames []string
	// reads lists the tasks whose envelopes the task's expressions read:
	// indexes into the main tasks, and into the finally tasks.
	reads, readsFin []int
	allowEmpty      map[string]bool
	// dynamic inputs: top-level inputs that come from a template.
	dynamic map[string]bool
}

type keyField struct {
	name string
	path *jsonpath.Path
}

type output struct {
	*playbook.Output
	val *value
}

// compiler collects the errors of one file.
type compiler struct {
	reg   *actions.Registry
	pb    *playbook.Playbook
	file  string
	lang  eval.Lang
	errs  playbook.ErrorList
	stack []string // absolute paths of the playbooks being compiled, for recursion
	opts  eval.Options
	// load reads a sub-playbook: from disk, or from the sources a
	// durable run carries.
	load func(path string) (*playbook.Playbook, error)
}

// Compile checks pb against the registry: commands, their inputs, the
// connections they use, expressions, templates, JSONPaths, references
// between tasks, and sub-playbooks (loaded relative to pb's file). Its error
// is a [playbook.ErrorList] with every problem found.
func Compile(pb *playbook.Playbook, reg *actions.Registry) (*Compiled, error) {
	abs, _ := filepath.Abs(pb.File)
	return compile(pb, reg, []string{abs}, playbook.Load)
}

// CompileSources compiles the playbook file from sources, the texts of it
// and of its sub-playbooks by path as [Compiled.Sources] gives them,
// reading no file: a durable run compiles what it was started with.
func CompileSources(file string, sources map[string][]byte, reg *actions.Registry) (*Compiled, error) {
	load := func(path string) (*playbook.Playbook, error) {
		src, ok := sources[path]
		if !ok {
			return nil, fmt.Errorf("load %s: not among the run's sources", path)
		}
		return playbook.Parse(path, src)
	}
	pb, err := load(file)
	if err != nil {
		return nil, err
	}
	abs, _ := filepath.Abs(file)
	return compile(pb, reg, []string{abs}, load)
}

// Sources returns the text of the playbook and of every sub-playbook it
// runs, by the path it was loaded from: what [CompileSources] takes.
func (c *Compiled) Sources() map[string][]byte {
	out := map[string][]byte{}
	var walk func(c *Compiled)
	walk = func(c *Compiled) {
		out[c.Playbook.File] = c.Playbook.Source()
		for _, list := range [][]*task{c.tasks, c.finally} {
			for _, t := range list {
				if t.sub != nil {
					walk(t.sub)
				}
			}
		}
	}
	walk(c)
	return out
}

func compile(pb *playbook.Playbook, reg *actions.Registry, stack []string, load func(string) (*playbook.Playbook, error)) (*Compiled, error) {
	c := &compiler{reg: reg, pb: pb, file: pb.File, lang: eval.Lang(pb.Expressions), stack: stack, load: load}
	if c.lang != eval.CEL && c.lang != eval.Expr {
		c.lang = eval.CEL // the loader reported a bad name; check the rest as CEL
	}
	c.opts = eval.Options{JSONPath: compileJSONPath}
	out := &Compiled{Playbook: pb, lang: c.lang, inputs: pb.Inputs, defaults: map[string]any{}}
	c.checkInputs(out)
	c.checkConnections()

	var err error
	out.main, err = c.plan(pb.Tasks)
	if err != nil {
		return out, c.errs.Err()
	}
	out.fin, _ = c.plan(pb.Finally)
	out.tasks = c.compileTasks(pb.Tasks, out.main, nil)
	if out.fin != nil {
		out.finally = c.compileTasks(pb.Finally, out.fin, out.main)
	}
	for _, o := range pb.Outputs {
		co := &output{Output: o}
		co.val = c.value(o.Value, &scope{what: "output " + o.Name, anyTask: true})
		out.outputs = append(out.outputs, co)
	}
	if err := c.errs.Err(); err != nil {
		return out, err
	}
	return out, nil
}

func compileJSONPath(q string) (func(any) any, error) {
	p, err := jsonpath.Compile(q)
	if err != nil {
		return nil, err
	}
	return p.Get, nil
}

func (c *compiler) errorf(p playbook.Pos, hint, format string, args ...any) {
	c.errs = append(c.errs, &playbook.Error{File: c.file, Pos: p, Msg: fmt.Sprintf(format, args...), Hint: hint})
}

func (c *compiler) checkInputs(out *Compiled) {
	for _, in := range c.pb.Inputs {
		if in.Default == nil {
			continue
		}
		if in.Required {
			c.errorf(in.Default.Pos, "", "input %s is required and has a default: drop one", in.Name)
		}
		v := in.Default.Plain()
		if s, ok := v.(string); ok && eval.IsTemplate(s) {
			c.errorf(in.Default.Pos, "", "input %s: a default is a literal, not a template", in.Name)
			continue
		}
		cv, err := coerceInput(in.Type, v)
		if err != nil {
			c.errorf(in.Default.Pos, "", "input %s: default %v", in.Name, err)
			continue
		}
		out.defaults[in.Name] = cv
	}
}

func (c *compiler) checkConnections() {
	integrations := map[string]bool{}
	for _, n := range c.reg.Names() {
		i, _, _ := strings.Cut(n, ".")
		integrations[i] = true
	}
	var names []string
	for n := range integrations {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, cd := range c.pb.Connections {
		if cd.Integration != "" && !integrations[cd.Integration] {
			c.errorf(cd.IntegPos, playbook.Suggest(cd.Integration, names), "connection %s: unknown integration %q", cd.Name, cd.Integration)
		}
	}
}

func (c *compiler) plan(tasks []*playbook.Task) (*plan.Plan, error) {
	nodes := make([]plan.Node, len(tasks))
	for i, t := range tasks {
		n := plan.Node{ID: t.ID, Join: plan.Join(t.Join), AllowFailure: t.AllowFailure}
		for _, need := range t.Needs {
			if tasks := c.pb.Task(need.Name); tasks != nil && tasks.Finally == t.Finally && need.Name != t.ID {
				n.Needs = append(n.Needs, need.Name)
			}
		}
		nodes[i] = n
	}
	p, err := plan.New(nodes)
	if ce, ok := err.(*plan.CycleError); ok {
		first := c.pb.Task(ce.Path[0])
		c.errorf(first.Pos, "", "needs form a cycle: %s", strings.Join(ce.Path, " → "))
	} else if err != nil {
		c.errorf(playbook.Pos{Line: 1, Col: 1}, "", "%v", err)
	}
	return p, err
}

func (c *compiler) compileTasks(tasks []*playbook.Task, p *plan.Plan, main *plan.Plan) []*task {
	out := make([]*task, len(tasks))
	for i, t := range tasks {
		ct := &task{Task: t, idx: i, allowEmpty: map[string]bool{}, dynamic: map[string]bool{}}
		out[i] = ct
		anc := p.Ancestors(i)
		sc := &scope{what: "task " + t.ID, task: ct, ancestors: anc, finally: t.Finally, main: main, readMain: map[int]bool{}, readFin: map[int]bool{}}
		c.command(ct)
		if t.When != nil {
			s := *sc
			s.what = "when"
			ct.when = c.program(t.When, &s)
		}
		if t.ForEach != nil {
			s := *sc
			s.what = "for_each"
			ct.forEach = c.value(t.ForEach, &s)
		}
		withScope := *sc
		withScope.item = t.ForEach != nil
		if t.With != nil {
			ct.with = c.with(ct, &withScope)
		} else {
			c.checkRequired(ct)
			ct.with = &value{isConst: true, constant: map[string]any{}}
		}
		if t.Until != nil {
			s := withScope
			s.what, s.self = "until", true
			ct.until = c.program(t.Until, &s)
		}
		if t.Retry != nil && t.Retry.RetryIf != nil {
			s := withScope
			s.what, s.self = "retry_if", true
			ct.retryIf = c.program(t.Retry.RetryIf, &s)
		}
		for _, kf := range t.KeyFields {
			q := kf.Path.Str()
			p, err := jsonpath.Compile(q)
			if err != nil {
				off := -1
				if se, ok := err.(*jsonpath.SyntaxError); ok {
					off = se.Offset
				}
				c.errorf(kf.Path.At(off), "", "key_fields %s: %v", kf.Name, jsonpathMsg(err))
				continue
			}
			if slices.Contains(ct.spec.KeyFields, kf.Name) {
				c.errorf(kf.Pos, "", "key_fields %s: %s already returns this Key Field", kf.Name, t.Run)
			}
			ct.keys = append(ct.keys, keyField{name: kf.Name, path: p})
		}
		for _, n := range t.AllowEmpty {
			if _, ok := ct.spec.Input(n.Name); !ok && ct.cmd != nil {
				c.errorf(n.Pos, c.inputHint(ct, n.Name), "allow_empty: %s has no input %q", t.Run, n.Name)
			}
			ct.allowEmpty[n.Name] = true
		}
		ct.reads, ct.readsFin = sc.reads(), sc.readsFin()
		ct.keyNames, _ = c.keyFieldNames(t)
	}
	return out
}

func jsonpathMsg(err error) string {
	if se, ok := err.(*jsonpath.SyntaxError); ok {
		return "invalid JSONPath: " + se.Msg
	}
	return err.Error()
}

// Load loads the playbook at path and compiles it, reporting every
// problem of both steps at once as a [playbook.ErrorList]. A file that
// cannot be read is a plain error.
func Load(path string, reg *actions.Registry) (*Compiled, error) {
	pb, err := playbook.Load(path)
	var loadErrs playbook.ErrorList
	if err != nil {
		if !errors.As(err, &loadErrs) || pb == nil {
			return nil, err
		}
	}
	c, cerr := Compile(pb, reg)
	if loadErrs == nil {
		return c, cerr
	}
	var compileErrs playbook.ErrorList
	errors.As(cerr, &compileErrs)
	all := append(loadErrs, compileErrs...)
	return nil, all.Err()
}

// Commands returns the specs of the commands the playbook's tasks run,
// sub-playbooks' included, each once, in file order.
func (c *Compiled) Commands() []actions.Spec {
	var out []actions.Spec
	seen := map[string]bool{}
	var walk func(c *Compiled)
	walk = func(c *Compiled) {
		for _, list := range [][]*task{c.tasks, c.finally} {
			for _, t := range list {
				if t.sub != nil {
					walk(t.sub)
					continue
				}
				if t.cmd != nil && !seen[t.spec.Name] {
					seen[t.spec.Name] = true
					out = append(out, t.spec)
				}
			}
		}
	}
	walk(c)
	return out
}

// EvalOptions are the options the engine compiles expressions and
// templates with (the jsonpath() helper), for other authored files:
// serve.yaml's trigger conditions and inputs.
func EvalOptions() eval.Options { return eval.Options{JSONPath: compileJSONPath} }
