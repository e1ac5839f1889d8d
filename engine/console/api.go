package console

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/playbook-sh/playbook/engine/store"
)

// Page sizes of the list endpoints.
const (
	defaultLimit = 50
	maxLimit     = 500
)

var runStatuses = []string{store.StatusRunning, "Successful", "Failed", "Partially Successful", "Cancelled", "Interrupted"}

// RunRow is a run as the run lists show it (no report).
func RunRow(r store.Run) map[string]any {
	m := map[string]any{"run_id": r.ID, "playbook": r.Playbook, "file": r.File, "status": r.Status,
		"trigger": r.Trigger, "started_at": r.StartedAt}
	if r.TriggerRef != "" {
		m["trigger_ref"] = r.TriggerRef
	}
	if !r.FinishedAt.IsZero() {
		m["finished_at"] = r.FinishedAt
		m["duration_ms"] = r.FinishedAt.Sub(r.StartedAt).Milliseconds()
	}
	if r.Error != "" {
		m["error"] = r.Error
	}
	return m
}

// ParseSince reads a since filter: RFC 3339, or a duration back from now.
func ParseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("since must be RFC 3339 (2025-06-01T00:00:00Z) or a duration (24h), got %q", s)
}

func limitOf(q string) (int, error) {
	if q == "" {
		return defaultLimit, nil
	}
	n, err := strconv.Atoi(q)
	if err != nil || n < 1 || n > maxLimit {
		return 0, fmt.Errorf("limit must be a whole number from 1 to %d, got %q", maxLimit, q)
	}
	return n, nil
}

// Run cursors are opaque to clients: the last run's start and id.
func encodeCursor(r store.Run) string {
	return base64.RawURLEncoding.EncodeToString([]byte(r.StartedAt.UTC().Format(time.RFC3339Nano) + "|" + r.ID))
}

func decodeCursor(s string) (*store.Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		at, id, ok := strings.Cut(string(b), "|")
		if t, perr := time.Parse(time.RFC3339Nano, at); ok && perr == nil && id != "" {
			return &store.Cursor{StartedAt: t, ID: id}, nil
		}
	}
	return nil, errors.New("cursor is not one this API gave")
}

func (s *Server) listRuns(w http.ResponseWriter, r *http.Request, _ *principal) {
	q := r.URL.Query()
	f := store.RunFilter{Playbook: q.Get("playbook"), Trigger: q.Get("trigger")}
	if st := q.Get("status"); st != "" {
		for _, known := range runStatuses {
			if strings.EqualFold(st, known) {
				f.Status = known
			}
		}
		if f.Status == "" {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("status must be one of %s, got %q", strings.Join(runStatuses, ", "), st))
			return
		}
	}
	var err error
	if f.Since, err = ParseSince(q.Get("since"), s.o.Now()); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	for _, k := range q["key"] {
		v, err := store.ParseValue(k)
		if err != nil {
			writeError(w, http.StatusBadRequest, "key: "+err.Error())
			return
		}
		f.Values = append(f.Values, v)
	}
	if f.Limit, err = limitOf(q.Get("limit")); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if c := q.Get("cursor"); c != "" {
		if f.Before, err = decodeCursor(c); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	runs, err := s.o.Store.ListRuns(r.Context(), f)
	if err != nil {
		s.serverError(w, "list runs", err)
		return
	}
	rows := make([]map[string]any, len(runs))
	for i, run := range runs {
		rows[i] = RunRow(run)
	}
	var next any
	if len(runs) == f.Limit {
		next = encodeCursor(runs[len(runs)-1])
	}
	writeJSON(w, http.StatusOK, map[string]any{"runs": rows, "next_cursor": next})
}

func (s *Server) serverError(w http.ResponseWriter, what string, err error) {
	s.log.Error("console: "+what, "error", err)
	writeError(w, http.StatusInternalServerError, what+" failed; the server log says why")
}

// lookupRun answers 404 for an unknown run and 400 for an ambiguous
// prefix.
func (s *Server) lookupRun(w http.ResponseWriter, r *http.Request) (store.Run, bool) {
	run, err := s.o.Store.GetRun(r.Context(), r.PathValue("id"))
	var amb *store.AmbiguousError
	switch {
	case err == nil:
		return run, true
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "no run "+r.PathValue("id"))
	case errors.As(err, &amb):
		writeError(w, http.StatusBadRequest, err.Error())
	default:
		s.serverError(w, "read the run", err)
	}
	return store.Run{}, false
}

