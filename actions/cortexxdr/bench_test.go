package cortexxdr_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/actions/cortexxdr"
	"github.com/playbook-sh/playbook/actions/cortexxdr/fake"
	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/playbook"
)

// The containment path over 1,000 endpoints, through the engine against
// the fake API on a loopback port: Search Hosts in ten pages of 100 host
// names, then Isolate Hosts. calls/s counts the HTTP calls the run made.
const benchContain = `playbook: bench-contain
inputs:
  batches: {type: array}
connections:
  xdr: cortex_xdr
tasks:
  search:
    for_each: ${{ inputs.batches }}
    concurrency: 10
    run: cortex_xdr.search_hosts
    with: {host_names: "${{ item }}"}
  isolate:
    needs: [search]
    %s
`

func benchXDR(b *testing.B, isolate string, callsPerRun int) {
	const hosts = 1000
	srv := httptest.NewServer(fake.New(fake.WithEndpoints(hosts)))
	defer srv.Close()
	reg := actions.NewRegistry()
	cortexxdr.Register(reg)
	pb, err := playbook.Parse("bench.yaml", []byte(fmt.Sprintf(benchContain, isolate)))
	if err != nil {
		b.Fatal(err)
	}
	c, err := engine.Compile(pb, reg)
	if err != nil {
		b.Fatal(err)
	}
	var batches []any
	for i := 0; i < hosts; i += 100 {
		var names []any
		for j := i + 1; j <= i+100; j++ {
			names = append(names, fmt.Sprintf("bench-host-%04d", j))
		}
		batches = append(batches, names)
	}
	inputs, err := c.BindInputs(map[string]any{"batches": batches})
	if err != nil {
		b.Fatal(err)
	}
	conn := &actions.Connection{Name: "xdr", Integration: cortexxdr.IntegrationName,
		Settings: map[string]string{"server_url": srv.URL, "api_key_id": fake.AdvancedKeyID},
		Secrets:  map[string]actions.Secret{"api_key": actions.NewSecret(fake.AdvancedKey)}}
	r := engine.New(engine.LocalExecutor{Registry: reg}, engine.WithConnections(map[string]*actions.Connection{"xdr": conn}))
	b.ReportAllocs()
	for b.Loop() {
		rep, err := r.Run(context.Background(), c, engine.Params{Inputs: inputs})
		if err != nil || rep.Status != engine.RunSuccessful {
			b.Fatalf("run: %v %+v", err, rep.Tasks["isolate"])
		}
		if n := len(rep.Tasks["isolate"].KeyFields["EndpointIDs"]); n != hosts {
			b.Fatalf("isolated %d endpoints, want %d", n, hosts)
		}
	}
	b.ReportMetric(float64(callsPerRun*b.N)/b.Elapsed().Seconds(), "calls/s")
}

// BenchmarkSearchIsolate1000PerEndpoint isolates each endpoint with a call
// of its own (for_each, 16 at once): 1,010 calls a run.
func BenchmarkSearchIsolate1000PerEndpoint(b *testing.B) {
	benchXDR(b, `for_each: ${{ tasks.search.key_fields.EndpointIDs }}
    concurrency: 16
    run: cortex_xdr.isolate_hosts
    with: {endpoint_ids: ["${{ item }}"]}`, 1010)
}

// BenchmarkSearchIsolate1000OneCall isolates all 1,000 in one request, as
// the API allows: 11 calls a run.
func BenchmarkSearchIsolate1000OneCall(b *testing.B) {
	benchXDR(b, `run: cortex_xdr.isolate_hosts
    with: {endpoint_ids: "${{ tasks.search.key_fields.EndpointIDs }}"}`, 11)
}
