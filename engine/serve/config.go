// Package serve loads serve.yaml and runs the unattended side of
// playbook: schedules, event intake with field mapping and triggers,
// connection health checks and webhooks, recording every run in the state
// store.
package serve

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/eval"
	"github.com/playbook-sh/playbook/engine/intake"
	"github.com/playbook-sh/playbook/engine/playbook"
	"github.com/playbook-sh/playbook/engine/schedule"
)

// DefaultConcurrency is how many runs one trigger runs at once when
// serve.yaml does not say.
const DefaultConcurrency = 4

// Config is a loaded serve.yaml.
type Config struct {
	File string
	// State and Connections are paths relative to the working directory
	// (serve.yaml's own are relative to its directory); "" when not given.
	State       string
	Connections string
	Listen      string
	Lang        eval.Lang
	Schedules   []*Schedule
	Intake      []*Intake
	Health      *Health
	Webhooks    []*Webhook
	// Console is console:, nil when the web console is off.
	Console *Console
}

// Console is console:, the web console's users.
type Console struct {
	Pos   playbook.Pos
	Users []*ConsoleUser
	// SessionTTL bounds a browser login; 0 means the console's default.
	SessionTTL time.Duration
}

// ConsoleUser is one console user. Password and Token are env:NAME or
// file:PATH references; at least one is set.
type ConsoleUser struct {
	Name            string
	Pos             playbook.Pos
	Password, Token string
	Role            string // viewer or runner
}

// Schedule is one entry of schedules:.
type Schedule struct {
	Name     string
	Pos      playbook.Pos
	Playbook *engine.Compiled
	Inputs   map[string]any // bound
	Schedule *schedule.Schedule
}

// Intake is one entry of intake:, a source of events.
type Intake struct {
	Name       string
	Pos        playbook.Pos
	Connection string
	Command    actions.Command
	With       map[string]any
	Every      time.Duration
	Tolerance  time.Duration
	Lookback   time.Duration
	// MappingName is the shipped mapping's name, or "inline".
	MappingName string
	Mapping     *intake.Mapping
	Trigger     *Trigger
}

// Trigger runs a playbook for each new event its condition accepts.
type Trigger struct {
	Playbook    *engine.Compiled
	When        *eval.Program // nil: every event
	Inputs      map[string]*Template
	Concurrency int
}

// Health is health_checks:.
type Health struct {
	Every       time.Duration
	NotifyAfter int
	// Webhook is an env:NAME or file:PATH reference to the URL notified
	// after NotifyAfter consecutive failures; "" for none.
	Webhook string
	// Connections are the connections checked; nil means every one.
	Connections []string
}

// Webhook is one entry of webhooks:, a playbook run by an HTTP POST.
type Webhook struct {
	Name     string
	Pos      playbook.Pos
	Playbook *engine.Compiled
	// Token is an env:NAME or file:PATH reference to the bearer token.
	Token string
	// Inputs are the playbook's inputs, templates over event (the body).
	Inputs map[string]*Template
}

// Load reads serve.yaml at path and checks it, with its playbooks,
// against reg. Its error is a [playbook.ErrorList] holding every problem.
func Load(path string, reg *actions.Registry) (*Config, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	return Parse(path, src, reg)
}

// Parse checks serve.yaml read from src.
func Parse(path string, src []byte, reg *actions.Registry) (*Config, error) {
	d := &decoder{file: path, src: src, reg: reg, dir: filepath.Dir(path), playbooks: map[string]*engine.Compiled{}}
	cfg := &Config{File: path, Lang: eval.CEL}
	d.config(cfg)
	if err := d.errs.Err(); err != nil {
		return nil, err
	}
	return cfg, nil
}

type decoder struct {
	file      string
	src       []byte
	dir       string
	reg       *actions.Registry
	lang      eval.Lang
	errs      playbook.ErrorList
	playbooks map[string]*engine.Compiled
}

func pos(n *yaml.Node) playbook.Pos { return playbook.Pos{Line: n.Line, Col: n.Column} }

func (d *decoder) errorf(p playbook.Pos, hint, format string, args ...any) {
	d.errs = append(d.errs, &playbook.Error{File: d.file, Pos: p, Msg: fmt.Sprintf(format, args...), Hint: hint})
}

var topKeys = []string{"state", "connections", "listen", "expressions", "schedules", "intake", "health_checks", "webhooks", "console"}

