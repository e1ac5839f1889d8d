package cortexxdr

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/actions/cortexxdr/fake"
)

// TestNoSecretWithStandardKey runs every command over a standard-key
// connection, whose Authorization header is the key itself, and checks
// (in the harness) that the key shows in no log line at Trace, no
// envelope and no Error.Message.
func TestNoSecretWithStandardKey(t *testing.T) {
	t.Parallel()
	for _, tc := range commandCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tc.opts...)
			h.conn = h.connection(map[string]string{FieldAPIKeyID: fake.StandardKeyID, FieldSecurityLevel: "standard"}, fake.StandardKey)
			v := vars{}
			if tc.setup != nil {
				v = tc.setup(h)
			}
			if env := h.run(tc.cmd, tc.inputs(v)); env.ReturnData != tc.rd {
				t.Errorf("ReturnData = %s %+v, want %s", env.ReturnData, env.Error, tc.rd)
			}
			for _, r := range h.srv.Requests() {
				checkStandardAuth(t, r, fake.StandardKeyID, fake.StandardKey)
			}
		})
	}
}

// TestSecretMasked checks replies that quote the key (a proxy echoing the
// Authorization header): the key is masked in Error.Message, in Raw Data
// and in the log.
func TestSecretMasked(t *testing.T) {
	t.Parallel()
	key := fake.StandardKey
	tests := []struct {
		name  string
		fault fake.Fault
		msg   string
	}{
		{
			name: "json error body",
			fault: fake.Fault{Path: "endpoints/get_endpoint", Status: 401,
				Body: `{"reply":{"err_code":401,"err_msg":"Authorization ` + key + ` is not valid","err_extra":{"header":"` + key + `"}}}`},
			msg: `Authorization [redacted] is not valid: {"header":"[redacted]"}`,
		},
		{
			name:  "text error body",
			fault: fake.Fault{Path: "endpoints/get_endpoint", Status: 502, Body: "<html>bad gateway for Authorization: " + key + "</html>"},
			msg:   "<html>bad gateway for Authorization: [redacted]</html>",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			conn := h.connection(map[string]string{FieldAPIKeyID: fake.StandardKeyID, FieldSecurityLevel: "standard"}, key)
			h.srv.Inject(tc.fault)
			env := h.runWith(conn, SearchHostsName, searchFin)
			if env.ReturnData != actions.Failed || env.Error.Message != tc.msg {
				t.Errorf("got %s %+v, want Failed %q", env.ReturnData, env.Error, tc.msg)
			}
			data, _ := json.Marshal(env)
			if !strings.Contains(string(data), "[redacted]") {
				t.Errorf("envelope %s, want the vendor body with the key masked", data)
			}
		})
	}
}

