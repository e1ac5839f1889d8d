package serve_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDaemonConsole drives the console serve mounts on its listen
// address: a webhook run is found by its input, the runner runs it again
// (the stream announces the new run and its task), and no secret of
// serve.yaml reaches any page or API answer.
func TestDaemonConsole(t *testing.T) {
	src := `listen: 127.0.0.1:0
webhooks:
  note: {playbook: note.yaml, token: env:HOOK_TOKEN, inputs: {host: "${{ event.host }}"}}
console:
  users:
    ann: {password: env:ANN_PASSWORD, role: viewer}
    rob: {token: env:ROB_TOKEN, role: runner}
`
	e := startDaemon(t, src, map[string]string{"note.yaml": "playbook: note\ninputs:\n  host: {type: string, required: true}\n" +
		"tasks:\n  note: {run: core.set, with: {value: \"${{ event.alert }}\", key_fields: {HostNames: \"${{ [inputs.host] }}\"}}}\n"})
	call := func(method, path, auth string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, e.url+path, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		for k, v := range resp.Header {
			for _, sn := range []string{daemonToken, consolePassword, consoleToken} {
				if strings.Contains(strings.Join(v, " "), sn) {
					t.Errorf("%s %s: header %s holds a secret", method, path, k)
				}
			}
		}
		for _, sn := range []string{daemonToken, consolePassword, consoleToken} {
			if strings.Contains(string(b), sn) {
				t.Errorf("%s %s: the answer holds a secret", method, path)
			}
		}
		return resp.StatusCode, string(b)
	}
	runner := "Bearer " + consoleToken
	viewer := "Basic " + basic("ann", consolePassword)

	req, _ := http.NewRequest(http.MethodPost, e.url+"/webhooks/note", strings.NewReader(`{"alert": "<script>alert(1)</script>", "host": "ws-1"}`))
	req.Header.Set("Authorization", "Bearer "+daemonToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var accepted struct {
		RunID string `json:"run_id"`
	}
	json.NewDecoder(resp.Body).Decode(&accepted)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted || accepted.RunID == "" {
		t.Fatalf("webhook = %d %+v", resp.StatusCode, accepted)
	}
	e.waitFor(t, "the webhook run", func() bool {
		r, err := e.st.GetRun(context.Background(), accepted.RunID)
		return err == nil && r.Status == "Successful"
	})

	if code, _ := call("GET", "/api/runs", ""); code != http.StatusUnauthorized {
		t.Errorf("anonymous /api/runs = %d", code)
	}
	for _, key := range []string{"host:ws-1", "HostNames:ws-1"} {
		code, body := call("GET", "/api/runs?key="+key, viewer)
		if code != http.StatusOK || !strings.Contains(body, accepted.RunID) {
			t.Errorf("runs by %s = %d %s", key, code, body)
		}
	}
	if code, body := call("GET", "/api/runs?key=host:ws-2", viewer); code != http.StatusOK || strings.Contains(body, accepted.RunID) {
		t.Errorf("runs by another host = %d %s", code, body)
	}
	code, body := call("GET", "/api/playbooks", viewer)
	if code != http.StatusOK || !strings.Contains(body, `"triggers":["webhook:note"]`) {
		t.Errorf("playbooks = %d %s", code, body)
	}
	if code, _ := call("POST", "/api/runs/"+accepted.RunID+"/rerun", viewer); code != http.StatusForbidden {
		t.Errorf("viewer rerun = %d, want 403", code)
	}

	// The stream, then a rerun by the runner.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sreq, _ := http.NewRequestWithContext(ctx, "GET", e.url+"/api/stream", nil)
	sreq.Header.Set("Authorization", runner)
	sresp, err := http.DefaultClient.Do(sreq)
	if err != nil {
		t.Fatal(err)
	}
	defer sresp.Body.Close()
	events := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(sresp.Body)
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				events <- d
			}
		}
		close(events)
	}()
	code, body = call("POST", "/api/runs/"+accepted.RunID+"/rerun", runner)
	if code != http.StatusAccepted {
		t.Fatalf("rerun = %d %s", code, body)
	}
	var again struct {
		RunID string `json:"run_id"`
	}
	json.Unmarshal([]byte(body), &again)
	e.waitFor(t, "the rerun", func() bool {
		r, err := e.st.GetRun(context.Background(), again.RunID)
		return err == nil && r.Status == "Successful"
	})
	r, _ := e.st.GetRun(context.Background(), again.RunID)
	if r.Trigger != "console:rob" || r.TriggerRef != accepted.RunID || string(r.Inputs) != `{"host":"ws-1"}` ||
		!strings.Contains(string(r.Report), `<script>alert(1)</script>`) {
		t.Errorf("rerun = %s %s %s %s", r.Trigger, r.TriggerRef, r.Inputs, r.Report)
	}
	var seen []string
	timeout := time.After(5 * time.Second)
	for len(seen) < 4 {
		select {
		case d := <-events:
			if strings.Contains(d, again.RunID) {
				seen = append(seen, d)
			}
		case <-timeout:
			t.Fatalf("stream events of the rerun: %v", seen)
		}
	}
	for i, want := range []string{`"status":"running"`, `"task":"note"`, `"task":"note"`, `"status":"Successful"`} {
		if !strings.Contains(seen[i], want) {
			t.Errorf("stream event %d = %s, want %s", i, seen[i], want)
		}
	}
	code, body = call("GET", "/api/runs/"+again.RunID[:8], viewer)
	if code != http.StatusOK || !strings.Contains(body, `"can_rerun":false`) || !strings.Contains(body, `"graph":{"nodes":[{"id":"note"`) {
		t.Errorf("run = %d %s", code, body)
	}
	for _, p := range []string{"/", "/api/session", "/api/events", "/api/connections"} {
		if code, body := call("GET", p, viewer); code != http.StatusOK {
			t.Errorf("GET %s = %d %s", p, code, body)
		}
	}
	// The Playbooks page tells when a file on disk no longer validates.
	if err := os.WriteFile(filepath.Join(e.dir, "note.yaml"), []byte("playbook: note\ntasks:\n  note: {run: core.sett}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, body = call("GET", "/api/playbooks", viewer)
	if code != http.StatusOK || !strings.Contains(body, `"valid":false`) || !strings.Contains(body, `note.yaml:3:15: unknown command`) {
		t.Errorf("playbooks after a bad edit = %d %s", code, body)
	}
	// Shutdown ends the open stream instead of waiting for the browser.
	stopped := time.Now()
	e.stop(t)
	if d := time.Since(stopped); d > 3*time.Second {
		t.Errorf("serve took %v to stop with a console stream open", d)
	}
	drained := time.After(5 * time.Second)
drain:
	for {
		select {
		case _, open := <-events:
			if !open {
				break drain // the stream ended: its reader closed the channel
			}
		case <-drained:
			t.Error("the console stream is still open after serve stopped")
			cancel()
			break drain
		}
	}
	e.logMu.Lock()
	logs := e.logs.String()
	e.logMu.Unlock()
	for _, sn := range []string{daemonToken, consolePassword, consoleToken} {
		if strings.Contains(logs, sn) {
			t.Error("a secret is in the logs")
		}
	}
}

func basic(user, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
}