func (d *decoder) config(cfg *Config) {
	root, perr := playbook.DecodeDocument(d.file, d.src, "empty serve file: expected schedules:, intake: or webhooks:", "serve files", 40)
	if perr != nil {
		d.errs = append(d.errs, perr)
		return
	}
	top := d.mapping(root, "serve.yaml", topKeys)
	if top == nil {
		return
	}
	d.lang = eval.CEL
	if n := top["expressions"]; n != nil {
		switch s := d.str(n, "expressions"); s {
		case "cel", "expr":
			d.lang = eval.Lang(s)
		default:
			d.errorf(pos(n), "", "expressions must be cel or expr, got %q", s)
		}
	}
	cfg.Lang = d.lang
	if n := top["state"]; n != nil {
		cfg.State = d.path(n, "state")
	}
	if n := top["connections"]; n != nil {
		cfg.Connections = d.path(n, "connections")
	}
	if n := top["listen"]; n != nil {
		cfg.Listen = d.str(n, "listen")
		if _, _, err := net.SplitHostPort(cfg.Listen); err != nil && cfg.Listen != "" {
			d.errorf(pos(n), "", "listen must be HOST:PORT such as 127.0.0.1:8080, got %q", cfg.Listen)
		}
	}
	d.named(top["schedules"], "schedules", func(k, v *yaml.Node) {
		if s := d.schedule(k, v); s != nil {
			cfg.Schedules = append(cfg.Schedules, s)
		}
	})
	d.named(top["intake"], "intake", func(k, v *yaml.Node) {
		if in := d.intake(k, v); in != nil {
			cfg.Intake = append(cfg.Intake, in)
		}
	})
	if n := top["health_checks"]; n != nil {
		cfg.Health = d.health(n)
	}
	d.named(top["webhooks"], "webhooks", func(k, v *yaml.Node) {
		if w := d.webhook(k, v); w != nil {
			cfg.Webhooks = append(cfg.Webhooks, w)
		}
	})
	if n := top["console"]; n != nil {
		cfg.Console = d.console(n)
		if cfg.Console != nil && cfg.Listen == "" {
			d.errorf(pos(n), "", "console needs listen: (the address it is served on)")
		}
	}
}

var validName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// named walks a mapping of names to entries.
func (d *decoder) named(n *yaml.Node, what string, f func(k, v *yaml.Node)) {
	if n == nil || n.ShortTag() == "!!null" {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(pos(n), "", "%s must be a mapping of names to entries, got %s", what, playbook.KindName(n))
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || !validName.MatchString(k.Value) {
			d.errorf(pos(k), "", "%s names are letters, digits, _ and -, starting with a letter or _", what)
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.errorf(pos(k), "", "duplicate %s entry %q (first at line %d)", what, k.Value, first)
			continue
		}
		seen[k.Value] = k.Line
		f(k, v)
	}
}

func (d *decoder) mapping(n *yaml.Node, what string, known []string) map[string]*yaml.Node {
	m, errs := playbook.Keys(d.file, n, what, known)
	d.errs = append(d.errs, errs...)
	return m
}

func (d *decoder) str(n *yaml.Node, what string) string {
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		d.errorf(pos(n), "", "%s must be a string, got %s", what, playbook.KindName(n))
		return ""
	}
	return n.Value
}

// path reads a path relative to serve.yaml's directory.
func (d *decoder) path(n *yaml.Node, what string) string {
	s := d.str(n, what)
	if s == "" || filepath.IsAbs(s) {
		return s
	}
	return filepath.Join(d.dir, s)
}

func (d *decoder) duration(n *yaml.Node, what string) time.Duration {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" {
		if v, err := time.ParseDuration(n.Value); err == nil && v >= 0 {
			return v
		}
	}
	d.errorf(pos(n), "", "%s must be a duration such as 30s, 15m or 12h, got %q", what, n.Value)
	return 0
}

func (d *decoder) integer(n *yaml.Node, what string, min int) int {
	var i int
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int" {
		if _, err := fmt.Sscan(n.Value, &i); err == nil && i >= min {
			return i
		}
	}
	d.errorf(pos(n), "", "%s must be a whole number of at least %d, got %q", what, min, n.Value)
	return 0
}

// secretRef reads an env:NAME or file:PATH reference; a literal is
// refused so a token never sits in serve.yaml.
func (d *decoder) secretRef(n *yaml.Node, what string) string {
	s := d.str(n, what)
	switch {
	case s == "":
		return ""
	case strings.HasPrefix(s, "env:") && validEnv.MatchString(s[4:]):
		return s
	case strings.HasPrefix(s, "file:") && len(s) > 5:
		p := s[5:]
		if !filepath.IsAbs(p) {
			p = filepath.Join(d.dir, p)
		}
		return "file:" + p
	}
	d.errorf(pos(n), "", "%s is a secret: give it as env:NAME or file:PATH, not as a literal", what)
	return ""
}