// TestPreview checks the dry run of every mutating command: POST, the
// URL, the headers with the credential masked, and the body Run then
// sends; and that Preview itself sends nothing.
func TestPreview(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cmd    string
		inputs map[string]any
		path   string
	}{
		{IsolateHostsName, map[string]any{"endpoint_ids": []any{epFin, epWeb}}, "endpoints/isolate/"},
		{UnisolateHostsName, map[string]any{"endpoint_ids": []any{epHR}}, "endpoints/unisolate/"},
		{RetrieveFilesName, map[string]any{"endpoint_ids": []any{epWeb}, "os": "Linux", "file_paths": []any{"/etc/hosts"}}, "endpoints/file_retrieval/"},
		{RunScriptName, map[string]any{"endpoint_ids": []any{epFin}, "snippet_code": `print("hi")`}, "scripts/run_snippet_code_script/"},
		{ScanHostsName, map[string]any{"host_names": []any{"WS-FIN-0142"}}, "endpoints/scan/"},
		{CancelScanHostsName, map[string]any{"host_names": []any{"WS-FIN-0142"}}, "endpoints/abort_scan/"},
		{AddIOCsName, map[string]any{"indicators": []any{"a.exe", "b.exe"}, "indicator_type": "Filename", "severity": "High",
			"expiration_date": "2026-12-31 00:00", "reliability": "B"}, "indicators/insert"},
		{CreateIndicatorName, map[string]any{"indicator_type": "Domain", "indicator": "evil.example.org", "severity": "Critical",
			"vendors": []any{map[string]any{"vendor_name": "V1", "reliability": "A", "reputation": "BAD"}}}, "indicators/insert_jsons"},
		{DeleteIOCsName, map[string]any{"indicators": []any{"virus1.exe"}, "reputation": "Good"}, "indicators/delete"},
		{UpdateIncidentsName, map[string]any{"incident_ids": []any{"2903"}, "status": "Resolved False Positive", "comment": "FP"}, "incidents/update_incident/"},
		// Every field given: Run's merge with the current IOC changes
		// nothing but the fields given, so the preview is exact.
		{UpdateIOCsName, map[string]any{"rule_id": 58, "indicator": "evil2.example.com", "indicator_type": "Domain Name",
			"severity": "Medium", "expiration_date": "2027-01-01 00:00", "enable_default_expiration": false,
			"comment": "moved", "reputation": "Suspicious", "reliability": "C"}, "indicators/insert"},
	}
	for _, tc := range tests {
		t.Run(tc.cmd, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			if tc.cmd == CancelScanHostsName {
				h.mustRun(ScanHostsName, map[string]any{"host_names": []any{"WS-FIN-0142"}})
				h.reset()
			}
			c := h.command(tc.cmd)
			if !c.spec.Mutates {
				t.Fatalf("%s does not mutate", tc.cmd)
			}
			p, err := c.Preview(actions.Request{Task: "t1", Inputs: tc.inputs, Connection: h.conn})
			if err != nil {
				t.Fatalf("Preview: %v", err)
			}
			if n := len(h.srv.Requests()); n != 0 {
				t.Fatalf("Preview sent %d requests", n)
			}
			if p.Method != "POST" || p.URL != h.ts.URL+"/public_api/v1/"+tc.path {
				t.Errorf("Preview = %s %s, want POST %s/public_api/v1/%s", p.Method, p.URL, h.ts.URL, tc.path)
			}
			wantHeaders := map[string]string{"Content-Type": "application/json", "Accept": "application/json",
				"Authorization": "[redacted]", "x-xdr-auth-id": fake.AdvancedKeyID,
				"x-xdr-nonce": "[per request]", "x-xdr-timestamp": "[per request]"}
			if !equalJSON(t, wantHeaders, p.Headers) {
				t.Errorf("Preview headers = %v, want %v", p.Headers, wantHeaders)
			}
			data, _ := json.Marshal(p)
			if strings.Contains(string(data), fake.AdvancedKey) {
				t.Error("the preview shows the key")
			}

			env := h.run(tc.cmd, tc.inputs)
			if env.ReturnData != actions.Successful {
				t.Fatalf("Run: %s %+v", env.ReturnData, env.Error)
			}
			sent := h.requests(tc.path)
			if len(sent) != 1 {
				t.Fatalf("Run sent %d requests to %s, want 1", len(sent), tc.path)
			}
			var body any
			if err := json.Unmarshal(sent[0].Body, &body); err != nil {
				t.Fatal(err)
			}
			if !equalJSON(t, body, p.Body) {
				t.Errorf("Preview body = %v\n         Run sent %s", p.Body, sent[0].Body)
			}
		})
	}
}

// TestPreviewStandardKey checks a standard key's preview headers: no
// nonce or timestamp, Authorization masked.
func TestPreviewStandardKey(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	conn := h.connection(map[string]string{FieldAPIKeyID: fake.StandardKeyID, FieldSecurityLevel: "standard"}, fake.StandardKey)
	p, err := h.command(IsolateHostsName).Preview(actions.Request{Inputs: isolateFin, Connection: conn})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"Content-Type": "application/json", "Accept": "application/json",
		"Authorization": "[redacted]", "x-xdr-auth-id": fake.StandardKeyID}
	if !equalJSON(t, want, p.Headers) {
		t.Errorf("headers = %v, want %v", p.Headers, want)
	}
	data, _ := json.Marshal(p)
	if strings.Contains(string(data), fake.StandardKey) {
		t.Error("the preview shows the key")
	}
}

// TestPreviewReadOnly checks that the commands that change nothing have no
// request to preview, and that a preview checks its inputs.
func TestPreviewReadOnly(t *testing.T) {
	t.Parallel()
	x := New()
	for _, c := range x.Commands() {
		cmd := c.(*command)
		_, err := cmd.Preview(actions.Request{})
		if cmd.spec.Mutates {
			// Missing inputs, or Delete IOCs' refusal to match every IOC.
			if err == nil || !strings.Contains(err.Error(), "missing required input") && !strings.Contains(err.Error(), "no filter given") {
				t.Errorf("%s: Preview without inputs: %v, want an input error", cmd.spec.Name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "sends no request to preview") {
			t.Errorf("%s: Preview error %v, want none to preview", cmd.spec.Name, err)
		}
	}
	p, err := x.command(IsolateHostsName).Preview(actions.Request{Inputs: isolateFin})
	if err != nil {
		t.Fatal(err)
	}
	if p.URL != "{server_url}/public_api/v1/endpoints/isolate/" || p.Headers["Authorization"] != "[redacted]" {
		t.Errorf("Preview without a connection = %s %v", p.URL, p.Headers)
	}
}

// command returns the named command of x.
func (x *XDR) command(name string) *command {
	for _, c := range x.Commands() {
		if c.Spec().Name == name {
			return c.(*command)
		}
	}
	return nil
}

// equalJSON compares two values by their JSON.
func equalJSON(t *testing.T, a, b any) bool {
	t.Helper()
	ja, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	var va, vb any
	_ = json.Unmarshal(ja, &va)
	_ = json.Unmarshal(jb, &vb)
	ja, _ = json.Marshal(va)
	jb, _ = json.Marshal(vb)
	return string(ja) == string(jb)
}
