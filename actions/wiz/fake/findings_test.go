package fake

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func pick(all []string, n ...int) []string {
	out := make([]string, len(n))
	for i, k := range n {
		out[i] = all[k-1]
	}
	return out
}

func TestConfigurationFindingSample(t *testing.T) {
	t.Parallel()
	s := newServer()
	tok := login(t, s)
	const q = `query($f: ConfigurationFindingFilters) { configurationFindings(first: 5, filterBy: $f) { nodes {
	  __typename id targetExternalId deleted targetObjectProviderUniqueId severity result status remediation
	  resource { id providerId name nativeType type region subscription { id name externalId cloudProvider } projects { id name riskProfile { businessImpact } } tags { key value } }
	  rule { id name description functionAsControl }
	  securitySubCategories { id title category { id name framework { id name } } }
	  ignoreRules { id }
	} } }`
	ns := nodes(t, query(t, s, tok, q, map[string]any{"f": map[string]any{"id": SampleConfigurationFindingID}}), "configurationFindings")
	var want map[string]any
	if err := json.Unmarshal(readTestdata(t, "configuration_finding.json"), &want); err != nil {
		t.Fatal(err)
	}
	if len(ns) != 1 {
		t.Fatalf("got %d nodes", len(ns))
	}
	if diff := cmp.Diff(want, ns[0]); diff != "" {
		t.Errorf("sample finding mismatch (-Wiz +fake):\n%s", diff)
	}
}

func TestConfigurationFindingFilters(t *testing.T) {
	t.Parallel()
	s := newServer()
	tok := login(t, s)
	all := SeedConfigurationFindingIDs()
	if len(all) != 15 {
		t.Fatalf("%d configuration findings, want 15", len(all))
	}
	last24 := map[string]any{"after": at(s, 24*time.Hour), "before": at(s, 0)}
	tests := []struct {
		name     string
		filterBy map[string]any
		want     []int
	}{
		{"default leaves deleted out", nil, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15}},
		{"includeDeleted", map[string]any{"includeDeleted": true}, rangeOf(1, 15)},
		{"D3 window on firstSeenAt", map[string]any{"firstSeenAt": last24}, []int{1, 2, 4, 5, 7, 8, 9, 12, 13}},
		{"window with deleted", map[string]any{"firstSeenAt": last24, "includeDeleted": true}, []int{1, 2, 4, 5, 7, 8, 9, 12, 13, 14}},
		{"updatedAt", map[string]any{"updatedAt": map[string]any{"after": at(s, 5*time.Hour)}}, []int{2, 5, 13}},
		{"analyzedAt", map[string]any{"analyzedAt": map[string]any{"before": at(s, 90*time.Minute)}}, []int{7, 8, 9, 10, 15}},
		{"status", map[string]any{"status": []any{"RESOLVED", "REJECTED"}}, []int{3, 6, 10, 12, 13}},
		{"severity NONE", map[string]any{"severity": []any{"NONE"}}, []int{1, 13}},
		{"severity and status", map[string]any{"severity": []any{"CRITICAL", "HIGH"}, "status": []any{"OPEN"}}, []int{2, 4, 9, 11}},
		{"result", map[string]any{"result": []any{"PASS"}}, []int{3, 6, 10, 13}},
		{"cloud platform", map[string]any{"resource": map[string]any{"cloudPlatform": []any{"Azure", "GCP"}}}, []int{7, 8, 9, 10, 15}},
		{"resource type", map[string]any{"resource": map[string]any{"type": []any{"VIRTUAL_MACHINE"}}}, []int{1, 5, 6, 13, 15}},
		{"resource id", map[string]any{"resource": map[string]any{"id": []any{entityID("web-prod-01")}}}, []int{5}},
		{"resource subscription", map[string]any{"resource": map[string]any{"subscriptionId": []any{"998231069301"}}}, []int{1, 3, 12}},
		{"resource region", map[string]any{"resource": map[string]any{"region": []any{"westeurope"}}}, []int{7, 8, 15}},
		{"rule", map[string]any{"rule": map[string]any{"id": []any{str(ruleSSH(), "id")}}}, []int{4}},
		{"project", map[string]any{"project": []any{Project2ID}}, []int{1, 3, 12}},
		{"search", map[string]any{"search": "imdsv2"}, []int{5, 6}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := query(t, s, tok, configFindingsQuery, map[string]any{"first": 500, "filterBy": tc.filterBy})
			got := idsOfNodes(nodes(t, data, "configurationFindings"))
			if want := pick(all, tc.want...); !slices.Equal(got, want) {
				t.Errorf("filterBy %v = %v, want %v", tc.filterBy, got, want)
			}
			if n := data["configurationFindings"].(map[string]any)["totalCount"]; n != float64(len(tc.want)) {
				t.Errorf("totalCount = %v, want %d", n, len(tc.want))
			}
		})
	}
	ns := nodes(t, query(t, s, tok, configFindingsQuery, map[string]any{"first": 500, "orderBy": map[string]any{"field": "FIRST_SEEN_AT", "direction": "DESC"}}), "configurationFindings")
	for i := 1; i < len(ns); i++ {
		a, _ := time.Parse(time.RFC3339Nano, ns[i-1]["firstSeenAt"].(string))
		b, _ := time.Parse(time.RFC3339Nano, ns[i]["firstSeenAt"].(string))
		if a.Before(b) {
			t.Errorf("FIRST_SEEN_AT DESC: %v before %v", a, b)
		}
	}
}

