package cortexxdr

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/playbook-sh/playbook/actions"
)

// incidentFilterFields are the fields Other Filters may name [D3], [PA].
var incidentFilterFields = map[string]bool{
	"incident_id_list": true, "description": true, "alert_sources": true, "status": true, "starred": true,
}

func (x *XDR) fetchIncident() *command {
	spec := actions.Spec{
		Name: FetchIncidentName, Title: "Fetch Incident",
		Description: "Retrieves incidents from Cortex XDR based on the specified criteria (POST /incidents/get_incidents/).",
		Inputs: []actions.Input{
			{Name: "start_time", Type: actions.Time, Required: true,
				Description: "Start of the time range (UTC), on the Time Field."},
			{Name: "end_time", Type: actions.Time,
				Description: "End of the time range (UTC), on the Time Field."},
			{Name: "time_field", Type: actions.String, Required: true,
				Options:     opts("Creation Time", "creation_time", "Modification Time", "modification_time"),
				Description: "The time field Start Time and End Time apply to."},
			{Name: "number_of_incidents_fetched", Type: actions.Integer, Default: int64(20), Max: actions.Float(100),
				Description: "Most incidents to return; no value or not a positive number means 20. At most 100."},
			{Name: "offset", Type: actions.Integer, Default: int64(0),
				Description: "Items to skip before collecting the result set; not a positive number means 0."},
			{Name: "order_by", Type: actions.String, Default: "Creation Time",
				Options:     opts("Creation Time", "creation_time", "Modification Time", "modification_time"),
				Description: "The time field to order the results by."},
			{Name: "direction", Type: actions.String, Default: "Descending",
				Options: opts("Ascending", "asc", "Descending", "desc"), Description: "Sort order."},
			{Name: "other_filters", Type: actions.Array, Items: actions.Object,
				Description: `Filter objects {"field", "operator", "value"} on incident_id_list, description, alert_sources, status or starred. ` +
					"When given, they replace the time-range filters (Start Time, End Time, Time Field, Tolerance Scope); paging and order still apply."},
			{Name: "tolerance_scope", Type: actions.Integer, Default: int64(0), Min: actions.Float(0),
				Description: "Minutes subtracted from Start Time, widening the window to catch late incidents."},
			{Name: "allow_retrieve_extra_data", Type: actions.Boolean, Default: false,
				Description: "Also fetch each incident's alerts and artifacts (get_incident_extra_data, 10 calls a minute)."},
		},
		KeyFields:   []string{"IncidentIDs"},
		Permissions: []string{permLicense},
		Intake:      fetchIncidentIntake,
	}
	return &command{spec: spec, run: func(ctx context.Context, e *exec) actions.Envelope {
		cl, err := fetchIncidentCall(e.r)
		if err != nil {
			return e.failf(400, "%v", err)
		}
		rep, f := e.do(ctx, cl)
		if f != nil {
			return e.fail(f)
		}
		incidents := list(field(rep.value, "reply", "incidents"))
		if e.r.Bool("allow_retrieve_extra_data") {
			for _, inc := range incidents {
				m, ok := inc.(map[string]any)
				if !ok {
					continue
				}
				extra, f := e.do(ctx, extraDataCall(text(m["incident_id"]), 1000))
				if f != nil {
					env := e.fail(f)
					env.Error.Message = fmt.Sprintf("incident %s: extra data: %s", text(m["incident_id"]), f.msg)
					return env
				}
				// The extra data's alerts and artifacts join the incident,
				// as XSOAR's fetch merges them.
				for _, k := range []string{"alerts", "network_artifacts", "file_artifacts"} {
					if v := field(extra.value, "reply", k); v != nil {
						m[k] = v
					}
				}
			}
		}
		keys := newKeys(true, "IncidentIDs")
		rows := [][]string{}
		for _, inc := range incidents {
			keys.Add("IncidentIDs", field(inc, "incident_id"))
			rows = append(rows, []string{text(field(inc, "incident_id")), text(field(inc, "incident_name")),
				text(field(inc, "severity")), text(field(inc, "status")), msTime(field(inc, "creation_time")),
				text(field(inc, "description"))})
		}
		env := actions.Succeed(rep.value, keys.Fields())
		if len(incidents) == 0 {
			env.ReturnData = actions.SuccessfulNoEventData
		}
		env.Result = table([]string{"Incident ID", "Name", "Severity", "Status", "Created", "Description"}, rows)
		return env
	}}
}

