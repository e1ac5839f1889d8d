package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine/plan"
)

// Run statuses beyond the three Return Data outcomes.
const (
	RunSuccessful          = "Successful"
	RunFailed              = "Failed"
	RunPartiallySuccessful = "Partially Successful"
	RunCancelled           = "Cancelled"
)

// Report is the run report of DESIGN.md §4.
type Report struct {
	Playbook   string                 `json:"playbook"`
	File       string                 `json:"file,omitempty"`
	RunID      string                 `json:"run_id"`
	Status     string                 `json:"status"`
	Error      string                 `json:"error,omitempty"`
	StartedAt  time.Time              `json:"started_at"`
	FinishedAt time.Time              `json:"finished_at"`
	Inputs     map[string]any         `json:"inputs"`
	Outputs    map[string]any         `json:"outputs"`
	Tasks      map[string]*TaskReport `json:"tasks"`
	// Order lists the task ids in file order (tasks, then finally), for
	// views; JSON objects do not keep order.
	Order []string `json:"order"`
	// DryRun is true for a run made with --dry-run.
	DryRun bool `json:"dry_run,omitempty"`
	// SideEffects lists, in task order, every mutating call a dry run
	// did not make.
	SideEffects []SideEffect `json:"side_effects,omitempty"`
}

// SideEffect is one mutating call a dry run did not make.
type SideEffect struct {
	Task    string `json:"task"` // "parent/child" inside a sub-playbook
	Item    *int   `json:"item,omitempty"`
	Command string `json:"command"`
	// Request is the [actions.Preview] of the call, or the command's
	// inputs when it cannot describe its request.
	Request any `json:"request"`
}

// TaskReport is one task's entry in the report.
type TaskReport struct {
	Status     plan.Status        `json:"status"`
	Reason     string             `json:"reason,omitempty"`
	ReturnData actions.ReturnData `json:"return_data"`
	KeyFields  map[string][]any   `json:"key_fields"`
	RawData    any                `json:"raw_data"`
	Result     string             `json:"result"`
	Error      *actions.Error     `json:"error"`
	Attempts   int                `json:"attempts"`
	StartedAt  *time.Time         `json:"started_at,omitempty"`
	FinishedAt *time.Time         `json:"finished_at,omitempty"`
	// With is the command's inputs after templating (a list per item under
	// for_each).
	With any `json:"with,omitempty"`
	// AttemptLog has one entry per call, in item then attempt order, at
	// most MaxAttemptLog; AttemptLogOmitted counts the calls left out.
	AttemptLog        []Attempt `json:"attempt_log,omitempty"`
	AttemptLogOmitted int       `json:"attempt_log_omitted,omitempty"`
}

// MaxAttemptLog bounds a task's attempt log: a for_each over 50,000 items
// keeps its first calls' times, not a report the size of the vendor's data.
const MaxAttemptLog = 1000

// Attempt is one call of a task's command: a retry and an until poll are
// each an attempt.
type Attempt struct {
	Item       *int               `json:"item,omitempty"` // the for_each index
	Attempt    int                `json:"attempt"`        // 1-based, per item
	StartedAt  time.Time          `json:"started_at"`
	FinishedAt time.Time          `json:"finished_at"`
	ReturnData actions.ReturnData `json:"return_data"`
	StatusCode int                `json:"status_code,omitempty"`
	Error      string             `json:"error,omitempty"`
}

