package engine

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine/playbook"
)

// subSpec declares the sub-playbook command.
var subSpec = actions.Spec{
	Name:        SubPlaybook,
	Title:       "Playbook",
	Description: "Runs another playbook; its outputs become this task's raw data.",
	Local:       true,
	Inputs: []actions.Input{
		{Name: "file", Type: actions.String, Required: true, Description: "The playbook file, relative to this playbook's directory."},
		{Name: "inputs", Type: actions.Object, Description: "The sub-playbook's inputs."},
	},
}

// SubPlaybookSpec returns the spec of run: playbook, for listings and the
// schema.
func SubPlaybookSpec() actions.Spec { return subSpec }

// command resolves the task's command and connection.
func (c *compiler) command(ct *task) {
	t := ct.Task
	if t.Run == "" {
		return
	}
	if t.Run == SubPlaybook {
		ct.spec = subSpec
		if t.Connection != "" {
			c.errorf(t.ConnectionPos, "", "a sub-playbook takes no connection: it inherits this playbook's connections by name")
		}
		return
	}
	cmd, ok := c.reg.Lookup(t.Run)
	if !ok {
		names := append(c.reg.Names(), SubPlaybook)
		c.errorf(t.RunPos, playbook.Suggest(t.Run, names), "unknown command %q (playbook actions list shows them all)", t.Run)
		return
	}
	ct.cmd, ct.spec = cmd, cmd.Spec()
	integ := ct.spec.Connection
	if integ == "" {
		if t.Connection != "" {
			c.errorf(t.ConnectionPos, "", "%s takes no connection", t.Run)
		}
		return
	}
	if t.Connection != "" {
		cd := c.pb.Connection(t.Connection)
		switch {
		case cd == nil:
			c.errorf(t.ConnectionPos, playbook.Suggest(t.Connection, c.connectionNames()), "unknown connection %q: declare it under connections:", t.Connection)
		case cd.Integration != integ:
			c.errorf(t.ConnectionPos, "", "connection %s is %s, but %s needs a %s connection", t.Connection, cd.Integration, t.Run, integ)
		}
		return
	}
	var matches []string
	for _, cd := range c.pb.Connections {
		if cd.Integration == integ {
			matches = append(matches, cd.Name)
		}
	}
	switch len(matches) {
	case 1:
		t.Connection = matches[0]
	case 0:
		c.errorf(t.RunPos, "", "%s needs a %s connection: declare one under connections:", t.Run, integ)
	default:
		c.errorf(t.RunPos, "", "%s: several %s connections are declared (%s); choose one with connection:", t.Run, integ, listOrNone(matches))
	}
}

func (c *compiler) connectionNames() []string {
	out := make([]string, len(c.pb.Connections))
	for i, cd := range c.pb.Connections {
		out[i] = cd.Name
	}
	return out
}

func (c *compiler) inputHint(ct *task, name string) string {
	names := make([]string, len(ct.spec.Inputs))
	for i, in := range ct.spec.Inputs {
		names[i] = in.Name
	}
	return playbook.Suggest(name, names)
}

// with compiles the task's inputs and checks them against the command's.
func (c *compiler) with(ct *task, s *scope) *value {
	t := ct.Task
	s.what = "with"
	if ct.cmd == nil && t.Run != SubPlaybook {
		return c.value(t.With, s) // unknown command: still check the templates
	}
	out := &value{src: t.With}
	allConst := true
	for _, e := range t.With.Map {
		in, ok := ct.spec.Input(e.Key)
		if !ok {
			c.errorf(e.KeyPos, c.inputHint(ct, e.Key), "%s has no input %q", t.Run, e.Key)
			continue
		}
		es := *s
		es.what = "with." + e.Key
		cv := c.value(e.Value, &es)
		if cv.isConst {
			lit := cv.constant
			// A plain YAML scalar given to a string input is its text
			// (version: 1.10 stays "1.10").
			if in.Type == actions.String && e.Value.Kind == playbook.ScalarKind && lit != nil && !e.Value.IsString() {
				lit = e.Value.Text
				cv.constant = lit
			}
			if err := ct.spec.CheckLiteral(e.Key, lit); err != nil {
				c.errorf(e.Value.Pos, "", "%s", err)
			}
		} else {
			ct.dynamic[e.Key] = true
		}
		allConst = allConst && cv.isConst
		out.keys = append(out.keys, e.Key)
		out.vals = append(out.vals, cv)
	}
	if allConst {
		out.constant, out.isConst = out.plainConst(), true
		c.checkRules(ct, out.constant)
	}
	for _, in := range ct.spec.Inputs {
		if in.Required && in.Default == nil && t.With.Get(in.Name) == nil {
			c.errorf(t.WithPos, "", "%s: missing required input %q", t.Run, in.Name)
		}
	}
	if t.Run == SubPlaybook {
		c.sub(ct, out)
	}
	return out
}

