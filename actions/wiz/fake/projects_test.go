package fake

import (
	"net/http"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestProjectsD3Sample(t *testing.T) {
	t.Parallel()
	s := newServer()
	tok := login(t, s)
	const q = `query ProjectsTable($filterBy: ProjectFilters, $first: Int) { projects(filterBy: $filterBy, first: $first) { nodes { id name isFolder archived businessUnit description } } }`
	_, got := post(t, s, tok, q, map[string]any{"first": 500, "filterBy": map[string]any{"search": "project1", "impact": "MBI"}})
	want := decode(t, readTestdata(t, "d3_project.json"))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("List Projects mismatch (-D3 +fake):\n%s", diff)
	}
}

func TestProjectFilters(t *testing.T) {
	t.Parallel()
	s := newServer()
	tok := login(t, s)
	seed := SeedProjects()
	if len(seed) != 8 {
		t.Fatalf("%d projects, want 8", len(seed))
	}
	id := func(name string) string {
		for _, p := range seed {
			if p.Name == name {
				return p.ID
			}
		}
		t.Fatalf("no project %q", name)
		return ""
	}
	tests := []struct {
		name     string
		filterBy map[string]any
		want     []string
	}{
		{"default leaves archived out", nil, []string{"Project1", "Project 2", "Production", "Payments Production", "Customer Web Platform", "Data Analytics", "Security Lab"}},
		{"includeArchived", map[string]any{"includeArchived": true}, []string{"Project1", "Project 2", "Production", "Payments Production", "Customer Web Platform", "Data Analytics", "Security Lab", "Legacy Intranet"}},
		{"HBI", map[string]any{"impact": "HBI"}, []string{"Production", "Payments Production", "Customer Web Platform"}},
		{"MBI", map[string]any{"impact": "MBI"}, []string{"Project1", "Project 2", "Data Analytics"}},
		{"LBI", map[string]any{"impact": "LBI"}, []string{"Security Lab"}},
		{"LBI with archived", map[string]any{"impact": "LBI", "includeArchived": true}, []string{"Security Lab", "Legacy Intranet"}},
		{"search, any case", map[string]any{"search": "PROJECT"}, []string{"Project1", "Project 2"}},
		{"search by slug", map[string]any{"search": "project-2"}, []string{"Project 2"}},
		{"search and impact", map[string]any{"search": "pro", "impact": "HBI"}, []string{"Production", "Payments Production"}},
		{"folders", map[string]any{"isFolder": true}, []string{"Production"}},
		{"root", map[string]any{"root": true}, []string{"Project1", "Project 2", "Production", "Data Analytics", "Security Lab"}},
		{"not root", map[string]any{"root": false}, []string{"Payments Production", "Customer Web Platform"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := query(t, s, tok, projectsQuery, map[string]any{"first": 500, "filterBy": tc.filterBy})
			var got []string
			for _, n := range nodes(t, data, "projects") {
				got = append(got, n["name"].(string))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("filterBy %v = %v, want %v", tc.filterBy, got, tc.want)
			}
			if n := data["projects"].(map[string]any)["totalCount"]; n != float64(len(tc.want)) {
				t.Errorf("totalCount = %v, want %d", n, len(tc.want))
			}
		})
	}
	if got := id("Project1"); got != Project1ID {
		t.Errorf("Project1 ID = %s, want %s", got, Project1ID)
	}
	// impact is one value: a list is refused [V: Wiz-docs example].
	wantError(t, s, tok, projectsQuery, map[string]any{"first": 5, "filterBy": map[string]any{"impact": []any{"HBI", "MBI"}}},
		http.StatusBadRequest, codeBadUserInput, `at "filterBy.impact"`)

	order := func(field, dir string) []string {
		data := query(t, s, tok, `query($o: ProjectOrder) { projects(first: 500, orderBy: $o) { nodes { name } } }`,
			map[string]any{"o": map[string]any{"field": field, "direction": dir}})
		var out []string
		for _, n := range nodes(t, data, "projects") {
			out = append(out, n["name"].(string))
		}
		return out
	}
	if got, want := order("NAME", "ASC"), []string{"Customer Web Platform", "Data Analytics", "Payments Production", "Production", "Project 2", "Project1", "Security Lab"}; !slices.Equal(got, want) {
		t.Errorf("NAME ASC = %v, want %v", got, want)
	}
	if got := order("BUSINESS_IMPACT", "DESC"); !slices.Equal(got[:3], []string{"Production", "Payments Production", "Customer Web Platform"}) || got[6] != "Security Lab" {
		t.Errorf("BUSINESS_IMPACT DESC = %v", got)
	}
	if got := order("SECURITY_SCORE", "ASC"); got[0] != "Security Lab" || got[6] != "Data Analytics" {
		t.Errorf("SECURITY_SCORE ASC = %v", got)
	}
}