// fetchIncidentCall builds get_incidents [PA-Xpanse Get-Incidents], [XSOAR].
func fetchIncidentCall(r actions.Request) (call, error) {
	n := r.Int("number_of_incidents_fetched")
	if n <= 0 {
		n = 20
	}
	from := r.Int("offset")
	if from < 0 {
		from = 0
	}
	data := map[string]any{
		"search_from": from,
		"search_to":   from + n,
		"sort":        map[string]any{"field": r.String("order_by"), "keyword": r.String("direction")},
	}
	if other := r.Value("other_filters"); other != nil {
		filters := list(other)
		for i, fv := range filters {
			name := text(field(fv, "field"))
			if !incidentFilterFields[name] {
				return call{}, fmt.Errorf("Invalid Filter. other_filters[%d]: field %q is not one of incident_id_list, description, alert_sources, status, starred (use Start Time, End Time and Time Field for time ranges)", i, name)
			}
			if text(field(fv, "operator")) == "" {
				return call{}, fmt.Errorf("Invalid Filter. other_filters[%d]: no operator", i)
			}
		}
		data["filters"] = filters
	} else {
		tf := r.String("time_field")
		start := r.Time("start_time").Add(-time.Duration(r.Int("tolerance_scope")) * time.Minute)
		filters := []any{map[string]any{"field": tf, "operator": "gte", "value": start.UnixMilli()}}
		if _, ok := r.Inputs["end_time"]; ok {
			filters = append(filters, map[string]any{"field": tf, "operator": "lte", "value": r.Time("end_time").UnixMilli()})
		}
		data["filters"] = filters
	}
	return call{path: "incidents/get_incidents/", data: data}, nil
}

func extraDataCall(id string, limit int64) call {
	return call{path: "incidents/get_incident_extra_data/", extraData: true,
		data: map[string]any{"incident_id": id, "alerts_limit": limit}}
}

func (x *XDR) getIncidentDetails() *command {
	spec := actions.Spec{
		Name: GetIncidentDetailsName, Title: "Get Incident Details",
		Description: "Retrieves additional information on the specified incidents, including alerts and key artifacts " +
			"(POST /incidents/get_incident_extra_data/, one call per incident, 10 calls a minute).",
		Inputs: []actions.Input{
			{Name: "incident_ids", Type: actions.Array, Items: actions.String, Required: true,
				Description: "The incidents' IDs, from Fetch Incident ($.reply.incidents[*].incident_id)."},
			{Name: "alerts_limit", Type: actions.Integer, Default: int64(1000), Min: actions.Float(1),
				Description: "Most related alerts to retrieve from each incident."},
		},
		KeyFields:   []string{"IncidentIDs", "AlertIDs", "HostNames", "HostIPs", "FileSHA256s"},
		Permissions: []string{permLicense},
	}
	return &command{spec: spec, run: func(ctx context.Context, e *exec) actions.Envelope {
		limit := e.r.Int("alerts_limit")
		items := e.perItem(ctx, e.r.Strings("incident_ids"), func(id string) (call, error) {
			return extraDataCall(id, limit), nil
		})
		incidentsNotFound(items)
		keys := newKeys(true, spec.KeyFields...)
		rows := [][]string{}
		env := e.results(items, keys, func(id string, v any) string {
			inc := field(v, "reply", "incident")
			if inc == nil {
				return "Incident IDs Not Found."
			}
			keys.Add("IncidentIDs", field(inc, "incident_id"))
			alerts := list(field(v, "reply", "alerts", "data"))
			for _, a := range alerts {
				keys.Add("AlertIDs", field(a, "alert_id"))
				keys.Add("HostNames", field(a, "host_name"))
				keys.Add("HostIPs", field(a, "host_ip"))
				keys.Add("FileSHA256s", field(a, "action_file_sha256"))
				keys.Add("FileSHA256s", field(a, "actor_process_image_sha256"))
			}
			for _, fa := range list(field(v, "reply", "file_artifacts", "data")) {
				keys.Add("FileSHA256s", field(fa, "file_sha256"))
			}
			rows = append(rows, []string{text(field(inc, "incident_id")), text(field(inc, "severity")),
				text(field(inc, "status")), fmt.Sprint(len(alerts)), text(field(inc, "description"))})
			return ""
		})
		env.Result = table([]string{"Incident ID", "Severity", "Status", "Alerts", "Description"}, rows)
		return env
	}}
}

