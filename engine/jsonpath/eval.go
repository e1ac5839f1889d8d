package jsonpath

import (
	"slices"
	"strings"
	"sync"
)

// maxDepth bounds descendant traversal and deep equality, so that cyclic Go
// values (which JSON cannot produce) cannot exhaust the stack. It matches
// the nesting limit of encoding/json.
const maxDepth = 10000

// member is an object member, used to visit objects in sorted key order.
type member struct {
	key string
	val any
}

// sinkState says what happens to the nodes a query selects: appended to out,
// or (counting) only counted, remembering the first, stopping at limit > 0.
type sinkState struct {
	counting bool
	stop     bool
	limit    int
	n        int
	first    any
}

// evaluator holds the state of one evaluation. Evaluation is depth-first:
// each selected node is passed straight to the remaining segments, which
// yields the RFC 9535 nodelist order without intermediate nodelists.
type evaluator struct {
	root any
	out  []any
	// members is a stack of sorted object members: each object being
	// visited owns a region of it, released when its visit ends.
	members     []member
	highMembers int // the most members held at once, to clear on release
	sinkState
}

var evaluators = sync.Pool{New: func() any { return new(evaluator) }}

// maxPooledMembers bounds the members buffer kept in the pool.
const maxPooledMembers = 1 << 12

func getEvaluator(root any) *evaluator {
	e := evaluators.Get().(*evaluator)
	e.root = root
	return e
}

func putEvaluator(e *evaluator) {
	e.root, e.out, e.sinkState = nil, nil, sinkState{}
	if cap(e.members) > maxPooledMembers {
		e.members = nil
	} else {
		clear(e.members[:e.highMembers]) // do not keep documents alive
		e.members = e.members[:0]
	}
	e.highMembers = 0
	evaluators.Put(e)
}

func (e *evaluator) emit(v any) {
	if !e.counting {
		e.out = append(e.out, v)
		return
	}
	if e.n == 0 {
		e.first = v
	}
	e.n++
	if e.limit > 0 && e.n >= e.limit {
		e.stop = true
	}
}

// run applies segs to node and emits the resulting nodes.
func (e *evaluator) run(segs []segment, node any) {
	switch {
	case len(segs) == 0:
		e.emit(node)
	case segs[0].desc:
		e.descend(segs, node, 0)
	default:
		e.apply(segs, node)
	}
}

// apply applies the selectors of segs[0] to node and runs segs[1:] on each
// selected child.
func (e *evaluator) apply(segs []segment, node any) {
	rest := segs[1:]
	sels := segs[0].sels
	for i := range sels {
		if e.stop {
			return
		}
		sel := &sels[i]
		switch sel.kind {
		case selName:
			if v, ok := lookup(node, sel.name); ok {
				e.run(rest, v)
			}
		case selIndex:
			if arr, ok := asArray(node); ok {
				if i, ok := arrayIndex(sel.index, len(arr)); ok {
					e.run(rest, arr[i])
				}
			}
		case selSlice:
			if arr, ok := asArray(node); ok {
				e.slice(&sel.slice, rest, arr)
			}
		case selWildcard:
			e.children(node, rest, nil)
		case selFilter:
			e.children(node, rest, sel.filter)
		}
	}
}

// children runs rest on each child of node that passes filter (all children
// if filter is nil): array elements in order, object members by key.
func (e *evaluator) children(node any, rest []segment, filter logical) {
	switch t := normalize(node).(type) {
	case []any:
		for _, v := range t {
			if e.stop {
				return
			}
			if filter == nil || filter.test(e, v) {
				e.run(rest, v)
			}
		}
	case map[string]any:
		start, n := e.pushMembers(t, false)
		for i := 0; i < n && !e.stop; i++ {
			v := e.members[start+i].val
			if filter == nil || filter.test(e, v) {
				e.run(rest, v)
			}
		}
		e.members = e.members[:start]
	}
}

// descend applies the descendant segment segs[0] to node and to all of its
// descendants, in document order (a node before its descendants).
func (e *evaluator) descend(segs []segment, node any, depth int) {
	e.apply(segs, node)
	if e.stop || depth >= maxDepth {
		return
	}
	switch t := normalize(node).(type) {
	case []any:
		for _, v := range t {
			if e.stop {
				return
			}
			if !isLeaf(v) {
				e.descend(segs, v, depth+1)
			}
		}
	case map[string]any:
		// Selectors select nothing from leaves, so only members that are
		// containers need visiting (and sorting).
		start, n := e.pushMembers(t, true)
		for i := 0; i < n && !e.stop; i++ {
			e.descend(segs, e.members[start+i].val, depth+1)
		}
		e.members = e.members[:start]
	}
}

