package fake

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// f is a filter object.
func f(field, op string, value any) map[string]any {
	return map[string]any{"field": field, "operator": op, "value": value}
}

func incidentIDs(t *testing.T, reply any) []string {
	t.Helper()
	r := reply.(map[string]any)
	var ids []string
	for _, in := range r["incidents"].([]any) {
		ids = append(ids, in.(map[string]any)["incident_id"].(string))
	}
	return ids
}

func TestGetIncidents(t *testing.T) {
	t.Parallel()
	s := newServer()
	nov1 := ms(nov(1, 0, 0, 0))
	nov10 := ms(nov(10, 0, 0, 0))
	tests := []struct {
		name string
		data map[string]any
		want []string
	}{
		{"all, newest first", map[string]any{}, []string{"2912", "2911", "2910", "2909", "2908", "2907", "2906", "2905", "2904", "2903", "2902", "2901"}},
		{"test connection page", map[string]any{"search_from": 0, "search_to": 1}, []string{"2912"}},
		{"creation window", map[string]any{"filters": []any{f("creation_time", "gte", nov1), f("creation_time", "lte", nov10)},
			"sort": map[string]any{"field": "creation_time", "keyword": "asc"}}, []string{"2901", "2902", "2903", "2904", "2905", "2906"}},
		{"modification after", map[string]any{"filters": []any{f("modification_time", "gte", ms(nov(17, 0, 0, 0)))}}, []string{"2912", "2911"}},
		{"operators in upper case", map[string]any{"filters": []any{f("creation_time", "GTE", ms(nov(19, 0, 0, 0)))}}, []string{"2912"}},
		{"id list", map[string]any{"filters": []any{f("incident_id_list", "in", []any{"2903", "2901", "9999"})}}, []string{"2903", "2901"}},
		{"id list as numbers", map[string]any{"filters": []any{f("incident_id_list", "in", []any{2903})}}, []string{"2903"}},
		{"unknown id", map[string]any{"filters": []any{f("incident_id_list", "in", []any{"1"})}}, nil},
		{"status eq", map[string]any{"filters": []any{f("status", "eq", "under_investigation")}}, []string{"2912", "2907", "2905", "2902"}},
		{"status neq", map[string]any{"filters": []any{f("status", "neq", "new"), f("status", "neq", "under_investigation")}}, []string{"2910", "2909", "2906", "2904"}},
		{"starred", map[string]any{"filters": []any{f("starred", "eq", true)}}, []string{"2912", "2905"}},
		{"alert sources", map[string]any{"filters": []any{f("alert_sources", "in", []any{"PAN NGFW"})}}, []string{"2911", "2905", "2903"}},
		{"description contains", map[string]any{"filters": []any{f("description", "contains", "ws-fin-0142")}}, []string{"2901"}},
		{"description in", map[string]any{"filters": []any{f("description", "in", []any{"Port Scan", "Cryptominer"})}}, []string{"2906", "2903"}},
		{"sort by modification", map[string]any{"sort": map[string]any{"field": "modification_time", "keyword": "DESC"}, "search_to": 3}, []string{"2912", "2911", "2910"}},
		{"second page", map[string]any{"search_from": 10, "search_to": 20}, []string{"2902", "2901"}},
		{"past the end", map[string]any{"search_from": 50, "search_to": 60}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reply := ok(t, s, "incidents/get_incidents", tc.data).(map[string]any)
			got := incidentIDs(t, reply)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("incident IDs mismatch (-want +got):\n%s", diff)
			}
			if int(reply["result_count"].(float64)) != len(got) {
				t.Errorf("result_count = %v, want %d", reply["result_count"], len(got))
			}
		})
	}
	t.Run("total_count counts every match", func(t *testing.T) {
		r := ok(t, s, "incidents/get_incidents", map[string]any{"search_to": 2}).(map[string]any)
		if r["total_count"] != float64(12) || r["result_count"] != float64(2) {
			t.Errorf("total_count, result_count = %v, %v; want 12, 2", r["total_count"], r["result_count"])
		}
	})
}

