package jsonpath

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
)

const benchEndpoints = 15000

var (
	benchOnce sync.Once
	benchDoc  any
	benchSize int
)

// searchHostsDoc returns a decoded Search-Hosts-like reply of about 10 MB:
// 15,000 endpoints with 24 fields each, decoded as the engine decodes.
func searchHostsDoc(b *testing.B) any {
	benchOnce.Do(func() {
		osTypes := []string{"AGENT_OS_WINDOWS", "AGENT_OS_LINUX", "AGENT_OS_MAC"}
		statuses := []string{"CONNECTED", "DISCONNECTED", "LOST"}
		endpoints := make([]map[string]any, benchEndpoints)
		for i := range endpoints {
			endpoints[i] = map[string]any{
				"endpoint_id":                fmt.Sprintf("%032x", i*7919+1),
				"endpoint_name":              fmt.Sprintf("HOST-%05d", i),
				"endpoint_type":              "AGENT_TYPE_SERVER",
				"endpoint_status":            statuses[i/3%len(statuses)],
				"os_type":                    osTypes[i%len(osTypes)],
				"os_version":                 "10.0.17763",
				"ip":                         []string{fmt.Sprintf("10.%d.%d.%d", i/65536, i/256%256, i%256)},
				"ipv6":                       []string{},
				"public_ip":                  "203.0.113.7",
				"users":                      []string{fmt.Sprintf("CORP\\user%d", i)},
				"domain":                     "corp.example.com",
				"alias":                      "",
				"first_seen":                 1700000000000 + i,
				"last_seen":                  1710000000000 + i,
				"content_version":            "1250-12345",
				"installation_package":       "Servers 8.4",
				"active_directory":           []string{"OU=Servers,DC=corp,DC=example,DC=com"},
				"install_date":               1690000000000 + i,
				"endpoint_version":           "8.4.0.12345",
				"is_isolated":                "AGENT_UNISOLATED",
				"group_name":                 []string{"Servers", "Production"},
				"operational_status":         "PROTECTED",
				"assigned_prevention_policy": "Default Servers Policy",
				"tags":                       map[string]any{"server_tags": []string{"prod"}, "endpoint_tags": []string{}},
			}
		}
		raw, err := json.Marshal(map[string]any{"reply": map[string]any{
			"total_count": benchEndpoints, "result_count": benchEndpoints, "endpoints": endpoints,
		}})
		if err != nil {
			panic(err)
		}
		benchSize = len(raw)
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			panic(err)
		}
		benchDoc = normalizeNumbers(v)
	})
	return benchDoc
}

func BenchmarkCompile(b *testing.B) {
	for _, q := range []string{
		"$.reply.endpoints[*].endpoint_id",
		"$.reply.endpoints[?@.os_type=='AGENT_OS_WINDOWS' && @.endpoint_status=='CONNECTED'].endpoint_id",
	} {
		b.Run(q, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Compile(q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func benchQuery(b *testing.B, query string, want int) {
	doc := searchHostsDoc(b)
	b.SetBytes(int64(benchSize))
	p := MustCompile(query)
	if got := len(p.Query(doc)); got != want {
		b.Fatalf("%s selects %d nodes, want %d", query, got, want)
	}
	b.ReportAllocs()
	for b.Loop() {
		p.Query(doc)
	}
}

func BenchmarkQueryWildcard(b *testing.B) {
	benchQuery(b, "$.reply.endpoints[*].endpoint_id", benchEndpoints)
}

func BenchmarkQueryFilter(b *testing.B) {
	benchQuery(b, "$.reply.endpoints[?@.os_type=='AGENT_OS_WINDOWS' && @.endpoint_status=='CONNECTED'].endpoint_id", benchEndpoints/9+1)
}

func BenchmarkQueryDescendant(b *testing.B) {
	benchQuery(b, "$..endpoint_id", benchEndpoints)
}

func BenchmarkGetSingular(b *testing.B) {
	doc := searchHostsDoc(b)
	p := MustCompile("$.reply.endpoints[-1].tags.server_tags[0]")
	b.ReportAllocs()
	for b.Loop() {
		if p.Get(doc) != "prod" {
			b.Fatal("unexpected value")
		}
	}
}