func TestVulnerabilityFindingsHosts(t *testing.T) {
	t.Parallel()
	s := newServer()
	tok := login(t, s)
	ns := nodes(t, query(t, s, tok, vulnFindingsQuery, map[string]any{"first": 500}), "vulnerabilityFindings")
	if len(ns) != 16 {
		t.Fatalf("%d vulnerability findings, want 16", len(ns))
	}
	// The hosts the Cortex XDR fake knows, by name and address.
	hosts := map[string]string{
		"web-prod-01": "172.16.10.11", "web-prod-02": "172.16.10.12", "db-prod-01": "172.16.20.21",
		"build-ci-07": "172.16.30.7", "jump-01": "172.16.0.5",
	}
	seen := map[string]bool{}
	for _, n := range ns {
		a := n["vulnerableAsset"].(map[string]any)
		ip, ok := hosts[a["name"].(string)]
		if !ok {
			continue
		}
		seen[a["name"].(string)] = true
		if diff := cmp.Diff([]any{ip}, a["ipAddresses"]); diff != "" {
			t.Errorf("%s ipAddresses (-want +got):\n%s", a["name"], diff)
		}
		if a["type"] != "VIRTUAL_MACHINE" || a["cloudPlatform"] != "AWS" || a["operatingSystem"] != "Linux" {
			t.Errorf("%s asset = %v", a["name"], a)
		}
		if _, ok := a["runtime"]; ok {
			t.Errorf("a VM asset has the serverless field runtime: %v", a)
		}
	}
	if len(seen) != len(hosts) {
		t.Errorf("hosts with findings = %v, want all of %v", seen, hosts)
	}
	byID := map[string]map[string]any{}
	for _, n := range ns {
		byID[n["id"].(string)] = n
	}
	v := byID[WebProd01VulnerabilityID]
	if v["name"] != "CVE-2023-38408" || v["score"] != 9.8 || v["vendorSeverity"] != "CRITICAL" || v["status"] != "OPEN" || v["hasExploit"] != true ||
		v["vulnerableAsset"].(map[string]any)["name"] != "web-prod-01" || v["__typename"] != "VulnerabilityFinding" {
		t.Errorf("web-prod-01's critical finding = %v", v)
	}
	want := map[string][2]any{ // host: vendorSeverity, score of its first finding
		"web-prod-02": {"MEDIUM", 5.3}, "db-prod-01": {"HIGH", 8.1},
	}
	for _, n := range ns {
		name := n["vulnerableAsset"].(map[string]any)["name"].(string)
		if w, ok := want[name]; ok {
			if n["vendorSeverity"] != w[0] || n["score"] != w[1] {
				t.Errorf("%s's first finding = %v %v, want %v", name, n["vendorSeverity"], n["score"], w)
			}
			delete(want, name)
		}
	}
	// Only the fragments that match the asset's type apply.
	for _, n := range ns {
		a := n["vulnerableAsset"].(map[string]any)
		_, hasOS := a["operatingSystem"]
		_, hasPod := a["PodName"]
		_, hasImage := a["imageId"]
		_, hasRuntime := a["runtime"]
		switch a["type"] {
		case "CONTAINER":
			if hasOS || !hasPod || a["PodNamespace"] != "payments" {
				t.Errorf("container asset = %v", a)
			}
		case "CONTAINER_IMAGE":
			if hasOS || !hasImage || a["registry"] == nil {
				t.Errorf("image asset = %v", a)
			}
		case "SERVERLESS":
			if hasOS || !hasRuntime {
				t.Errorf("serverless asset = %v", a)
			}
		}
		if a["id"] == nil || a["subscriptionName"] == nil {
			t.Errorf("asset without its VulnerableAssetBase fields: %v", a)
		}
	}
}

