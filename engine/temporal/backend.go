package temporal

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/schedule"
	"github.com/playbook-sh/playbook/engine/serve"
)

// SchedulePrefix starts the id of every Temporal Schedule serve installs
// ("playbook-schedule-nightly"); the workflows a schedule starts have the
// id "schedule-NAME-" and the fire's time.
const SchedulePrefix = "playbook-schedule-"

// MinCatchupWindow is the smallest catch-up window Temporal accepts.
const MinCatchupWindow = 10 * time.Second

// startTimeout bounds starting a workflow.
const startTimeout = 30 * time.Second

// memoTaskQueue is the schedule memo naming the task queue of the serve
// that installed it: a serve removes only its own queue's schedules.
const memoTaskQueue = "playbook_task_queue"

// Backend runs serve's playbooks on Temporal ([serve.Backend]): intake
// and webhook runs as workflows whose ids derive from their deliveries,
// schedules as Temporal Schedules.
type Backend struct {
	Client    client.Client
	Namespace string // "" is DefaultNamespace
	TaskQueue string // "" is DefaultTaskQueue
	Logger    hclog.Logger
	// CancelOnStop cancels a run when the context Run waits with ends,
	// and waits for its Cancelled report (the CLI's Ctrl-C), instead of
	// leaving it running.
	CancelOnStop bool
}

var _ serve.Backend = (*Backend)(nil)

func (b *Backend) taskQueue() string {
	if b.TaskQueue == "" {
		return DefaultTaskQueue
	}
	return b.TaskQueue
}

func (b *Backend) log() hclog.Logger {
	if b.Logger == nil {
		return hclog.NewNullLogger()
	}
	return b.Logger
}

// Owner is "temporal:" and the namespace.
func (b *Backend) Owner() string {
	ns := b.Namespace
	if ns == "" {
		ns = DefaultNamespace
	}
	return "temporal:" + ns
}

// Run starts the launch as workflow id (or finds the one with that id)
// and follows it to its report.
func (b *Backend) Run(ctx context.Context, id string, l serve.Launch, onEvent func(engine.Event)) (*engine.Report, error) {
	in, err := NewRunInput(l.Playbook, l.Inputs, l.Event)
	if err != nil {
		return nil, err
	}
	in.DryRun = l.DryRun
	// A delivery serve accepted is started even when serve is stopping:
	// the start is not cut off half way, so it either happened or failed.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), startTimeout)
	defer cancel()
	run, err := Start(sctx, b.Client, b.taskQueue(), id, in)
	if err != nil {
		return nil, err
	}
	if b.CancelOnStop {
		return Wait(ctx, b.Client, run, onEvent)
	}
	return Follow(ctx, b.Client, run, onEvent)
}

// Follow follows workflow id, started earlier, to its report.
func (b *Backend) Follow(ctx context.Context, id string, onEvent func(engine.Event)) (*engine.Report, error) {
	return Follow(ctx, b.Client, b.Client.GetWorkflow(ctx, id, ""), onEvent)
}

// Fired lists the workflows the schedule started lately (Temporal keeps
// its last 10), oldest first.
func (b *Backend) Fired(ctx context.Context, name string) ([]serve.Fired, error) {
	d, err := b.Client.ScheduleClient().GetHandle(ctx, SchedulePrefix+name).Describe(ctx)
	if err != nil {
		return nil, fmt.Errorf("schedule %s: %w", name, err)
	}
	var out []serve.Fired
	for _, a := range d.Info.RecentActions {
		if a.StartWorkflowResult == nil {
			continue
		}
		out = append(out, serve.Fired{ID: a.StartWorkflowResult.WorkflowID, At: a.ScheduleTime, Started: a.ActualTime})
	}
	return out, nil
}

