package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/playbook-sh/playbook/engine/playbook"
)

func (e *env) graph(args []string) int {
	fs := newFlags("graph", "graph FILE [--format mermaid|dot]", e.stderr)
	format := fs.String("format", "mermaid", "mermaid or dot")
	files, err := parse(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(files) != 1 {
		fmt.Fprintln(e.stderr, "playbook graph: name one playbook file")
		return exitUsage
	}
	c, err := e.load(files[0])
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitUsage
	}
	switch *format {
	case "mermaid":
		writeMermaid(e.stdout, c.Playbook)
	case "dot":
		writeDot(e.stdout, c.Playbook)
	default:
		fmt.Fprintf(e.stderr, "playbook graph: unknown format %q (mermaid or dot)\n", *format)
		return exitUsage
	}
	return exitOK
}

// edgeLabel is the label of the edges into t: its join when it is not the
// default, and a mark when it has a condition.
func edgeLabel(t *playbook.Task) string {
	var parts []string
	if t.Join != playbook.JoinAllSucceeded {
		parts = append(parts, string(t.Join))
	}
	if t.When != nil {
		parts = append(parts, "when")
	}
	return strings.Join(parts, ", ")
}

func mermaidText(s string) string {
	r := strings.NewReplacer(`"`, "#quot;", "<", "#lt;", ">", "#gt;")
	return r.Replace(s)
}

func writeMermaid(w io.Writer, pb *playbook.Playbook) {
	fmt.Fprintln(w, "flowchart TD")
	node := func(t *playbook.Task) {
		label := t.ID + "<br/><small>" + mermaidText(t.Run) + "</small>"
		if t.When != nil {
			label += "<br/><i>when " + mermaidText(t.When.Str()) + "</i>"
		}
		fmt.Fprintf(w, "  %s[\"%s\"]\n", t.ID, label)
	}
	edges := func(t *playbook.Task) {
		l := edgeLabel(t)
		for _, n := range t.Needs {
			if l != "" {
				fmt.Fprintf(w, "  %s -->|%s| %s\n", n.Name, mermaidText(l), t.ID)
			} else {
				fmt.Fprintf(w, "  %s --> %s\n", n.Name, t.ID)
			}
		}
	}
	for _, t := range pb.Tasks {
		node(t)
	}
	for _, t := range pb.Tasks {
		edges(t)
	}
	if len(pb.Finally) > 0 {
		fmt.Fprintln(w, "  subgraph finally")
		for _, t := range pb.Finally {
			node(t)
		}
		fmt.Fprintln(w, "  end")
		for _, t := range pb.Finally {
			edges(t)
		}
	}
}

func dotText(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

func writeDot(w io.Writer, pb *playbook.Playbook) {
	fmt.Fprintf(w, "digraph %q {\n  rankdir=TB;\n  node [shape=box, style=rounded];\n", pb.Name)
	node := func(t *playbook.Task) {
		label := t.ID + `\n` + dotText(t.Run)
		if t.When != nil {
			label += `\nwhen ` + dotText(t.When.Str())
		}
		fmt.Fprintf(w, "  %q [label=\"%s\"];\n", t.ID, label)
	}
	edges := func(t *playbook.Task) {
		l := edgeLabel(t)
		for _, n := range t.Needs {
			if l != "" {
				fmt.Fprintf(w, "  %q -> %q [label=%q];\n", n.Name, t.ID, l)
			} else {
				fmt.Fprintf(w, "  %q -> %q;\n", n.Name, t.ID)
			}
		}
	}
	for _, t := range pb.Tasks {
		node(t)
	}
	for _, t := range pb.Tasks {
		edges(t)
	}
	if len(pb.Finally) > 0 {
		fmt.Fprintln(w, "  subgraph cluster_finally {\n    label=\"finally\";")
		for _, t := range pb.Finally {
			node(t)
		}
		fmt.Fprintln(w, "  }")
		for _, t := range pb.Finally {
			edges(t)
		}
	}
	fmt.Fprintln(w, "}")
}
