package intake

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine/jsonpath"
	"github.com/playbook-sh/playbook/engine/store"
)

// maxPages bounds the pages one fetch reads from an offset-paged command.
const maxPages = 10_000

// DefaultLookback is the window of a source's first fetch, when it has no
// high-water mark yet.
const DefaultLookback = 24 * time.Hour

// Source is one intake source, resolved: its command, inputs, connection
// and mapping.
type Source struct {
	Name    string
	Command actions.Command
	// With are the command's inputs as serve.yaml gives them; the window
	// and paging inputs are set by each fetch.
	With       map[string]any
	Connection *actions.Connection
	// Tolerance widens each window back from the high-water mark, for
	// events the vendor makes visible late.
	Tolerance time.Duration
	// Lookback is the first window; 0 means DefaultLookback.
	Lookback time.Duration
	Mapping  *Mapping
	// Trigger is true when new events go to a trigger (stored "pending"),
	// false when they are only stored ("none").
	Trigger bool
	Logger  hclog.Logger
}

// Store is what a fetch needs of the state store.
type Store interface {
	Mark(ctx context.Context, source string) (time.Time, bool, error)
	AddEvents(ctx context.Context, source string, evs []store.Event, mark time.Time) ([]store.Event, error)
}

// Result is what one fetch did.
type Result struct {
	Start, End time.Time // the window asked for
	Calls      int       // command runs (pages)
	Fetched    int       // events mapped
	New        []store.Event
	Skipped    []Skipped
}

// FetchError is a fetch whose command failed: nothing was stored and the
// high-water mark did not move.
type FetchError struct {
	Source  string
	Failure *actions.Error
}

func (e *FetchError) Error() string {
	if e.Failure == nil {
		return "intake " + e.Source + ": the fetch failed"
	}
	return fmt.Sprintf("intake %s: %s (%d) %s", e.Source, e.Failure.FailureIndicator, e.Failure.StatusCode, e.Failure.Message)
}