// Schedules installs each schedule as a Temporal Schedule (updating the
// one an earlier serve installed), checks that Temporal's next fires are
// the schedule's, and deletes the schedules this task queue's serve
// installed that serve.yaml no longer lists.
func (b *Backend) Schedules(ctx context.Context, ss []*serve.Schedule) error {
	sc := b.Client.ScheduleClient()
	keep := map[string]bool{}
	for _, s := range ss {
		opts, err := b.ScheduleOptions(s)
		if err != nil {
			return err
		}
		keep[opts.ID] = true
		h, err := sc.Create(ctx, opts)
		if errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
			h = sc.GetHandle(ctx, opts.ID)
			err = h.Update(ctx, client.ScheduleUpdateOptions{DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
				if q := memoQueue(in.Description.Memo); q != b.taskQueue() {
					return nil, fmt.Errorf("%s was installed by the serve of task queue %q, not %q: rename the schedule, or remove it there", opts.ID, q, b.taskQueue())
				}
				sched := in.Description.Schedule // its state (paused, a note) is kept
				sched.Spec = &opts.Spec
				sched.Action = opts.Action
				sched.Policy = &client.SchedulePolicies{Overlap: opts.Overlap, CatchupWindow: opts.CatchupWindow}
				return &client.ScheduleUpdate{Schedule: &sched}, nil
			}})
		}
		if err != nil {
			return fmt.Errorf("schedule %s: %w", s.Name, err)
		}
		d, err := h.Describe(ctx)
		if err != nil {
			return fmt.Errorf("schedule %s: %w", s.Name, err)
		}
		if err := SameFires(s.Schedule, d.Info.NextActionTimes); err != nil {
			return fmt.Errorf("schedule %s: Temporal would not fire it as serve.yaml says: %w", s.Name, err)
		}
		b.log().Info("schedule installed", "schedule", s.Name, "id", opts.ID, "next", d.Info.NextActionTimes[0])
	}
	it, err := sc.List(ctx, client.ScheduleListOptions{})
	if err != nil {
		return fmt.Errorf("list schedules: %w", err)
	}
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return fmt.Errorf("list schedules: %w", err)
		}
		if !strings.HasPrefix(e.ID, SchedulePrefix) || keep[e.ID] {
			continue
		}
		if memoQueue(e.Memo) != b.taskQueue() {
			continue
		}
		if err := sc.GetHandle(ctx, e.ID).Delete(ctx); err != nil {
			return fmt.Errorf("delete schedule %s, which serve.yaml no longer lists: %w", e.ID, err)
		}
		b.log().Info("schedule deleted: serve.yaml no longer lists it", "id", e.ID)
	}
	return nil
}

// memoQueue is the task queue a schedule's memo names, "" for none.
func memoQueue(m *commonpb.Memo) string {
	var q string
	if p := m.GetFields()[memoTaskQueue]; p != nil {
		if DataConverter().FromPayload(p, &q) != nil {
			return ""
		}
	}
	return q
}

// ScheduleOptions maps a schedule of serve.yaml onto a Temporal Schedule:
//   - cron: its expressions ([schedule.Schedule.CronExpressions]) in its
//     time zone; every: an interval from the Unix epoch; jitter as is;
//   - overlap skip, queue and allow: Temporal's SKIP, BUFFER_ONE and
//     ALLOW_ALL;
//   - catch-up none: the smallest catch-up window Temporal takes (10s), so
//     a fire later than that is dropped; catch-up last: a window of the
//     schedule's smallest gap between fires, so only the latest missed
//     fire is taken.
func (b *Backend) ScheduleOptions(s *serve.Schedule) (client.ScheduleOptions, error) {
	in, err := NewRunInput(s.Playbook, s.Inputs, nil)
	if err != nil {
		return client.ScheduleOptions{}, fmt.Errorf("schedule %s: %w", s.Name, err)
	}
	spec := s.Schedule.Spec()
	o := client.ScheduleOptions{
		ID: SchedulePrefix + s.Name,
		Action: &client.ScheduleWorkflowAction{ID: "schedule-" + s.Name, Workflow: WorkflowName,
			Args: []any{in}, TaskQueue: b.taskQueue()},
		Spec:          client.ScheduleSpec{Jitter: spec.Jitter},
		CatchupWindow: MinCatchupWindow,
		Memo:          map[string]any{memoTaskQueue: b.taskQueue()},
	}
	if exprs := s.Schedule.CronExpressions(); exprs != nil {
		o.Spec.CronExpressions = exprs
		o.Spec.TimeZoneName = spec.Timezone
	} else {
		o.Spec.Intervals = []client.ScheduleIntervalSpec{{Every: spec.Every}}
	}
	switch spec.Overlap {
	case schedule.OverlapQueue:
		o.Overlap = enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE
	case schedule.OverlapAllow:
		o.Overlap = enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL
	default:
		o.Overlap = enumspb.SCHEDULE_OVERLAP_POLICY_SKIP
	}
	if spec.CatchUp == schedule.CatchUpLast {
		o.CatchupWindow = max(s.Schedule.MinGap(), MinCatchupWindow)
	}
	return o, nil
}

// SameFires checks that times, Temporal's next action times, are
// consecutive fires of s: each within the schedule's jitter after one of
// its fires, none skipped.
func SameFires(s *schedule.Schedule, times []time.Time) error {
	if len(times) == 0 {
		return errors.New("Temporal lists no next fire")
	}
	jitter := s.Spec().Jitter
	prev := times[0].Add(-jitter - time.Nanosecond)
	for _, t := range times {
		f := s.Next(prev)
		if t.Before(f) || t.After(f.Add(jitter)) {
			return fmt.Errorf("Temporal's next fires are %s; serve.yaml's fire at %s", fmtTimes(times), f.Format(time.RFC3339))
		}
		prev = f
	}
	return nil
}

func fmtTimes(ts []time.Time) string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.UTC().Format(time.RFC3339)
	}
	return strings.Join(out, ", ")
}