// checkRules runs the command's rules between inputs ([actions.Spec.Check])
// on a with: whose every input is a literal. Errors of single inputs are
// reported where the input is.
func (c *compiler) checkRules(ct *task, with any) {
	m, ok := with.(map[string]any)
	if !ok || ct.spec.Check == nil {
		return
	}
	_, err := ct.spec.CoerceInputs(m)
	var ie *actions.InputError
	if !errors.As(err, &ie) || !ie.Rule {
		return
	}
	pos := ct.Task.WithPos
	if e := ct.Task.With.Get(ie.Input); e != nil {
		pos = e.Pos
	}
	c.errorf(pos, "", "%s: %s", ct.Task.Run, err)
}

// checkRequired reports required inputs of a task that has no with: at all.
func (c *compiler) checkRequired(ct *task) {
	if ct.Task.With != nil || (ct.cmd == nil && ct.Task.Run != SubPlaybook) {
		return
	}
	for _, in := range ct.spec.Inputs {
		if in.Required && in.Default == nil {
			c.errorf(ct.Task.Pos, "", "task %s: %s needs input %q (add with:)", ct.ID, ct.Run, in.Name)
		}
	}
}

// sub loads and compiles a sub-playbook named by a literal file input.
func (c *compiler) sub(ct *task, with *value) {
	t := ct.Task
	fv := t.With.Get("file")
	if fv == nil {
		return
	}
	if !fv.IsString() || with.vals[slices.Index(with.keys, "file")].tmpl != nil {
		c.errorf(fv.Pos, "", "file must be a literal path: sub-playbooks are checked before the run")
		return
	}
	path := fv.Str()
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(c.pb.File), path)
	}
	abs, _ := filepath.Abs(path)
	if i := slices.Index(c.stack, abs); i >= 0 {
		chain := append(append([]string{}, c.stack[i:]...), abs)
		for j := range chain {
			chain[j] = filepath.Base(chain[j])
		}
		c.errorf(fv.Pos, "", "sub-playbook %s calls itself: %s", fv.Str(), strings.Join(chain, " → "))
		return
	}
	pb, err := c.load(path)
	if err != nil {
		if el, ok := err.(playbook.ErrorList); ok {
			c.errs = append(c.errs, el...)
			c.errorf(fv.Pos, "", "sub-playbook %s does not load", fv.Str())
			return
		}
		c.errorf(fv.Pos, "", "sub-playbook: %v", err)
		return
	}
	// Sub-playbooks inherit connections by name.
	for _, cd := range pb.Connections {
		if mine := c.pb.Connection(cd.Name); mine == nil {
			c.errorf(fv.Pos, "", "sub-playbook %s uses connection %s, which this playbook does not declare", fv.Str(), cd.Name)
		} else if mine.Integration != cd.Integration {
			c.errorf(fv.Pos, "", "sub-playbook %s expects connection %s to be %s, not %s", fv.Str(), cd.Name, cd.Integration, mine.Integration)
		}
	}
	sub, err := compile(pb, c.reg, append(append([]string{}, c.stack...), abs), c.load)
	if err != nil {
		if el, ok := err.(playbook.ErrorList); ok {
			c.errs = append(c.errs, el...)
		}
		c.errorf(fv.Pos, "", "sub-playbook %s is invalid", fv.Str())
		return
	}
	ct.sub, ct.subFile = sub, path
	iv := t.With.Get("inputs")
	given := map[string]bool{}
	if iv != nil && iv.Kind == playbook.MapKind {
		for _, e := range iv.Map {
			given[e.Key] = true
			if pb.Input(e.Key) == nil {
				names := make([]string, len(pb.Inputs))
				for i, in := range pb.Inputs {
					names[i] = in.Name
				}
				c.errorf(e.KeyPos, playbook.Suggest(e.Key, names), "sub-playbook %s has no input %q", fv.Str(), e.Key)
			}
		}
	}
	if iv == nil || iv.Kind == playbook.MapKind {
		for _, in := range pb.Inputs {
			if in.Required && !given[in.Name] {
				p := t.WithPos
				if iv != nil {
					p = iv.Pos
				}
				c.errorf(p, "", "sub-playbook %s needs input %q", fv.Str(), in.Name)
			}
		}
	}
}

// coerceInput checks a playbook input value against its declared type.
func coerceInput(t playbook.InputType, v any) (any, error) {
	return actions.Input{Type: actions.Type(t)}.Coerce(v)
}