func (x *XDR) updateIncidents() *command {
	spec := actions.Spec{
		Name: UpdateIncidentsName, Title: "Update Incidents",
		Description: "Updates incidents in Cortex XDR (POST /incidents/update_incident/, one call per incident).",
		Inputs: []actions.Input{
			{Name: "incident_ids", Type: actions.Array, Items: actions.String, Required: true,
				Description: "The incidents' IDs, from Fetch Incident ($.reply.incidents[*].incident_id)."},
			{Name: "assigned_user_mail", Type: actions.String, Description: "The assignee's email address."},
			{Name: "assigned_user_name", Type: actions.String,
				Description: "The assignee's user name; ignored when Assigned User Mail is not given."},
			{Name: "status", Type: actions.String, Options: incidentStatuses, Description: "The new status."},
			{Name: "severity", Type: actions.String, Options: opts("High", "high", "Medium", "medium", "Low", "low"),
				Description: "The new severity."},
			{Name: "comment", Type: actions.String, Description: "A comment added to the incidents."},
			{Name: "update_data", Type: actions.Object,
				Description: "The API's update_data object, sent as given; when given, every other update input is ignored."},
		},
		KeyFields:   []string{"IncidentIDs"},
		Permissions: []string{permLicense},
		Mutates:     true,
	}
	build := func(r actions.Request, id string) (call, error) {
		data, err := updateData(r)
		if err != nil {
			return call{}, err
		}
		return call{path: "incidents/update_incident/", mutates: true,
			data: map[string]any{"incident_id": id, "update_data": data}}, nil
	}
	return &command{spec: spec,
		first: func(r actions.Request) (call, error) {
			ids := r.Strings("incident_ids")
			if len(ids) == 0 {
				return call{}, fmt.Errorf("incident_ids is empty")
			}
			return build(r, ids[0])
		},
		run: func(ctx context.Context, e *exec) actions.Envelope {
			if _, err := updateData(e.r); err != nil {
				return e.failf(400, "%v", err)
			}
			items := e.perItem(ctx, e.r.Strings("incident_ids"), func(id string) (call, error) { return build(e.r, id) })
			incidentsNotFound(items)
			keys := newKeys(true, "IncidentIDs")
			rows := [][]string{}
			env := e.results(items, keys, func(id string, v any) string {
				keys.Add("IncidentIDs", id)
				rows = append(rows, []string{id, "Updated"})
				return ""
			})
			for _, it := range items {
				if it.fail != nil {
					rows = append(rows, []string{it.id, "Failed: " + it.fail.msg})
				}
			}
			env.Result = table([]string{"Incident ID", "Result"}, rows)
			return env
		}}
}

// incidentsNotFound reports the items of an unknown incident as the page
// does, 404 "Incident IDs Not Found.", where the API answers 500 with
// "Incident <id> was not found" [XSOAR], [D3]; their Results entry stays
// the vendor's error body.
func incidentsNotFound(items []itemResult) {
	for _, it := range items {
		if f := it.fail; f != nil && f.status == http.StatusInternalServerError {
			if m := strings.ToLower(f.msg); strings.Contains(m, "incident") && strings.Contains(m, "not found") {
				f.status, f.msg = http.StatusNotFound, "Incident IDs Not Found."
			}
		}
	}
}

// updateData builds update_data from the inputs [PA Update-an-Incident].
func updateData(r actions.Request) (map[string]any, error) {
	if ud := r.Map("update_data"); ud != nil {
		if len(ud) == 0 {
			return nil, fmt.Errorf("update_data is empty: nothing to update")
		}
		return ud, nil
	}
	data := map[string]any{}
	if mail := r.String("assigned_user_mail"); mail != "" {
		data["assigned_user_mail"] = mail
		if name := r.String("assigned_user_name"); name != "" {
			data["assigned_user_pretty_name"] = name
		}
	}
	if s := r.String("status"); s != "" {
		data["status"] = s
	}
	if s := r.String("severity"); s != "" {
		data["manual_severity"] = s
	}
	if c := r.String("comment"); c != "" {
		data["comment"] = map[string]any{"comment_action": "add", "value": c}
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("nothing to update: give assigned_user_mail, status, severity, comment or update_data")
	}
	return data, nil
}

