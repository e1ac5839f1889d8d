package fake

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func endpointNames(t *testing.T, reply any) []string {
	t.Helper()
	var names []string
	for _, e := range reply.(map[string]any)["endpoints"].([]any) {
		names = append(names, e.(map[string]any)["endpoint_name"].(string))
	}
	return names
}

func id(name string) string {
	if id := SeedEndpointID(name); id != "" {
		return id
	}
	panic("no seeded endpoint " + name)
}

func TestGetEndpoint(t *testing.T) {
	t.Parallel()
	s := newServer()
	byLastSeen := map[string]any{"field": "last_seen", "keyword": "desc"}
	tests := []struct {
		name string
		data map[string]any
		want []string
	}{
		{"hostname", map[string]any{"filters": []any{f("hostname", "in", []any{"ws-fin-0142"})}}, []string{"WS-FIN-0142"}},
		{"unknown hostname", map[string]any{"filters": []any{f("hostname", "in", []any{"nope"})}}, nil},
		{"username", map[string]any{"filters": []any{f("username", "IN", []any{`acme\k.wright`, "k.wright"})}}, []string{"WS-EXEC-0003", "MBP-EXEC-002"}},
		{"group", map[string]any{"filters": []any{f("group_name", "in", []any{"Web Servers"})}}, []string{"web-prod-01", "web-prod-02"}},
		{"ip", map[string]any{"filters": []any{f("ip_list", "in", []any{"10.10.20.42", "172.16.0.5"})}}, []string{"WS-FIN-0142", "jump-01"}},
		{"status", map[string]any{"filters": []any{f("endpoint_status", "IN", []any{"disconnected"})}}, []string{"WS-MKT-0061", "SRV-EXCH-01", "MBP-EXEC-002"}},
		{"status eq", map[string]any{"filters": []any{f("endpoint_status", "eq", "UNINSTALLED")}}, []string{"WS-OLD-0007"}},
		{"platform and status", map[string]any{"filters": []any{f("platform", "in", []any{"linux"}), f("endpoint_status", "in", []any{"lost"})}}, []string{"k8s-node-12"}},
		{"isolated", map[string]any{"filters": []any{f("isolate", "in", []any{"isolated"})}}, []string{"WS-HR-0087", "build-ci-07"}},
		{"scan status", map[string]any{"filters": []any{f("scan_status", "in", []any{"error"})}}, []string{"SRV-FILE-02"}},
		{"id list", map[string]any{"filters": []any{f("endpoint_id_list", "in", []any{id("jump-01")})}}, []string{"jump-01"}},
		{"alias", map[string]any{"filters": []any{f("alias", "in", []any{"DC1", "bastion"})}}, []string{"SRV-DC-01", "jump-01"}},
		{"public IP", map[string]any{"filters": []any{f("public_ip_list", "in", []any{"198.51.100.219"})}}, []string{"LT-REMOTE-0219"}},
		{"installation package", map[string]any{"filters": []any{f("dist_name", "in", []any{"macOS 8.5"})}}, []string{"MBP-DESIGN-017", "MBP-ENG-204", "MBP-EXEC-002"}},
		{"first seen before", map[string]any{"filters": []any{f("first_seen", "lte", ms(firstSeen24)), f("platform", "in", []any{"macos"})}}, []string{"MBP-EXEC-002"}},
		{"last seen window, newest first", map[string]any{"filters": []any{
			f("last_seen", "gte", ms(seenRecently)-2*60000), f("last_seen", "lte", ms(seenRecently))}, "sort": byLastSeen},
			[]string{"WS-FIN-0142", "SRV-DC-01", "SRV-FILE-02"}},
		{"page", map[string]any{"search_from": 1, "search_to": 3, "sort": byLastSeen}, []string{"SRV-DC-01", "SRV-FILE-02"}},
		{"first seen ascending", map[string]any{"filters": []any{f("platform", "in", []any{"android"})}, "sort": map[string]any{"field": "first_seen", "keyword": "asc"}},
			[]string{"AND-SALES-031", "AND-FIELD-112"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := endpointNames(t, ok(t, s, "endpoints/get_endpoint", tc.data))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("endpoints mismatch (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("all and counts", func(t *testing.T) {
		r := ok(t, s, "endpoints/get_endpoint", map[string]any{}).(map[string]any)
		if r["total_count"] != float64(25) || r["result_count"] != float64(25) {
			t.Errorf("counts = %v/%v, want 25/25", r["total_count"], r["result_count"])
		}
	})
	t.Run("generated endpoints and the 100 cap", func(t *testing.T) {
		big := newServer(WithEndpoints(250))
		r := ok(t, big, "endpoints/get_endpoint", map[string]any{}).(map[string]any)
		if r["total_count"] != float64(275) || r["result_count"] != float64(100) {
			t.Errorf("counts = %v/%v, want 275/100", r["total_count"], r["result_count"])
		}
		r = ok(t, big, "endpoints/get_endpoint", map[string]any{"search_from": 200, "search_to": 300}).(map[string]any)
		if r["result_count"] != float64(75) {
			t.Errorf("last page has %v endpoints, want 75", r["result_count"])
		}
		wantError(t, big, "endpoints/get_endpoint", map[string]any{"search_from": 0, "search_to": 200}, 500, "maximum result set size is 100")
		got := endpointNames(t, ok(t, big, "endpoints/get_endpoint", map[string]any{"filters": []any{f("hostname", "in", []any{"bench-host-0001", "bench-host-0250"})}}))
		if diff := cmp.Diff([]string{"bench-host-0001", "bench-host-0250"}, got); diff != "" {
			t.Errorf("generated names mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("errors", func(t *testing.T) {
		wantError(t, s, "endpoints/get_endpoint", map[string]any{"filters": []any{f("platform", "in", []any{"solaris"})}}, 400, `invalid value "solaris"`)
		wantError(t, s, "endpoints/get_endpoint", map[string]any{"filters": []any{f("hostname", "in", "WS-FIN-0142")}}, 400, "must be a list of strings")
		wantError(t, s, "endpoints/get_endpoint", map[string]any{"filters": []any{f("os", "in", []any{"x"})}}, 400, `unsupported filter field "os"`)
		wantError(t, s, "endpoints/get_endpoint", map[string]any{"sort": map[string]any{"field": "endpoint_name"}}, 400, "unsupported sort field")
	})
}

// statuses polls get_action_status once.
func statuses(t *testing.T, s *Server, action any) map[string]any {
	t.Helper()
	return ok(t, s, "actions/get_action_status", map[string]any{"group_action_id": action}).(map[string]any)
}

func TestIsolateLifecycle(t *testing.T) {
	t.Parallel()
	s := newServer()
	fin, dc := id("WS-FIN-0142"), id("SRV-DC-01")
	r := ok(t, s, "endpoints/isolate", map[string]any{
		"filters":     []any{f("endpoint_id_list", "in", []any{fin, dc, "ffffffffffffffffffffffffffffffff", id("WS-OLD-0007"), fin})},
		"incident_id": "2901",
	}).(map[string]any)
	if diff := cmp.Diff(map[string]any{"action_id": float64(firstActionID), "status": float64(1), "endpoints_count": float64(2)}, r); diff != "" {
		t.Errorf("isolate reply mismatch (-want +got):\n%s", diff)
	}
	isolated := func(id string) any { e, _ := s.Endpoint(id); return e["is_isolated"] }
	if got := isolated(fin); got != agentPendingIsolation {
		t.Errorf("is_isolated after the call = %v, want %s", got, agentPendingIsolation)
	}
	for i, want := range []string{actPending, actInProgress, actSuccess, actSuccess} {
		data := statuses(t, s, firstActionID)["data"]
		if diff := cmp.Diff(map[string]any{fin: want, dc: want}, data); diff != "" {
			t.Errorf("poll %d mismatch (-want +got):\n%s", i+1, diff)
		}
	}
	if got := isolated(fin); got != agentIsolated {
		t.Errorf("is_isolated when done = %v, want %s", got, agentIsolated)
	}
	if e, _ := s.Endpoint(fin); e["isolated_date"] != float64(testNow.UnixMilli()) {
		t.Errorf("isolated_date = %v, want the clock's time", e["isolated_date"])
	}
	got := endpointNames(t, ok(t, s, "endpoints/get_endpoint", map[string]any{"filters": []any{f("isolate", "in", []any{"isolated"})}}))
	if diff := cmp.Diff([]string{"WS-FIN-0142", "WS-HR-0087", "SRV-DC-01", "build-ci-07"}, got); diff != "" {
		t.Errorf("isolated endpoints mismatch (-want +got):\n%s", diff)
	}

	// Unisolate by endpoint_id, the action ID as a string.
	r = ok(t, s, "endpoints/unisolate", map[string]any{"endpoint_id": fin}).(map[string]any)
	if r["action_id"] != float64(firstActionID+1) || r["endpoints_count"] != float64(1) {
		t.Errorf("unisolate reply = %v", r)
	}
	if got := isolated(fin); got != agentPendingCancellation {
		t.Errorf("is_isolated after unisolate = %v, want %s", got, agentPendingCancellation)
	}
	for range 3 {
		statuses(t, s, fmt.Sprint(firstActionID+1))
	}
	if got := isolated(fin); got != agentUnisolated {
		t.Errorf("is_isolated after unisolate completed = %v, want %s", got, agentUnisolated)
	}
}

func TestActionForcedResult(t *testing.T) {
	t.Parallel()
	for _, status := range []string{actFailed, "TIMEOUT", "CANCELLED", "EXPIRED"} {
		t.Run(status, func(t *testing.T) {
			t.Parallel()
			s := newServer(WithPendingPolls(1))
			fin := id("WS-FIN-0142")
			s.SetActionResult(firstActionID, status) // before the action exists
			ok(t, s, "endpoints/isolate", map[string]any{"endpoint_id": fin})
			if got := statuses(t, s, firstActionID)["data"].(map[string]any)[fin]; got != actPending {
				t.Errorf("first poll = %v, want PENDING", got)
			}
			r := statuses(t, s, firstActionID)
			if got := r["data"].(map[string]any)[fin]; got != status {
				t.Errorf("terminal status = %v, want %s", got, status)
			}
			_, hasReasons := r["errorReasons"]
			if hasReasons != (status == actFailed) {
				t.Errorf("errorReasons present = %v for %s: %v", hasReasons, status, r)
			}
			if e, _ := s.Endpoint(fin); e["is_isolated"] != agentUnisolated {
				t.Errorf("is_isolated after a %s isolation = %v, want %s", status, e["is_isolated"], agentUnisolated)
			}
		})
	}
	t.Run("errorReasons shape", func(t *testing.T) {
		t.Parallel()
		s := newServer(WithPendingPolls(0))
		ok(t, s, "endpoints/isolate", map[string]any{"endpoint_id": id("WS-FIN-0142")})
		s.SetActionResult(firstActionID, actFailed)
		got := statuses(t, s, firstActionID)["errorReasons"].(map[string]any)[id("WS-FIN-0142")].(map[string]any)
		sample := decode(t, testdata(t, "action_status_get.json"))["reply"].(map[string]any)["errorReasons"].(map[string]any)["5a763600a3e44928a94ba84b6088380f"].(map[string]any)
		for k := range sample {
			if _, ok := got[k]; !ok {
				t.Errorf("errorReasons entry lacks %q of the recorded reply: %v", k, got)
			}
		}
	})
	t.Run("disconnected agent stays pending", func(t *testing.T) {
		t.Parallel()
		s := newServer(WithPendingPolls(0))
		mkt := id("WS-MKT-0061")
		ok(t, s, "endpoints/isolate", map[string]any{"endpoint_id": mkt})
		for range 5 {
			if got := statuses(t, s, firstActionID)["data"].(map[string]any)[mkt]; got != actPending {
				t.Fatalf("status = %v, want PENDING", got)
			}
		}
	})
	t.Run("unknown action", func(t *testing.T) {
		t.Parallel()
		s := newServer()
		if diff := cmp.Diff(map[string]any{"data": map[string]any{}}, statuses(t, s, 42)); diff != "" {
			t.Errorf("unknown action mismatch (-want +got):\n%s", diff)
		}
		wantError(t, s, "actions/get_action_status", map[string]any{}, 400, "group_action_id is required")
		wantError(t, s, "actions/get_action_status", map[string]any{"group_action_id": "abc"}, 400, "must be an integer")
	})
}

func TestIsolateErrors(t *testing.T) {
	t.Parallel()
	s := newServer()
	many := make([]any, 1001)
	for i := range many {
		many[i] = fmt.Sprintf("%032x", i)
	}
	tests := []struct {
		name   string
		data   map[string]any
		status int
		want   string
	}{
		{"unknown endpoint", map[string]any{"endpoint_id": "ffffffffffffffffffffffffffffffff"}, 500, "No endpoint was found for creating the requested action"},
		{"uninstalled endpoint", map[string]any{"endpoint_id": id("WS-OLD-0007")}, 500, "No endpoint was found"},
		{"both forms", map[string]any{"endpoint_id": id("jump-01"), "filters": []any{f("endpoint_id_list", "in", []any{id("jump-01")})}}, 400, "not both"},
		{"neither", map[string]any{}, 400, "endpoint_id or filters"},
		{"empty filters", map[string]any{"filters": []any{}}, 400, "must not be empty"},
		{"other filter field", map[string]any{"filters": []any{f("hostname", "in", []any{"jump-01"})}}, 400, `unsupported filter field "hostname"`},
		{"over 1000", map[string]any{"filters": []any{f("endpoint_id_list", "in", many)}}, 500, "maximum of 1000 endpoints"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, s, "endpoints/isolate", tc.data, tc.status, tc.want)
		})
	}
	wantError(t, s, "endpoints/unisolate", map[string]any{"endpoint_id": "nope"}, 500, "No endpoint was found")
}

func TestScanAndAbort(t *testing.T) {
	t.Parallel()
	s := newServer()
	scanStatus := func(name string) any { e, _ := s.Endpoint(id(name)); return e["scan_status"] }

	r := ok(t, s, "endpoints/scan", map[string]any{"filters": []any{f("hostname", "in", []any{"web-prod-01", "web-prod-02", "nope"})}, "incident_id": "2903"}).(map[string]any)
	if diff := cmp.Diff(map[string]any{"action_id": float64(firstActionID), "endpoints_count": float64(2)}, r); diff != "" {
		t.Errorf("scan reply mismatch (-want +got):\n%s", diff)
	}
	if got := scanStatus("web-prod-01"); got != "SCAN_STATUS_PENDING" {
		t.Errorf("scan_status = %v, want SCAN_STATUS_PENDING", got)
	}
	statuses(t, s, firstActionID)
	statuses(t, s, firstActionID)
	if got := scanStatus("web-prod-01"); got != "SCAN_STATUS_IN_PROGRESS" {
		t.Errorf("scan_status while in progress = %v", got)
	}
	// Abort the scan on one host; the other finishes.
	r = ok(t, s, "endpoints/abort_scan", map[string]any{"filters": []any{f("hostname", "in", []any{"web-prod-02", "jump-01"})}}).(map[string]any)
	if r["endpoints_count"] != float64(1) {
		t.Errorf("abort_scan endpoints_count = %v, want 1 (jump-01 has no scan)", r["endpoints_count"])
	}
	if got := scanStatus("web-prod-02"); got != "SCAN_STATUS_PENDING_CANCELLATION" {
		t.Errorf("scan_status after abort = %v", got)
	}
	data := statuses(t, s, firstActionID)["data"]
	if diff := cmp.Diff(map[string]any{id("web-prod-01"): actSuccess, id("web-prod-02"): actAborted}, data); diff != "" {
		t.Errorf("scan statuses mismatch (-want +got):\n%s", diff)
	}
	for range 3 {
		statuses(t, s, firstActionID+1)
	}
	if a, b := scanStatus("web-prod-01"), scanStatus("web-prod-02"); a != "SCAN_STATUS_SUCCESS" || b != "SCAN_STATUS_CANCELED" {
		t.Errorf("scan_status = %v, %v; want SUCCESS, CANCELED", a, b)
	}
	wantError(t, s, "endpoints/abort_scan", map[string]any{"filters": "all"}, 500, "No endpoint was found")

	r = ok(t, s, "endpoints/scan", map[string]any{"filters": "all"}).(map[string]any)
	if r["endpoints_count"] != float64(24) {
		t.Errorf(`scan "all" endpoints_count = %v, want 24 (all but the uninstalled one)`, r["endpoints_count"])
	}
	wantError(t, s, "endpoints/scan", map[string]any{"filters": "some"}, 400, `"all"`)
	wantError(t, s, "endpoints/scan", map[string]any{"filters": []any{}}, 400, "must not be empty")
	wantError(t, s, "endpoints/scan", map[string]any{}, 400, "filters is required")
	wantError(t, s, "endpoints/scan", map[string]any{"filters": []any{f("hostname", "in", []any{"nope"})}}, 500, "No endpoint was found")
}

// fetch downloads a link the server handed out.
func fetch(t *testing.T, s *Server, link, method string) *httptestResponse {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	w := send(t, s, method, u.Path, nil, standard)
	return &httptestResponse{code: w.Code, header: w.Header(), body: w.Body.Bytes()}
}

type httptestResponse struct {
	code   int
	header http.Header
	body   []byte
}

func unzip(t *testing.T, b []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a ZIP: %v", err)
	}
	out := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		c, _ := io.ReadAll(rc)
		rc.Close()
		out[f.Name] = string(c)
	}
	return out
}