func (s *Server) getRun(w http.ResponseWriter, r *http.Request, p *principal) {
	run, ok := s.lookupRun(w, r)
	if !ok {
		return
	}
	report := json.RawMessage(run.Report)
	if len(report) == 0 {
		b, err := s.partialReport(r, run)
		if err != nil {
			s.serverError(w, "read the run's tasks", err)
			return
		}
		report = b
	}
	out := map[string]any{
		"run":       RunRow(run),
		"report":    report,
		"graph":     s.runGraph(r, run),
		"can_rerun": p.user.Role == Runner && s.o.Rerun != nil && run.Status != store.StatusRunning,
	}
	writeJSON(w, http.StatusOK, out)
}

// partialReport is the report of a run without one (running, or
// interrupted): its checkpointed tasks, and the tasks running now.
func (s *Server) partialReport(r *http.Request, run store.Run) ([]byte, error) {
	saved, err := s.o.Store.Tasks(r.Context(), run.ID)
	if err != nil {
		return nil, err
	}
	return PartialReport(run, saved, s.hub.runningTasks(run.ID))
}

// PartialReport is a run report for a run that has none yet (running, or
// interrupted): the tasks it has checkpointed, and the running tasks
// (by their start) as "running", with its inputs and event.
func PartialReport(run store.Run, saved map[string]json.RawMessage, running map[string]time.Time) ([]byte, error) {
	tasks := make(map[string]any, len(saved)+len(running))
	for id, b := range saved {
		tasks[id] = json.RawMessage(b)
	}
	for id, at := range running {
		if _, done := tasks[id]; !done {
			tasks[id] = map[string]any{"status": "running", "started_at": at}
		}
	}
	rep := map[string]any{"playbook": run.Playbook, "run_id": run.ID, "status": run.Status,
		"started_at": run.StartedAt, "tasks": tasks, "outputs": map[string]any{}}
	if run.Error != "" {
		rep["error"] = run.Error
	}
	if len(run.Inputs) > 0 {
		rep["inputs"] = json.RawMessage(run.Inputs)
	}
	if len(run.Event) > 0 {
		rep["event"] = json.RawMessage(run.Event)
	}
	return json.Marshal(rep)
}

// runGraph is the graph of a run's playbook: one serve knows by its
// file, else the file loaded now.
func (s *Server) runGraph(r *http.Request, run store.Run) *Graph {
	for _, pb := range s.o.Playbooks(r.Context()) {
		if samePath(pb.File, run.File) && pb.Compiled != nil {
			return GraphOf(pb.Compiled)
		}
	}
	if s.o.Load == nil || run.File == "" {
		return &Graph{Error: "the playbook's file is not one serve knows"}
	}
	c, err := s.o.Load(run.File)
	if err != nil {
		return &Graph{Error: "the playbook does not load now: " + err.Error()}
	}
	return GraphOf(c)
}

func samePath(a, b string) bool {
	if a == b {
		return true
	}
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}

func (s *Server) rerun(w http.ResponseWriter, r *http.Request, p *principal) {
	if s.o.Rerun == nil {
		writeError(w, http.StatusNotImplemented, "this server cannot start runs")
		return
	}
	run, ok := s.lookupRun(w, r)
	if !ok {
		return
	}
	if run.Status == store.StatusRunning {
		writeError(w, http.StatusConflict, "run "+run.ID+" is still running")
		return
	}
	id, err := s.o.Rerun(r.Context(), run, p.user.Name)
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	s.log.Info("console: run again", "user", p.user.Name, "run_id", run.ID, "new_run_id", id)
	writeJSON(w, http.StatusAccepted, map[string]string{"run_id": id})
}

