package cortexxdr

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/actions/cortexxdr/fake"
)

var (
	searchFin  = map[string]any{"host_names": []any{"WS-FIN-0142"}}
	isolateFin = map[string]any{"endpoint_ids": []any{epFin}}
)

// TestRetryAfter checks that a 429 with Retry-After is waited out: a read
// and a mutating call (the vendor refused it, so it did not happen)
// succeed on the second attempt, each with a fresh signature.
func TestRetryAfter(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cmd, path string
		inputs    map[string]any
	}{
		{SearchHostsName, "endpoints/get_endpoint/", searchFin},
		{IsolateHostsName, "endpoints/isolate/", isolateFin},
	} {
		t.Run(tc.cmd, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.srv.Inject(fake.Fault{Path: tc.path, Times: 1, Status: 429, RetryAfter: "1"})
			start := time.Now()
			env := h.run(tc.cmd, tc.inputs)
			elapsed := time.Since(start)
			if env.ReturnData != actions.Successful {
				t.Fatalf("ReturnData = %s %+v, want Successful", env.ReturnData, env.Error)
			}
			if elapsed < 950*time.Millisecond {
				t.Errorf("succeeded after %v, want >= the 1s Retry-After", elapsed)
			}
			reqs := h.requests(tc.path)
			if len(reqs) != 2 {
				t.Fatalf("%d requests, want 2", len(reqs))
			}
			for _, r := range reqs {
				checkAdvancedAuth(t, r, fake.AdvancedKeyID, fake.AdvancedKey)
			}
			if reqs[0].Header.Get("x-xdr-nonce") == reqs[1].Header.Get("x-xdr-nonce") {
				t.Error("the retry reused the nonce")
			}
		})
	}
}

// TestRetries checks what is retried: a read after 429, 5xx, a reset or
// a cut reply; a mutating call only after 429 or when it never reached
// the wire; never a 401, a 4xx or a vendor business error.
func TestRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		fault  fake.Fault
		cmd    string
		inputs map[string]any
		path   string
		calls  int
		rd     actions.ReturnData
		status int
		msg    string
	}{
		{name: "read after 503", fault: fake.Fault{Path: "endpoints/get_endpoint", Times: 1, Status: 503},
			cmd: SearchHostsName, inputs: searchFin, path: "endpoints/get_endpoint/", calls: 2, rd: actions.Successful},
		{name: "read after 500", fault: fake.Fault{Path: "incidents/get_incidents", Times: 2, Status: 500},
			cmd: TestConnectionName, path: "incidents/get_incidents/", calls: 3, rd: actions.Successful},
		{name: "read after 429 without Retry-After", fault: fake.Fault{Path: "xql/get_quota", Times: 1, Status: 429},
			cmd: GetXQLQueryQuotaName, path: "xql/get_quota/", calls: 2, rd: actions.Successful},
		{name: "read 503 every time", fault: fake.Fault{Path: "endpoints/get_endpoint", Status: 503},
			cmd: SearchHostsName, inputs: searchFin, path: "endpoints/get_endpoint/", calls: 3, rd: actions.Failed,
			status: 503, msg: "Service Unavailable"},
		{name: "read 429 longer than we wait", fault: fake.Fault{Path: "endpoints/get_endpoint", Times: 1, Status: 429, RetryAfter: "3600"},
			cmd: SearchHostsName, inputs: searchFin, path: "endpoints/get_endpoint/", calls: 1, rd: actions.Failed,
			status: 429, msg: "Too Many Requests"},
		{name: "mutating after 429", fault: fake.Fault{Path: "endpoints/isolate", Times: 1, Status: 429},
			cmd: IsolateHostsName, inputs: isolateFin, path: "endpoints/isolate/", calls: 2, rd: actions.Successful},
		{name: "mutating after 500", fault: fake.Fault{Path: "endpoints/isolate", Times: 1, Status: 500},
			cmd: IsolateHostsName, inputs: isolateFin, path: "endpoints/isolate/", calls: 1, rd: actions.Failed,
			status: 500, msg: "An error occurred while processing XDR public API"},
		{name: "mutating after 503", fault: fake.Fault{Path: "endpoints/isolate", Times: 1, Status: 503},
			cmd: IsolateHostsName, inputs: isolateFin, path: "endpoints/isolate/", calls: 1, rd: actions.Failed,
			status: 503, msg: "Service Unavailable"},
		{name: "update incidents after 502", fault: fake.Fault{Path: "incidents/update_incident", Times: 1, Status: 502},
			cmd: UpdateIncidentsName, inputs: map[string]any{"incident_ids": []any{"2901"}, "status": "New"},
			path: "incidents/update_incident/", calls: 1, rd: actions.Failed, status: 502, msg: "1 of 1 failed: 2901: 502 Bad Gateway"},
		{name: "add iocs after 429", fault: fake.Fault{Path: "indicators/insert", Times: 1, Status: 429},
			cmd: AddIOCsName, inputs: map[string]any{"indicators": []any{"a.exe"}, "indicator_type": "Filename"},
			path: "indicators/insert", calls: 2, rd: actions.Successful},
		{name: "read 400", fault: fake.Fault{Path: "endpoints/get_endpoint", Times: 1, Status: 400},
			cmd: SearchHostsName, inputs: searchFin, path: "endpoints/get_endpoint/", calls: 1, rd: actions.Failed,
			status: 400, msg: "Bad Request. Got an invalid JSON."},
		{name: "read business error 500", fault: fake.Fault{Path: "endpoints/get_endpoint", Times: 1, Status: 500,
			Body: `{"reply":{"err_code":500,"err_msg":"An error occurred while processing XDR public API","err_extra":"Endpoint group was not found"}}`},
			cmd: SearchHostsName, inputs: searchFin, path: "endpoints/get_endpoint/", calls: 1, rd: actions.Failed,
			status: 500, msg: "An error occurred while processing XDR public API: Endpoint group was not found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.srv.Inject(tc.fault)
			env := h.run(tc.cmd, tc.inputs)
			if got := len(h.requests(tc.path)); got != tc.calls {
				t.Errorf("%d requests to %s, want %d", got, tc.path, tc.calls)
			}
			if env.ReturnData != tc.rd {
				t.Fatalf("ReturnData = %s %+v, want %s", env.ReturnData, env.Error, tc.rd)
			}
			if tc.rd == actions.Failed {
				if env.Error.StatusCode != tc.status || env.Error.Message != tc.msg {
					t.Errorf("Error = %d %q, want %d %q", env.Error.StatusCode, env.Error.Message, tc.status, tc.msg)
				}
				if env.Error.FailureIndicator != h.command(tc.cmd).spec.FailureIndicator() {
					t.Errorf("FailureIndicator = %q", env.Error.FailureIndicator)
				}
			}
		})
	}
}

