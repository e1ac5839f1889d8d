package plan

import (
	"errors"
	"fmt"
	"strings"
)

// Join decides when a node may run once its needs have ended.
type Join string

// The joins of DESIGN.md §2.
const (
	AllSucceeded Join = "all_succeeded"
	AnySucceeded Join = "any_succeeded"
	NoneFailed   Join = "none_failed"
	AnyFailed    Join = "any_failed"
	AllDone      Join = "all_done"
)

// Status is a node's state in a run. The values are the report's task
// statuses.
type Status string

// Node statuses. Pending and Running are transient.
const (
	Pending   Status = "pending"
	Running   Status = "running"
	Succeeded Status = "succeeded"
	Failed    Status = "failed"
	Skipped   Status = "skipped"
	Cancelled Status = "cancelled"
	DryRun    Status = "dry_run"
)

// Ended reports whether s is final.
func (s Status) Ended() bool { return s != Pending && s != Running }

// Node is one task as the planner sees it.
type Node struct {
	ID    string
	Needs []string
	Join  Join
	// AllowFailure makes a failure count as success for the joins.
	AllowFailure bool
}

// ErrCycle is wrapped by the error New returns for a cyclic graph.
var ErrCycle = errors.New("cycle")

// CycleError names the tasks of one loop, the first repeated at the end.
type CycleError struct{ Path []string }

func (e *CycleError) Error() string {
	return "cycle: " + strings.Join(e.Path, " → ")
}

// Unwrap makes errors.Is(err, ErrCycle) hold.
func (e *CycleError) Unwrap() error { return ErrCycle }

// Plan is a checked DAG. It is immutable and safe for concurrent use.
type Plan struct {
	nodes      []Node
	index      map[string]int
	needs      [][]int
	dependents [][]int
	order      []int // a topological order, stable by file order
}

// New checks the graph: every need names a node, and there is no cycle.
// Node order is kept as given (file order) wherever the graph allows.
func New(nodes []Node) (*Plan, error) {
	p := &Plan{nodes: nodes, index: make(map[string]int, len(nodes))}
	for i, n := range nodes {
		if _, dup := p.index[n.ID]; dup {
			return nil, fmt.Errorf("duplicate node %q", n.ID)
		}
		p.index[n.ID] = i
	}
	p.needs = make([][]int, len(nodes))
	p.dependents = make([][]int, len(nodes))
	for i, n := range nodes {
		for _, need := range n.Needs {
			j, ok := p.index[need]
			if !ok {
				return nil, fmt.Errorf("node %q needs unknown node %q", n.ID, need)
			}
			p.needs[i] = append(p.needs[i], j)
			p.dependents[j] = append(p.dependents[j], i)
		}
	}
	if cyc := p.findCycle(); cyc != nil {
		return nil, &CycleError{Path: cyc}
	}
	p.order = p.topo()
	return p, nil
}

// findCycle returns one cycle as ids, the first repeated at the end, or nil.
func (p *Plan) findCycle() []string {
	const (
		white = iota
		grey
		black
	)
	color := make([]int, len(p.nodes))
	parent := make([]int, len(p.nodes))
	type frame struct{ node, next int }
	for start := range p.nodes {
		if color[start] != white {
			continue
		}
		stack := []frame{{start, 0}}
		color[start] = grey
		parent[start] = -1
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.next == len(p.needs[top.node]) {
				color[top.node] = black
				stack = stack[:len(stack)-1]
				continue
			}
			nb := p.needs[top.node][top.next]
			top.next++
			switch color[nb] {
			case white:
				color[nb] = grey
				parent[nb] = top.node
				stack = append(stack, frame{nb, 0})
			case grey:
				// top.node needs nb, which is on the stack: nb → ... → top.node → nb,
				// read as "nb needs ... needs nb". Print it in needs order.
				var path []string
				for x := top.node; x != nb; x = parent[x] {
					path = append(path, p.nodes[x].ID)
				}
				path = append(path, p.nodes[nb].ID)
				// path runs top.node back to nb; reverse for nb first.
				for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
					path[i], path[j] = path[j], path[i]
				}
				return append(path, p.nodes[nb].ID)
			}
		}
	}
	return nil
}

// topo is Kahn's algorithm, taking ready nodes in file order.
func (p *Plan) topo() []int {
	indeg := make([]int, len(p.nodes))
	for i := range p.nodes {
		indeg[i] = len(p.needs[i])
	}
	order := make([]int, 0, len(p.nodes))
	for i := range p.nodes {
		if indeg[i] == 0 {
			order = append(order, i)
		}
	}
	for k := 0; k < len(order); k++ {
		for _, d := range p.dependents[order[k]] {
			indeg[d]--
			if indeg[d] == 0 {
				order = append(order, d)
			}
		}
	}
	return order
}

// Len is the number of nodes.
func (p *Plan) Len() int { return len(p.nodes) }

// Node returns node i.
func (p *Plan) Node(i int) Node { return p.nodes[i] }

// Index returns the index of the node with that id.
func (p *Plan) Index(id string) (int, bool) {
	i, ok := p.index[id]
	return i, ok
}

// Order returns a topological order of node indexes.
func (p *Plan) Order() []int { return p.order }

// Needs returns the indexes of node i's needs.
func (p *Plan) Needs(i int) []int { return p.needs[i] }

// Dependents returns the indexes of the nodes that need node i.
func (p *Plan) Dependents(i int) []int { return p.dependents[i] }

// Ancestors returns, for node i, whether each node is a transitive need.
func (p *Plan) Ancestors(i int) []bool {
	seen := make([]bool, len(p.nodes))
	stack := append([]int(nil), p.needs[i]...)
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[x] {
			continue
		}
		seen[x] = true
		stack = append(stack, p.needs[x]...)
	}
	return seen
}
