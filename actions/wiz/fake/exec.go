package fake

import (
	"fmt"
	"slices"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
)

// execution is one validated operation being executed over the server's
// state. The caller holds s.mu (read-locked for a query, locked for a
// mutation) for the whole of run.
type execution struct {
	s    *Server
	doc  *ast.QueryDocument
	vars map[string]any
	now  time.Time
	acct ServiceAccount
	errs []*gqlError
}

// resolver computes a root field's value from its arguments: an obj (or
// nil) the executor then walks with the field's selection set, or an error
// reported at the field's path with a null value.
type resolver func(x *execution, args map[string]any) (any, *gqlError)

// Root fields: their resolvers and the scopes they need (API notes §2.8).
var (
	queryFields = map[string]resolver{
		"issuesV2":              (*execution).issues,
		"issues":                (*execution).issues,
		"configurationFindings": (*execution).configurationFindings,
		"vulnerabilityFindings": (*execution).vulnerabilityFindings,
		"projects":              (*execution).projects,
	}
	mutationFields = map[string]resolver{
		"createIssueNote": (*execution).createIssueNote,
		"updateIssue":     (*execution).updateIssue,
	}
	fieldScopes = map[string]string{
		"issuesV2":              ScopeReadIssues,
		"issues":                ScopeReadIssues,
		"configurationFindings": ScopeReadCloudConfiguration,
		"vulnerabilityFindings": ScopeReadVulnerabilities,
		"projects":              ScopeReadProjects,
		"createIssueNote":       ScopeWriteIssueComments,
		"updateIssue":           ScopeWriteIssueStatus,
	}
)

// checkScopes refuses an operation that selects a root field the token's
// scopes do not allow. updateIssue also needs update:write:issue_due_at
// when its patch or override sets dueAt [I: the scope's name].
func (x *execution) checkScopes(op *ast.OperationDefinition) *gqlError {
	typ := rootType(op)
	for _, g := range x.collect(op.SelectionSet, typ) {
		f := g.fields[0]
		need := []string{fieldScopes[f.Name]}
		if f.Name == "updateIssue" {
			if args, e := x.args(f); e == nil {
				in, _ := args["input"].(map[string]any)
				for _, k := range []string{"patch", "override"} {
					if p, ok := in[k].(map[string]any); ok {
						if _, ok := p["dueAt"]; ok {
							need = append(need, ScopeWriteIssueDueAt)
							break
						}
					}
				}
			}
		}
		for _, sc := range need {
			if sc != "" && !slices.Contains(x.acct.Scopes, sc) {
				return newError(codeUnauthorized, "Unauthorized: missing required scope "+sc).at(f.Position)
			}
		}
	}
	return nil
}

func rootType(op *ast.OperationDefinition) string {
	if op.Operation == ast.Mutation {
		return "Mutation"
	}
	return "Query"
}

// run executes op and returns the encoded response. It never panics: a
// panic in a resolver is reported as an error.
func (x *execution) run(op *ast.OperationDefinition) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("execution panicked: %v", r)
		}
	}()
	typ := rootType(op)
	resolvers := queryFields
	if typ == "Mutation" {
		resolvers = mutationFields
	}
	def := schema.Types[typ]
	data := &ordered{}
	for _, g := range x.collect(op.SelectionSet, typ) {
		f := g.fields[0]
		if f.Name == "__typename" {
			data.add(g.key, typ)
			continue
		}
		fd, r := def.Fields.ForName(f.Name), resolvers[f.Name]
		if fd == nil || r == nil {
			data.add(g.key, nil)
			continue
		}
		args, e := x.args(f)
		var v any
		if e == nil {
			v, e = r(x, args)
		}
		if e != nil {
			e.Path = []any{g.key}
			e.at(f.Position)
			x.errs = append(x.errs, e)
			data.add(g.key, nil)
			continue
		}
		data.add(g.key, x.complete(fd.Type, g, v))
	}
	var b []byte
	b = append(b, `{"data":`...)
	enc, err := encodeJSON(data)
	if err != nil {
		return nil, err
	}
	b = append(b, enc...)
	if len(x.errs) > 0 {
		errs, err := encodeErrors(x.errs)
		if err != nil {
			return nil, err
		}
		b = append(b, `,"errors":`...)
		b = append(b, errs...)
	}
	return append(b, '}'), nil
}

// args returns a field's arguments: literals with any variables inside
// them resolved; an argument given as an unset variable is left out.
func (x *execution) args(f *ast.Field) (map[string]any, *gqlError) {
	out := map[string]any{}
	for _, a := range f.Arguments {
		if a.Value == nil {
			continue
		}
		if a.Value.Kind == ast.Variable {
			if v, ok := x.vars[a.Value.Raw]; ok {
				out[a.Name] = v
			}
			continue
		}
		v, err := a.Value.Value(x.vars)
		if err != nil {
			return nil, newError(codeBadUserInput, fmt.Sprintf("Argument %q has an invalid value: %v", a.Name, err))
		}
		out[a.Name] = v
	}
	return out, nil
}