var validEnv = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// playbook loads and compiles a playbook named by a path relative to
// serve.yaml; each file is compiled once. Its errors keep their own file.
func (d *decoder) playbook(n *yaml.Node) *engine.Compiled {
	p := d.path(n, "playbook")
	if p == "" {
		return nil
	}
	if c, ok := d.playbooks[p]; ok {
		return c
	}
	c, err := engine.Load(p, d.reg)
	d.playbooks[p] = c
	if err != nil {
		if list, ok := err.(playbook.ErrorList); ok {
			d.errs = append(d.errs, list...)
		} else {
			d.errorf(pos(n), "", "playbook: %v", err)
		}
		return nil
	}
	return c
}

// inputs binds a schedule's literal inputs to the playbook's; an error
// without inputs: is reported at entry.
func (d *decoder) inputs(n *yaml.Node, c *engine.Compiled, entry playbook.Pos) map[string]any {
	given := map[string]any{}
	if n != nil {
		v, errs := playbook.NodeValue(d.file, d.src, n)
		d.errs = append(d.errs, errs...)
		m, ok := v.Plain().(map[string]any)
		if !ok {
			d.errorf(pos(n), "", "inputs must be a mapping of input names to values, got %s", playbook.KindName(n))
			return nil
		}
		given = m
	}
	if c == nil {
		return nil
	}
	bound, err := c.BindInputs(given)
	if err != nil {
		at := entry
		if n != nil {
			at = pos(n)
		}
		d.errorf(at, "", "inputs: %v", err)
		return nil
	}
	return bound
}

func (d *decoder) schedule(k, v *yaml.Node) *Schedule {
	m := d.mapping(v, "schedule "+k.Value, []string{"playbook", "inputs", "cron", "every", "timezone", "overlap", "catch_up", "jitter"})
	if m == nil {
		return nil
	}
	s := &Schedule{Name: k.Value, Pos: pos(k)}
	if m["playbook"] == nil {
		d.errorf(pos(k), "", "schedule %s needs playbook:", k.Value)
		return nil
	}
	s.Playbook = d.playbook(m["playbook"])
	s.Inputs = d.inputs(m["inputs"], s.Playbook, pos(k))
	spec := schedule.Spec{Name: k.Value}
	if n := m["cron"]; n != nil {
		spec.Cron = d.str(n, "cron")
	}
	if n := m["every"]; n != nil {
		spec.Every = d.duration(n, "every")
	}
	if n := m["timezone"]; n != nil {
		spec.Timezone = d.str(n, "timezone")
	}
	if n := m["overlap"]; n != nil {
		spec.Overlap = schedule.Overlap(d.str(n, "overlap"))
	}
	if n := m["catch_up"]; n != nil {
		spec.CatchUp = schedule.CatchUp(d.str(n, "catch_up"))
	}
	if n := m["jitter"]; n != nil {
		spec.Jitter = d.duration(n, "jitter")
	}
	sch, err := schedule.Parse(spec)
	if err != nil {
		at := pos(k)
		if fe, ok := err.(*schedule.FieldError); ok && m[fe.Field] != nil {
			at = pos(m[fe.Field])
		}
		d.errorf(at, "", "schedule %s: %v", k.Value, err)
		return nil
	}
	s.Schedule = sch
	if s.Playbook != nil {
		gap := sch.MinGap()
		for _, spec := range s.Playbook.Commands() {
			if ik := spec.Intake; ik != nil && ik.MinEvery > 0 && gap < ik.MinEvery {
				at := m["cron"]
				if at == nil {
					at = m["every"]
				}
				d.errorf(pos(at), "", "schedule %s fires every %s, but %s (%s) may run at most every %s, as the vendor page says",
					k.Value, gap, spec.Title, spec.Name, ik.MinEvery)
			}
		}
	}
	return s
}