// MarshalJSON writes a task that never ran as its status, reason and
// (empty) Key Fields only.
func (t *TaskReport) MarshalJSON() ([]byte, error) {
	type full TaskReport
	var v any = (*full)(t)
	if t.Attempts == 0 && t.StartedAt == nil {
		// Key Fields stay: conditions over a task that did not run see
		// every declared Key Field as [].
		v = struct {
			Status    plan.Status      `json:"status"`
			Reason    string           `json:"reason,omitempty"`
			KeyFields map[string][]any `json:"key_fields,omitempty"`
		}{t.Status, t.Reason, t.KeyFields}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // Result is an HTML table
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// view is the task's envelope as expressions see it: tasks.<id>.
func (t *TaskReport) view() map[string]any {
	kf := make(map[string]any, len(t.KeyFields))
	for k, v := range t.KeyFields {
		kf[k] = v
	}
	var errv any
	if t.Error != nil {
		errv = map[string]any{
			"failure_indicator": t.Error.FailureIndicator,
			"status_code":       int64(t.Error.StatusCode),
			"message":           t.Error.Message,
		}
	}
	return map[string]any{
		"status":      string(t.Status),
		"return_data": string(t.ReturnData),
		"raw_data":    t.RawData,
		"key_fields":  kf,
		"result":      t.Result,
		"error":       errv,
		"reason":      t.Reason,
		"attempts":    int64(t.Attempts),
	}
}

// JSON encodes the report as indented JSON, leaving HTML in Result
// tables unescaped, with a final newline.
func (r *Report) JSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// DecodeTaskReport reads a task report written by [TaskReport.MarshalJSON]
// (a checkpoint), keeping integers integers in its data, as the run that
// wrote it saw them.
func DecodeTaskReport(data []byte) (*TaskReport, error) {
	var t struct {
		TaskReport
		KeyFields json.RawMessage `json:"key_fields"`
		RawData   json.RawMessage `json:"raw_data"`
		With      json.RawMessage `json:"with"`
	}
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, err
	}
	out := t.TaskReport
	out.KeyFields = map[string][]any{}
	for _, f := range []struct {
		raw json.RawMessage
		set func(any)
	}{
		{t.RawData, func(v any) { out.RawData = v }},
		{t.With, func(v any) { out.With = v }},
		{t.KeyFields, func(v any) { out.KeyFields = KeyFieldsOf(v) }},
	} {
		if len(f.raw) == 0 {
			continue
		}
		v, err := actions.DecodeJSON(f.raw)
		if err != nil {
			return nil, err
		}
		f.set(v)
	}
	return &out, nil
}

// KeyFieldsOf reads Key Fields from their decoded JSON: an object of
// lists, where anything that is not a list reads as [].
func KeyFieldsOf(v any) map[string][]any {
	m, _ := v.(map[string]any)
	out := make(map[string][]any, len(m))
	for k, x := range m {
		l, _ := x.([]any)
		if l == nil {
			l = []any{}
		}
		out[k] = l
	}
	return out
}

// DecodeReport reads a run report written by [Report.JSON], keeping
// integers integers in its data: the report a durable run returns reads
// back as the in-process run's would.
func DecodeReport(data []byte) (*Report, error) {
	var r struct {
		Report
		Inputs      json.RawMessage            `json:"inputs"`
		Outputs     json.RawMessage            `json:"outputs"`
		Tasks       map[string]json.RawMessage `json:"tasks"`
		SideEffects []struct {
			SideEffect
			Request json.RawMessage `json:"request"`
		} `json:"side_effects"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("decode report: %w", err)
	}
	out := r.Report
	for _, f := range []struct {
		raw json.RawMessage
		dst *map[string]any
	}{{r.Inputs, &out.Inputs}, {r.Outputs, &out.Outputs}} {
		if len(f.raw) == 0 {
			continue
		}
		v, err := actions.DecodeJSON(f.raw)
		if err != nil {
			return nil, fmt.Errorf("decode report: %w", err)
		}
		*f.dst, _ = v.(map[string]any)
	}
	out.Tasks = make(map[string]*TaskReport, len(r.Tasks))
	for id, raw := range r.Tasks {
		tr, err := DecodeTaskReport(raw)
		if err != nil {
			return nil, fmt.Errorf("decode report: task %s: %w", id, err)
		}
		out.Tasks[id] = tr
	}
	for _, se := range r.SideEffects {
		e := se.SideEffect
		if len(se.Request) > 0 {
			v, err := actions.DecodeJSON(se.Request)
			if err != nil {
				return nil, fmt.Errorf("decode report: %w", err)
			}
			e.Request = v
		}
		out.SideEffects = append(out.SideEffects, e)
	}
	return &out, nil
}
