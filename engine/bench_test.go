package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine/eval"
	"github.com/playbook-sh/playbook/engine/playbook"
)

// nop is a command that does nothing, so a benchmark measures the engine.
type nop struct{}

func (nop) Spec() actions.Spec {
	return actions.Spec{Name: "bench.nop", Title: "Nop", Local: true, KeyFields: []string{"IDs"},
		Inputs: []actions.Input{{Name: "value", Type: actions.Any}}}
}

func (nop) Run(_ context.Context, req actions.Request) actions.Envelope {
	return actions.Envelope{ReturnData: actions.Successful, RawData: req.Inputs["value"]}
}

func benchCompile(b *testing.B, src string) (*Compiled, *actions.Registry) {
	b.Helper()
	reg := actions.NewRegistry()
	reg.Register(nop{})
	pb, err := playbook.Parse("bench.yaml", []byte(src))
	if err != nil {
		b.Fatal(err)
	}
	c, err := Compile(pb, reg)
	if err != nil {
		b.Fatal(err)
	}
	return c, reg
}

func benchRun(b *testing.B, c *Compiled, reg *actions.Registry, inputs map[string]any) {
	b.Helper()
	r := New(LocalExecutor{Registry: reg})
	ctx := context.Background()
	bound, err := c.BindInputs(inputs)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		rep, err := r.Run(ctx, c, Params{Inputs: bound})
		if err != nil || rep.Status != RunSuccessful {
			b.Fatalf("run: %v %v", err, rep.Status)
		}
	}
}

// BenchmarkChain1000 runs 1,000 tasks one after another, each reading the
// previous task's raw data: the engine's per-task overhead.
func BenchmarkChain1000(b *testing.B) {
	const n = 1000
	var sb strings.Builder
	sb.WriteString("playbook: chain\ntasks:\n  t0: {run: bench.nop, with: {value: 0}}\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&sb, "  t%d: {run: bench.nop, needs: [t%d], with: {value: \"${{ tasks.t%d.raw_data + 1 }}\"}}\n", i, i-1, i-1)
	}
	c, reg := benchCompile(b, sb.String())
	b.ReportAllocs()
	benchRun(b, c, reg, nil)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/task")
}

// BenchmarkFanOut10k runs 10,000 independent tasks and one task joining
// them all.
func BenchmarkFanOut10k(b *testing.B) {
	const n = 10000
	var sb strings.Builder
	sb.WriteString("playbook: fanout\ntasks:\n")
	needs := make([]string, n)
	for i := range n {
		fmt.Fprintf(&sb, "  t%d: {run: bench.nop, with: {value: %d}}\n", i, i)
		needs[i] = fmt.Sprintf("t%d", i)
	}
	fmt.Fprintf(&sb, "  join: {run: bench.nop, needs: [%s], when: \"tasks.t9999.raw_data == 9999\"}\n", strings.Join(needs, ", "))
	c, reg := benchCompile(b, sb.String())
	b.ReportAllocs()
	benchRun(b, c, reg, nil)
}

// BenchmarkForEach100k runs one task over 100,000 items.
func BenchmarkForEach100k(b *testing.B) {
	const n = 100000
	items := make([]any, n)
	for i := range items {
		items[i] = int64(i)
	}
	c, reg := benchCompile(b, `
playbook: each
inputs: {items: {type: array}}
tasks:
  each:
    for_each: ${{ inputs.items }}
    run: bench.nop
    with: {value: "${{ item }}"}
`)
	b.ReportAllocs()
	benchRun(b, c, reg, map[string]any{"items": items})
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/item")
}

// BenchmarkCondition evaluates the design's example condition once.
func BenchmarkCondition(b *testing.B) {
	for _, lang := range []eval.Lang{eval.CEL, eval.Expr} {
		b.Run(string(lang), func(b *testing.B) {
			src := "size(tasks.hosts.key_fields.EndpointIDs) > 0 && !inputs.report_only"
			if lang == eval.Expr {
				src = "len(tasks.hosts.key_fields.EndpointIDs) > 0 && !inputs.report_only"
			}
			p, err := eval.Compile(lang, src, eval.Options{JSONPath: compileJSONPath})
			if err != nil {
				b.Fatal(err)
			}
			vars := eval.Vars{
				"inputs": map[string]any{"report_only": false},
				"tasks": map[string]any{"hosts": (&TaskReport{Status: "succeeded", ReturnData: actions.Successful,
					KeyFields: map[string][]any{"EndpointIDs": {"e1", "e2"}}}).view()},
			}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				ok, err := p.EvalBool(ctx, vars)
				if err != nil || !ok {
					b.Fatal(ok, err)
				}
			}
		})
	}
}

// searchHostsReply builds a Cortex XDR Search Hosts-like reply of about
// 10 MB: n endpoints of 24 fields.
func searchHostsReply(n int) any {
	eps := make([]any, n)
	for i := range eps {
		ep := map[string]any{
			"endpoint_id": fmt.Sprintf("%032x", i), "endpoint_name": fmt.Sprintf("ws-%05d", i),
			"endpoint_type": "AGENT_TYPE_WORKSTATION", "endpoint_status": "CONNECTED", "os_type": "AGENT_OS_WINDOWS",
			"os_version": "10.0.19045", "ip": []any{fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)},
			"ipv6": []any{}, "public_ip": "203.0.113.7", "users": []any{"CORP\\user" + fmt.Sprint(i)},
			"domain": "corp.example", "alias": "", "first_seen": int64(1700000000000), "last_seen": int64(1732000000000),
			"content_version": "1234-5678", "installation_package": "prod-win", "active_directory": []any{},
			"install_date": int64(1700000000000), "endpoint_version": "8.5.0.1234", "is_isolated": "AGENT_UNISOLATED",
			"isolated_date": nil, "group_name": []any{"workstations"}, "operational_status": "PROTECTED",
			"scan_status": "SCAN_STATUS_NONE",
		}
		eps[i] = ep
	}
	return map[string]any{"reply": map[string]any{"total_count": int64(n), "result_count": int64(n), "endpoints": eps}}
}

// BenchmarkKeyFields10MB extracts a Key Field from a ~10 MB reply that is
// already decoded (decoding is the vendor call's cost, not the engine's).
func BenchmarkKeyFields10MB(b *testing.B) {
	raw := searchHostsReply(15000)
	c, _ := benchCompile(b, `
playbook: keys
tasks:
  hosts:
    run: bench.nop
    key_fields: {EndpointIDs: "$.reply.endpoints[*].endpoint_id"}
`)
	t := c.tasks[0]
	rs := &runState{}
	b.ReportAllocs()
	for b.Loop() {
		env := actions.Envelope{ReturnData: actions.Successful, RawData: raw}
		rs.extractKeys(t, &env)
		if len(env.KeyFields["EndpointIDs"]) != 15000 {
			b.Fatal(len(env.KeyFields["EndpointIDs"]))
		}
	}
}