// fieldGroup is the fields of a selection set that share a response key.
type fieldGroup struct {
	key    string
	fields []*ast.Field
}

// collect groups the fields a selection set selects on an object of type
// typ by response key, in order, looking through the fragments whose type
// condition applies and honouring @skip and @include (GraphQL spec
// CollectFields).
func (x *execution) collect(sel ast.SelectionSet, typ string) []fieldGroup {
	var groups []fieldGroup
	index := map[string]int{}
	visited := map[string]bool{}
	var walk func(ast.SelectionSet)
	walk = func(sel ast.SelectionSet) {
		for _, s := range sel {
			switch s := s.(type) {
			case *ast.Field:
				if !x.included(s.Directives) {
					continue
				}
				key := s.Alias
				if key == "" {
					key = s.Name
				}
				if i, ok := index[key]; ok {
					groups[i].fields = append(groups[i].fields, s)
					continue
				}
				index[key] = len(groups)
				groups = append(groups, fieldGroup{key: key, fields: []*ast.Field{s}})
			case *ast.InlineFragment:
				if x.included(s.Directives) && applies(s.TypeCondition, typ) {
					walk(s.SelectionSet)
				}
			case *ast.FragmentSpread:
				if !x.included(s.Directives) || visited[s.Name] {
					continue
				}
				visited[s.Name] = true
				if def := x.doc.Fragments.ForName(s.Name); def != nil && applies(def.TypeCondition, typ) {
					walk(def.SelectionSet)
				}
			}
		}
	}
	walk(sel)
	return groups
}

// applies reports whether a fragment with type condition cond applies to
// an object of type typ.
func applies(cond, typ string) bool {
	if cond == "" || cond == typ {
		return true
	}
	d := schema.Types[cond]
	if d == nil || !d.IsAbstractType() {
		return false
	}
	for _, p := range schema.GetPossibleTypes(d) {
		if p.Name == typ {
			return true
		}
	}
	return false
}

// included applies @skip(if:) and @include(if:).
func (x *execution) included(ds ast.DirectiveList) bool {
	if d := ds.ForName("skip"); d != nil && x.directiveIf(d) {
		return false
	}
	if d := ds.ForName("include"); d != nil && !x.directiveIf(d) {
		return false
	}
	return true
}

func (x *execution) directiveIf(d *ast.Directive) bool {
	a := d.Arguments.ForName("if")
	if a == nil || a.Value == nil {
		return false
	}
	v, err := a.Value.Value(x.vars)
	b, _ := v.(bool)
	return err == nil && b
}

// object resolves a selection set on a stored object of concrete type typ.
// A selected field the object lacks is null.
func (x *execution) object(typ string, sel ast.SelectionSet, v obj) *ordered {
	def := schema.Types[typ]
	out := &ordered{}
	if def == nil {
		return out
	}
	for _, g := range x.collect(sel, typ) {
		name := g.fields[0].Name
		if name == "__typename" {
			out.add(g.key, typ)
			continue
		}
		fd := def.Fields.ForName(name)
		if fd == nil {
			out.add(g.key, nil)
			continue
		}
		out.add(g.key, x.complete(fd.Type, g, v[name]))
	}
	return out
}

// complete turns a stored value into the response value of a field of
// type t selected by g.
func (x *execution) complete(t *ast.Type, g fieldGroup, v any) any {
	if v == nil {
		return nil
	}
	if t.Elem != nil {
		if leaf(t) {
			return v
		}
		var out []any
		switch l := v.(type) {
		case []any:
			out = make([]any, len(l))
			for i, e := range l {
				out[i] = x.complete(t.Elem, g, e)
			}
		case []obj:
			out = make([]any, len(l))
			for i, e := range l {
				out[i] = x.complete(t.Elem, g, e)
			}
		default:
			return nil
		}
		return out
	}
	def := schema.Types[t.NamedType]
	if def == nil {
		return nil
	}
	if def.IsLeafType() {
		return v
	}
	m, ok := v.(obj)
	if !ok {
		return nil
	}
	typ := def.Name
	if def.IsAbstractType() {
		if typ, ok = m["__typename"].(string); !ok {
			return nil
		}
	}
	return x.object(typ, subSelection(g), m)
}

// leaf reports whether the innermost type of t is a scalar or an enum.
func leaf(t *ast.Type) bool {
	for t.Elem != nil {
		t = t.Elem
	}
	d := schema.Types[t.NamedType]
	return d != nil && d.IsLeafType()
}

// subSelection merges the selection sets of a group's fields.
func subSelection(g fieldGroup) ast.SelectionSet {
	if len(g.fields) == 1 {
		return g.fields[0].SelectionSet
	}
	var sel ast.SelectionSet
	for _, f := range g.fields {
		sel = append(sel, f.SelectionSet...)
	}
	return sel
}
