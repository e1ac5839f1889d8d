package fake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

// maxTokens caps the lexical tokens of a query document (the operations
// of the API notes have a few hundred); a longer document fails to parse
// [I].
const maxTokens = 20000

// graphQLRequest is the body of a POST /graphql.
type graphQLRequest struct {
	query         string
	operationName string
	variables     map[string]any
}

// serveGraphQL serves POST /graphql: authentication, then parsing,
// validation, variable coercion, scopes and execution (API notes §2).
func (s *Server) serveGraphQL(w http.ResponseWriter, r *http.Request, body []byte, tooLarge bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeErrors(w, http.StatusMethodNotAllowed, false, newError(codeBadRequest, "GraphQL requests must be sent with POST"))
		return
	}
	acct, ok := s.authenticate(r)
	if !ok {
		writeErrors(w, http.StatusUnauthorized, true, statusError(http.StatusUnauthorized))
		return
	}
	if tooLarge {
		writeErrors(w, http.StatusRequestEntityTooLarge, false, newError(codeBadRequest, fmt.Sprintf("Request entity too large: the limit is %d bytes", maxBody)))
		return
	}
	req, e := decodeGraphQLRequest(body)
	if e != nil {
		writeErrors(w, http.StatusBadRequest, false, e)
		return
	}
	doc, errs := parseQuery(req.query)
	if errs != nil {
		writeErrors(w, http.StatusBadRequest, false, errs...)
		return
	}
	op, e := selectOperation(doc, req.operationName)
	if e != nil {
		writeErrors(w, http.StatusBadRequest, false, e)
		return
	}
	vars, e := coerceVariables(op, req.variables)
	if e != nil {
		writeErrors(w, http.StatusBadRequest, false, e)
		return
	}
	x := &execution{s: s, doc: doc, vars: vars, now: s.now(), acct: acct}
	if e := x.checkScopes(op); e != nil {
		writeErrors(w, http.StatusForbidden, true, e)
		return
	}
	if op.Operation == ast.Mutation {
		s.mu.Lock()
	} else {
		s.mu.RLock()
	}
	out, err := x.run(op)
	if op.Operation == ast.Mutation {
		s.mu.Unlock()
	} else {
		s.mu.RUnlock()
	}
	if err != nil {
		writeErrors(w, http.StatusInternalServerError, false, statusError(http.StatusInternalServerError))
		return
	}
	writeBody(w, http.StatusOK, out)
}

// decodeGraphQLRequest decodes {query, variables, operationName}. The
// messages are Apollo Server's for the same mistakes [I].
func decodeGraphQLRequest(body []byte) (graphQLRequest, *gqlError) {
	var req graphQLRequest
	var raw map[string]json.RawMessage
	d := json.NewDecoder(bytes.NewReader(body))
	if err := d.Decode(&raw); err != nil || d.More() {
		if len(bytes.TrimSpace(body)) > 0 && bytes.TrimSpace(body)[0] == '[' {
			return req, newError(codeBadRequest, "Operation batching is not supported")
		}
		msg := "POST body sent invalid JSON"
		if err != nil {
			msg += ": " + err.Error()
		}
		return req, newError(codeBadRequest, msg)
	}
	if raw == nil {
		return req, newError(codeBadRequest, "POST body must be a JSON object")
	}
	if q, ok := raw["query"]; ok && !isNull(q) {
		if json.Unmarshal(q, &req.query) != nil {
			return req, newError(codeBadRequest, "`query` in a POST body must be a string")
		}
	}
	if strings.TrimSpace(req.query) == "" {
		return req, newError(codeBadRequest, "GraphQL operations must contain a non-empty `query`")
	}
	if n, ok := raw["operationName"]; ok && !isNull(n) {
		if json.Unmarshal(n, &req.operationName) != nil {
			return req, newError(codeBadRequest, "`operationName` in a POST body must be a string if provided")
		}
	}
	if v, ok := raw["variables"]; ok && !isNull(v) {
		if json.Unmarshal(v, &req.variables) != nil || req.variables == nil {
			return req, newError(codeBadRequest, "`variables` in a POST body should be provided as an object")
		}
	}
	return req, nil
}

func isNull(m json.RawMessage) bool { return string(bytes.TrimSpace(m)) == "null" }