// TestMutatingNotRepeated checks that a mutating call the vendor may have
// carried out (a 5xx after sending) left exactly one action behind.
func TestMutatingNotRepeated(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.srv.Inject(fake.Fault{Path: "endpoints/isolate", Times: 1, Status: 503})
	env := h.run(IsolateHostsName, isolateFin)
	checkError(t, env, actions.Failed, "Isolate Hosts failed.", 503, "Service Unavailable")
	env = h.run(IsolateHostsName, isolateFin)
	if env.ReturnData != actions.Successful || env.KeyFields["ActionIDs"][0] != int64(1001) {
		t.Errorf("second isolate: %s %v %+v, want Successful with action 1001 (the first created none)", env.ReturnData, env.KeyFields, env.Error)
	}
}

// TestTransportFailures checks calls that get no usable reply: a timeout,
// a reset connection, a reply cut short or not JSON, and a refused
// connection. Each is Failed with status 0 (or the reply's status for a
// body that is not JSON) and a message naming the path, after a bounded
// number of attempts; a mutating call is not resent once it was sent.
func TestTransportFailures(t *testing.T) {
	t.Parallel()
	const getEndpoint = "/public_api/v1/endpoints/get_endpoint/"
	tests := []struct {
		name     string
		settings map[string]string
		fault    fake.Fault
		cmd      string
		inputs   map[string]any
		path     string
		calls    int
		rd       actions.ReturnData
		status   int
		msg      string // the whole message, or with prefix only its start
		prefix   bool
		after    func(t *testing.T, h *harness)
	}{
		{
			name: "read timeout", settings: map[string]string{"timeout": "100ms", "max_retries": "1"},
			fault: fake.Fault{Path: "endpoints/get_endpoint", Latency: 5 * time.Second},
			cmd:   SearchHostsName, inputs: searchFin, path: "endpoints/get_endpoint/", calls: 2, rd: actions.Failed,
			msg: getEndpoint + ": timed out after 100ms (after 2 attempts)",
		},
		{
			name: "read timeout then success", settings: map[string]string{"timeout": "100ms", "max_retries": "1"},
			fault: fake.Fault{Path: "endpoints/get_endpoint", Times: 1, Latency: 5 * time.Second},
			cmd:   SearchHostsName, inputs: searchFin, path: "endpoints/get_endpoint/", calls: 2, rd: actions.Successful,
		},
		{
			name: "mutating timeout", settings: map[string]string{"timeout": "100ms"},
			fault: fake.Fault{Path: "endpoints/isolate", Latency: 5 * time.Second},
			cmd:   IsolateHostsName, inputs: isolateFin, path: "endpoints/isolate/", calls: 1, rd: actions.Failed,
			msg: "/public_api/v1/endpoints/isolate/: timed out after 100ms",
		},
		{
			name:  "read reset",
			fault: fake.Fault{Path: "endpoints/get_endpoint", Reset: true},
			cmd:   SearchHostsName, inputs: searchFin, path: "endpoints/get_endpoint/", calls: 3, rd: actions.Failed,
			msg: getEndpoint + ": ", prefix: true,
		},
		{
			name:  "read reset then success",
			fault: fake.Fault{Path: "endpoints/get_endpoint", Times: 1, Reset: true},
			cmd:   SearchHostsName, inputs: searchFin, path: "endpoints/get_endpoint/", calls: 2, rd: actions.Successful,
		},
		{
			name:  "mutating reset",
			fault: fake.Fault{Path: "endpoints/isolate", Reset: true},
			cmd:   IsolateHostsName, inputs: isolateFin, path: "endpoints/isolate/", calls: 1, rd: actions.Failed,
			msg: "/public_api/v1/endpoints/isolate/: ", prefix: true,
		},
		{
			name:  "not json",
			fault: fake.Fault{Path: "endpoints/get_endpoint", Times: 1, Body: "{not json"},
			cmd:   SearchHostsName, inputs: searchFin, path: "endpoints/get_endpoint/", calls: 1, rd: actions.Failed,
			status: 200, msg: "the reply from " + getEndpoint + " is not valid JSON: ", prefix: true,
		},
		{
			name:  "truncated json text",
			fault: fake.Fault{Path: "incidents/get_incidents", Times: 1, Body: `{"reply": {"total_count": 12, "result_count": 1, "incidents": [{"incident_id": "29`},
			cmd:   TestConnectionName, path: "incidents/get_incidents/", calls: 1, rd: actions.Failed,
			status: 200, msg: "the reply from /public_api/v1/incidents/get_incidents/ is not valid JSON: ", prefix: true,
		},
		{
			name:  "reply cut short every time",
			fault: fake.Fault{Path: "endpoints/get_endpoint", Truncate: true},
			cmd:   SearchHostsName, inputs: searchFin, path: "endpoints/get_endpoint/", calls: 3, rd: actions.Failed,
			msg: "read reply: " + getEndpoint + ": unexpected EOF (after 3 attempts)",
		},
		{
			name:  "reply cut short then whole",
			fault: fake.Fault{Path: "endpoints/get_endpoint", Times: 1, Truncate: true},
			cmd:   SearchHostsName, inputs: searchFin, path: "endpoints/get_endpoint/", calls: 2, rd: actions.Successful,
		},
		{
			name:  "mutating reply cut short",
			fault: fake.Fault{Path: "endpoints/isolate", Truncate: true},
			cmd:   IsolateHostsName, inputs: isolateFin, path: "endpoints/isolate/", calls: 1, rd: actions.Failed,
			msg: "read reply: /public_api/v1/endpoints/isolate/: unexpected EOF",
			after: func(t *testing.T, h *harness) {
				// The fake carried the isolation out before the cut: the
				// reason a mutating call is never resent.
				if ep, _ := h.srv.Endpoint(epFin); ep["is_isolated"] != "AGENT_PENDING_ISOLATION" {
					t.Errorf("is_isolated = %v, want AGENT_PENDING_ISOLATION", ep["is_isolated"])
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			conn := h.connection(tc.settings, fake.AdvancedKey)
			h.srv.Inject(tc.fault)
			start := time.Now()
			env := h.runWith(conn, tc.cmd, tc.inputs)
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %v", d)
			}
			if got := len(h.requests(tc.path)); got != tc.calls {
				t.Errorf("%d requests to %s, want %d", got, tc.path, tc.calls)
			}
			if env.ReturnData != tc.rd {
				t.Fatalf("ReturnData = %s %+v, want %s", env.ReturnData, env.Error, tc.rd)
			}
			if tc.rd == actions.Failed {
				if env.Error.StatusCode != tc.status {
					t.Errorf("StatusCode = %d, want %d", env.Error.StatusCode, tc.status)
				}
				if tc.prefix && !strings.HasPrefix(env.Error.Message, tc.msg) || !tc.prefix && env.Error.Message != tc.msg {
					t.Errorf("Message = %q, want %q (prefix %v)", env.Error.Message, tc.msg, tc.prefix)
				}
				if env.Error.FailureIndicator != h.command(tc.cmd).spec.FailureIndicator() {
					t.Errorf("FailureIndicator = %q", env.Error.FailureIndicator)
				}
				if env.RawData != nil {
					t.Errorf("RawData = %v, want nil without a vendor error body", env.RawData)
				}
			}
			if tc.after != nil {
				tc.after(t, h)
			}
		})
	}
}

// TestConnectionRefused checks a server that is not there: Failed with
// status 0 naming the path; nothing was sent, so even a mutating call is
// retried up to max_retries.
func TestConnectionRefused(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	h := newHarness(t)
	conn := h.connection(map[string]string{FieldServerURL: "http://" + addr, "max_retries": "1"}, fake.AdvancedKey)
	for _, cmd := range []struct {
		name, path string
		inputs     map[string]any
	}{
		{TestConnectionName, "/public_api/v1/incidents/get_incidents/", nil},
		{IsolateHostsName, "/public_api/v1/endpoints/isolate/", isolateFin},
	} {
		env := h.runWith(conn, cmd.name, cmd.inputs)
		if env.ReturnData != actions.Failed || env.Error.StatusCode != 0 {
			t.Fatalf("%s: %s %+v, want Failed with status 0", cmd.name, env.ReturnData, env.Error)
		}
		if !strings.HasPrefix(env.Error.Message, cmd.path+": ") || !strings.HasSuffix(env.Error.Message, "(after 2 attempts)") {
			t.Errorf("%s: Message = %q, want the path and 2 attempts", cmd.name, env.Error.Message)
		}
	}
}
