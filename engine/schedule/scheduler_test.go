package schedule

import (
	"errors"
	"testing"
	"time"
)

func TestSchedulerDay(t *testing.T) {
	t.Parallel()
	spec := Spec{Name: "hourly", Every: time.Hour, Jitter: 30 * time.Second}
	sch := mustParse(t, spec)
	h := start(t, "2025-01-01T00:00:00Z", nil, instant, spec)
	h.clock.step(t, 24)

	var want []launched
	for f := sch.Next(utc("2025-01-01T00:00:00Z")); len(want) < 24; f = sch.Next(f) {
		want = append(want, launched{Fire{Schedule: "hourly", At: f}, f.Add(sch.Jitter(f)), 1})
	}
	h.wantLaunches(t, want...)
	if got, want := h.cursors.get("hourly"), utc("2025-01-02T00:00:00Z"); got != want {
		t.Errorf("cursor = %v, want %v", got, want)
	}
	if h.cursors.sets != 24 {
		t.Errorf("cursor written %d times, want 24", h.cursors.sets)
	}
}

func TestSchedulerCron(t *testing.T) {
	t.Parallel()
	h := start(t, "2025-03-28T12:00:00Z", nil, instant, Spec{Name: "weekday", Cron: "0 9 * * 1-5", Timezone: "Europe/Paris"})
	h.clock.step(t, 3)
	h.wantLaunches(t,
		fire("weekday", "2025-03-31T07:00:00Z", "2025-03-31T07:00:00Z", 1), // Monday, CEST
		fire("weekday", "2025-04-01T07:00:00Z", "2025-04-01T07:00:00Z", 1),
		fire("weekday", "2025-04-02T07:00:00Z", "2025-04-02T07:00:00Z", 1))
}

func TestSchedulerOverlapSkip(t *testing.T) {
	t.Parallel()
	h := start(t, "2025-01-01T00:00:00Z", nil, func(c *fakeClock) func(int) (<-chan struct{}, error) {
		return lasting(c, 150*time.Minute)
	}, Spec{Name: "s", Every: time.Hour})
	h.clock.step(t, 24)

	var want []launched
	for hr := 1; hr <= 24; hr += 3 {
		at := utc("2025-01-01T00:00:00Z").Add(time.Duration(hr) * time.Hour)
		want = append(want, launched{Fire{Schedule: "s", At: at}, at, 1})
	}
	h.wantLaunches(t, want...)
	if got := h.logs.count("fire skipped"); got != 16 {
		t.Errorf("%d fires skipped, want 16:\n%s", got, h.logs.b.String())
	}
	if got, want := h.cursors.get("s"), utc("2025-01-02T00:00:00Z"); got != want {
		t.Errorf("cursor = %v, want %v (skips advance it)", got, want)
	}
}

func TestSchedulerOverlapQueue(t *testing.T) {
	t.Parallel()
	h := start(t, "2025-01-01T00:00:00Z", nil, func(c *fakeClock) func(int) (<-chan struct{}, error) {
		return func(n int) (<-chan struct{}, error) {
			if n == 0 {
				return c.after(150 * time.Minute), nil
			}
			return nil, nil
		}
	}, Spec{Name: "q", Every: time.Hour, Overlap: OverlapQueue})
	h.clock.step(t, 3) // 01:00 runs until 03:30, 02:00 waits, 03:00 is skipped
	h.wantLaunches(t, fire("q", "2025-01-01T01:00:00Z", "2025-01-01T01:00:00Z", 1))

	h.clock.Advance(30 * time.Minute) // the first run ends
	if got, want := h.clock.waitSleep(t), 30*time.Minute; got != want {
		t.Errorf("sleep after the queued launch = %v, want %v", got, want)
	}
	h.clock.Advance(30 * time.Minute)
	h.clock.waitSleep(t)
	h.wantLaunches(t,
		fire("q", "2025-01-01T01:00:00Z", "2025-01-01T01:00:00Z", 1),
		fire("q", "2025-01-01T02:00:00Z", "2025-01-01T03:30:00Z", 1),
		fire("q", "2025-01-01T04:00:00Z", "2025-01-01T04:00:00Z", 1))
	if q, s := h.logs.count("fire queued"), h.logs.count("fire skipped"); q != 1 || s != 1 {
		t.Errorf("%d fires queued and %d skipped, want 1 and 1", q, s)
	}
	if got, want := h.cursors.get("q"), utc("2025-01-01T04:00:00Z"); got != want {
		t.Errorf("cursor = %v, want %v", got, want)
	}
}