// parseQuery parses and validates a document: a syntax error is
// GRAPHQL_PARSE_FAILED, a document the schema refuses (unknown field,
// wrong literal, unknown fragment, ...) GRAPHQL_VALIDATION_FAILED, both
// with gqlparser's messages and locations.
func parseQuery(q string) (*ast.QueryDocument, []*gqlError) {
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: q}, maxTokens)
	if err != nil {
		ge := gqlerror.WrapIfUnwrapped(err)
		e := newError(codeParseFailed, "Syntax Error: "+ge.Message)
		for _, l := range ge.Locations {
			e.Locations = append(e.Locations, location{Line: l.Line, Column: l.Column})
		}
		return nil, []*gqlError{e}
	}
	if verrs := validator.Validate(schema, doc); len(verrs) > 0 {
		out := make([]*gqlError, len(verrs))
		for i, ve := range verrs {
			e := newError(codeValidationFailed, ve.Message)
			for _, l := range ve.Locations {
				e.Locations = append(e.Locations, location{Line: l.Line, Column: l.Column})
			}
			out[i] = e
		}
		return nil, out
	}
	var errs []*gqlError
	for _, op := range doc.Operations {
		for _, f := range rootFields(doc, op.SelectionSet) {
			if f.Name == "__schema" || f.Name == "__type" {
				errs = append(errs, newError(codeValidationFailed, "GraphQL introspection is not allowed, but the query contained __schema or __type").at(f.Position))
			}
		}
	}
	return doc, errs
}

// rootFields returns the fields of a selection set, looking through
// fragments, whatever their directives.
func rootFields(doc *ast.QueryDocument, sel ast.SelectionSet) []*ast.Field {
	var out []*ast.Field
	seen := map[string]bool{}
	var walk func(ast.SelectionSet)
	walk = func(sel ast.SelectionSet) {
		for _, s := range sel {
			switch s := s.(type) {
			case *ast.Field:
				out = append(out, s)
			case *ast.InlineFragment:
				walk(s.SelectionSet)
			case *ast.FragmentSpread:
				if !seen[s.Name] {
					seen[s.Name] = true
					if def := doc.Fragments.ForName(s.Name); def != nil {
						walk(def.SelectionSet)
					}
				}
			}
		}
	}
	walk(sel)
	return out
}

// selectOperation picks the operation to run, by name when the request
// names one, else the document's only operation (GraphQL spec §6.1).
func selectOperation(doc *ast.QueryDocument, name string) (*ast.OperationDefinition, *gqlError) {
	if name != "" {
		if op := doc.Operations.ForName(name); op != nil {
			return op, nil
		}
		return nil, newError(codeBadRequest, fmt.Sprintf("Unknown operation named %q.", name))
	}
	switch len(doc.Operations) {
	case 0:
		return nil, newError(codeBadRequest, "The document contains no operation.")
	case 1:
		return doc.Operations[0], nil
	}
	return nil, newError(codeBadRequest, "Must provide operation name if query contains multiple operations.")
}

// coerceVariables coerces the request's variables to the operation's
// variable definitions with gqlparser, then applies the checks gqlparser
// leaves out and graphql-js makes: enum values match case, Int is a 32-bit
// integer (not a numeric string), Float a number, ID a string or an
// integer, DateTime an RFC 3339 string, and input objects have no unknown
// keys. The result is plain JSON (float64 numbers, []any lists). A refusal
// is BAD_USER_INPUT with the variable's location.
func coerceVariables(op *ast.OperationDefinition, raw map[string]any) (vars map[string]any, e *gqlError) {
	defer func() {
		// gqlparser panics on a few impossible inputs; never let one through.
		if r := recover(); r != nil {
			vars, e = nil, newError(codeBadUserInput, fmt.Sprintf("Variables could not be coerced: %v", r))
		}
	}()
	if raw == nil {
		raw = map[string]any{}
	}
	coerced, err := validator.VariableValues(schema, op, raw)
	if err != nil {
		var ge *gqlerror.Error
		if !errors.As(err, &ge) {
			return nil, newError(codeBadUserInput, err.Error())
		}
		return nil, variableError(op, ge.Path, ge.Message)
	}
	vars, _ = cloneJSON(coerced).(map[string]any)
	if vars == nil {
		vars = map[string]any{}
	}
	for _, vd := range op.VariableDefinitions {
		v, ok := vars[vd.Variable]
		if !ok {
			continue
		}
		if path, msg := checkInput(vd.Type, v, ast.Path{ast.PathName("variable"), ast.PathName(vd.Variable)}); msg != "" {
			return nil, variableError(op, path, msg)
		}
	}
	return vars, nil
}