// Fetch runs one fetch cycle at now: it asks for the window from the
// high-water mark minus the tolerance to now, maps every page's events,
// and stores the ones not seen before together with the new mark (now),
// in one transaction. A failure anywhere stores nothing and keeps the
// mark, so the next cycle asks again from the same point: a crash or
// restart neither loses nor duplicates an event.
func Fetch(ctx context.Context, src *Source, st Store, now time.Time) (*Result, error) {
	log := src.Logger
	if log == nil {
		log = hclog.NewNullLogger()
	}
	spec := src.Command.Spec()
	ik := spec.Intake
	if ik == nil {
		return nil, fmt.Errorf("intake %s: %s is not a fetch command", src.Name, spec.Name)
	}
	now = now.UTC()
	mark, ok, err := st.Mark(ctx, src.Name)
	if err != nil {
		return nil, fmt.Errorf("intake %s: read the high-water mark: %w", src.Name, err)
	}
	res := &Result{End: now}
	if ok {
		res.Start = mark.Add(-src.Tolerance)
	} else {
		lb := src.Lookback
		if lb <= 0 {
			lb = DefaultLookback
		}
		res.Start = now.Add(-lb)
	}
	if res.Start.After(now) {
		res.Start = now
	}
	var items *jsonpath.Path
	if ik.PageItems != "" {
		if items, err = jsonpath.Compile(ik.PageItems); err != nil {
			return nil, fmt.Errorf("intake %s: %s's page items path: %w", src.Name, spec.Name, err)
		}
	}
	var events []Event
	for page := 0; ; page++ {
		with := make(map[string]any, len(src.With)+4)
		for k, v := range src.With {
			with[k] = v
		}
		with[ik.Start] = res.Start.Format(time.RFC3339Nano)
		with[ik.End] = now.Format(time.RFC3339Nano)
		if items != nil {
			with[ik.Offset] = int64(page) * ik.PageSize
			with[ik.Limit] = ik.PageSize
		}
		in, err := spec.CoerceInputs(with)
		if err != nil {
			return nil, fmt.Errorf("intake %s: %w", src.Name, err)
		}
		res.Calls++
		env := src.Command.Run(ctx, actions.Request{Task: "intake:" + src.Name, Inputs: in,
			Connection: src.Connection, Logger: log.With("intake", src.Name, "command", spec.Name)})
		if env.ReturnData == actions.Failed || env.ReturnData == actions.PartiallySuccessful {
			return nil, &FetchError{Source: src.Name, Failure: env.Error}
		}
		evs, skipped := src.Mapping.Apply(env.RawData)
		for _, s := range skipped {
			s.Index += len(events)
			res.Skipped = append(res.Skipped, s)
			log.Warn("event skipped", "intake", src.Name, "index", s.Index, "reason", s.Reason)
		}
		events = append(events, evs...)
		if items == nil {
			break
		}
		n := len(items.Query(env.RawData))
		if l, ok := items.Get(env.RawData).([]any); ok && items.Singular() {
			n = len(l)
		}
		if int64(n) < ik.PageSize {
			break
		}
		if page+1 >= maxPages {
			return nil, fmt.Errorf("intake %s: more than %d pages in one window", src.Name, maxPages)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	res.Fetched = len(events)
	state := "none"
	if src.Trigger {
		state = "pending"
	}
	rows := make([]store.Event, 0, len(events))
	for _, ev := range events {
		row, err := storeEvent(src.Name, ev, now, state)
		if err != nil {
			return nil, fmt.Errorf("intake %s: event %s: %w", src.Name, ev.UniqueKey, err)
		}
		rows = append(rows, row)
	}
	if res.New, err = st.AddEvents(ctx, src.Name, rows, now); err != nil {
		return nil, fmt.Errorf("intake %s: store events: %w", src.Name, err)
	}
	log.Info("fetched", "intake", src.Name, "start", res.Start, "end", res.End,
		"calls", res.Calls, "events", res.Fetched, "new", len(res.New))
	return res, nil
}

func storeEvent(source string, ev Event, fetched time.Time, state string) (store.Event, error) {
	fields, err := ev.FieldsJSON()
	if err != nil {
		return store.Event{}, err
	}
	raw, err := json.Marshal(ev.Raw)
	if err != nil {
		return store.Event{}, err
	}
	return store.Event{Source: source, Key: ev.Key, UniqueKey: ev.UniqueKey, Fields: fields, Raw: raw,
		FetchedAt: fetched, State: state}, nil
}

// FieldsJSON writes the fields as a JSON object in mapping order, with
// <, > and & as they are.
func (e Event) FieldsJSON() (json.RawMessage, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	put := func(v any) error {
		if err := enc.Encode(v); err != nil {
			return err
		}
		b.Truncate(b.Len() - 1) // Encode's newline
		return nil
	}
	b.WriteByte('{')
	for i, n := range e.Names {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := put(n); err != nil {
			return nil, err
		}
		b.WriteByte(':')
		if err := put(e.Fields[n]); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// StoredEvent reads a stored event back as a mapped [Event], for a
// trigger or a listing.
func StoredEvent(e store.Event) (Event, error) {
	ev := Event{Key: e.Key, UniqueKey: e.UniqueKey, Fields: map[string]any{}}
	if len(e.Fields) > 0 {
		v, err := actions.DecodeJSON(e.Fields)
		if err != nil {
			return Event{}, err
		}
		m, ok := v.(map[string]any)
		if !ok {
			return Event{}, errors.New("stored fields are not a JSON object")
		}
		ev.Fields = m
		if ev.Names, err = objectKeys(e.Fields); err != nil {
			return Event{}, err
		}
	}
	if len(e.Raw) > 0 {
		raw, err := actions.DecodeJSON(e.Raw)
		if err != nil {
			return Event{}, err
		}
		ev.Raw = raw
	}
	return ev, nil
}

// objectKeys returns a JSON object's keys in document order.
func objectKeys(data []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		keys = append(keys, t.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}
