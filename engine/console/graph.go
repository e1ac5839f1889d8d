package console

import (
	"fmt"

	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/playbook"
)

// Graph is a playbook's task graph, drawn from the YAML alone.
type Graph struct {
	Nodes []GraphNode `json:"nodes"`
	// Error says why there is no graph (the file does not load).
	Error string `json:"error,omitempty"`
}

// GraphNode is one task: its command, what it needs and how.
type GraphNode struct {
	ID      string   `json:"id"`
	Run     string   `json:"run"`
	Needs   []string `json:"needs"`
	Join    string   `json:"join,omitempty"`
	When    string   `json:"when,omitempty"`
	ForEach bool     `json:"for_each,omitempty"`
	Finally bool     `json:"finally,omitempty"`
	Pos     string   `json:"pos"`
}

// GraphOf is the graph of a compiled playbook, tasks then finally tasks,
// in file order.
func GraphOf(c *engine.Compiled) *Graph {
	g := &Graph{Nodes: []GraphNode{}}
	add := func(t *playbook.Task, finally bool) {
		n := GraphNode{ID: t.ID, Run: t.Run, Needs: []string{}, Join: string(t.Join), ForEach: t.ForEach != nil,
			Finally: finally, Pos: fmt.Sprintf("%s:%d:%d", c.Playbook.File, t.Pos.Line, t.Pos.Col)}
		for _, nd := range t.Needs {
			n.Needs = append(n.Needs, nd.Name)
		}
		if t.When != nil {
			n.When = t.When.Text
			if n.When == "" {
				n.When = fmt.Sprint(t.When.Data)
			}
		}
		g.Nodes = append(g.Nodes, n)
	}
	for _, t := range c.Playbook.Tasks {
		add(t, false)
	}
	for _, t := range c.Playbook.Finally {
		add(t, true)
	}
	return g
}