func TestFileRetrieval(t *testing.T) {
	t.Parallel()
	s := newServer()
	fin, web := id("WS-FIN-0142"), id("web-prod-01")
	r := ok(t, s, "endpoints/file_retrieval", map[string]any{
		"filters": []any{f("endpoint_id_list", "in", []any{fin, web, id("MBP-ENG-204")})},
		"files":   map[string]any{"windows": []any{`C:\Users\Public\test.txt`}, "linux": []any{"/etc/passwd", "/tmp/x.sh"}},
	}).(map[string]any)
	if diff := cmp.Diff(map[string]any{"action_id": float64(firstActionID), "status": float64(1), "endpoints_count": float64(2)}, r); diff != "" {
		t.Errorf("reply mismatch (-want +got):\n%s", diff)
	}
	details := func() map[string]any {
		return ok(t, s, "actions/file_retrieval_details", map[string]any{"group_action_id": firstActionID}).(map[string]any)["data"].(map[string]any)
	}
	if got := details(); len(got) != 0 {
		t.Errorf("details before completion = %v, want none", got)
	}
	for range 3 {
		statuses(t, s, firstActionID)
	}
	links := details()
	if len(links) != 2 {
		t.Fatalf("details = %v, want a link per endpoint", links)
	}
	if again := details(); !cmp.Equal(links, again) {
		t.Errorf("links changed between calls: %v, %v", links, again)
	}
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		resp := fetch(t, s, links[web].(string), method)
		if resp.code != 200 || resp.header.Get("Content-Disposition") != fmt.Sprintf("attachment; filename=%d_%s.zip", firstActionID, web) {
			t.Fatalf("%s download = %d %v", method, resp.code, resp.header)
		}
		files := unzip(t, resp.body)
		if _, ok := files["etc/passwd"]; !ok || len(files) != 2 {
			t.Errorf("ZIP entries = %v, want etc/passwd and tmp/x.sh", files)
		}
	}
	if files := unzip(t, fetch(t, s, links[fin].(string), http.MethodGet).body); len(files) != 1 || files["C/Users/Public/test.txt"] == "" {
		t.Errorf("Windows ZIP entries = %v", files)
	}

	tooMany := make([]any, 11)
	for i := range tooMany {
		tooMany[i] = SeedEndpoints()[i]
	}
	paths := make([]any, 21)
	for i := range paths {
		paths[i] = fmt.Sprintf("/tmp/%d", i)
	}
	wantError(t, s, "endpoints/file_retrieval", map[string]any{"filters": []any{f("endpoint_id_list", "in", tooMany)}, "files": map[string]any{"windows": []any{"C:\\a"}}}, 500, "maximum of 10 endpoints")
	wantError(t, s, "endpoints/file_retrieval", map[string]any{"filters": []any{f("endpoint_id_list", "in", []any{web})}, "files": map[string]any{"linux": paths}}, 500, "maximum of 20 files")
	wantError(t, s, "endpoints/file_retrieval", map[string]any{"filters": []any{f("endpoint_id_list", "in", []any{web})}, "files": map[string]any{"solaris": []any{"/a"}}}, 400, `not "solaris"`)
	wantError(t, s, "endpoints/file_retrieval", map[string]any{"filters": []any{f("endpoint_id_list", "in", []any{web})}}, 400, "at least one file path")
	wantError(t, s, "endpoints/file_retrieval", map[string]any{"filters": []any{f("endpoint_id_list", "in", []any{web})}, "files": map[string]any{"windows": []any{"C:\\a"}}}, 500, "No endpoint was found")
	if got := ok(t, s, "actions/file_retrieval_details", map[string]any{"group_action_id": 5}).(map[string]any); len(got["data"].(map[string]any)) != 0 {
		t.Errorf("details of an unknown action = %v", got)
	}
}