func TestGetIncidentsErrors(t *testing.T) {
	t.Parallel()
	s := newServer()
	tests := []struct {
		name   string
		data   map[string]any
		status int
		want   string
	}{
		{"page over 100", map[string]any{"search_from": 0, "search_to": 101}, 500, "maximum result set size is 100"},
		{"search_to before search_from", map[string]any{"search_from": 5, "search_to": 1}, 400, "search_to"},
		{"negative offset", map[string]any{"search_from": -1}, 400, "negative"},
		{"unknown field", map[string]any{"filters": []any{f("severity", "in", []any{"high"})}}, 400, `unsupported filter field "severity"`},
		{"wrong operator", map[string]any{"filters": []any{f("creation_time", "eq", 1)}}, 400, `unsupported operator "eq"`},
		{"time as string", map[string]any{"filters": []any{f("creation_time", "gte", "2026-11-01")}}, 400, "must be an integer"},
		{"unknown status", map[string]any{"filters": []any{f("status", "eq", "closed")}}, 400, `invalid value "closed"`},
		{"starred as string", map[string]any{"filters": []any{f("starred", "eq", "true")}}, 400, "must be a boolean"},
		{"filter without field", map[string]any{"filters": []any{map[string]any{"operator": "in"}}}, 400, "unsupported filter field"},
		{"filter not an object", map[string]any{"filters": []any{"status"}}, 400, "must be an object"},
		{"bad sort field", map[string]any{"sort": map[string]any{"field": "severity", "keyword": "asc"}}, 400, "unsupported sort field"},
		{"bad sort keyword", map[string]any{"sort": map[string]any{"field": "creation_time", "keyword": "up"}}, 400, "unsupported sort keyword"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, s, "incidents/get_incidents", tc.data, tc.status, tc.want)
		})
	}
}

func TestSeedConsistency(t *testing.T) {
	t.Parallel()
	s := newServer(WithExtraDataRate(0))
	if got := len(SeedIncidentIDs()); got != 12 {
		t.Errorf("%d seeded incidents, want 12", got)
	}
	if got := len(SeedEndpoints()); got != 25 {
		t.Errorf("%d seeded endpoints, want 25", got)
	}
	for _, id := range SeedIncidentIDs() {
		r := ok(t, s, "incidents/get_incident_extra_data", map[string]any{"incident_id": id}).(map[string]any)
		in := r["incident"].(map[string]any)
		alerts := r["alerts"].(map[string]any)["data"].([]any)
		if n := len(alerts); n < 1 || n > 4 || float64(n) != in["alert_count"] {
			t.Errorf("incident %s: %d alerts, alert_count %v", id, n, in["alert_count"])
		}
		created := in["creation_time"].(float64)
		if created < float64(ms(nov(1, 0, 0, 0))) || created > float64(ms(nov(20, 23, 59, 59))) {
			t.Errorf("incident %s created at %v, outside 1-20 November 2026", id, created)
		}
		var hosts []string
		for _, a := range alerts {
			a := a.(map[string]any)
			ep, found := s.Endpoint(a["endpoint_id"].(string))
			if !found {
				t.Errorf("incident %s alert %v: endpoint %v is not seeded", id, a["alert_id"], a["endpoint_id"])
				continue
			}
			if ep["endpoint_name"] != a["host_name"] || ep["ip"].([]any)[0] != a["host_ip"] {
				t.Errorf("alert %v host %v/%v does not match endpoint %v/%v", a["alert_id"], a["host_name"], a["host_ip"], ep["endpoint_name"], ep["ip"])
			}
			h := strings.ToLower(a["host_name"].(string)) + ":" + a["endpoint_id"].(string)
			if !slices.Contains(hosts, h) {
				hosts = append(hosts, h)
			}
			for _, k := range []string{"alert_id", "detection_timestamp", "source", "severity", "name", "category", "action", "host_name", "host_ip", "endpoint_id", "user_name", "actor_process_image_name", "action_file_sha256", "mitre_tactic_id_and_name"} {
				if _, ok := a[k]; !ok {
					t.Errorf("alert %v has no %s", a["alert_id"], k)
				}
			}
		}
		var gotHosts []string
		for _, h := range in["hosts"].([]any) {
			gotHosts = append(gotHosts, h.(string))
		}
		if diff := cmp.Diff(hosts, gotHosts); diff != "" {
			t.Errorf("incident %s hosts mismatch (-alerts +incident):\n%s", id, diff)
		}
		for _, fa := range r["file_artifacts"].(map[string]any)["data"].([]any) {
			if sha, _ := fa.(map[string]any)["file_sha256"].(string); len(sha) != 64 {
				t.Errorf("incident %s file artifact sha256 %q", id, sha)
			}
		}
	}
}

