package temporal

import (
	"io"
	"time"

	"github.com/hashicorp/go-hclog"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/workflow"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine/temporal/blob"
)

// Defaults of a [Worker].
const (
	DefaultCallTimeout      = 10 * time.Minute
	DefaultHeartbeatTimeout = 30 * time.Second
	DefaultLostWorkerTries  = 5
	// DefaultPayloadLimit is Temporal's default blob size limit (2 MB): a
	// reply larger than this cannot be recorded in history.
	DefaultPayloadLimit = 2 * 1024 * 1024
)

// Worker holds what a worker's workflow and activity need: the commands,
// and the connections with their credentials, which only the activity
// reads.
type Worker struct {
	Registry *actions.Registry
	// Connections resolves a connection for a call of run runID; the
	// playbook declares it as name, for integration. (nil, nil) means it
	// is not configured.
	Connections func(runID, name, integration string) (*actions.Connection, error)
	// Logger is the activities' logger and names the workflow's; nil
	// discards. The workflow writes to LogOutput (stderr by default), as
	// JSON when LogJSON, and not again on replay.
	Logger    hclog.Logger
	LogOutput io.Writer
	LogJSON   bool
	// CallTimeout bounds one call (an activity attempt), under any task
	// timeout; HeartbeatTimeout is how soon a lost worker is noticed.
	CallTimeout      time.Duration
	HeartbeatTimeout time.Duration
	// LostWorkerTries is how many times a call is tried when its worker
	// is lost (the call may then run twice).
	LostWorkerTries int
	// PayloadLimit bounds a call's reply in bytes, compressed, when there
	// is no result store.
	PayloadLimit int
	// Results, when set, is the result store the worker's client encodes
	// with ([NewDataConverter]): replies over the payload limit are kept
	// there instead of failing.
	Results blob.Store
}

// Registry is where a worker registers: worker.Worker, or a test
// environment.
type Registry interface {
	RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions)
	RegisterActivityWithOptions(a any, options activity.RegisterOptions)
}

// WorkflowRegistry is where the workflow alone registers: a replayer.
type WorkflowRegistry interface {
	RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions)
}

// Register registers the playbook workflow and the call activity.
func (w *Worker) Register(r Registry) {
	w.RegisterWorkflow(r)
	r.RegisterActivityWithOptions(w.Call, activity.RegisterOptions{Name: ActivityName})
	r.RegisterActivityWithOptions(w.Preview, activity.RegisterOptions{Name: PreviewActivityName})
}

// RegisterWorkflow registers the playbook workflow only, for replaying
// recorded histories.
func (w *Worker) RegisterWorkflow(r WorkflowRegistry) {
	r.RegisterWorkflowWithOptions(w.Run, workflow.RegisterOptions{Name: WorkflowName})
}

func (w *Worker) logger() hclog.Logger {
	if w.Logger == nil {
		return hclog.NewNullLogger()
	}
	return w.Logger
}

func (w *Worker) callTimeout() time.Duration {
	if w.CallTimeout > 0 {
		return w.CallTimeout
	}
	return DefaultCallTimeout
}

func (w *Worker) heartbeatTimeout() time.Duration {
	if w.HeartbeatTimeout > 0 {
		return w.HeartbeatTimeout
	}
	return DefaultHeartbeatTimeout
}

func (w *Worker) lostWorkerAttempts() int {
	if w.LostWorkerTries > 0 {
		return w.LostWorkerTries
	}
	return DefaultLostWorkerTries
}

// payloadLimit is the bound on a reply; 0 (none) with a result store.
func (w *Worker) payloadLimit() int {
	if w.Results != nil {
		return 0
	}
	if w.PayloadLimit > 0 {
		return w.PayloadLimit
	}
	return DefaultPayloadLimit
}