func TestRunScript(t *testing.T) {
	t.Parallel()
	s := newServer()
	jump := id("jump-01")
	r := ok(t, s, "scripts/run_snippet_code_script", map[string]any{
		"filters":      []any{f("endpoint_id_list", "in", []any{jump})},
		"snippet_code": `print("7")`,
		"timeout":      600,
	}).(map[string]any)
	if diff := cmp.Diff(map[string]any{"action_id": float64(firstActionID), "endpoints_count": float64(1)}, r); diff != "" {
		t.Errorf("reply mismatch (-want +got):\n%s", diff)
	}
	filesReq := map[string]any{"action_id": fmt.Sprint(firstActionID), "endpoint_id": jump}
	if got := ok(t, s, "scripts/get_script_execution_results_files", filesReq); !cmp.Equal(got, map[string]any{"DATA": ""}) {
		t.Errorf("files before completion = %v, want an empty link", got)
	}
	var general []any
	for range 3 {
		st := ok(t, s, "scripts/get_script_execution_status", map[string]any{"action_id": firstActionID}).(map[string]any)
		general = append(general, st["general_status"])
	}
	if diff := cmp.Diff([]any{actPending, actInProgress, actSuccess}, general); diff != "" {
		t.Errorf("general_status mismatch (-want +got):\n%s", diff)
	}
	res := ok(t, s, "scripts/get_script_execution_results", map[string]any{"action_id": firstActionID}).(map[string]any)
	if out := res["results"].([]any)[0].(map[string]any)["standard_output"]; out != "7\n" {
		t.Errorf("standard_output = %q, want 7", out)
	}
	link := ok(t, s, "scripts/get_script_execution_results_files", filesReq).(map[string]any)["DATA"].(string)
	resp := fetch(t, s, link, http.MethodGet)
	if resp.code != 200 {
		t.Fatalf("download = %d", resp.code)
	}
	if files := unzip(t, resp.body); files["stdout.txt"] != "7\n" {
		t.Errorf("ZIP = %v", files)
	}

	wantError(t, s, "scripts/get_script_execution_results_files", map[string]any{"action_id": firstActionID, "endpoint_id": id("web-prod-01")}, 500, "not part of action")
	wantError(t, s, "scripts/get_script_execution_results_files", map[string]any{"action_id": 77, "endpoint_id": jump}, 500, "was not found")
	wantError(t, s, "scripts/get_script_execution_results_files", map[string]any{"action_id": firstActionID}, 400, "endpoint_id is required")
	wantError(t, s, "scripts/run_snippet_code_script", map[string]any{"filters": []any{f("endpoint_id_list", "in", []any{jump})}}, 400, "snippet_code is required")
	wantError(t, s, "scripts/run_snippet_code_script", map[string]any{"filters": []any{f("endpoint_id_list", "in", []any{jump})}, "snippet_code": "x", "timeout": -1}, 400, "timeout")
	wantError(t, s, "scripts/run_snippet_code_script", map[string]any{"filters": []any{f("endpoint_id_list", "in", []any{"nope"})}, "snippet_code": "x"}, 500, "No endpoint was found")
}