func TestVulnerabilityFindingFilters(t *testing.T) {
	t.Parallel()
	s := newServer()
	tok := login(t, s)
	all := SeedVulnerabilityFindingIDs()
	tests := []struct {
		name     string
		filterBy map[string]any
		want     []int
	}{
		{"D3 window on updatedAt", map[string]any{"updatedAt": map[string]any{"after": at(s, 24*time.Hour), "before": at(s, 0)}}, []int{1, 2, 3, 4, 6, 7, 8, 9, 11, 12, 13, 15, 16}},
		{"vendorSeverity and status", map[string]any{"vendorSeverity": []any{"CRITICAL"}, "status": []any{"OPEN"}}, []int{1, 4, 11, 12, 15}},
		{"severity", map[string]any{"severity": []any{"LOW"}}, []int{10}},
		{"status", map[string]any{"status": []any{"RESOLVED", "REJECTED"}}, []int{5, 7, 14}},
		{"CVE", map[string]any{"vulnerabilityExternalId": []any{"CVE-2024-6387"}}, []int{3, 5}},
		{"assetId", map[string]any{"assetId": []any{entityID("build-ci-07")}}, []int{4, 9, 16}},
		{"assetType", map[string]any{"assetType": []any{"SERVERLESS", "CONTAINER_IMAGE"}}, []int{11, 13}},
		{"hasExploit false", map[string]any{"hasExploit": false}, []int{2, 8, 10, 13, 15}},
		{"hasCisaKevExploit", map[string]any{"hasCisaKevExploit": true}, []int{4, 6, 9}},
		{"relatedIssueSeverity", map[string]any{"relatedIssueSeverity": []any{"CRITICAL", "LOW"}}, []int{1, 3, 12}},
		{"project", map[string]any{"project": []any{Project1ID}}, []int{15}},
		{"firstDetectedAt", map[string]any{"firstDetectedAt": map[string]any{"after": at(s, 5*24*time.Hour)}}, []int{11, 12}},
		{"firstSeenAt is firstDetectedAt", map[string]any{"firstSeenAt": map[string]any{"after": at(s, 5*24*time.Hour)}}, []int{11, 12}},
		{"lastDetectedAt", map[string]any{"lastDetectedAt": map[string]any{"before": at(s, 24*time.Hour)}}, []int{5, 10, 14}},
		{"resolvedAt", map[string]any{"resolvedAt": map[string]any{"after": at(s, 7*24*time.Hour)}}, []int{5, 14}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := query(t, s, tok, `query($f: VulnerabilityFindingFilters) { vulnerabilityFindings(first: 1000, filterBy: $f) { nodes { id } totalCount } }`,
				map[string]any{"f": tc.filterBy})
			if got, want := idsOfNodes(nodes(t, data, "vulnerabilityFindings")), pick(all, tc.want...); !slices.Equal(got, want) {
				t.Errorf("filterBy %v = %v, want %v", tc.filterBy, got, want)
			}
		})
	}
	// orderBy without a field: by first detection.
	ns := nodes(t, query(t, s, tok, vulnFindingsQuery, map[string]any{"first": 500, "orderBy": map[string]any{"direction": "DESC"}}), "vulnerabilityFindings")
	for i := 1; i < len(ns); i++ {
		a, _ := time.Parse(time.RFC3339Nano, ns[i-1]["firstDetectedAt"].(string))
		b, _ := time.Parse(time.RFC3339Nano, ns[i]["firstDetectedAt"].(string))
		if a.Before(b) {
			t.Errorf("DESC: %v before %v", a, b)
		}
	}
	ns = nodes(t, query(t, s, tok, `{ vulnerabilityFindings(first: 3, orderBy: {field: RELATED_ISSUE_SEVERITY, direction: DESC}) { nodes { id } } }`, nil), "vulnerabilityFindings")
	if got, want := idsOfNodes(ns), pick(all, 1, 12, 4); !slices.Equal(got, want) {
		t.Errorf("RELATED_ISSUE_SEVERITY DESC = %v, want %v", got, want)
	}
}
