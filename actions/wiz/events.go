package wiz

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/playbook-sh/playbook/actions"
)

// pageSize is the most nodes one page asks for: Wiz's maximum for
// issues, configuration findings and projects [V: XSOAR-Wiz
// WIZ_API_LIMIT, Sentinel-CCF].
const pageSize = 500

// maxPages bounds one fetch, against a server whose cursor never ends.
const maxPages = 10000

// wireTime is how Wiz filters take times: ISO 8601 in UTC with
// milliseconds [V: Wiz-docs].
const wireTime = "2006-01-02T15:04:05.000Z"

func (w *Wiz) fetchEvent() *command {
	spec := actions.Spec{
		Name: FetchEventName, Title: "Fetch Event",
		Description: "Ingests Wiz issues, cloud configuration findings or vulnerability findings as events, " +
			"sorted descending by the event type's time field (POST /graphql, one request per page of 500). " +
			"Schedule it at most every 12 hours; Wiz recommends 24.",
		Inputs: []actions.Input{
			{Name: "event_type", Type: actions.String, Default: "Issues", Options: eventTypeOptions,
				Description: "The events to ingest: Issues, Cloud Configuration Findings or Vulnerability Findings."},
			{Name: "start_time", Type: actions.Time,
				Description: "Start of the window (UTC): issues modified, configuration findings first seen, " +
					"vulnerability findings updated after it. By default 24 hours before End Time."},
			{Name: "end_time", Type: actions.Time,
				Description: "End of the window (UTC), on the same time field. By default now."},
			{Name: "number_of_events_fetched", Type: actions.Integer, Min: actions.Float(1), Max: actions.Float(500),
				Description: "Most events to return, 1 to 500. By default every event that matches."},
			{Name: "issue_statuses", Type: actions.Array, Items: actions.String, Options: issueStatusOptions,
				Description: "Only events with these statuses: OPEN, IN_PROGRESS, RESOLVED, REJECTED for Issues; " +
					"OPEN, RESOLVED, REJECTED for the findings. By default all."},
			{Name: "severity", Type: actions.String, Options: severityOptions,
				Description: "Only events of these severities, from Critical down (vendor severity for vulnerability findings). By default all."},
			{Name: "additional_filters", Type: actions.Object,
				Description: `More filters merged into the query's filterBy, as Wiz's API reference names them: {"type": ["TOXIC_COMBINATION"]}. ` +
					"A key given here replaces the command's own."},
		},
		KeyFields:   []string{"EventIDs", "Statuses"},
		Permissions: []string{"read:issues", "read:cloud_configuration", "read:vulnerabilities"},
		Check:       checkFetchEvent,
		Intake:      fetchEventIntake,
	}
	return &command{spec: spec, run: func(ctx context.Context, e *exec) actions.Envelope {
		t := eventTypeOf(e.r.String("event_type"))
		start, end := window(e.r, e.c.now())
		filter := eventFilter(e.r, t, start, end)
		limit := int(e.r.Int("number_of_events_fetched")) // 0: all
		nodes, f := e.pages(ctx, t.root, t.alias, t.query, filter, t.orderBy, limit)
		if f != nil {
			return e.fail(f)
		}
		sortByTime(nodes, t.timeField)
		keys := newKeys(false, spec.KeyFields...)
		for _, n := range nodes {
			if m, ok := n.(map[string]any); ok {
				m["EventType"] = t.label
			}
			keys.Add("EventIDs", field(n, "id"))
			keys.Add("Statuses", field(n, "status"))
		}
		env := actions.Succeed(map[string]any{"data": map[string]any{"nodes": nodes}}, keys.Fields())
		if len(nodes) == 0 {
			env.ReturnData = actions.SuccessfulNoEventData
		}
		env.Result = table([]string{"Start Time (UTC)", "End Time (UTC)", "Events Count"},
			[][]string{{start.Format(wireTime), end.Format(wireTime), strconv.Itoa(len(nodes))}})
		return env
	}}
}

