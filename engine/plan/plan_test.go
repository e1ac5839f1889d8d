package plan

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCycle(t *testing.T) {
	t.Parallel()
	_, err := New([]Node{
		{ID: "a", Needs: []string{"c"}},
		{ID: "b", Needs: []string{"a"}},
		{ID: "c", Needs: []string{"b"}},
		{ID: "d"},
	})
	var ce *CycleError
	if !errors.As(err, &ce) || !errors.Is(err, ErrCycle) {
		t.Fatalf("New(cycle) = %v, want a CycleError", err)
	}
	if got, want := ce.Path, []string{"a", "c", "b", "a"}; !cmp.Equal(got, want) {
		t.Errorf("cycle path = %v, want %v", got, want)
	}
	if got, want := err.Error(), "cycle: a → c → b → a"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestSelfAndUnknownNeed(t *testing.T) {
	t.Parallel()
	if _, err := New([]Node{{ID: "a", Needs: []string{"a"}}}); !errors.Is(err, ErrCycle) {
		t.Errorf("self need: %v, want ErrCycle", err)
	}
	if _, err := New([]Node{{ID: "a", Needs: []string{"zz"}}}); err == nil {
		t.Error("unknown need: nil error")
	}
}

func TestTopoOrderIsStable(t *testing.T) {
	t.Parallel()
	p, err := New([]Node{{ID: "c", Needs: []string{"a"}}, {ID: "a"}, {ID: "b"}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, i := range p.Order() {
		ids = append(ids, p.Node(i).ID)
	}
	if want := []string{"a", "b", "c"}; !cmp.Equal(ids, want) {
		t.Errorf("Order = %v, want %v", ids, want)
	}
}

// TestJoins checks each row of the readiness table of DESIGN.md §2.
func TestJoins(t *testing.T) {
	t.Parallel()
	tests := []struct {
		join       Join
		a, b       Status
		allowFailA bool
		wantRun    bool
		wantReason string
	}{
		{AllSucceeded, Succeeded, Succeeded, false, true, ""},
		{AllSucceeded, Succeeded, Failed, false, false, "need b failed"},
		{AllSucceeded, Skipped, Succeeded, false, false, "need a was skipped"},
		{AllSucceeded, Failed, Succeeded, true, true, ""}, // allow_failure counts as succeeded
		{AllSucceeded, DryRun, Succeeded, false, true, ""},
		{AllSucceeded, Cancelled, Succeeded, false, false, "need a was cancelled"},
		{AnySucceeded, Failed, Succeeded, false, true, ""},
		{AnySucceeded, Skipped, Succeeded, false, true, ""},
		{AnySucceeded, Failed, Skipped, false, false, "no need succeeded"},
		{NoneFailed, Skipped, Succeeded, false, true, ""},
		{NoneFailed, Skipped, Skipped, false, true, ""},
		{NoneFailed, Succeeded, Failed, false, false, "need b failed"},
		{NoneFailed, Failed, Succeeded, true, true, ""},
		{AnyFailed, Succeeded, Failed, false, true, ""},
		{AnyFailed, Succeeded, Skipped, false, false, "no need failed"},
		{AnyFailed, Failed, Succeeded, true, false, "no need failed"}, // an allowed failure is a success
		{AllDone, Failed, Skipped, false, true, ""},
		{AllDone, Cancelled, Failed, false, true, ""},
	}
	for _, tc := range tests {
		t.Run(string(tc.join)+"/"+string(tc.a)+"+"+string(tc.b), func(t *testing.T) {
			t.Parallel()
			p, err := New([]Node{
				{ID: "a", AllowFailure: tc.allowFailA},
				{ID: "b"},
				{ID: "c", Needs: []string{"a", "b"}, Join: tc.join},
			})
			if err != nil {
				t.Fatal(err)
			}
			s := p.NewState()
			if got := len(s.Start()); got != 2 {
				t.Fatalf("Start gave %d decisions, want 2", got)
			}
			if d := s.Finish(0, tc.a); len(d) != 0 {
				t.Fatalf("Finish(a) decided %v before b ended", d)
			}
			d := s.Finish(1, tc.b)
			if len(d) != 1 || d[0].Node != 2 {
				t.Fatalf("Finish(b) = %v, want one decision for c", d)
			}
			if d[0].Run != tc.wantRun || d[0].Reason != tc.wantReason {
				t.Errorf("decision = run %v reason %q, want run %v reason %q", d[0].Run, d[0].Reason, tc.wantRun, tc.wantReason)
			}
			if !tc.wantRun && s.Status(2) != Skipped {
				t.Errorf("c status = %s, want skipped", s.Status(2))
			}
		})
	}
}

func TestSkipCascades(t *testing.T) {
	t.Parallel()
	p, err := New([]Node{
		{ID: "a"},
		{ID: "b", Needs: []string{"a"}},
		{ID: "c", Needs: []string{"b"}},
		{ID: "d", Needs: []string{"c"}, Join: AllDone},
	})
	if err != nil {
		t.Fatal(err)
	}
	s := p.NewState()
	s.Start()
	got := s.Finish(0, Failed)
	want := []Decision{{Node: 1, Reason: "need a failed"}, {Node: 2, Reason: "need b was skipped"}, {Node: 3, Run: true}}
	if !cmp.Equal(got, want) {
		t.Errorf("Finish(a failed) = %v, want %v", got, want)
	}
	if s.Done() {
		t.Error("Done before d ended")
	}
	s.Finish(3, Succeeded)
	if !s.Done() {
		t.Error("not Done after every node ended")
	}
}

func TestCancelPending(t *testing.T) {
	t.Parallel()
	p, _ := New([]Node{{ID: "a"}, {ID: "b", Needs: []string{"a"}}, {ID: "c"}})
	s := p.NewState()
	s.Start()
	s.MarkRunning(0)
	s.MarkRunning(2)
	s.Finish(2, Succeeded)
	if got := s.CancelPending(); !cmp.Equal(got, []int{1}) {
		t.Errorf("CancelPending = %v, want [1]", got)
	}
	if s.Status(0) != Running {
		t.Errorf("a = %s, want still running", s.Status(0))
	}
}

func TestAncestors(t *testing.T) {
	t.Parallel()
	p, _ := New([]Node{{ID: "a"}, {ID: "b", Needs: []string{"a"}}, {ID: "c", Needs: []string{"b"}}, {ID: "x"}})
	if got, want := p.Ancestors(2), []bool{true, true, false, false}; !cmp.Equal(got, want) {
		t.Errorf("Ancestors(c) = %v, want %v", got, want)
	}
}