func TestSchedulerOverlapAllow(t *testing.T) {
	t.Parallel()
	h := start(t, "2025-01-01T00:00:00Z", nil, func(c *fakeClock) func(int) (<-chan struct{}, error) {
		return lasting(c, 150*time.Minute)
	}, Spec{Name: "a", Every: time.Hour, Overlap: OverlapAllow})
	h.clock.step(t, 5)
	h.wantLaunches(t,
		fire("a", "2025-01-01T01:00:00Z", "2025-01-01T01:00:00Z", 1),
		fire("a", "2025-01-01T02:00:00Z", "2025-01-01T02:00:00Z", 2),
		fire("a", "2025-01-01T03:00:00Z", "2025-01-01T03:00:00Z", 3),
		fire("a", "2025-01-01T04:00:00Z", "2025-01-01T04:00:00Z", 3),
		fire("a", "2025-01-01T05:00:00Z", "2025-01-01T05:00:00Z", 3))
}

func TestSchedulerCatchUp(t *testing.T) {
	t.Parallel()
	const now = "2025-01-01T09:30:00Z"
	tests := []struct {
		name    string
		catchUp CatchUp
		cursor  string // "" for never fired
		want    []launched
	}{
		{"last", CatchUpLast, "2025-01-01T05:00:00Z", []launched{
			{Fire{Schedule: "c", At: utc("2025-01-01T09:00:00Z"), CatchUp: true}, utc(now), 1},
			fire("c", "2025-01-01T10:00:00Z", "2025-01-01T10:00:00Z", 1),
			fire("c", "2025-01-01T11:00:00Z", "2025-01-01T11:00:00Z", 1),
		}},
		{"none", CatchUpNone, "2025-01-01T05:00:00Z", []launched{
			fire("c", "2025-01-01T10:00:00Z", "2025-01-01T10:00:00Z", 1),
			fire("c", "2025-01-01T11:00:00Z", "2025-01-01T11:00:00Z", 1),
		}},
		{"never fired", CatchUpLast, "", []launched{
			fire("c", "2025-01-01T10:00:00Z", "2025-01-01T10:00:00Z", 1),
			fire("c", "2025-01-01T11:00:00Z", "2025-01-01T11:00:00Z", 1),
		}},
		{"nothing missed", CatchUpLast, "2025-01-01T09:00:00Z", []launched{
			fire("c", "2025-01-01T10:00:00Z", "2025-01-01T10:00:00Z", 1),
			fire("c", "2025-01-01T11:00:00Z", "2025-01-01T11:00:00Z", 1),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cursors := &memCursors{m: map[string]time.Time{}}
			if tc.cursor != "" {
				cursors.m["c"] = utc(tc.cursor)
			}
			h := start(t, now, cursors, instant, Spec{Name: "c", Every: time.Hour, CatchUp: tc.catchUp})
			h.clock.step(t, 2)
			h.wantLaunches(t, tc.want...)
		})
	}
}

func TestSchedulerClockBehindCursor(t *testing.T) {
	t.Parallel()
	// The clock went back below the cursor: fires already recorded do not
	// run again.
	cursors := &memCursors{m: map[string]time.Time{"c": utc("2025-01-01T12:00:00Z")}}
	h := start(t, "2025-01-01T09:30:00Z", cursors, instant, Spec{Name: "c", Every: time.Hour})
	if got, want := h.clock.waitSleep(t), 210*time.Minute; got != want {
		t.Errorf("first sleep = %v, want %v (until 13:00)", got, want)
	}
}