func TestGetIncidentExtraData(t *testing.T) {
	t.Parallel()
	s := newServer()
	r := ok(t, s, "incidents/get_incident_extra_data", map[string]any{"incident_id": "2905", "alerts_limit": 2}).(map[string]any)
	alerts := r["alerts"].(map[string]any)
	if alerts["total_count"] != float64(4) || len(alerts["data"].([]any)) != 2 {
		t.Errorf("alerts = %v total, %d returned; want 4 and 2", alerts["total_count"], len(alerts["data"].([]any)))
	}
	in, _ := s.Incident("2905")
	if diff := cmp.Diff(in, r["incident"]); diff != "" {
		t.Errorf("incident of extra data differs from Incident() (-Incident +reply):\n%s", diff)
	}
	net := r["network_artifacts"].(map[string]any)
	if net["total_count"] != float64(1) {
		t.Errorf("network_artifacts = %v, want one (the file server)", net)
	}
	if got := ok(t, s, "incidents/get_incident_extra_data", map[string]any{"incident_id": 2901}).(map[string]any); got["incident"].(map[string]any)["incident_id"] != "2901" {
		t.Errorf("incident_id as a number: got %v", got["incident"])
	}
	wantError(t, s, "incidents/get_incident_extra_data", map[string]any{"incident_id": "999"}, 500, "Incident 999 was not found")
	wantError(t, s, "incidents/get_incident_extra_data", map[string]any{}, 400, "incident_id is required")
	wantError(t, s, "incidents/get_incident_extra_data", map[string]any{"incident_id": "2901", "alerts_limit": "3"}, 400, "alerts_limit must be an integer")
}

func TestExtraDataRateLimit(t *testing.T) {
	t.Parallel()
	now := testNow
	s := New(WithClock(func() time.Time { return now }))
	get := func() int {
		code, _ := apiCall(t, s, "incidents/get_incident_extra_data", map[string]any{"incident_id": "2901"})
		return code
	}
	for i := range 10 {
		if code := get(); code != 200 {
			t.Fatalf("call %d = %d, want 200", i+1, code)
		}
		now = now.Add(time.Second)
	}
	w := send(t, s, http.MethodPost, "/public_api/v1/incidents/get_incident_extra_data", []byte(`{"request_data":{"incident_id":"2901"}}`), standard)
	if w.Code != 429 {
		t.Fatalf("11th call in a minute = %d, want 429", w.Code)
	}
	if code, msg, _ := errReply(t, decode(t, w.Body.Bytes())); code != 429 || msg != "Too Many Requests" {
		t.Errorf("429 body = %v %q", code, msg)
	}
	if ra := w.Header().Get("Retry-After"); ra != "50" {
		t.Errorf("Retry-After = %q, want 50 (the first call leaves the window in 50s)", ra)
	}
	// The advanced key has its own budget.
	w = send(t, s, http.MethodPost, "/public_api/v1/incidents/get_incident_extra_data", []byte(`{"request_data":{"incident_id":"2901"}}`), advanced(now))
	if w.Code != 200 {
		t.Errorf("other key = %d, want 200", w.Code)
	}
	now = now.Add(51 * time.Second)
	if code := get(); code != 200 {
		t.Errorf("call after the window moved = %d, want 200", code)
	}
	// Other calls are not limited.
	for range 20 {
		if code, _ := apiCall(t, s, "incidents/get_incidents", map[string]any{}); code != 200 {
			t.Fatalf("get_incidents = %d", code)
		}
	}
	unlimited := New(WithClock(fixedClock()), WithExtraDataRate(0))
	for range 30 {
		if code, _ := apiCall(t, unlimited, "incidents/get_incident_extra_data", map[string]any{"incident_id": "2901"}); code != 200 {
			t.Fatalf("with the limit off = %d", code)
		}
	}
}

