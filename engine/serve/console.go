package serve

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/console"
	"github.com/playbook-sh/playbook/engine/playbook"
	"github.com/playbook-sh/playbook/engine/store"
)

// newConsole builds the web console of console:, resolving its users'
// secrets now so a missing one stops serve at start.
func (d *Daemon) newConsole() (*console.Server, error) {
	cc := d.Config.Console
	users := make([]console.User, 0, len(cc.Users))
	for _, u := range cc.Users {
		cu := console.User{Name: u.Name, Role: console.Role(u.Role)}
		for _, ref := range []struct {
			ref  string
			what string
			into *actions.Secret
		}{{u.Password, "password", &cu.Password}, {u.Token, "token", &cu.Token}} {
			if ref.ref == "" {
				continue
			}
			v, err := d.Secret(ref.ref)
			if err != nil {
				return nil, fmt.Errorf("console user %s: %s: %w", u.Name, ref.what, err)
			}
			if v == "" {
				return nil, fmt.Errorf("console user %s: %s is empty", u.Name, ref.what)
			}
			*ref.into = actions.NewSecret(v)
		}
		users = append(users, cu)
	}
	var conns []console.Connection
	for _, name := range d.checkedConnections() {
		conns = append(conns, console.Connection{Name: name, Integration: d.Integrations[name]})
	}
	return console.New(console.Options{
		Store:       d.Store,
		Users:       users,
		Playbooks:   d.consolePlaybooks,
		Check:       d.checkPlaybook,
		Load:        func(file string) (*engine.Compiled, error) { return engine.Load(file, d.Recorder.Registry) },
		Connections: conns,
		Rerun:       d.rerun,
		SessionTTL:  cc.SessionTTL,
		Logger:      d.log().Named("console"),
		Now:         d.clock().Now,
	})
}

// consolePlaybooks lists every playbook serve.yaml names, once per file,
// with what starts it and its schedules' next fire times.
func (d *Daemon) consolePlaybooks(context.Context) []console.Playbook {
	byFile := map[string]*console.Playbook{}
	var order []string
	add := func(c *engine.Compiled, trigger string) *console.Playbook {
		if c == nil {
			return nil
		}
		file, err := filepath.Abs(c.Playbook.File)
		if err != nil {
			file = c.Playbook.File
		}
		pb := byFile[file]
		if pb == nil {
			pb = &console.Playbook{Name: c.Playbook.Name, File: file, Compiled: c}
			byFile[file] = pb
			order = append(order, file)
		}
		pb.Triggers = append(pb.Triggers, trigger)
		return pb
	}
	now := d.clock().Now()
	for _, s := range d.Config.Schedules {
		if pb := add(s.Playbook, "schedule:"+s.Name); pb != nil {
			spec := s.Schedule.Spec()
			text := spec.Cron
			if text == "" {
				text = "every " + spec.Every.String()
			}
			if spec.Timezone != "" {
				text += " (" + spec.Timezone + ")"
			}
			pb.Schedules = append(pb.Schedules, console.Schedule{Name: s.Name, Spec: text, Next: s.Schedule.Next(now)})
		}
	}
	for _, in := range d.Config.Intake {
		if in.Trigger != nil {
			add(in.Trigger.Playbook, "intake:"+in.Name)
		}
	}
	for _, w := range d.Config.Webhooks {
		add(w.Playbook, "webhook:"+w.Name)
	}
	sort.SliceStable(order, func(i, j int) bool { return byFile[order[i]].Name < byFile[order[j]].Name })
	out := make([]console.Playbook, 0, len(order))
	for _, f := range order {
		out = append(out, *byFile[f])
	}
	return out
}

// checkPlaybook validates a playbook file as it is now: serve runs the
// version it loaded at start, and the console says whether the file on
// disk still validates.
func (d *Daemon) checkPlaybook(file string) []string {
	_, err := engine.Load(file, d.Recorder.Registry)
	if err == nil {
		return nil
	}
	var list playbook.ErrorList
	if !errors.As(err, &list) {
		return []string{err.Error()}
	}
	out := make([]string, len(list))
	for i, e := range list {
		out[i] = e.Error()
	}
	return out
}

// rerun starts a recorded run's playbook again with the run's inputs and
// event; the new run's trigger names the user and its reference the run.
func (d *Daemon) rerun(_ context.Context, run store.Run, user string) (string, error) {
	var c *engine.Compiled
	for _, pb := range d.consolePlaybooks(context.Background()) {
		if pb.File == run.File {
			c = pb.Compiled
		}
	}
	if c == nil {
		var err error
		if c, err = engine.Load(run.File, d.Recorder.Registry); err != nil {
			return "", fmt.Errorf("the playbook does not load now: %w", err)
		}
	}
	var given map[string]any
	if len(run.Inputs) > 0 {
		v, err := actions.DecodeJSON(run.Inputs)
		if err != nil {
			return "", fmt.Errorf("run %s: inputs: %w", run.ID, err)
		}
		given, _ = v.(map[string]any)
	}
	inputs, err := c.BindInputs(given)
	if err != nil {
		return "", fmt.Errorf("run %s's inputs no longer fit the playbook: %w", run.ID, err)
	}
	var event any
	if len(run.Event) > 0 {
		if event, err = actions.DecodeJSON(run.Event); err != nil {
			return "", fmt.Errorf("run %s: event: %w", run.ID, err)
		}
	}
	if d.runCtx == nil || d.runCtx.Err() != nil {
		return "", errors.New("serve is shutting down")
	}
	id := engine.NewRunID()
	d.inflight.Add(1)
	go func() {
		defer d.inflight.Done()
		rep, err := d.Recorder.Run(d.runCtx, Launch{ID: id, Playbook: c, Inputs: inputs, Event: event,
			Trigger: "console:" + user, TriggerRef: run.ID})
		if err != nil {
			d.log().Error("console run did not start", "run_id", id, "error", err)
			return
		}
		d.log().Info("console run finished", "run_id", id, "status", rep.Status)
	}()
	return id, nil
}
