package fake

import (
	"maps"
	"slices"
)

// issues resolves issuesV2 and the legacy issues (API notes §5.1, §9).
// Without orderBy, nodes come in seed order; clients sort them themselves.
func (x *execution) issues(args map[string]any) (any, *gqlError) {
	first, after, e := pageArgs(args, maxPage)
	if e != nil {
		return nil, e
	}
	f := issueFilters(args["filterBy"])
	if f.err != nil {
		return nil, f.err
	}
	nodes := f.apply(x.s.st.issues)
	if o, ok := args["orderBy"].(map[string]any); ok {
		if key := issueOrder[str(o, "field")]; key != nil {
			orderBy(nodes, key, o["direction"])
		}
	}
	return connection(nodes, first, after)
}

// issueOrder maps IssueOrderField to a sort key. SEVERITY ASC is the least
// severe first.
var issueOrder = map[string]sortKey{
	"SEVERITY":          severityKey("severity"),
	"CREATED_AT":        timeKey("createdAt"),
	"UPDATED_AT":        timeKey("updatedAt"),
	"STATUS_CHANGED_AT": timeKey("statusChangedAt"),
	"RESOLVED_AT":       timeKey("resolvedAt"),
}

// issueFilters builds the IssueFilters of API notes §5.1. search matches,
// ignoring case, a substring of the issue ID, the source rule's name or
// the entity's name, provider ID or external ID [I].
func issueFilters(v any) *filters {
	f := &filters{}
	m, _ := v.(map[string]any)
	for _, k := range slices.Sorted(maps.Keys(m)) {
		val := m[k]
		if val == nil {
			continue
		}
		switch k {
		case "id", "type", "status", "severity", "resolutionReason":
			f.oneOf(val, func(i obj) []string { return strs(i, k) })
		case "search":
			f.search(val, func(i obj) []string {
				e := child(i, "entitySnapshot")
				return []string{str(i, "id"), str(child(i, "sourceRule"), "name"), str(e, "name"), str(e, "providerId"), str(e, "externalId")}
			})
		case "createdAt", "updatedAt", "statusChangedAt", "resolvedAt", "dueAt":
			f.dateRange(k, val, k)
		case "project":
			f.oneOf(val, func(i obj) []string { return ids(i, "projects") })
		case "relatedEntity":
			entityFilters(f, val)
		case "hasNote":
			f.flag(val, func(i obj) bool { return len(children(i, "notes")) > 0 || str(i, "note") != "" })
		case "hasServiceTicket":
			f.flag(val, func(i obj) bool { return len(children(i, "serviceTickets")) > 0 })
		case "hasRemediation":
			f.flag(val, func(i obj) bool {
				r := child(i, "sourceRule")
				return str(r, "resolutionRecommendation") != "" || str(r, "remediationInstructions") != ""
			})
		case "securityFramework", "securityCategory", "securitySubCategory":
			f.oneOf(val, func(i obj) []string { return subCategoryIDs(child(i, "sourceRule"), k) })
		case "sourceControl":
			f.oneOf(val, func(i obj) []string { return strs(child(i, "sourceRule"), "id") })
		case "riskEqualsAny":
			f.oneOf(val, risks)
		case "riskEqualsAll":
			want := stringList(val)
			f.add(func(i obj) bool {
				have := risks(i)
				for _, w := range want {
					if !slices.Contains(have, w) {
						return false
					}
				}
				return true
			})
		}
	}
	return f
}

func risks(i obj) []string { return stringList(child(i, "sourceRule")["risks"]) }

// subCategoryIDs returns the IDs of a rule's security sub-categories, of
// their categories or of their frameworks, for the filter key k.
func subCategoryIDs(rule obj, k string) []string {
	var out []string
	for _, sc := range children(rule, "securitySubCategories") {
		cat := child(sc, "category")
		switch k {
		case "securitySubCategory":
			out = append(out, str(sc, "id"))
		case "securityCategory":
			out = append(out, str(cat, "id"))
		case "securityFramework":
			out = append(out, str(child(cat, "framework"), "id"))
		}
	}
	return out
}

// entityFilters adds the relatedEntity filters: on the issue's entity
// snapshot. subscriptionId matches the subscription's Wiz ID or its
// external ID (the cloud account ID) [I].
func entityFilters(f *filters, v any) {
	m, _ := v.(map[string]any)
	entity := func(i obj) obj { return child(i, "entitySnapshot") }
	for _, k := range slices.Sorted(maps.Keys(m)) {
		val := m[k]
		if val == nil {
			continue
		}
		switch k {
		case "id", "ids":
			f.oneOf(val, func(i obj) []string { return strs(entity(i), "id") })
		case "type", "status", "region", "nativeType", "cloudPlatform":
			f.oneOf(val, func(i obj) []string { return strs(entity(i), k) })
		case "subscriptionId":
			f.oneOf(val, func(i obj) []string {
				e := entity(i)
				return []string{str(e, "_subscriptionId"), str(e, "subscriptionExternalId")}
			})
		case "tag":
			tagFilters(f, val, func(i obj) obj { return child(entity(i), "tags") })
		}
	}
}

// tagFilters adds an IssueEntityTagFilter: each tag {key, value} matches
// an entity tag with that key and, when value is set, that value.
func tagFilters(f *filters, v any, tagsOf func(obj) obj) {
	m, _ := v.(map[string]any)
	for _, k := range slices.Sorted(maps.Keys(m)) {
		l, _ := m[k].([]any)
		if len(l) == 0 {
			if tag, ok := m[k].(map[string]any); ok {
				l = []any{tag}
			} else {
				continue
			}
		}
		count := func(i obj) int {
			tags, n := tagsOf(i), 0
			for _, e := range l {
				t, _ := e.(map[string]any)
				key, _ := t["key"].(string)
				got, ok := tags[key].(string)
				if want, set := t["value"].(string); ok && (!set || got == want) {
					n++
				}
			}
			return n
		}
		switch k {
		case "containsAll":
			f.add(func(i obj) bool { return count(i) == len(l) })
		case "containsAny":
			f.add(func(i obj) bool { return count(i) > 0 })
		case "doesNotContainAll":
			f.add(func(i obj) bool { return count(i) < len(l) })
		case "doesNotContainAny":
			f.add(func(i obj) bool { return count(i) == 0 })
		}
	}
}

// Issue returns a copy of the issue with id as a client would decode it
// (times as strings, numbers as float64), with every field the schema has
// for it, and whether there is one. Mutations show in it.
func (s *Server) Issue(id string) (map[string]any, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, ok := s.st.issueByID[id]
	if !ok {
		return nil, false
	}
	c, _ := plainJSON(m).(map[string]any)
	return c, true
}

// IssueIDs returns the IDs of every issue of the server, seeded and
// generated, in seed order.
func (s *Server) IssueIDs() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]string, len(s.st.issues))
	for i, m := range s.st.issues {
		out[i] = str(m, "id")
	}
	return out
}