func (s *Server) listPlaybooks(w http.ResponseWriter, r *http.Request, _ *principal) {
	pbs := s.o.Playbooks(r.Context())
	out := make([]map[string]any, 0, len(pbs))
	for _, pb := range pbs {
		var errs []string
		if s.o.Check != nil {
			errs = s.o.Check(pb.File)
		}
		m := map[string]any{"name": pb.Name, "file": pb.File, "valid": pb.Compiled != nil && len(errs) == 0,
			"errors": nonNil(errs), "triggers": nonNil(pb.Triggers)}
		if pb.Compiled != nil {
			m["graph"] = GraphOf(pb.Compiled)
		}
		scheds := make([]map[string]any, 0, len(pb.Schedules))
		for _, sc := range pb.Schedules {
			e := map[string]any{"name": sc.Name, "spec": sc.Spec}
			if !sc.Next.IsZero() {
				e["next"] = sc.Next
			}
			scheds = append(scheds, e)
		}
		m["schedules"] = scheds
		runs, err := s.o.Store.ListRuns(r.Context(), store.RunFilter{Playbook: pb.Name, Limit: 5})
		if err != nil {
			s.serverError(w, "list runs", err)
			return
		}
		last := make([]map[string]any, len(runs))
		for i, run := range runs {
			last[i] = RunRow(run)
		}
		m["last_runs"] = last
		out = append(out, m)
	}
	writeJSON(w, http.StatusOK, map[string]any{"playbooks": out})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (s *Server) listEvents(w http.ResponseWriter, r *http.Request, _ *principal) {
	q := r.URL.Query()
	f := store.EventFilter{Source: q.Get("source")}
	var err error
	if f.Since, err = ParseSince(q.Get("since"), s.o.Now()); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if f.Limit, err = limitOf(q.Get("limit")); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if c := q.Get("cursor"); c != "" {
		if f.BeforeSeq, err = strconv.ParseInt(c, 10, 64); err != nil || f.BeforeSeq < 1 {
			writeError(w, http.StatusBadRequest, "cursor is not one this API gave")
			return
		}
	}
	evs, err := s.o.Store.ListEvents(r.Context(), f)
	if err != nil {
		s.serverError(w, "list events", err)
		return
	}
	rows := make([]map[string]any, len(evs))
	for i, e := range evs {
		fields := json.RawMessage(e.Fields)
		if len(fields) == 0 {
			fields = json.RawMessage(`{}`)
		}
		row := map[string]any{"source": e.Source, "key": e.Key, "unique_key": e.UniqueKey, "fields": fields,
			"fetched_at": e.FetchedAt, "state": e.State, "seq": e.Seq}
		if e.RunID != "" {
			row["run_id"] = e.RunID
		}
		rows[i] = row
	}
	var next any
	if len(evs) == f.Limit {
		next = strconv.FormatInt(evs[len(evs)-1].Seq, 10)
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": rows, "next_cursor": next})
}

// historyLength is how many health checks a connection's history shows.
const historyLength = 50

func (s *Server) listConnections(w http.ResponseWriter, r *http.Request, _ *principal) {
	states, err := s.o.Store.Health(r.Context())
	if err != nil {
		s.serverError(w, "read connection health", err)
		return
	}
	byName := map[string]store.Health{}
	for _, h := range states {
		byName[h.Connection] = h
	}
	conns := append([]Connection{}, s.o.Connections...)
	for _, h := range states {
		known := false
		for _, c := range conns {
			known = known || c.Name == h.Connection
		}
		if !known {
			conns = append(conns, Connection{Name: h.Connection})
		}
	}
	out := make([]map[string]any, 0, len(conns))
	for _, c := range conns {
		m := map[string]any{"name": c.Name, "integration": c.Integration}
		if h, ok := byName[c.Name]; ok {
			m["ok"], m["failures"], m["last_error"], m["notified"] = h.OK, h.Failures, h.LastError, h.Notified
			if !h.LastCheck.IsZero() {
				m["last_check"] = h.LastCheck
			}
			if !h.LastOK.IsZero() {
				m["last_ok"] = h.LastOK
			}
		}
		hist, err := s.o.Store.HealthHistory(r.Context(), c.Name, historyLength)
		if err != nil {
			s.serverError(w, "read connection health", err)
			return
		}
		checks := make([]map[string]any, len(hist))
		for i, hc := range hist {
			checks[i] = map[string]any{"checked_at": hc.CheckedAt, "ok": hc.OK, "error": hc.Error}
		}
		m["history"] = checks
		out = append(out, m)
	}
	writeJSON(w, http.StatusOK, map[string]any{"connections": out})
}

// streamHeartbeat keeps idle event streams open through proxies.
const streamHeartbeat = 15 * time.Second

func (s *Server) stream(w http.ResponseWriter, r *http.Request, _ *principal) {
	rc := http.NewResponseController(w)
	// The server's write timeout would end a long-lived stream.
	_ = rc.SetWriteDeadline(time.Time{})
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	sub, cancel := s.hub.subscribe()
	defer cancel()
	if _, err := fmt.Fprint(w, ": connected\n\n"); err != nil || rc.Flush() != nil {
		return
	}
	tick := time.NewTicker(streamHeartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case m, ok := <-sub.ch:
			if !ok {
				return // fell behind: the page reconnects and reloads
			}
			if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", m.event, m.data); err != nil {
				return
			}
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil {
				return
			}
		}
		if rc.Flush() != nil {
			return
		}
	}
}
