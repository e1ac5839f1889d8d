package cortexxdr

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/actions/cortexxdr/fake"
)

// noAdmin is the advanced key without the Instance Administrator role;
// noPro is it without a Pro license.
var (
	noAdmin = fake.Key{ID: fake.AdvancedKeyID, Secret: fake.AdvancedKey, Advanced: true, Pro: true}
	noPro   = fake.Key{ID: fake.AdvancedKeyID, Secret: fake.AdvancedKey, Advanced: true, Admin: true}
)

// vendorErr is the vendor's error body as the commands decode it.
func vendorErr(status int64, msg string, extra any) map[string]any {
	return map[string]any{"reply": map[string]any{"err_code": status, "err_msg": msg, "err_extra": extra}}
}

// TestErrors checks each documented error shape: the Failure Indicator,
// the Status Code and the Message, how many requests reached the fake,
// and Raw Data holding the vendor's error body where there was one.
func TestErrors(t *testing.T) {
	t.Parallel()
	const processing = "An error occurred while processing XDR public API"
	noEndpoint := vendorErr(500, processing, "No endpoint was found for creating the requested action")
	tests := []struct {
		name   string
		opts   []fake.Option
		setup  func(h *harness)
		faults []fake.Fault
		cmd    string
		inputs map[string]any
		// indicator, status and msg (or a prefix of it) of the Error.
		indicator string
		status    int
		msg       string
		prefix    bool
		// path and calls: how many requests reached that path.
		path  string
		calls int
		raw   any // nil: not checked
	}{
		{
			name: "isolate unknown endpoint", cmd: IsolateHostsName, inputs: map[string]any{"endpoint_ids": []any{epUnknown}},
			indicator: "Isolate Hosts failed.", status: 404, msg: "Endpoint IDs Not Found.",
			path: "endpoints/isolate/", calls: 1, raw: noEndpoint,
		},
		{
			name: "isolate uninstalled endpoint", cmd: IsolateHostsName, inputs: map[string]any{"endpoint_ids": []any{epOld}},
			indicator: "Isolate Hosts failed.", status: 404, msg: "Endpoint IDs Not Found.",
			path: "endpoints/isolate/", calls: 1, raw: noEndpoint,
		},
		{
			name: "unisolate unknown endpoint", cmd: UnisolateHostsName, inputs: map[string]any{"endpoint_ids": []any{epUnknown}},
			indicator: "Unisolate Hosts failed.", status: 404, msg: "Endpoint IDs Not Found.",
			path: "endpoints/unisolate/", calls: 1, raw: noEndpoint,
		},
		{
			name: "retrieve files unknown endpoint", cmd: RetrieveFilesName,
			inputs:    map[string]any{"endpoint_ids": []any{epUnknown}, "os": "Linux", "file_paths": []any{"/etc/passwd"}},
			indicator: "Retrieve Files failed.", status: 404, msg: "Endpoint IDs Not Found.",
			path: "endpoints/file_retrieval/", calls: 1, raw: noEndpoint,
		},
		{
			name: "run script unknown endpoint", cmd: RunScriptName,
			inputs:    map[string]any{"endpoint_ids": []any{epUnknown}, "snippet_code": "print(1)"},
			indicator: "Run Script failed.", status: 404, msg: "Endpoint IDs Not Found.",
			path: "scripts/run_snippet_code_script/", calls: 1, raw: noEndpoint,
		},
		{
			name: "run script empty snippet", cmd: RunScriptName,
			inputs:    map[string]any{"endpoint_ids": []any{epFin}, "snippet_code": "  "},
			indicator: "Run Script failed.", status: 400, msg: "snippet_code is empty",
			path: "scripts/run_snippet_code_script/", calls: 0,
		},
		{
			name: "scan unknown host", cmd: ScanHostsName, inputs: map[string]any{"host_names": []any{"NOPE-1"}},
			indicator: "Scan Hosts failed.", status: 404, msg: "Host Names Not Found.",
			path: "endpoints/scan/", calls: 1, raw: noEndpoint,
		},
		{
			name: "scan no host", cmd: ScanHostsName, inputs: map[string]any{"host_names": []any{}},
			indicator: "Scan Hosts failed.", status: 400, msg: "host_names is empty: this command never targets every endpoint",
			path: "endpoints/scan/", calls: 0,
		},
		{
			name: "cancel scan with no scan running", cmd: CancelScanHostsName, inputs: map[string]any{"host_names": []any{"WS-FIN-0142"}},
			indicator: "Cancel Scan Hosts failed.", status: 404, msg: "Host Names Not Found.",
			path: "endpoints/abort_scan/", calls: 1, raw: noEndpoint,
		},
		{
			name: "search hosts unknown names", cmd: SearchHostsName, inputs: map[string]any{"host_names": []any{"NOPE-1", "NOPE-2"}},
			indicator: "Search Hosts failed.", status: 404, msg: "Host Names Not Found: NOPE-1, NOPE-2",
			path: "endpoints/get_endpoint/", calls: 1,
		},
		{
			name: "get iocs forbidden", cmd: GetIOCsName, inputs: map[string]any{"indicators": []any{"virus1.exe"}},
			faults:    []fake.Fault{{Path: "indicators/get", Times: 1, Status: 403, Body: `{"reply":{"err_code":403,"err_msg":"Forbidden","err_extra":null}}`}},
			indicator: "Get IOCs failed.", status: 403, msg: "Forbidden",
			path: "indicators/get", calls: 1, raw: vendorErr(403, "Forbidden", nil),
		},
		{
			name: "add iocs without the admin role", opts: []fake.Option{fake.WithKeys(noAdmin)}, cmd: AddIOCsName,
			inputs:    map[string]any{"indicators": []any{"virus9.exe"}, "indicator_type": "Filename"},
			indicator: "Add IOCs failed.", status: 403, msg: "Forbidden", prefix: true,
			path: "indicators/insert", calls: 1,
		},
		{
			name: "delete iocs without the admin role", opts: []fake.Option{fake.WithKeys(noAdmin)}, cmd: DeleteIOCsName,
			inputs:    map[string]any{"indicators": []any{"virus1.exe"}},
			indicator: "Delete IOCs failed.", status: 403, msg: "Forbidden", prefix: true,
			path: "indicators/delete", calls: 1,
		},
		{
			name: "update iocs without the admin role", opts: []fake.Option{fake.WithKeys(noAdmin)}, cmd: UpdateIOCsName,
			inputs:    map[string]any{"rule_id": 57, "comment": "x"},
			indicator: "Update IOCs failed.", status: 403, msg: "Forbidden", prefix: true,
			path: "indicators/insert", calls: 0,
		},
		{
			name: "start xql query without a pro license", opts: []fake.Option{fake.WithKeys(noPro)}, cmd: StartXQLQueryName,
			inputs:    map[string]any{"start_time": "2020-01-01 00:00", "query": "dataset=xdr_data | limit 1"},
			indicator: "Start XQL Query failed.", status: 402, msg: "Unauthorized access", prefix: true,
			path: "xql/start_xql_query/", calls: 1,
		},
		{
			name: "start xql query end before start", cmd: StartXQLQueryName,
			inputs:    map[string]any{"start_time": "2026-11-02 00:00", "end_time": "2026-11-01 00:00", "query": "dataset=xdr_data"},
			indicator: "Start XQL Query failed.", status: 400, msg: "end_time must be after start_time",
			path: "xql/start_xql_query/", calls: 0,
		},
		{
			name: "start xql query syntax error", cmd: StartXQLQueryName,
			inputs:    map[string]any{"start_time": "2020-01-01 00:00", "query": "dataset=xdr_data |alter2 x = 1"},
			indicator: "Start XQL Query failed.", status: 500,
			msg:  `{"line": 1, "column": 17, "message": "no viable alternative at input '|alter2'"}`,
			path: "xql/start_xql_query/", calls: 1,
		},
		{
			name: "fetch incident other filters on a time field", cmd: FetchIncidentName,
			inputs: map[string]any{"start_time": "2026-11-01 00:00", "time_field": "Creation Time",
				"other_filters": []any{map[string]any{"field": "creation_time", "operator": "gte", "value": 1}}},
			indicator: "Fetch Incident failed.", status: 400,
			msg:  `Invalid Filter. other_filters[0]: field "creation_time" is not one of incident_id_list, description, alert_sources, status, starred (use Start Time, End Time and Time Field for time ranges)`,
			path: "incidents/get_incidents/", calls: 0,
		},
		{
			name: "fetch incident other filters without operator", cmd: FetchIncidentName,
			inputs: map[string]any{"start_time": "2026-11-01 00:00", "time_field": "Creation Time",
				"other_filters": []any{map[string]any{"field": "status", "value": "new"}}},
			indicator: "Fetch Incident failed.", status: 400, msg: "Invalid Filter. other_filters[0]: no operator",
			path: "incidents/get_incidents/", calls: 0,
		},
		{
			name: "fetch incident other filters refused by the API", cmd: FetchIncidentName,
			inputs: map[string]any{"start_time": "2026-11-01 00:00", "time_field": "Creation Time",
				"other_filters": []any{map[string]any{"field": "status", "operator": "eq", "value": "bogus"}}},
			indicator: "Fetch Incident failed.", status: 400, msg: `Bad Request. Got an invalid JSON.: invalid value "bogus" for filter field "status"`, prefix: true,
			path: "incidents/get_incidents/", calls: 1,
		},
		{
			name: "fetch incident extra data unknown", cmd: FetchIncidentName,
			faults: []fake.Fault{{Path: "incidents/get_incident_extra_data", Times: 1, Status: 500,
				Body: `{"reply":{"err_code":500,"err_msg":"An error occurred while processing XDR public API","err_extra":"Incident 2912 was not found"}}`}},
			inputs: map[string]any{"start_time": "2026-11-19 00:00", "time_field": "Creation Time",
				"number_of_incidents_fetched": 1, "allow_retrieve_extra_data": true},
			indicator: "Fetch Incident failed.", status: 500,
			msg:  "incident 2912: extra data: An error occurred while processing XDR public API: Incident 2912 was not found",
			path: "incidents/get_incident_extra_data/", calls: 1,
		},
		{
			name: "get script result files unknown action", cmd: GetScriptResultFilesName,
			inputs:    map[string]any{"action_id": 4242, "endpoint_id": epFin},
			indicator: "Get Script Results failed.", status: 500, msg: processing + ": Script execution action 4242 was not found",
			path: "scripts/get_script_execution_results_files/", calls: 1,
			raw: vendorErr(500, processing, "Script execution action 4242 was not found"),
		},
		{
			name: "get script result files before the script ran", cmd: GetScriptResultFilesName,
			setup: func(h *harness) {
				h.mustRun(RunScriptName, map[string]any{"endpoint_ids": []any{epFin}, "snippet_code": "print(1)"})
			},
			inputs:    map[string]any{"action_id": "1001", "endpoint_id": epFin},
			indicator: "Get Script Results failed.", status: 404, msg: "no result files for action 1001 on endpoint " + epFin,
			path: "scripts/get_script_execution_results_files/", calls: 1,
			raw: map[string]any{"reply": map[string]any{"DATA": ""}},
		},
		{
			name: "update iocs unknown rule", cmd: UpdateIOCsName, inputs: map[string]any{"rule_id": 999, "comment": "x"},
			indicator: "Update IOCs failed.", status: 404, msg: "Rule ID Not Found: 999",
			path: "indicators/insert", calls: 0,
			raw: map[string]any{"objects_count": int64(0), "objects": []any{}},
		},
		{
			name: "update iocs value refused", cmd: UpdateIOCsName, inputs: map[string]any{"rule_id": 54, "indicator": "tools/mimikatz.exe"},
			indicator: "Update IOCs failed.", status: 200, msg: "rejected: Got type: FILENAME, Indicator: tools/mimikatz.exe mismatch",
			path: "indicators/insert", calls: 1,
		},
		{
			name: "delete iocs without a filter", cmd: DeleteIOCsName, inputs: map[string]any{},
			indicator: "Delete IOCs failed.", status: 400, msg: "no filter given: Delete IOCs never deletes every IOC", prefix: true,
			path: "indicators/delete", calls: 0,
		},
		{
			name: "update incidents nothing to update", cmd: UpdateIncidentsName, inputs: map[string]any{"incident_ids": []any{"2901"}},
			indicator: "Update Incidents failed.", status: 400, msg: "nothing to update: give assigned_user_mail, status, severity, comment or update_data",
			path: "incidents/update_incident/", calls: 0,
		},
		{
			name: "update incidents unknown user", cmd: UpdateIncidentsName,
			inputs:    map[string]any{"incident_ids": []any{"2901"}, "assigned_user_mail": "nobody@example.com"},
			indicator: "Update Incidents failed.", status: 500,
			msg:  "1 of 1 failed: 2901: 500 " + processing + ": User nobody@example.com was not found",
			path: "incidents/update_incident/", calls: 1,
			raw: map[string]any{"Results": []any{vendorErr(500, processing, "User nobody@example.com was not found")}},
		},
		{
			name: "get xql query results unknown query", cmd: GetXQLQueryResultsName, inputs: map[string]any{"query_ids": []any{"nope_9_inv"}},
			indicator: "Get XQL Query Results failed.", status: 500,
			msg:  "1 of 1 failed: nope_9_inv: 500 " + processing + ": Query nope_9_inv was not found",
			path: "xql/get_query_results/", calls: 1,
			raw: map[string]any{"Results": []any{vendorErr(500, processing, "Query nope_9_inv was not found")}},
		},
		{
			name: "test connection forbidden", cmd: TestConnectionName,
			faults:    []fake.Fault{{Path: "incidents/get_incidents", Times: 1, Status: 403}},
			indicator: "Test Connection failed. Failed to check the connector.", status: 403, msg: "Forbidden", prefix: true,
			path: "incidents/get_incidents/", calls: 1,
		},
		{
			name: "unknown input", cmd: IsolateHostsName, inputs: map[string]any{"endpoint_idz": []any{epFin}},
			indicator: "Isolate Hosts failed.", status: 0, msg: `unknown input "endpoint_idz" (did you mean "endpoint_ids"?)`,
			path: "endpoints/isolate/", calls: 0,
		},
		{
			name: "missing input", cmd: GetActionStatusName, inputs: map[string]any{},
			indicator: "Get Action Status failed.", status: 0, msg: `missing required input "action_ids"`,
			path: "actions/get_action_status/", calls: 0,
		},
		{
			name: "too many endpoints", cmd: RetrieveFilesName,
			inputs: map[string]any{"endpoint_ids": []any{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"},
				"os": "Windows", "file_paths": []any{"C:\\a"}},
			indicator: "Retrieve Files failed.", status: 0, msg: `input "endpoint_ids": must have at most 10 items, got 11`,
			path: "endpoints/file_retrieval/", calls: 0,
		},
		{
			name: "action id not a number", cmd: GetActionStatusName, inputs: map[string]any{"action_ids": []any{"abc"}},
			indicator: "Get Action Status failed.", status: 0, msg: `1 of 1 failed: abc: 0 action ID "abc" is not a number`,
			path: "actions/get_action_status/", calls: 0,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tc.opts...)
			if tc.setup != nil {
				tc.setup(h)
				h.reset()
			}
			for _, f := range tc.faults {
				h.srv.Inject(f)
			}
			env := h.run(tc.cmd, tc.inputs)
			if env.ReturnData != actions.Failed {
				t.Errorf("ReturnData = %q, want Failed", env.ReturnData)
			}
			if env.Error == nil {
				t.Fatal("Error = nil")
			}
			if env.Error.FailureIndicator != tc.indicator {
				t.Errorf("FailureIndicator = %q, want %q", env.Error.FailureIndicator, tc.indicator)
			}
			if env.Error.StatusCode != tc.status {
				t.Errorf("StatusCode = %d, want %d (message %q)", env.Error.StatusCode, tc.status, env.Error.Message)
			}
			if tc.prefix {
				if !strings.HasPrefix(env.Error.Message, tc.msg) {
					t.Errorf("Message = %q, want it to start with %q", env.Error.Message, tc.msg)
				}
			} else if env.Error.Message != tc.msg {
				t.Errorf("Message = %q, want %q", env.Error.Message, tc.msg)
			}
			if got := len(h.requests(tc.path)); got != tc.calls {
				t.Errorf("%d requests to %s, want %d", got, tc.path, tc.calls)
			}
			if tc.raw != nil {
				if diff := cmp.Diff(tc.raw, env.RawData); diff != "" {
					t.Errorf("Raw Data mismatch (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// TestConnectionErrors checks the failures that come before any request:
// no connection, bad settings, an unknown API version (the API's plain 404
// for an unknown URL).
func TestConnectionErrors(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ind := "Test Connection failed. Failed to check the connector."
	env := h.runWith(nil, TestConnectionName, nil)
	checkError(t, env, actions.Failed, ind, 0, "no cortex_xdr connection is bound to this task")

	bad := &actions.Connection{Name: "xdr", Settings: map[string]string{FieldServerURL: "ftp://x", FieldAPIKeyID: "2"},
		Secrets: map[string]actions.Secret{FieldAPIKey: actions.NewSecret(fake.AdvancedKey)}}
	env = h.runWith(bad, TestConnectionName, nil)
	checkError(t, env, actions.Failed, ind, 0, "connection xdr: server_url must be an https:// URL with a host")

	noKey := &actions.Connection{Name: "xdr", Settings: map[string]string{FieldServerURL: h.ts.URL, FieldAPIKeyID: "2"}}
	env = h.runWith(noKey, TestConnectionName, nil)
	checkError(t, env, actions.Failed, ind, 0, "connection xdr: api_key is not set")

	badLevel := &actions.Connection{Name: "xdr", Settings: map[string]string{FieldServerURL: h.ts.URL, FieldAPIKeyID: "2", FieldSecurityLevel: "basic"},
		Secrets: map[string]actions.Secret{FieldAPIKey: actions.NewSecret(fake.AdvancedKey)}}
	env = h.runWith(badLevel, TestConnectionName, nil)
	checkError(t, env, actions.Failed, ind, 0, "connection xdr: security_level must be advanced or standard")

	v2 := h.connection(map[string]string{FieldVersion: "v2"}, fake.AdvancedKey)
	env = h.runWith(v2, TestConnectionName, nil)
	checkError(t, env, actions.Failed, ind, 404, "The object at "+h.ts.URL+"/public_api/v2/incidents/get_incidents/ does not exist")
	if got := len(h.srv.Requests()); got != 1 {
		t.Errorf("%d requests, want 1 (a 404 is not retried)", got)
	}
}

// TestPartialSuccess checks the per-item commands and the one-request
// commands when some items fail: Partially Successful naming the failed
// items, their Results entries their errors, Key Fields only for what
// succeeded, and Failed when every item failed.
func TestPartialSuccess(t *testing.T) {
	t.Parallel()
	const processing = "An error occurred while processing XDR public API"
	type check func(t *testing.T, h *harness, env actions.Envelope)
	results := func(env actions.Envelope) []any { return list(field(env.RawData, "Results")) }
	tests := []struct {
		name   string
		opts   []fake.Option
		setup  func(h *harness) vars
		cmd    string
		inputs func(v vars) map[string]any
		rd     actions.ReturnData
		status int
		msg    func(v vars) string
		keys   func(v vars) map[string][]any
		check  check
	}{
		{
			name: "get incident details one unknown", cmd: GetIncidentDetailsName,
			inputs: func(vars) map[string]any { return map[string]any{"incident_ids": []any{"2908", "9999"}} },
			rd:     actions.PartiallySuccessful, status: 404,
			msg: func(vars) string { return "1 of 2 failed: 9999: 404 Incident IDs Not Found." },
			keys: func(vars) map[string][]any {
				return map[string][]any{"IncidentIDs": {"2908"}, "AlertIDs": {"283845"}, "HostNames": {"jump-01"},
					"HostIPs": {"172.16.0.5"}, "FileSHA256s": {seedSHA256("sshd")}}
			},
			check: func(t *testing.T, h *harness, env actions.Envelope) {
				r := results(env)
				if len(r) != 2 || field(r[0], "reply", "incident", "incident_id") != "2908" {
					t.Errorf("Results[0] = %v, want incident 2908's reply", r)
				}
				if diff := cmp.Diff(any(vendorErr(500, processing, "Incident 9999 was not found")), r[1]); diff != "" {
					t.Errorf("Results[1] mismatch (-want +got):\n%s", diff)
				}
				if got := len(h.requests("incidents/get_incident_extra_data/")); got != 2 {
					t.Errorf("%d requests, want 2 (a vendor 'not found' is not retried)", got)
				}
			},
		},
		{
			name: "get incident details all unknown", cmd: GetIncidentDetailsName,
			inputs: func(vars) map[string]any { return map[string]any{"incident_ids": []any{"9998", "9999"}} },
			rd:     actions.Failed, status: 404,
			msg: func(vars) string {
				return "2 of 2 failed: 9998: 404 Incident IDs Not Found.; 9999: 404 Incident IDs Not Found."
			},
			keys: func(vars) map[string][]any {
				return map[string][]any{"IncidentIDs": {}, "AlertIDs": {}, "HostNames": {}, "HostIPs": {}, "FileSHA256s": {}}
			},
		},
		{
			name: "get action status one unknown", cmd: GetActionStatusName,
			setup: func(h *harness) vars {
				h.mustRun(ScanHostsName, map[string]any{"host_names": []any{"WS-FIN-0142"}})
				return vars{}
			},
			inputs: func(vars) map[string]any { return map[string]any{"action_ids": []any{4242, 1001}} },
			rd:     actions.PartiallySuccessful, status: 404,
			msg: func(vars) string { return "1 of 2 failed: 4242: 404 Action IDs Not Found." },
			keys: func(vars) map[string][]any {
				return map[string][]any{"ActionIDs": {int64(1001)}, "EndpointIDs": {epFin}, "Statuses": {"PENDING"}}
			},
			check: func(t *testing.T, h *harness, env actions.Envelope) {
				want := []any{
					map[string]any{"error": map[string]any{"status_code": int64(404), "message": "Action IDs Not Found."}},
					map[string]any{"reply": map[string]any{"data": map[string]any{epFin: "PENDING"}}},
				}
				if diff := cmp.Diff(want, results(env)); diff != "" {
					t.Errorf("Results mismatch (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "get action status all unknown", cmd: GetActionStatusName,
			inputs: func(vars) map[string]any { return map[string]any{"action_ids": []any{"4242"}} },
			rd:     actions.Failed, status: 404,
			msg: func(vars) string { return "1 of 1 failed: 4242: 404 Action IDs Not Found." },
			keys: func(vars) map[string][]any {
				return map[string][]any{"ActionIDs": {}, "EndpointIDs": {}, "Statuses": {}}
			},
		},
		{
			name: "get xql query results one unknown", cmd: GetXQLQueryResultsName,
			setup: func(h *harness) vars {
				env := h.mustRun(StartXQLQueryName, map[string]any{"start_time": "2020-01-01 00:00", "query": "dataset=xdr_data"})
				return vars{"id": env.KeyFields["QueryIDs"][0]}
			},
			inputs: func(v vars) map[string]any { return map[string]any{"query_ids": []any{"nope_9_inv", v["id"]}} },
			rd:     actions.PartiallySuccessful, status: 500,
			msg: func(vars) string {
				return "1 of 2 failed: nope_9_inv: 500 " + processing + ": Query nope_9_inv was not found"
			},
			keys: func(v vars) map[string][]any {
				return map[string][]any{"QueryIDs": {v["id"]}, "Statuses": {"PENDING"}, "StreamIDs": {}}
			},
			check: func(t *testing.T, h *harness, env actions.Envelope) {
				want := []any{vendorErr(500, processing, "Query nope_9_inv was not found"),
					map[string]any{"reply": map[string]any{"status": "PENDING"}}}
				if diff := cmp.Diff(want, results(env)); diff != "" {
					t.Errorf("Results mismatch (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "get xql query results one failed", cmd: GetXQLQueryResultsName,
			setup: func(h *harness) vars {
				h.srv.Inject(fake.Fault{Path: "xql/get_query_results", Times: 1, Body: `{"reply":{"status":"FAIL","number_of_results":0}}`})
				return vars{}
			},
			inputs: func(vars) map[string]any { return map[string]any{"query_ids": []any{"failed_7_inv"}} },
			rd:     actions.Failed, status: 200,
			msg:  func(vars) string { return "1 of 1 failed: failed_7_inv: 200 the query failed" },
			keys: func(vars) map[string][]any { return map[string][]any{"QueryIDs": {}, "Statuses": {}, "StreamIDs": {}} },
			check: func(t *testing.T, h *harness, env actions.Envelope) {
				want := []any{map[string]any{"reply": map[string]any{"status": "FAIL", "number_of_results": int64(0)}}}
				if diff := cmp.Diff(want, results(env)); diff != "" {
					t.Errorf("Results mismatch (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "update incidents one unknown", cmd: UpdateIncidentsName,
			inputs: func(vars) map[string]any {
				return map[string]any{"incident_ids": []any{"2901", "9999"}, "status": "Under Investigation"}
			},
			rd: actions.PartiallySuccessful, status: 404,
			msg:  func(vars) string { return "1 of 2 failed: 9999: 404 Incident IDs Not Found." },
			keys: func(vars) map[string][]any { return map[string][]any{"IncidentIDs": {"2901"}} },
			check: func(t *testing.T, h *harness, env actions.Envelope) {
				want := []any{map[string]any{"reply": true}, vendorErr(500, processing, "Incident 9999 was not found")}
				if diff := cmp.Diff(want, results(env)); diff != "" {
					t.Errorf("Results mismatch (-want +got):\n%s", diff)
				}
				if got := len(h.requests("incidents/update_incident/")); got != 2 {
					t.Errorf("%d update requests, want 2", got)
				}
				if in, _ := h.srv.Incident("2901"); in["status"] != "under_investigation" {
					t.Errorf("2901 status = %v, want under_investigation", in["status"])
				}
			},
		},
		{
			name: "update incidents all unknown", cmd: UpdateIncidentsName,
			inputs: func(vars) map[string]any { return map[string]any{"incident_ids": []any{"9999"}, "severity": "Low"} },
			rd:     actions.Failed, status: 404,
			msg:  func(vars) string { return "1 of 1 failed: 9999: 404 Incident IDs Not Found." },
			keys: func(vars) map[string][]any { return map[string][]any{"IncidentIDs": {}} },
		},
		{
			name: "isolate hosts unknown and uninstalled among known", cmd: IsolateHostsName,
			inputs: func(vars) map[string]any {
				return map[string]any{"endpoint_ids": []any{epFin, epOld, epUnknown, epWeb}}
			},
			rd: actions.PartiallySuccessful, status: 200,
			msg: func(vars) string { return "the reply covers 2 of 4; not covered: " + epOld + ", " + epUnknown },
			keys: func(vars) map[string][]any {
				return map[string][]any{"ActionIDs": {int64(1001)}, "EndpointIDs": {epFin, epWeb}}
			},
			check: func(t *testing.T, h *harness, env actions.Envelope) {
				want := map[string]any{"reply": map[string]any{"action_id": int64(1001), "status": int64(1), "endpoints_count": int64(2)}}
				if diff := cmp.Diff(any(want), env.RawData); diff != "" {
					t.Errorf("Raw Data mismatch (-want +got):\n%s", diff)
				}
				checkRequests(t, h.srv.Requests(), []wantReq{
					{"endpoints/isolate/", rd(map[string]any{"filters": idFilterOf(epFin, epOld, epUnknown, epWeb)})},
					{"actions/get_action_status/", rd(map[string]any{"group_action_id": 1001})},
				}, false)
			},
		},
		{
			name: "unisolate hosts one unknown", cmd: UnisolateHostsName,
			inputs: func(vars) map[string]any { return map[string]any{"endpoint_ids": []any{epUnknown, epHR}} },
			rd:     actions.PartiallySuccessful, status: 200,
			msg: func(vars) string { return "the reply covers 1 of 2; not covered: " + epUnknown },
			keys: func(vars) map[string][]any {
				return map[string][]any{"ActionIDs": {int64(1001)}, "EndpointIDs": {epHR}}
			},
		},
		{
			name: "isolate hosts the same endpoint twice", cmd: IsolateHostsName,
			inputs: func(vars) map[string]any { return map[string]any{"endpoint_ids": []any{epFin, epFin}} },
			rd:     actions.Successful,
			keys: func(vars) map[string][]any {
				return map[string][]any{"ActionIDs": {int64(1001)}, "EndpointIDs": {epFin}}
			},
		},
		{
			name: "isolate hosts partly, its status unreadable", cmd: IsolateHostsName,
			setup: func(h *harness) vars {
				h.srv.Inject(fake.Fault{Path: "actions/get_action_status", Status: 403})
				return vars{}
			},
			inputs: func(vars) map[string]any { return map[string]any{"endpoint_ids": []any{epFin, epUnknown}} },
			rd:     actions.PartiallySuccessful, status: 200,
			msg: func(vars) string { return "the reply covers 1 of 2" },
			// Which endpoint the reply covers is unknown.
			keys: func(vars) map[string][]any { return map[string][]any{"ActionIDs": {int64(1001)}, "EndpointIDs": {}} },
		},
		{
			name: "retrieve files from an endpoint of another os", cmd: RetrieveFilesName,
			inputs: func(vars) map[string]any {
				return map[string]any{"endpoint_ids": []any{epWeb, epFin}, "os": "Windows", "file_paths": []any{`C:\a.txt`}}
			},
			rd: actions.PartiallySuccessful, status: 200,
			msg:  func(vars) string { return "the reply covers 1 of 2; not covered: " + epWeb },
			keys: func(vars) map[string][]any { return map[string][]any{"ActionIDs": {int64(1001)}} },
		},
		{
			name: "scan hosts one unknown", cmd: ScanHostsName,
			inputs: func(vars) map[string]any { return map[string]any{"host_names": []any{"NOPE-1", "WS-FIN-0142"}} },
			rd:     actions.PartiallySuccessful, status: 200,
			msg:  func(vars) string { return "the reply covers 1 of 2; not covered: NOPE-1" },
			keys: func(vars) map[string][]any { return map[string][]any{"ActionIDs": {int64(1001)}} },
		},
		{
			name: "search hosts one unknown", cmd: SearchHostsName,
			inputs: func(vars) map[string]any { return map[string]any{"host_names": []any{"WS-FIN-0142", "NOPE-1"}} },
			rd:     actions.PartiallySuccessful, status: 404,
			msg: func(vars) string { return "Host Names Not Found: NOPE-1" },
			keys: func(vars) map[string][]any {
				return map[string][]any{"EndpointIDs": {epFin}, "EndpointNames": {"WS-FIN-0142"}, "EndpointIPs": {"10.10.20.42"}}
			},
		},
		{
			name: "add iocs one invalid", cmd: AddIOCsName,
			inputs: func(vars) map[string]any {
				return map[string]any{"indicators": []any{"virus9.exe", "tools/bad.exe"}, "indicator_type": "Filename"}
			},
			rd: actions.PartiallySuccessful, status: 200,
			msg: func(vars) string {
				return "1 of 2 rejected: tools/bad.exe: Got type: FILENAME, Indicator: tools/bad.exe mismatch"
			},
			keys: func(vars) map[string][]any { return map[string][]any{"Indicators": {"virus9.exe"}} },
			check: func(t *testing.T, h *harness, env actions.Envelope) {
				want := map[string]any{"reply": map[string]any{"success": true, "validation_errors": []any{
					map[string]any{"indicator": "tools/bad.exe", "error": "Got type: FILENAME, Indicator: tools/bad.exe mismatch"}}}}
				if diff := cmp.Diff(any(want), env.RawData); diff != "" {
					t.Errorf("Raw Data mismatch (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "add iocs all invalid", cmd: AddIOCsName,
			inputs: func(vars) map[string]any {
				return map[string]any{"indicators": []any{"10.0.0.300"}, "indicator_type": "IP", "severity": "High"}
			},
			rd: actions.Failed, status: 200,
			msg:  func(vars) string { return "1 of 1 rejected: 10.0.0.300: Got type: IP, Indicator: 10.0.0.300 mismatch" },
			keys: func(vars) map[string][]any { return map[string][]any{"Indicators": {}} },
		},
		{
			name: "create indicator hash mismatch", cmd: CreateIndicatorName,
			inputs: func(vars) map[string]any {
				return map[string]any{"indicator_type": "Hash", "indicator": "testtest.com", "severity": "Low"}
			},
			rd: actions.Failed, status: 200,
			msg: func(vars) string {
				return "1 of 1 rejected: testtest.com: Got type: HASH, Indicator: testtest.com mismatch"
			},
			keys: func(vars) map[string][]any { return map[string][]any{"Indicators": {}} },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tc.opts...)
			v := vars{}
			if tc.setup != nil {
				v = tc.setup(h)
				h.reset()
			}
			env := h.run(tc.cmd, tc.inputs(v))
			if tc.rd == actions.Successful {
				if env.ReturnData != actions.Successful || env.Error != nil {
					t.Errorf("got %s %+v, want Successful", env.ReturnData, env.Error)
				}
			} else {
				checkError(t, env, tc.rd, h.command(tc.cmd).spec.FailureIndicator(), tc.status, tc.msg(v))
			}
			if diff := cmp.Diff(tc.keys(v), env.KeyFields); diff != "" {
				t.Errorf("Key Fields mismatch (-want +got):\n%s", diff)
			}
			if tc.check != nil {
				tc.check(t, h, env)
			}
		})
	}
}

// TestAuthFailure checks that a refused key is Failed with the vendor's
// 401 and is not retried.
func TestAuthFailure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		opts     []fake.Option
		settings map[string]string
		key      string
	}{
		{name: "wrong key", key: strings.Repeat("x", 128)},
		{name: "wrong key id", settings: map[string]string{FieldAPIKeyID: "99"}, key: fake.AdvancedKey},
		{name: "standard key as advanced", settings: map[string]string{FieldAPIKeyID: fake.StandardKeyID}, key: fake.StandardKey},
		{name: "advanced key as standard", settings: map[string]string{FieldSecurityLevel: "standard"}, key: fake.AdvancedKey},
		{name: "clock skew", opts: []fake.Option{fake.WithClock(func() time.Time { return time.Now().Add(10 * time.Minute) })}, key: fake.AdvancedKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tc.opts...)
			h.secrets = append(h.secrets, tc.key)
			conn := h.connection(tc.settings, tc.key)
			for _, c := range []struct {
				cmd       string
				inputs    map[string]any
				indicator string
			}{
				{SearchHostsName, nil, "Search Hosts failed."},
				{IsolateHostsName, map[string]any{"endpoint_ids": []any{epFin}}, "Isolate Hosts failed."},
				{TestConnectionName, nil, "Test Connection failed. Failed to check the connector."},
			} {
				h.reset()
				env := h.runWith(conn, c.cmd, c.inputs)
				checkError(t, env, actions.Failed, c.indicator, 401, "Public API request unauthorized")
				if diff := cmp.Diff(any(vendorErr(401, "Public API request unauthorized", nil)), env.RawData); diff != "" {
					t.Errorf("%s Raw Data mismatch (-want +got):\n%s", c.cmd, diff)
				}
				if got := len(h.srv.Requests()); got != 1 {
					t.Errorf("%s: %d requests, want 1 (401 is not retried)", c.cmd, got)
				}
			}
		})
	}
}
