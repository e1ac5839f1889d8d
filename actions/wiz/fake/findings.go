package fake

import (
	"maps"
	"slices"
)

// configurationFindings resolves configurationFindings (API notes §5.2).
// Deleted findings are left out unless filterBy.includeDeleted is true
// [V: Wiz-docs includeDeleted; default I].
func (x *execution) configurationFindings(args map[string]any) (any, *gqlError) {
	first, after, e := pageArgs(args, maxPage)
	if e != nil {
		return nil, e
	}
	f := configFindingFilters(args["filterBy"])
	if f.err != nil {
		return nil, f.err
	}
	nodes := f.apply(x.s.st.configFindings)
	if o, ok := args["orderBy"].(map[string]any); ok {
		if key := configFindingOrder[str(o, "field")]; key != nil {
			orderBy(nodes, key, o["direction"])
		}
	}
	return connection(nodes, first, after)
}

var configFindingOrder = map[string]sortKey{
	"ANALYZED_AT":   timeKey("analyzedAt"),
	"FIRST_SEEN_AT": timeKey("firstSeenAt"),
	"UPDATED_AT":    timeKey("updatedAt"),
	"SEVERITY":      severityKey("severity"),
}

// configFindingFilters builds the ConfigurationFindingFilters of API notes
// §5.2. search matches the rule's name, the resource's name or the target
// external ID [I]; resource.cloudPlatform is the resource subscription's
// cloud provider; resource.subscriptionId its Wiz or external ID.
func configFindingFilters(v any) *filters {
	f := &filters{}
	m, _ := v.(map[string]any)
	if b, _ := m["includeDeleted"].(bool); !b {
		f.add(func(c obj) bool { return c["deleted"] != true })
	}
	resource := func(c obj) obj { return child(c, "resource") }
	for _, k := range slices.Sorted(maps.Keys(m)) {
		val := m[k]
		if val == nil {
			continue
		}
		switch k {
		case "id", "status", "severity", "result":
			f.oneOf(val, func(c obj) []string { return strs(c, k) })
		case "search":
			f.search(val, func(c obj) []string {
				return []string{str(child(c, "rule"), "name"), str(resource(c), "name"), str(c, "targetExternalId")}
			})
		case "firstSeenAt", "updatedAt", "analyzedAt", "statusChangedAt":
			f.dateRange(k, val, k)
		case "project":
			f.oneOf(val, func(c obj) []string { return ids(resource(c), "projects") })
		case "rule":
			r, _ := val.(map[string]any)
			if id, ok := r["id"]; ok && id != nil {
				f.oneOf(id, func(c obj) []string { return strs(child(c, "rule"), "id") })
			}
		case "resource":
			r, _ := val.(map[string]any)
			for _, rk := range slices.Sorted(maps.Keys(r)) {
				rv := r[rk]
				if rv == nil {
					continue
				}
				switch rk {
				case "id", "type", "region":
					f.oneOf(rv, func(c obj) []string { return strs(resource(c), rk) })
				case "cloudPlatform":
					f.oneOf(rv, func(c obj) []string { return strs(child(resource(c), "subscription"), "cloudProvider") })
				case "subscriptionId":
					f.oneOf(rv, func(c obj) []string {
						sub := child(resource(c), "subscription")
						return []string{str(sub, "id"), str(sub, "externalId")}
					})
				}
			}
		}
	}
	return f
}

// vulnerabilityFindings resolves vulnerabilityFindings (API notes §5.3).
// An orderBy without a field sorts by CREATED_AT, the first detection
// [I: IBM-SOAR-Wiz notes "descending by firstDetectedAt"].
func (x *execution) vulnerabilityFindings(args map[string]any) (any, *gqlError) {
	first, after, e := pageArgs(args, maxVulnPage)
	if e != nil {
		return nil, e
	}
	f := vulnFindingFilters(args["filterBy"])
	if f.err != nil {
		return nil, f.err
	}
	nodes := f.apply(x.s.st.vulnFindings)
	if o, ok := args["orderBy"].(map[string]any); ok {
		field := str(o, "field")
		if field == "" {
			field = "CREATED_AT"
		}
		if key := vulnFindingOrder[field]; key != nil {
			orderBy(nodes, key, o["direction"])
		}
	}
	return connection(nodes, first, after)
}

var vulnFindingOrder = map[string]sortKey{
	"CREATED_AT": timeKey("firstDetectedAt"),
	"UPDATED_AT": timeKey("updatedAt"),
	"RELATED_ISSUE_SEVERITY": func(v obj) (any, bool) {
		sev := relatedSeverities(v)
		if len(sev) == 0 {
			return 0, false
		}
		return severityRank[sev[0]], true
	},
}

// relatedCounts maps a severity to its relatedIssueAnalytics count field,
// most severe first.
var relatedCounts = []struct{ severity, field string }{
	{"CRITICAL", "criticalSeverityCount"},
	{"HIGH", "highSeverityCount"},
	{"MEDIUM", "mediumSeverityCount"},
	{"LOW", "lowSeverityCount"},
	{"INFORMATIONAL", "informationalSeverityCount"},
}

// relatedSeverities returns the severities of a finding's related issues,
// most severe first.
func relatedSeverities(v obj) []string {
	a := child(v, "relatedIssueAnalytics")
	var out []string
	for _, rc := range relatedCounts {
		if n, _ := a[rc.field].(int); n > 0 {
			out = append(out, rc.severity)
		}
	}
	return out
}

// vulnFindingFilters builds the VulnerabilityFindingFilters of API notes
// §5.3. vulnerabilityExternalId matches the CVE ID (name); assetId and
// assetType the vulnerable asset; firstSeenAt is firstDetectedAt;
// relatedIssueSeverity keeps findings with a related issue of one of the
// severities.
func vulnFindingFilters(v any) *filters {
	f := &filters{}
	m, _ := v.(map[string]any)
	asset := func(c obj) obj { return child(c, "vulnerableAsset") }
	for _, k := range slices.Sorted(maps.Keys(m)) {
		val := m[k]
		if val == nil {
			continue
		}
		switch k {
		case "id", "status", "vendorSeverity", "severity":
			f.oneOf(val, func(c obj) []string { return strs(c, k) })
		case "vulnerabilityExternalId":
			f.oneOf(val, func(c obj) []string { return strs(c, "name") })
		case "assetId":
			f.oneOf(val, func(c obj) []string { return strs(asset(c), "id") })
		case "assetType":
			f.oneOf(val, func(c obj) []string { return strs(asset(c), "type") })
		case "updatedAt", "firstDetectedAt", "lastDetectedAt", "resolvedAt":
			f.dateRange(k, val, k)
		case "firstSeenAt":
			f.dateRange(k, val, "firstDetectedAt")
		case "hasExploit", "hasCisaKevExploit":
			f.flag(val, func(c obj) bool { return c[k] == true })
		case "relatedIssueSeverity":
			f.oneOf(val, relatedSeverities)
		case "project":
			f.oneOf(val, func(c obj) []string { return ids(c, "projects") })
		}
	}
	return f
}
