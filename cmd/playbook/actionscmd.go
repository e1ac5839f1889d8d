package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine"
)

func (e *env) actions(args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, "Usage: playbook actions list | playbook actions describe NAME")
		return exitUsage
	}
	switch args[0] {
	case "list":
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "COMMAND\tMUTATES\tDESCRIPTION")
		for _, s := range e.specs() {
			m := "no"
			if s.Mutates {
				m = "yes"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Name, m, s.Description)
		}
		tw.Flush()
		return exitOK
	case "describe":
		if len(args) != 2 {
			fmt.Fprintln(e.stderr, "Usage: playbook actions describe NAME")
			return exitUsage
		}
		for _, s := range e.specs() {
			if s.Name == args[1] {
				describe(e, s)
				return exitOK
			}
		}
		names := []string{}
		for _, s := range e.specs() {
			names = append(names, s.Name)
		}
		fmt.Fprintf(e.stderr, "playbook actions describe: unknown command %q%s\n", args[1], hint(names, args[1]))
		return exitUsage
	}
	fmt.Fprintf(e.stderr, "playbook actions: unknown subcommand %q (list, describe)\n", args[0])
	return exitUsage
}

// specs lists every command, the sub-playbook one included, by name.
func (e *env) specs() []actions.Spec {
	var out []actions.Spec
	for _, n := range e.reg.Names() {
		c, _ := e.reg.Lookup(n)
		out = append(out, c.Spec())
	}
	return append(out, engine.SubPlaybookSpec())
}

func describe(e *env, s actions.Spec) {
	w := e.stdout
	fmt.Fprintf(w, "%s", s.Name)
	if s.Title != "" {
		fmt.Fprintf(w, " (%s)", s.Title)
	}
	fmt.Fprintf(w, "\n  %s\n\n", s.Description)
	if s.Connection != "" {
		fmt.Fprintf(w, "Connection: %s\n", s.Connection)
	}
	fmt.Fprintf(w, "Mutates:    %v\n", yesNo(s.Mutates))
	if len(s.Permissions) > 0 {
		fmt.Fprintf(w, "Permissions: %s\n", strings.Join(s.Permissions, ", "))
	}
	fmt.Fprintln(w, "\nInputs:")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  NAME\tTYPE\tREQUIRED\tDEFAULT\tDESCRIPTION")
	for _, in := range s.Inputs {
		typ := string(in.Type)
		if in.Type == actions.Array && in.Items != "" {
			typ += " of " + string(in.Items)
		}
		def := ""
		if in.Default != nil {
			b, _ := json.Marshal(in.Default)
			def = string(b)
		}
		desc := in.Description
		var limits []string
		if in.Min != nil {
			limits = append(limits, fmt.Sprintf("min %v", *in.Min))
		}
		if in.Max != nil {
			limits = append(limits, fmt.Sprintf("max %v", *in.Max))
		}
		if in.MaxItems > 0 {
			limits = append(limits, fmt.Sprintf("at most %d items", in.MaxItems))
		}
		if len(limits) > 0 {
			desc += " (" + strings.Join(limits, ", ") + ")"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", in.Name, typ, yesNo(in.Required), def, desc)
	}
	tw.Flush()
	for _, in := range s.Inputs {
		if len(in.Options) == 0 {
			continue
		}
		fmt.Fprintf(w, "\nOptions of %s (label → wire value):\n", in.Name)
		for _, o := range in.Options {
			fmt.Fprintf(w, "  %s → %s\n", o.Label, o.Value)
		}
		refused := slices.Sorted(maps.Keys(in.Refused))
		for _, r := range refused {
			fmt.Fprintf(w, "  not %s: %s\n", r, in.Refused[r])
		}
	}
	fmt.Fprintln(w, "\nKey Fields:")
	if len(s.KeyFields) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, k := range s.KeyFields {
		fmt.Fprintf(w, "  %s\n", k)
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