func (d *decoder) intake(k, v *yaml.Node) *Intake {
	m := d.mapping(v, "intake "+k.Value, []string{"connection", "command", "with", "every", "tolerance", "lookback", "mapping", "dedup", "trigger"})
	if m == nil {
		return nil
	}
	in := &Intake{Name: k.Value, Pos: pos(k)}
	for _, key := range []string{"connection", "command", "every", "mapping"} {
		if m[key] == nil {
			d.errorf(pos(k), "", "intake %s needs %s:", k.Value, key)
		}
	}
	if m["command"] == nil {
		return nil
	}
	name := d.str(m["command"], "command")
	if name == "" {
		return nil
	}
	cmd, ok := d.reg.Lookup(name)
	if !ok {
		d.errorf(pos(m["command"]), playbook.Suggest(name, d.fetchCommands()), "unknown command %q", name)
		return nil
	}
	spec := cmd.Spec()
	if spec.Intake == nil {
		d.errorf(pos(m["command"]), "", "%s is not a fetch command; intake takes one of %s", name, strings.Join(d.fetchCommands(), ", "))
		return nil
	}
	in.Command = cmd
	if n := m["connection"]; n != nil {
		in.Connection = d.str(n, "connection")
	}
	if n := m["every"]; n != nil {
		bad := len(d.errs)
		in.Every = d.duration(n, "every")
		switch {
		case len(d.errs) > bad: // not a duration: said once
		case in.Every < time.Second:
			d.errorf(pos(n), "", "every must be at least 1s, got %s", n.Value)
		case spec.Intake.MinEvery > 0 && in.Every < spec.Intake.MinEvery:
			d.errorf(pos(n), "", "every %s is below %s's minimum interval of %s: the vendor page says to fetch at most every %s",
				n.Value, spec.Title, spec.Intake.MinEvery, spec.Intake.MinEvery)
		}
	}
	if n := m["tolerance"]; n != nil {
		in.Tolerance = d.duration(n, "tolerance")
	}
	if n := m["lookback"]; n != nil {
		in.Lookback = d.duration(n, "lookback")
	}
	in.With = d.intakeWith(m["with"], spec, pos(k))
	var dedup []string
	if n := m["dedup"]; n != nil {
		if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
			d.errorf(pos(n), "", "dedup must be a list of paths, such as [id, updatedAt]")
		} else {
			for _, c := range n.Content {
				dedup = append(dedup, d.str(c, "dedup"))
			}
		}
	}
	if n := m["mapping"]; n != nil {
		in.MappingName, in.Mapping = d.mappingOf(n, spec, dedup, m["dedup"])
	}
	if n := m["trigger"]; n != nil {
		in.Trigger = d.trigger(n)
	}
	return in
}

// fetchCommands lists the registry's commands that intake can run.
func (d *decoder) fetchCommands() []string {
	var out []string
	for _, name := range d.reg.Names() {
		if c, ok := d.reg.Lookup(name); ok && c.Spec().Intake != nil {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// intakeWith checks the fetch command's literal inputs: the window and
// paging inputs are the intake's own.
func (d *decoder) intakeWith(n *yaml.Node, spec actions.Spec, entry playbook.Pos) map[string]any {
	with := map[string]any{}
	if n != nil {
		v, errs := playbook.NodeValue(d.file, d.src, n)
		d.errs = append(d.errs, errs...)
		if v.Kind != playbook.MapKind {
			d.errorf(pos(n), "", "with must be a mapping of the command's inputs, got %s", playbook.KindName(n))
			return nil
		}
		ik := spec.Intake
		for _, e := range v.Map {
			switch e.Key {
			case ik.Start, ik.End, ik.Offset, ik.Limit:
				d.errorf(e.KeyPos, "", "%s is set by the intake (the window from the high-water mark to now, and paging); leave it out", e.Key)
				continue
			}
			if s := e.Value.Str(); e.Value.IsString() && eval.IsTemplate(s) {
				d.errorf(e.Value.Pos, "", "intake inputs are literals: %s holds a template or JSONPath", e.Key)
				continue
			}
			with[e.Key] = e.Value.Plain()
		}
	}
	probe := map[string]any{}
	for k, v := range with {
		probe[k] = v
	}
	probe[spec.Intake.Start] = "2025-01-01T00:00:00Z"
	probe[spec.Intake.End] = "2025-01-02T00:00:00Z"
	if _, err := spec.CoerceInputs(probe); err != nil {
		at := entry // no with:
		if n != nil {
			at = pos(n)
		}
		if ie, ok := err.(*actions.InputError); ok && n != nil {
			if v := valueNode(n, ie.Input); v != nil {
				at = pos(v)
			}
		}
		d.errorf(at, "", "with: %v", err)
	}
	return with
}

// valueNode returns the value node of key in mapping node n.
func valueNode(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