func (x *XDR) retrievePCAPPacket() *command {
	spec := actions.Spec{
		Name: RetrievePCAPPacketName, Title: "Retrieve PCAP Packet",
		Description: "Retrieves alert IDs and the PCAP triggering packets of PAN NGFW alerts (POST /alerts/get_alerts_pcap/).",
		Inputs: []actions.Input{
			{Name: "creation_time", Type: actions.Time, Description: "Alerts created at or after this time (UTC)."},
			{Name: "severities", Type: actions.Array, Items: actions.String, Description: `Alert severities: "low", "medium", "high".`},
			{Name: "alert_sources", Type: actions.Array, Items: actions.String, Description: "Alert sources (\"PAN NGFW\")."},
			{Name: "alert_ids", Type: actions.Array, Items: actions.Integer, Description: "Alert IDs."},
			{Name: "limit", Type: actions.Integer, Min: actions.Float(1), Max: actions.Float(100), Description: "Most alerts to return (the API returns at most 100)."},
		},
		KeyFields:   []string{"AlertIDs"},
		Permissions: []string{permLicense},
	}
	build := func(r actions.Request) (call, error) {
		var filters []any
		if _, ok := r.Inputs["creation_time"]; ok {
			filters = append(filters, map[string]any{"field": "creation_time", "operator": "gte", "value": r.Time("creation_time").UnixMilli()})
		}
		if s := r.Strings("severities"); len(s) > 0 {
			low := make([]any, len(s))
			for i, v := range s {
				low[i] = lower(v)
			}
			filters = append(filters, map[string]any{"field": "severity", "operator": "in", "value": low})
		}
		if s := r.Strings("alert_sources"); len(s) > 0 {
			filters = append(filters, map[string]any{"field": "alert_source", "operator": "in", "value": anyList(s)})
		}
		if ids := list(r.Value("alert_ids")); len(ids) > 0 {
			filters = append(filters, map[string]any{"field": "alert_id_list", "operator": "in", "value": ids})
		}
		data := map[string]any{"sort": map[string]any{"field": "creation_time", "keyword": "desc"}}
		if filters != nil {
			data["filters"] = filters
		}
		if n := r.Int("limit"); n > 0 {
			data["search_from"], data["search_to"] = int64(0), n
		}
		return call{path: "alerts/get_alerts_pcap/", data: data}, nil
	}
	return &command{spec: spec, run: single(build, func(e *exec, v any) (*keyset, string) {
		keys := newKeys(true, "AlertIDs")
		rows := [][]string{}
		for _, a := range list(field(v, "reply")) {
			keys.Add("AlertIDs", field(a, "id"))
			has := "no"
			if text(field(a, "pcap_data")) != "" {
				has = "yes"
			}
			rows = append(rows, []string{text(field(a, "id")), has})
		}
		return keys, table([]string{"Alert ID", "PCAP"}, rows)
	})}
}

func (x *XDR) testConnection() *command {
	spec := actions.Spec{
		Name: TestConnectionName, Title: "Test Connection",
		Failure:     "Test Connection failed. Failed to check the connector.",
		Description: "Checks the connection: one get_incidents call for a single incident.",
		Permissions: []string{permLicense},
	}
	return &command{spec: spec, run: func(ctx context.Context, e *exec) actions.Envelope {
		_, f := e.do(ctx, call{path: "incidents/get_incidents/", data: map[string]any{"search_from": int64(0), "search_to": int64(1)}})
		if f != nil {
			return e.fail(f)
		}
		env := actions.Succeed(nil, map[string][]any{})
		env.Result = table([]string{"Connection"}, [][]string{{"Passed"}})
		return env
	}}
}

// msTime prints epoch milliseconds as RFC 3339 UTC for a Result table.
func msTime(v any) string {
	n, ok := count(v)
	if !ok || n <= 0 {
		return ""
	}
	return time.UnixMilli(n).UTC().Format(time.RFC3339)
}
