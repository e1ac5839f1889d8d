package fake

import (
	"cmp"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// incident is one incident. Its alerts and artifacts never change; the
// rest is guarded by Server.mu.
type incident struct {
	id             string
	name           string
	description    string
	status         string
	severity       string // calculated from the alerts
	manualSeverity string // "" when none
	assignedMail   string
	assignedName   string
	created        int64
	modified       int64
	starred        bool
	resolveComment string
	notes          []string

	alerts     []*alert
	hosts      []string // "name:endpoint_id"
	users      []string
	sources    []string
	tactics    []string
	techniques []string
	categories []string
	network    []map[string]any
	files      []map[string]any
	wildfire   int
}

// incidentStatuses are the status values incidents take and filters and
// updates accept [XSOAR], with the two older spellings.
var incidentStatuses = []string{
	"new", "under_investigation", "resolved_threat_handled", "resolved_known_issue",
	"resolved_duplicate", "resolved_false_positive", "resolved_true_positive",
	"resolved_security_testing", "resolved_other", "resolved_auto",
	"resolved_duplicate_incident", "resolved_auto_resolve",
}

var severities = []string{"low", "medium", "high", "critical"}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// record is the incident as get_incidents returns it [PA], [XSOAR].
func (in *incident) record() map[string]any {
	counts := map[string]int{}
	for _, a := range in.alerts {
		counts[a.severity]++
	}
	var notes any
	if len(in.notes) > 0 {
		notes = strings.Join(in.notes, "\n")
	}
	sev := in.severity
	if in.manualSeverity != "" {
		sev = in.manualSeverity
	}
	return map[string]any{
		"incident_id":                    in.id,
		"incident_name":                  in.name,
		"creation_time":                  in.created,
		"modification_time":              in.modified,
		"detection_time":                 nil,
		"status":                         in.status,
		"severity":                       sev,
		"description":                    in.description,
		"assigned_user_mail":             nullable(in.assignedMail),
		"assigned_user_pretty_name":      nullable(in.assignedName),
		"alert_count":                    len(in.alerts),
		"low_severity_alert_count":       counts["low"],
		"med_severity_alert_count":       counts["medium"],
		"high_severity_alert_count":      counts["high"],
		"critical_severity_alert_count":  counts["critical"],
		"user_count":                     len(in.users),
		"host_count":                     len(in.hosts),
		"notes":                          notes,
		"resolve_comment":                nullable(in.resolveComment),
		"manual_severity":                nullable(in.manualSeverity),
		"manual_description":             nil,
		"xdr_url":                        tenantURL + "/incident-view?caseId=" + in.id,
		"starred":                        in.starred,
		"hosts":                          slices.Clone(in.hosts),
		"users":                          slices.Clone(in.users),
		"incident_sources":               slices.Clone(in.sources),
		"rule_based_score":               nil,
		"manual_score":                   nil,
		"wildfire_hits":                  in.wildfire,
		"alerts_grouping_status":         "Enabled",
		"mitre_tactics_ids_and_names":    slices.Clone(in.tactics),
		"mitre_techniques_ids_and_names": slices.Clone(in.techniques),
		"alert_categories":               slices.Clone(in.categories),
	}
}

// incidentRules are get_incidents' filter fields [PA-Xpanse], [XSOAR].
var incidentRules = map[string]fieldRule{
	"incident_id_list":  {ops: map[string]kind{"in": kindScalars}},
	"alert_sources":     {ops: map[string]kind{"in": kindStrings}},
	"description":       {ops: map[string]kind{"in": kindStringOrStrings, "contains": kindStringOrStrings}},
	"creation_time":     {ops: map[string]kind{"gte": kindInt, "lte": kindInt}},
	"modification_time": {ops: map[string]kind{"gte": kindInt, "lte": kindInt}},
	"status":            {ops: map[string]kind{"eq": kindString, "neq": kindString}, enum: incidentStatuses},
	"starred":           {ops: map[string]kind{"eq": kindBool}},
}

// matches reports whether in passes c. description matches when it
// contains one of the values, ignoring case, for both in and contains
// [INF]; alert_sources when a source is one of the values.
func (in *incident) matches(c cond) bool {
	switch c.field {
	case "incident_id_list":
		return slices.Contains(c.strs, in.id)
	case "alert_sources":
		return intersectsFold(c.strs, in.sources)
	case "description":
		d := strings.ToLower(in.description)
		for _, v := range c.strs {
			if strings.Contains(d, strings.ToLower(v)) {
				return true
			}
		}
		return false
	case "creation_time":
		return timeMatches(c, in.created)
	case "modification_time":
		return timeMatches(c, in.modified)
	case "status":
		return (in.status == c.strs[0]) == (c.op == "eq")
	case "starred":
		return in.starred == c.b
	}
	return false
}

// getIncidents serves /incidents/get_incidents [PA], [XSOAR]: filters,
// sort by creation_time or modification_time (default creation_time
// descending [INF]), pages of at most 100.
func (s *Server) getIncidents(c *call) (any, *apiError) {
	o, err := object(c.data, "request_data")
	if err != nil {
		return nil, err
	}
	conds, err := parseFilters(o.get("filters"), incidentRules)
	if err != nil {
		return nil, err
	}
	field, desc, err := o.sortSpec([]string{"creation_time", "modification_time"}, "creation_time", true)
	if err != nil {
		return nil, err
	}
	from, to, err := o.page(100)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var found []*incident
	for _, in := range s.st.incidents {
		if matchAll(in, conds) {
			found = append(found, in)
		}
	}
	slices.SortStableFunc(found, func(a, b *incident) int {
		r := cmp.Compare(a.created, b.created)
		if field == "modification_time" {
			r = cmp.Compare(a.modified, b.modified)
		}
		if r == 0 {
			r = cmp.Compare(len(a.id), len(b.id))
		}
		if r == 0 {
			r = cmp.Compare(a.id, b.id)
		}
		if desc {
			r = -r
		}
		return r
	})
	pageItems := window(found, from, to)
	out := make([]map[string]any, len(pageItems))
	for i, in := range pageItems {
		out[i] = in.record()
	}
	return map[string]any{"total_count": len(found), "result_count": len(out), "incidents": out}, nil
}

// defaultAlertsLimit is get_incident_extra_data's alerts_limit when none
// is given [PA-Xpanse], [XSOAR].
const defaultAlertsLimit = 1000

// getIncidentExtraData serves /incidents/get_incident_extra_data [PA]:
// the incident, up to alerts_limit alerts, and its network and file
// artifacts. Each key may call it extraRate times a minute [PA]; more get
// 429 with the standard error body and a Retry-After [INF]. An unknown
// incident gets 500 [INF].
func (s *Server) getIncidentExtraData(c *call) (any, *apiError) {
	s.mu.Lock()
	ok, wait := s.st.extra.allow(c.key.ID, c.now, s.extraRate)
	s.mu.Unlock()
	if !ok {
		secs := int((wait + time.Second - 1) / time.Second)
		c.w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
		return nil, errorf(http.StatusTooManyRequests, "Too Many Requests",
			"get_incident_extra_data is limited to %d requests per minute", s.extraRate)
	}
	o, err := object(c.data, "request_data")
	if err != nil {
		return nil, err
	}
	id := scalarString(o, "incident_id")
	limit, hasLimit := o.integer("alerts_limit")
	if o.err != nil {
		return nil, o.err
	}
	if id == "" {
		return nil, badRequest("request_data.incident_id is required")
	}
	if !hasLimit {
		limit = defaultAlertsLimit
	}
	if limit < 0 {
		return nil, badRequest("request_data.alerts_limit must not be negative")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.st.incidentByID[id]
	if !ok {
		return nil, failure("Incident %s was not found", id)
	}
	alerts := window(in.alerts, 0, int(min(limit, int64(len(in.alerts)))))
	data := make([]json.RawMessage, len(alerts))
	for i, a := range alerts {
		data[i] = a.json
	}
	return map[string]any{
		"incident":          in.record(),
		"alerts":            map[string]any{"total_count": len(in.alerts), "data": data},
		"network_artifacts": map[string]any{"total_count": len(in.network), "data": in.network},
		"file_artifacts":    map[string]any{"total_count": len(in.files), "data": in.files},
	}, nil
}

// scalarString reads a string field that may also come as a number.
func scalarString(o *obj, k string) string {
	v := o.get(k)
	if v == nil {
		return ""
	}
	if ss, ok := asScalars(v); ok && len(ss) == 1 && v[0] != '[' {
		return ss[0]
	}
	o.wrongType(k, "a string")
	return ""
}

// updateFields are the update_data fields update_incident accepts [PA],
// [XSOAR].
var updateFields = []string{
	"assigned_user_mail", "assigned_user_pretty_name", "status", "manual_severity",
	"resolve_comment", "comment", "unassign_user",
}

// updateIncident serves /incidents/update_incident [PA Update-an-Incident]:
// it validates every update_data field, applies them together and replies
// true [INF]. Status takes either case [INF]; assigned_user_mail must be a
// tenant user, and "none" or "" unassigns; manual_severity "none" or ""
// clears it; resolve_comment needs a resolved status [PA]; comment
// {comment_action: "add", value} adds a note. A manual severity also shows
// as the incident's severity until it is cleared [INF].
func (s *Server) updateIncident(c *call) (any, *apiError) {
	o, err := object(c.data, "request_data")
	if err != nil {
		return nil, err
	}
	id := scalarString(o, "incident_id")
	if o.err != nil {
		return nil, o.err
	}
	if id == "" {
		return nil, badRequest("request_data.incident_id is required")
	}
	if !o.has("update_data") {
		return nil, badRequest("request_data.update_data is required")
	}
	u, err := object(o.get("update_data"), "update_data")
	if err != nil {
		return nil, err
	}
	for _, k := range sortedKeys(u.m) {
		if !slices.Contains(updateFields, k) {
			return nil, badRequest("unsupported update_data field %q; supported fields: %s", k, strings.Join(updateFields, ", "))
		}
	}
	mail, hasMail := u.str("assigned_user_mail")
	pretty, _ := u.str("assigned_user_pretty_name")
	status, hasStatus := u.str("status")
	sev, hasSev := u.str("manual_severity")
	resolve, hasResolve := u.str("resolve_comment")
	unassign := false
	if v := u.get("unassign_user"); v != nil {
		if str, ok := asString(v); ok {
			unassign = strings.EqualFold(str, "true")
		} else if json.Unmarshal(v, &unassign) != nil {
			u.wrongType("unassign_user", `a boolean or "true"`)
		}
	}
	var comment string
	if v := u.get("comment"); v != nil {
		co, err := object(v, "update_data.comment")
		if err != nil {
			return nil, err
		}
		act, _ := co.str("comment_action")
		comment, _ = co.str("value")
		if co.err != nil {
			return nil, co.err
		}
		if !strings.EqualFold(act, "add") {
			return nil, badRequest(`update_data.comment.comment_action must be "add"`)
		}
		if comment == "" {
			return nil, badRequest("update_data.comment.value is required")
		}
	}
	if u.err != nil {
		return nil, u.err
	}
	status = strings.ToLower(status)
	if hasStatus && !slices.Contains(incidentStatuses, status) {
		return nil, badRequest("invalid status %q; valid values: %s", status, strings.Join(incidentStatuses, ", "))
	}
	sev = strings.ToLower(sev)
	if hasSev && sev != "" && sev != "none" && !slices.Contains(severities, sev) {
		return nil, badRequest("invalid manual_severity %q; valid values: low, medium, high, critical, none", sev)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.st.incidentByID[id]
	if !ok {
		return nil, failure("Incident %s was not found", id)
	}
	var user *tenantUser
	if hasMail && mail != "" && !strings.EqualFold(mail, "none") {
		if user = s.st.user(mail); user == nil {
			return nil, failure("User %s was not found", mail)
		}
	}
	newStatus := in.status
	if hasStatus {
		newStatus = status
	}
	if hasResolve && !strings.HasPrefix(newStatus, "resolved_") {
		return nil, failure("resolve_comment can be set only for resolved incidents")
	}

	in.status = newStatus
	switch {
	case user != nil:
		in.assignedMail, in.assignedName = user.mail, user.name
		if pretty != "" {
			in.assignedName = pretty
		}
	case hasMail || unassign:
		in.assignedMail, in.assignedName = "", ""
	}
	if hasSev {
		in.manualSeverity = sev
		if sev == "none" {
			in.manualSeverity = ""
		}
	}
	if hasResolve {
		in.resolveComment = resolve
	}
	if comment != "" {
		in.notes = append(in.notes, comment)
	}
	in.modified = max(c.now.UnixMilli(), in.modified)
	return true, nil
}

// Incident returns the incident with id as a client decodes it from
// get_incidents (numbers are float64).
func (s *Server) Incident(id string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.st.incidentByID[id]
	if !ok {
		return nil, false
	}
	return asJSON(in.record()), true
}
