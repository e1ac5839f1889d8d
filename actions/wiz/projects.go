package wiz

import (
	"context"
	"strconv"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/actions/wiz/internal/gql"
)

func (w *Wiz) listProjects() *command {
	spec := actions.Spec{
		Name: ListProjectsName, Title: "List Projects",
		Description: "Returns the Wiz projects of the tenant (POST /graphql, query projects, one request per page of 500).",
		Inputs: []actions.Input{
			{Name: "project_name", Type: actions.String,
				Description: "Only projects whose name contains this text. By default all."},
			{Name: "impact", Type: actions.String, Options: impactOptions,
				Description: "Only projects of this business impact: High, High and Medium, Medium or Low. By default all."},
		},
		KeyFields:   []string{"ProjectIDs", "ProjectNames"},
		Permissions: []string{"read:projects"},
	}
	return &command{spec: spec, run: func(ctx context.Context, e *exec) actions.Envelope {
		filter := map[string]any{}
		if s := e.r.String("project_name"); s != "" {
			filter["search"] = s
		}
		// impact is one value in the API [V: Wiz-docs]; High and Medium
		// is two reads merged [I].
		impacts := wireList(e.r.String("impact"))
		if impacts == nil {
			impacts = []any{nil}
		}
		var nodes []any
		seen := map[string]bool{}
		for _, imp := range impacts {
			f := map[string]any{}
			for k, v := range filter {
				f[k] = v
			}
			if imp != nil {
				f["impact"] = imp
			}
			got, fl := e.pages(ctx, "projects", "projects", gql.Projects, f, nil, 0)
			if fl != nil {
				return e.fail(fl)
			}
			for _, n := range got {
				id := text(field(n, "id"))
				if id != "" && seen[id] {
					continue
				}
				seen[id] = true
				nodes = append(nodes, n)
			}
		}
		if nodes == nil {
			nodes = []any{}
		}
		keys := newKeys(true, spec.KeyFields...)
		for _, n := range nodes {
			keys.Add("ProjectIDs", field(n, "id"))
			keys.Add("ProjectNames", field(n, "name"))
		}
		env := actions.Succeed(map[string]any{"data": map[string]any{"projects": map[string]any{"nodes": nodes}}}, keys.Fields())
		env.Result = table([]string{"Projects Count"}, [][]string{{strconv.Itoa(len(nodes))}})
		return env
	}}
}

func (w *Wiz) testConnection() *command {
	spec := actions.Spec{
		Name: TestConnectionName, Title: "Test Connection",
		Failure:     "Test Connection failed. Failed to check the connector.",
		Description: "Checks the connection: logs in and reads one issue (needs read:issues).",
		Permissions: []string{"read:issues"},
	}
	return &command{spec: spec, run: func(ctx context.Context, e *exec) actions.Envelope {
		v, f := e.do(ctx, op{name: "issuesV2", query: gql.TestConnection, vars: map[string]any{"first": int64(1)}})
		if f != nil {
			return e.fail(f)
		}
		return actions.Succeed(v, nil)
	}}
}