// pushMembers appends the members of obj (only those that are not leaves,
// if containersOnly), sorted by key, to e.members and returns where they
// start and how many there are. The caller truncates e.members back to start
// when done; nested visits push above them.
func (e *evaluator) pushMembers(obj map[string]any, containersOnly bool) (start, n int) {
	start = len(e.members)
	for k, v := range obj {
		if !containersOnly || !isLeaf(v) {
			e.members = append(e.members, member{k, v})
		}
	}
	e.highMembers = max(e.highMembers, len(e.members))
	ms := e.members[start:]
	if len(ms) > 1 {
		slices.SortFunc(ms, func(a, b member) int { return strings.Compare(a.key, b.key) })
	}
	return start, len(ms)
}

// slice applies a slice selector (RFC 9535 section 2.3.4.2.2).
func (e *evaluator) slice(s *sliceSpec, rest []segment, arr []any) {
	n := int64(len(arr))
	step := s.step
	if step == 0 {
		return
	}
	start, end := int64(0), n
	if step < 0 {
		start, end = n-1, -n-1
	}
	if s.hasStart {
		start = s.start
	}
	if s.hasEnd {
		end = s.end
	}
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	if step > 0 {
		lower, upper := min(max(start, 0), n), min(max(end, 0), n)
		for i := lower; i < upper && !e.stop; i += step {
			e.run(rest, arr[i])
		}
		return
	}
	upper, lower := min(max(start, -1), n-1), min(max(end, -1), n-1)
	for i := upper; lower < i && !e.stop; i += step {
		e.run(rest, arr[i])
	}
}

// arrayIndex normalizes index i for an array of length n.
func arrayIndex(i int64, n int) (int, bool) {
	if i < 0 {
		i += int64(n)
	}
	if i < 0 || i >= int64(n) {
		return 0, false
	}
	return int(i), true
}

// walkSingular evaluates a singular query's segments from v: the selected
// value, or false when there is none.
func walkSingular(segs []segment, v any) (any, bool) {
	for i := range segs {
		sel := &segs[i].sels[0]
		switch sel.kind {
		case selName:
			var ok bool
			if v, ok = lookup(v, sel.name); !ok {
				return nil, false
			}
		case selIndex:
			arr, ok := asArray(v)
			if !ok {
				return nil, false
			}
			j, ok := arrayIndex(sel.index, len(arr))
			if !ok {
				return nil, false
			}
			v = arr[j]
		default:
			return nil, false
		}
	}
	return v, true
}

// countNodes evaluates a filter query from cur (or the root) and returns how
// many nodes it selects and the first of them. With limit > 0 it stops
// counting at limit.
func (e *evaluator) countNodes(q *query, cur any, limit int) (int, any) {
	start := cur
	if q.abs {
		start = e.root
	}
	if q.singular {
		if v, ok := walkSingular(q.segs, start); ok {
			return 1, v
		}
		return 0, nil
	}
	saved := e.sinkState
	e.sinkState = sinkState{counting: true, limit: limit}
	e.run(q.segs, start)
	n, first := e.n, e.first
	e.sinkState = saved
	return n, first
}

func (x orExpr) test(e *evaluator, cur any) bool {
	for _, t := range x {
		if t.test(e, cur) {
			return true
		}
	}
	return false
}

func (x andExpr) test(e *evaluator, cur any) bool {
	for _, t := range x {
		if !t.test(e, cur) {
			return false
		}
	}
	return true
}

func (x notExpr) test(e *evaluator, cur any) bool { return !x.x.test(e, cur) }

func (x *existExpr) test(e *evaluator, cur any) bool {
	n, _ := e.countNodes(x.q, cur, 1)
	return n > 0
}

func (x *literalExpr) value(*evaluator, any) (any, bool) { return x.v, true }

func (x *singularExpr) value(e *evaluator, cur any) (any, bool) {
	if x.q.abs {
		cur = e.root
	}
	return walkSingular(x.q.segs, cur)
}

// test compares per RFC 9535 section 2.3.5.2.2: no type coercion, Nothing
// equals only Nothing, and <, <=, >, >= order only numbers and strings.
func (x *cmpExpr) test(e *evaluator, cur any) bool {
	l, lok := x.l.value(e, cur)
	r, rok := x.r.value(e, cur)
	switch x.op {
	case opEq:
		return equalNodes(l, lok, r, rok)
	case opNe:
		return !equalNodes(l, lok, r, rok)
	case opLt:
		return lok && rok && lessValues(l, r)
	case opLe:
		return lok && rok && lessValues(l, r) || equalNodes(l, lok, r, rok)
	case opGt:
		return lok && rok && lessValues(r, l)
	case opGe:
		return lok && rok && lessValues(r, l) || equalNodes(l, lok, r, rok)
	}
	return false
}

func equalNodes(l any, lok bool, r any, rok bool) bool {
	if !lok || !rok {
		return lok == rok
	}
	return equalValues(l, r, 0)
}
