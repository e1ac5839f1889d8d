package console

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/playbook-sh/playbook/engine"
)

// subscriberBuffer is how many messages a slow page may fall behind
// before its stream is closed (its EventSource reconnects and reloads).
const subscriberBuffer = 256

type message struct {
	event string
	data  []byte
}

type subscriber struct {
	ch chan message
}

// hub fans run and task changes out to the pages' event streams, and
// remembers which tasks of running runs are running now (checkpoints
// hold only finished ones).
type hub struct {
	mu      sync.Mutex
	subs    map[*subscriber]struct{}
	running map[string]map[string]time.Time // run id → task → started
}

func newHub() *hub {
	return &hub{subs: map[*subscriber]struct{}{}, running: map[string]map[string]time.Time{}}
}

func (h *hub) subscribe() (*subscriber, func()) {
	s := &subscriber{ch: make(chan message, subscriberBuffer)}
	h.mu.Lock()
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	return s, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.drop(s)
	}
}

// drop ends a subscriber's stream, once; h.mu is held.
func (h *hub) drop(s *subscriber) {
	if _, ok := h.subs[s]; ok {
		delete(h.subs, s)
		close(s.ch)
	}
}

func (h *hub) publish(event string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	m := message{event: event, data: b}
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		select {
		case s.ch <- m:
		default: // too slow: close its stream; the page reconnects and reloads
			h.drop(s)
		}
	}
}

// closeAll ends every stream; pages reconnect.
func (h *hub) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		h.drop(s)
	}
}

// CloseStreams ends the event streams open now, so a server shutting
// down need not wait for browsers to leave.
func (s *Server) CloseStreams() { s.hub.closeAll() }

// runningTasks is a copy of the running tasks of a run.
func (h *hub) runningTasks(runID string) map[string]time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string]time.Time, len(h.running[runID]))
	for k, v := range h.running[runID] {
		out[k] = v
	}
	return out
}

// TaskEvent tells the console of a task's progress in a run serve is
// running.
func (s *Server) TaskEvent(runID string, e engine.Event) {
	h := s.hub
	var status string
	h.mu.Lock()
	switch e.Kind {
	case engine.TaskStarted:
		if h.running[runID] == nil {
			h.running[runID] = map[string]time.Time{}
		}
		h.running[runID][e.Task] = s.o.Now().UTC()
		status = "running"
	case engine.TaskFinished:
		delete(h.running[runID], e.Task)
		status = string(e.Status)
	default:
		h.mu.Unlock()
		return
	}
	h.mu.Unlock()
	h.publish("task", map[string]string{"run_id": runID, "task": e.Task, "status": status})
}

// RunStarted tells the console a run has started (its row is stored).
func (s *Server) RunStarted(runID string) { s.publishRun(runID) }

// RunFinished tells the console a run has ended (its report is stored).
func (s *Server) RunFinished(runID string) {
	s.hub.mu.Lock()
	delete(s.hub.running, runID)
	s.hub.mu.Unlock()
	s.publishRun(runID)
}

func (s *Server) publishRun(runID string) {
	r, err := s.o.Store.GetRun(context.Background(), runID)
	if err != nil {
		s.log.Debug("console: read a run to announce it", "run_id", runID, "error", err)
		return
	}
	s.hub.publish("run", RunRow(r))
}