// variableError words a refused variable as graphql-js does [I], e.g.
// Variable "$patch" got invalid value at "patch.status"; CLOSED is not a
// valid IssueStatus.
func variableError(op *ast.OperationDefinition, path ast.Path, msg string) *gqlError {
	if len(path) < 2 {
		return newError(codeBadUserInput, "Variable got invalid value; "+msg)
	}
	name := fmt.Sprint(path[1])
	vd := op.VariableDefinitions.ForName(name)
	var text string
	switch {
	case len(path) == 2 && msg == "must be defined" && vd != nil:
		text = fmt.Sprintf("Variable \"$%s\" of required type \"%s\" was not provided.", name, vd.Type)
	case len(path) == 2 && msg == "cannot be null" && vd != nil:
		text = fmt.Sprintf("Variable \"$%s\" of non-null type \"%s\" must not be null.", name, vd.Type)
	case len(path) == 2:
		text = fmt.Sprintf("Variable \"$%s\" got invalid value; %s", name, msg)
	default:
		text = fmt.Sprintf("Variable \"$%s\" got invalid value at %q; %s", name, path[1:].String(), msg)
	}
	e := newError(codeBadUserInput, text)
	if vd != nil {
		e.at(vd.Position)
	}
	return e
}

// checkInput checks a coerced, plain-JSON input value against its type. It
// returns the path and message of the first problem, or "".
func checkInput(t *ast.Type, v any, path ast.Path) (ast.Path, string) {
	if v == nil {
		if t.NonNull {
			return path, "cannot be null"
		}
		return nil, ""
	}
	if t.Elem != nil {
		l, ok := v.([]any)
		if !ok {
			return checkInput(t.Elem, v, path)
		}
		for i, e := range l {
			if p, msg := checkInput(t.Elem, e, appendPath(path, ast.PathIndex(i))); msg != "" {
				return p, msg
			}
		}
		return nil, ""
	}
	def := schema.Types[t.NamedType]
	if def == nil {
		return path, "unknown type " + t.NamedType
	}
	switch def.Kind {
	case ast.Enum:
		s, ok := v.(string)
		if ok && def.EnumValues.ForName(s) != nil {
			return nil, ""
		}
		if !ok {
			s = shortValue(v)
		}
		return path, fmt.Sprintf("%s is not a valid %s", s, def.Name)
	case ast.Scalar:
		if msg := checkScalar(def.Name, v); msg != "" {
			return path, msg
		}
	case ast.InputObject:
		m, ok := v.(map[string]any)
		if !ok {
			return path, fmt.Sprintf("must be a %s", def.Name)
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			fd := def.Fields.ForName(k)
			if fd == nil {
				return appendPath(path, ast.PathName(k)), "unknown field"
			}
			if p, msg := checkInput(fd.Type, m[k], appendPath(path, ast.PathName(k))); msg != "" {
				return p, msg
			}
		}
	}
	return nil, ""
}

// checkScalar returns why v is not a value of the named scalar, or "".
func checkScalar(name string, v any) string {
	switch name {
	case "Int":
		f, ok := v.(float64)
		if !ok || f != math.Trunc(f) || f < math.MinInt32 || f > math.MaxInt32 {
			return fmt.Sprintf("Int cannot represent non 32-bit signed integer value: %s", shortValue(v))
		}
	case "Float":
		if _, ok := v.(float64); !ok {
			return fmt.Sprintf("Float cannot represent non numeric value: %s", shortValue(v))
		}
	case "String":
		if _, ok := v.(string); !ok {
			return fmt.Sprintf("String cannot represent a non string value: %s", shortValue(v))
		}
	case "Boolean":
		if _, ok := v.(bool); !ok {
			return fmt.Sprintf("Boolean cannot represent a non boolean value: %s", shortValue(v))
		}
	case "ID":
		switch v := v.(type) {
		case string:
		case float64:
			if v != math.Trunc(v) {
				return fmt.Sprintf("ID cannot represent value: %s", shortValue(v))
			}
		default:
			return fmt.Sprintf("ID cannot represent value: %s", shortValue(v))
		}
	case "DateTime":
		s, ok := v.(string)
		if !ok {
			return fmt.Sprintf("DateTime cannot represent a non string value: %s", shortValue(v))
		}
		if _, ok := parseTime(s); !ok {
			return fmt.Sprintf("DateTime cannot represent an invalid date-time string %s", shortValue(s))
		}
	}
	return ""
}

// shortValue renders a value for an error message, cut to a sane length.
func shortValue(v any) string {
	b, err := encodeJSON(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 80 {
		return string(b[:77]) + "..."
	}
	return string(b)
}

func appendPath(p ast.Path, e ast.PathElement) ast.Path {
	return append(slices.Clip(p), e)
}