func TestSchedulerLate(t *testing.T) {
	t.Parallel()
	spec := Spec{Name: "late", Every: time.Hour, Jitter: 20 * time.Minute}
	sch := mustParse(t, spec)
	h := start(t, "2025-01-01T00:00:00Z", nil, instant, spec)
	h.clock.waitSleep(t)
	// The host slept for hours: only the latest due fire runs.
	h.clock.Advance(5 * time.Hour)
	h.clock.waitSleep(t)
	at := utc("2025-01-01T05:00:00Z")
	if at.Add(sch.Jitter(at)).After(h.clock.Now()) {
		at = at.Add(-time.Hour)
	}
	h.wantLaunches(t, launched{Fire{Schedule: "late", At: at}, utc("2025-01-01T05:00:00Z"), 1})
	if got := h.logs.count("earlier fires missed"); got != 1 {
		t.Errorf("%d late warnings, want 1", got)
	}
}

func TestSchedulerErrorsAreLogged(t *testing.T) {
	t.Parallel()
	cursors := &memCursors{getErr: errors.New("db locked"), setErr: errors.New("disk full")}
	h := start(t, "2025-01-01T00:00:00Z", cursors, func(*fakeClock) func(int) (<-chan struct{}, error) {
		return func(n int) (<-chan struct{}, error) {
			if n == 0 {
				return nil, errors.New("playbook not found")
			}
			return nil, nil
		}
	}, Spec{Name: "e", Every: time.Hour, CatchUp: CatchUpLast})
	h.clock.step(t, 3)
	h.wantLaunches(t,
		fire("e", "2025-01-01T01:00:00Z", "2025-01-01T01:00:00Z", 1),
		fire("e", "2025-01-01T02:00:00Z", "2025-01-01T02:00:00Z", 1),
		fire("e", "2025-01-01T03:00:00Z", "2025-01-01T03:00:00Z", 1))
	for msg, want := range map[string]int{
		`cannot read cursor: schedule=e error="db locked"`:                                       1,
		`cannot write cursor: schedule=e fire="2025-01-01 01:00:00 +0000 UTC" error="disk full"`: 1,
		"cannot write cursor": 3,
		`launch failed: schedule=e fire="2025-01-01 01:00:00 +0000 UTC" catch_up=false error="playbook not found"`: 1,
		"run launched": 2,
	} {
		if got := h.logs.count(msg); got != want {
			t.Errorf("log %q appears %d times, want %d; logs:\n%s", msg, got, want, h.logs.b.String())
		}
	}
}

func TestSchedulerCancel(t *testing.T) {
	t.Parallel()
	// A queued fire waits on a run that never ends when ctx is cancelled:
	// Run returns at once and its watcher ends (goleak checks).
	h := start(t, "2025-01-01T00:00:00Z", nil, func(*fakeClock) func(int) (<-chan struct{}, error) {
		return func(int) (<-chan struct{}, error) { return make(chan struct{}), nil }
	}, Spec{Name: "q", Every: time.Minute, Overlap: OverlapQueue})
	h.clock.step(t, 2)
	if got := h.logs.count("fire queued"); got != 1 {
		t.Fatalf("%d fires queued, want 1", got)
	}
	h.stop(t)
}

func TestSchedulerAdd(t *testing.T) {
	t.Parallel()
	s := New(newFakeClock("2025-01-01T00:00:00Z"), &memCursors{}, nil)
	a := mustParse(t, Spec{Name: "a", Every: time.Hour})
	if err := s.Add(a); err != nil {
		t.Fatalf("Add(a) = %v", err)
	}
	if err := s.Add(mustParse(t, Spec{Name: "a", Cron: "@daily"})); err == nil || err.Error() != `add schedule "a": already added` {
		t.Errorf("Add(a again) = %v, want a duplicate error", err)
	}
	if err := s.Add(mustParse(t, Spec{Every: time.Hour})); err == nil {
		t.Error("Add(no name) = nil, want an error")
	}
}