// checkFetchEvent refuses statuses the Event Type does not have and a
// window that ends before it starts.
func checkFetchEvent(in map[string]any) error {
	t := eventTypeOf(text(in["event_type"]))
	for _, s := range list(in["issue_statuses"]) {
		if !slices.Contains(t.statuses, text(s)) {
			return &actions.InputError{Input: "issue_statuses",
				Msg: fmt.Sprintf("%s is not a status of %s; use %s", text(s), t.label, strings.Join(t.statuses, ", "))}
		}
	}
	s, sok := in["start_time"].(string)
	en, eok := in["end_time"].(string)
	if sok && eok {
		st, err1 := time.Parse(time.RFC3339Nano, s)
		et, err2 := time.Parse(time.RFC3339Nano, en)
		if err1 == nil && err2 == nil && !st.Before(et) {
			return &actions.InputError{Input: "start_time", Msg: fmt.Sprintf("start_time %s is not before end_time %s", s, en)}
		}
	}
	return nil
}

// window is the fetch's time range: End Time or now, and Start Time or 24
// hours before the end [D3].
func window(r actions.Request, now time.Time) (start, end time.Time) {
	end = now.UTC()
	if _, ok := r.Inputs["end_time"]; ok {
		end = r.Time("end_time")
	}
	start = end.Add(-24 * time.Hour)
	if _, ok := r.Inputs["start_time"]; ok {
		start = r.Time("start_time")
	}
	return start, end
}

// eventFilter is the filterBy of a fetch: the window on the type's time
// field, statuses, severities, then Additional Filters over them.
func eventFilter(r actions.Request, t eventType, start, end time.Time) map[string]any {
	f := map[string]any{t.timeField: map[string]any{"after": start.Format(wireTime), "before": end.Format(wireTime)}}
	if st := r.Strings("issue_statuses"); len(st) > 0 {
		l := make([]any, len(st))
		for i, s := range st {
			l[i] = s
		}
		f["status"] = l
	}
	if sev := wireList(r.String("severity")); sev != nil {
		f[t.severity] = sev
	}
	for k, v := range r.Map("additional_filters") {
		f[k] = v
	}
	return f
}

// pages reads a connection page by page until limit nodes (0: all) or the
// last page, and returns the nodes.
func (e *exec) pages(ctx context.Context, root, alias, query string, filter, orderBy map[string]any, limit int) ([]any, *failure) {
	nodes := []any{}
	after := ""
	seen := map[string]bool{}
	for page := 0; ; page++ {
		if page == maxPages {
			return nil, &failure{msg: fmt.Sprintf("%s: stopped after %d pages; narrow the time window", root, maxPages)}
		}
		first := pageSize
		if limit > 0 {
			first = min(pageSize, limit-len(nodes))
		}
		vars := map[string]any{"first": int64(first)}
		if len(filter) > 0 {
			vars["filterBy"] = filter
		}
		if orderBy != nil {
			vars["orderBy"] = orderBy
		}
		if after != "" {
			vars["after"] = after
		}
		v, f := e.do(ctx, op{name: root, query: query, vars: vars})
		if f != nil {
			if page > 0 {
				f.msg = fmt.Sprintf("page %d of %s: %s", page+1, root, f.msg)
			}
			return nil, f
		}
		conn := field(v, "data", alias)
		got := list(field(conn, "nodes"))
		nodes = append(nodes, got...)
		if limit > 0 && len(nodes) >= limit {
			return nodes[:limit], nil
		}
		next, _ := field(conn, "pageInfo", "hasNextPage").(bool)
		cursor, _ := field(conn, "pageInfo", "endCursor").(string)
		if !next {
			return nodes, nil
		}
		if cursor == "" || seen[cursor] || len(got) == 0 {
			return nil, &failure{status: 200, raw: v,
				msg: fmt.Sprintf("%s: page %d says more pages follow but gives no new cursor", root, page+1)}
		}
		seen[cursor] = true
		e.log.Debug("next page", "operation", root, "page", page+2, "nodes", len(nodes))
		after = cursor
	}
}

// sortByTime sorts nodes descending by an RFC 3339 time field, keeping
// the API's order among equal times; a node without a readable time goes
// last.
func sortByTime(nodes []any, key string) {
	type keyed struct {
		n  any
		t  time.Time
		ok bool
	}
	ks := make([]keyed, len(nodes))
	for i, n := range nodes {
		ks[i].n = n
		if s, ok := field(n, key).(string); ok {
			ks[i].t, ks[i].ok = parseWire(s)
		}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		switch {
		case a.ok && b.ok:
			return b.t.Compare(a.t)
		case a.ok:
			return -1
		case b.ok:
			return 1
		}
		return 0
	})
	for i, k := range ks {
		nodes[i] = k.n
	}
}

// parseWire reads a time as Wiz writes it.
func parseWire(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}