func TestUpdateIncident(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		update map[string]any
		want   map[string]any // fields of the updated record
	}{
		{"status lower case", map[string]any{"status": "under_investigation"}, map[string]any{"status": "under_investigation"}},
		{"status upper case", map[string]any{"status": "RESOLVED_KNOWN_ISSUE", "resolve_comment": "incident has been updated."},
			map[string]any{"status": "resolved_known_issue", "resolve_comment": "incident has been updated."}},
		{"assign", map[string]any{"assigned_user_mail": "Sam.Lee@example.com"},
			map[string]any{"assigned_user_mail": "sam.lee@example.com", "assigned_user_pretty_name": "Sam Lee"}},
		{"assign with name", map[string]any{"assigned_user_mail": "jane.doe@example.com", "assigned_user_pretty_name": "Hello World"},
			map[string]any{"assigned_user_mail": "jane.doe@example.com", "assigned_user_pretty_name": "Hello World"}},
		{"pretty name alone is ignored", map[string]any{"assigned_user_pretty_name": "Nobody"},
			map[string]any{"assigned_user_mail": nil, "assigned_user_pretty_name": nil}},
		{"severity", map[string]any{"manual_severity": "High"}, map[string]any{"manual_severity": "high", "severity": "high"}},
		{"comment", map[string]any{"comment": map[string]any{"comment_action": "add", "value": "Comment on the incident"}},
			map[string]any{"notes": "Comment on the incident"}},
		{"nothing", map[string]any{}, map[string]any{"status": "new"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newServer()
			before, _ := s.Incident("2901")
			reply := ok(t, s, "incidents/update_incident", map[string]any{"incident_id": "2901", "update_data": tc.update})
			if reply != true {
				t.Errorf("reply = %v, want true", reply)
			}
			after, _ := s.Incident("2901")
			for k, v := range tc.want {
				if diff := cmp.Diff(v, after[k]); diff != "" {
					t.Errorf("%s mismatch (-want +got):\n%s", k, diff)
				}
			}
			if got, old := after["modification_time"].(float64), before["modification_time"].(float64); got != max(old, float64(testNow.UnixMilli())) {
				t.Errorf("modification_time = %v, want %d", got, testNow.UnixMilli())
			}
		})
	}
	t.Run("unassign and clear severity", func(t *testing.T) {
		t.Parallel()
		s := newServer()
		ok(t, s, "incidents/update_incident", map[string]any{"incident_id": "2902", "update_data": map[string]any{"assigned_user_mail": "none", "manual_severity": "low"}})
		ok(t, s, "incidents/update_incident", map[string]any{"incident_id": "2902", "update_data": map[string]any{"manual_severity": "none"}})
		in, _ := s.Incident("2902")
		if in["assigned_user_mail"] != nil || in["manual_severity"] != nil || in["severity"] != "critical" {
			t.Errorf("after unassign and clearing = %v / %v / %v", in["assigned_user_mail"], in["manual_severity"], in["severity"])
		}
		ok(t, s, "incidents/update_incident", map[string]any{"incident_id": "2902", "update_data": map[string]any{"assigned_user_mail": "soc-lead@example.com"}})
		ok(t, s, "incidents/update_incident", map[string]any{"incident_id": "2902", "update_data": map[string]any{"unassign_user": "true"}})
		if in, _ := s.Incident("2902"); in["assigned_user_mail"] != nil {
			t.Errorf("unassign_user left %v", in["assigned_user_mail"])
		}
	})
	t.Run("errors", func(t *testing.T) {
		t.Parallel()
		s := newServer()
		tests := []struct {
			name   string
			data   map[string]any
			status int
			want   string
		}{
			{"unknown incident", map[string]any{"incident_id": "1", "update_data": map[string]any{"status": "new"}}, 500, "Incident 1 was not found"},
			{"unknown user", map[string]any{"incident_id": "2901", "update_data": map[string]any{"assigned_user_mail": "mallory@example.com"}}, 500, "User mallory@example.com was not found"},
			{"bad status", map[string]any{"incident_id": "2901", "update_data": map[string]any{"status": "Resolved Known Issue"}}, 400, "invalid status"},
			{"bad severity", map[string]any{"incident_id": "2901", "update_data": map[string]any{"manual_severity": "urgent"}}, 400, "invalid manual_severity"},
			{"unknown field", map[string]any{"incident_id": "2901", "update_data": map[string]any{"owner": "x"}}, 400, `unsupported update_data field "owner"`},
			{"status not a string", map[string]any{"incident_id": "2901", "update_data": map[string]any{"status": 1}}, 400, "update_data.status must be a string"},
			{"resolve comment while open", map[string]any{"incident_id": "2901", "update_data": map[string]any{"resolve_comment": "done"}}, 500, "only for resolved incidents"},
			{"bad comment action", map[string]any{"incident_id": "2901", "update_data": map[string]any{"comment": map[string]any{"comment_action": "delete", "value": "x"}}}, 400, "comment_action"},
			{"no update_data", map[string]any{"incident_id": "2901"}, 400, "update_data is required"},
			{"no incident_id", map[string]any{"update_data": map[string]any{}}, 400, "incident_id is required"},
		}
		for _, tc := range tests {
			wantError(t, s, "incidents/update_incident", tc.data, tc.status, tc.want)
		}
		in, _ := s.Incident("2901")
		if in["status"] != "new" || in["assigned_user_mail"] != nil {
			t.Errorf("a refused update changed the incident: %v %v", in["status"], in["assigned_user_mail"])
		}
	})
}
