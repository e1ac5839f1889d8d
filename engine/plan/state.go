package plan

// Decision is what the planner says about a node whose needs have all
// ended: run it (then its when must hold), or skip it with a reason.
type Decision struct {
	Node   int
	Run    bool
	Reason string // why it is skipped; "" when Run
}

// State tracks one run of a plan. It is not safe for concurrent use: one
// goroutine (the runner's loop, or a Temporal workflow) drives it.
type State struct {
	p       *Plan
	status  []Status
	allowed []bool // failure allowed (allow_failure)
	waiting []int  // needs not yet ended
	ended   int
}

// NewState returns the state of a run that has not started.
func (p *Plan) NewState() *State {
	s := &State{
		p:       p,
		status:  make([]Status, len(p.nodes)),
		allowed: make([]bool, len(p.nodes)),
		waiting: make([]int, len(p.nodes)),
	}
	for i := range p.nodes {
		s.status[i] = Pending
		s.waiting[i] = len(p.needs[i])
		s.allowed[i] = p.nodes[i].AllowFailure
	}
	return s
}

// Start returns the nodes with no needs, in file order: each may run.
func (s *State) Start() []Decision {
	var out []Decision
	for i := range s.p.nodes {
		if s.waiting[i] == 0 {
			out = append(out, Decision{Node: i, Run: true})
		}
	}
	return out
}

// Status returns node i's status.
func (s *State) Status(i int) Status { return s.status[i] }

// Done reports whether every node has ended.
func (s *State) Done() bool { return s.ended == len(s.p.nodes) }

// MarkRunning records that node i started.
func (s *State) MarkRunning(i int) { s.status[i] = Running }

// Finish records node i's final status and returns the decisions it
// unlocks: each dependent whose needs have now all ended, decided by its
// join. A skip decision is already applied (and cascades through further
// decisions in the returned list); a run decision is the caller's to carry
// out, and it must call Finish for that node later.
func (s *State) Finish(i int, st Status) []Decision {
	var out []Decision
	s.finish(i, st, &out)
	return out
}

func (s *State) finish(i int, st Status, out *[]Decision) {
	if s.status[i].Ended() {
		return
	}
	s.status[i] = st
	s.ended++
	for _, d := range s.p.dependents[i] {
		s.waiting[d]--
		if s.waiting[d] > 0 || s.status[d] != Pending {
			continue
		}
		run, reason := s.decide(d)
		if run {
			*out = append(*out, Decision{Node: d, Run: true})
			continue
		}
		*out = append(*out, Decision{Node: d, Reason: reason})
		s.finish(d, Skipped, out)
	}
}

// Skip marks a pending node skipped (its when was false) and returns the
// decisions that unlocks, as Finish does.
func (s *State) Skip(i int) []Decision { return s.Finish(i, Skipped) }

// CancelPending marks every node that has not started cancelled and
// returns their indexes in order. Running nodes are the caller's to finish.
func (s *State) CancelPending() []int {
	var out []int
	for _, i := range s.p.order {
		if s.status[i] == Pending {
			s.status[i] = Cancelled
			s.ended++
			out = append(out, i)
		}
	}
	return out
}

// outcome folds a need's status into what the joins look at.
type outcome int

const (
	ok outcome = iota
	failed
	skipped
	cancelled
)

func (s *State) outcome(i int) outcome {
	switch s.status[i] {
	case Succeeded, DryRun:
		return ok
	case Failed:
		if s.allowed[i] {
			return ok
		}
		return failed
	case Cancelled:
		return cancelled
	}
	return skipped
}

// decide applies node d's join to its ended needs.
func (s *State) decide(d int) (bool, string) {
	needs := s.p.needs[d]
	name := func(i int) string { return s.p.nodes[i].ID }
	switch s.p.nodes[d].Join {
	case AllDone:
		return true, ""
	case AnySucceeded:
		for _, n := range needs {
			if s.outcome(n) == ok {
				return true, ""
			}
		}
		return false, "no need succeeded"
	case AnyFailed:
		for _, n := range needs {
			if s.outcome(n) == failed {
				return true, ""
			}
		}
		return false, "no need failed"
	case NoneFailed:
		for _, n := range needs {
			switch s.outcome(n) {
			case failed:
				return false, "need " + name(n) + " failed"
			case cancelled:
				return false, "need " + name(n) + " was cancelled"
			}
		}
		return true, ""
	}
	for _, n := range needs {
		switch s.outcome(n) {
		case failed:
			return false, "need " + name(n) + " failed"
		case skipped:
			return false, "need " + name(n) + " was skipped"
		case cancelled:
			return false, "need " + name(n) + " was cancelled"
		}
	}
	return true, ""
}
