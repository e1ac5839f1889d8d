package main

import (
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/playbook-sh/playbook/actions/cortexxdr/fake"
	wizfake "github.com/playbook-sh/playbook/actions/wiz/fake"
)

// TestDryRunVendorExamples runs each vendor example with --dry-run
// against the fakes over real connections and checks, from the fakes'
// own request logs, that the reads reached them and no mutating request
// did, while the report lists every side effect the run would have had.
func TestDryRunVendorExamples(t *testing.T) {
	t.Parallel()
	xdr := fake.New()
	xdrSrv := httptest.NewServer(xdr)
	t.Cleanup(xdrSrv.Close)
	wiz := wizfake.New()
	wizSrv := httptest.NewServer(wiz)
	t.Cleanup(wizSrv.Close)
	dir := t.TempDir()
	writeAt(t, filepath.Join(dir, "xdr.key"), fake.AdvancedKey)
	writeAt(t, filepath.Join(dir, "wiz.id"), wizfake.ClientID)
	writeAt(t, filepath.Join(dir, "wiz.secret"), wizfake.ClientSecret)
	conns := writeAt(t, filepath.Join(dir, "connections.yaml"), `connections:
  xdr:
    integration: cortex_xdr
    server_url: `+xdrSrv.URL+`
    api_key: file:xdr.key
    api_key_id: "`+fake.AdvancedKeyID+`"
  wiz:
    integration: wiz
    api_endpoint_url: `+wizSrv.URL+`
    token_url: `+wizSrv.URL+`/oauth/token
    client_id: file:wiz.id
    client_secret: file:wiz.secret
`)
	for _, tc := range []struct {
		playbook string
		code     int
		// effects are the tasks whose calls were not made, in order, a
		// for_each task once per item. A task whose inputs would have
		// come from a call not made is dry_run with no request to show.
		effects []string
	}{
		{"contain-incident-hosts", exitOK, []string{"isolate", "note"}},
		{"vulnerable-host-containment", exitPartial, []string{"isolate"}}, // one host name is not found
		{"wiz-triage", exitOK, []string{"reject", "comment", "comment", "comment", "comment", "comment", "comment", "comment"}},
	} {
		xdr.ResetRequests()
		wiz.ResetRequests()
		out, errs, code := cli(t, t.Context(), "run", "../../playbooks/"+tc.playbook+".yaml", "--dry-run",
			"--connections", conns, "--format", "json", "--progress", "off")
		if code != tc.code {
			t.Errorf("%s: exit %d, want %d\n%s", tc.playbook, code, tc.code, errs)
			continue
		}
		var rep struct {
			SideEffects []struct {
				Task    string `json:"task"`
				Request struct {
					Method string `json:"method"`
					URL    string `json:"url"`
				} `json:"request"`
			} `json:"side_effects"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("%s: report: %v", tc.playbook, err)
		}
		var tasks []string
		notSent := map[string]bool{} // XDR paths the report says were not called
		for _, se := range rep.SideEffects {
			tasks = append(tasks, se.Task)
			if se.Request.Method != "POST" {
				t.Errorf("%s: side effect %s: method %q, want POST", tc.playbook, se.Task, se.Request.Method)
			}
			if u, err := url.Parse(se.Request.URL); err == nil && strings.HasPrefix(se.Request.URL, xdrSrv.URL) {
				notSent[u.Path] = true
			}
		}
		if strings.Join(tasks, ",") != strings.Join(tc.effects, ",") {
			t.Errorf("%s: side effects of tasks %v, want %v", tc.playbook, tasks, tc.effects)
		}
		reads := 0
		for _, r := range xdr.Requests() {
			reads++
			if notSent[r.Path] || strings.Contains(r.Path, "/isolate") || strings.Contains(r.Path, "update_incident") || strings.Contains(r.Path, "/indicators/insert") {
				t.Errorf("%s: the Cortex XDR fake received a mutating request: %s %s", tc.playbook, r.Method, r.Path)
			}
		}
		for _, r := range wiz.Requests() {
			reads++
			if strings.HasPrefix(strings.TrimSpace(r.Query), "mutation") {
				t.Errorf("%s: the Wiz fake received a mutation: %s", tc.playbook, r.OperationName)
			}
		}
		if reads == 0 {
			t.Errorf("%s: no read reached the fakes", tc.playbook)
		}
		if strings.Contains(out+errs, fake.AdvancedKey) || strings.Contains(out+errs, wizfake.ClientSecret) {
			t.Errorf("%s: a credential appears in the report or the log", tc.playbook)
		}
	}
}
