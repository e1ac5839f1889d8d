package fake

import (
	"maps"
	"slices"
)

// projects resolves projects (API notes §6). Archived projects are left
// out unless filterBy.includeArchived is true [I: the tenant default].
func (x *execution) projects(args map[string]any) (any, *gqlError) {
	first, after, e := pageArgs(args, maxPage)
	if e != nil {
		return nil, e
	}
	f := projectFilters(args["filterBy"])
	nodes := f.apply(x.s.st.projects)
	if o, ok := args["orderBy"].(map[string]any); ok {
		if key := projectOrder[str(o, "field")]; key != nil {
			orderBy(nodes, key, o["direction"])
		}
	}
	return connection(nodes, first, after)
}

// impactRank orders business impacts from LBI (1) to HBI (3).
var impactRank = map[string]int{"LBI": 1, "MBI": 2, "HBI": 3}

var projectOrder = map[string]sortKey{
	"NAME": func(m obj) (any, bool) { return str(m, "name"), true },
	"BUSINESS_IMPACT": func(m obj) (any, bool) {
		r, ok := impactRank[str(child(m, "riskProfile"), "businessImpact")]
		return r, ok
	},
	"SECURITY_SCORE": func(m obj) (any, bool) {
		v, ok := m["securityScore"].(float64)
		return v, ok
	},
}

// projectFilters builds the ProjectFilters of API notes §6: search is a
// case-insensitive substring of the name or slug [I]; impact matches
// riskProfile.businessImpact; root keeps the projects outside any folder
// (or, false, those inside one).
func projectFilters(v any) *filters {
	f := &filters{}
	m, _ := v.(map[string]any)
	if b, _ := m["includeArchived"].(bool); !b {
		f.add(func(p obj) bool { return p["archived"] != true })
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		val := m[k]
		if val == nil {
			continue
		}
		switch k {
		case "search":
			f.search(val, func(p obj) []string { return []string{str(p, "name"), str(p, "slug")} })
		case "impact":
			f.oneOf(val, func(p obj) []string { return strs(child(p, "riskProfile"), "businessImpact") })
		case "isFolder":
			f.flag(val, func(p obj) bool { return p["isFolder"] == true })
		case "root":
			f.flag(val, func(p obj) bool { return str(p, "_parent") == "" })
		}
	}
	return f
}
