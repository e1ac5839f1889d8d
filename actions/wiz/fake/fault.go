package fake

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/playbook-sh/playbook/actions/internal/fakefault"
)

// Fault is a failure the server gives the next matching requests, for
// tests of clients. Faults apply before routing and authentication, as a
// proxy or an overloaded front end would. The fields combine: Latency
// delays the request, then Reset drops it, or Status/Body answer it, or
// the request is handled (with its body cut short when Truncate is set).
type Fault struct {
	// Path matches a request whose path ends with it (for example
	// "graphql" or "oauth/token"); a trailing slash on either is ignored.
	// "" matches every path.
	Path string
	// Operation, when set, matches only a GraphQL request whose operation
	// selects this root field (by field name, not alias), such as
	// "updateIssue" or "issuesV2".
	Operation string
	// Times is how many matching requests get the fault; 0 means every one
	// from now on.
	Times int
	// Status answers with this status and the service's error body for it
	// (or Body when set): on /oauth/token the OAuth error
	// {"error","error_description"}, elsewhere the GraphQL
	// {"errors":[{"message","extensions":{"code"}}]} of API notes §10
	// (401 UNAUTHENTICATED, 403 UNAUTHORIZED, 429 RATE_LIMIT_EXCEEDED,
	// 5xx INTERNAL).
	Status int
	// Body is a raw body to send instead of the service's error body; with
	// Status 0 it is sent with 200, to imitate a malformed reply.
	Body string
	// RetryAfter is sent as the Retry-After header.
	RetryAfter string
	// Latency delays the request this long, or until its context ends.
	Latency time.Duration
	// Truncate handles the request normally but sends only the first half
	// of the reply body, with the Content-Length of the whole, then closes
	// the connection.
	Truncate bool
	// Reset closes the connection without a reply. Outside net/http's
	// server (no http.Hijacker) it panics with http.ErrAbortHandler.
	Reset bool
}

// Inject adds a fault. When several faults match a request, the one
// injected first applies.
func (s *Server) Inject(f Fault) {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	s.faults = append(s.faults, &f)
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	s.faults = nil
}

// takeFault returns the fault for a request to path and counts it. ops
// returns the root fields the request's operation selects; it is called
// only when a fault names an operation.
func (s *Server) takeFault(path string, ops func() []string) (Fault, bool) {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	p := strings.TrimSuffix(path, "/")
	var fields []string
	parsed := false
	for i, f := range s.faults {
		if !strings.HasSuffix(p, strings.TrimSuffix(f.Path, "/")) {
			continue
		}
		if f.Operation != "" {
			if !parsed {
				fields, parsed = ops(), true
			}
			if !slices.Contains(fields, f.Operation) {
				continue
			}
		}
		got := *f
		got.Path = path
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
		}
		return got, true
	}
	return Fault{}, false
}

// operationFields returns the names of the root fields selected by the
// operation a GraphQL request body would run, looking through fragments,
// without validating anything; nil when the body does not parse.
func operationFields(body []byte) []string {
	var b struct {
		Query         string `json:"query"`
		OperationName string `json:"operationName"`
	}
	if json.Unmarshal(body, &b) != nil {
		return nil
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: b.Query}, maxTokens)
	if err != nil || len(doc.Operations) == 0 {
		return nil
	}
	op := doc.Operations[0]
	if b.OperationName != "" {
		if op = doc.Operations.ForName(b.OperationName); op == nil {
			return nil
		}
	}
	var names []string
	seen := map[string]bool{}
	var walk func(ast.SelectionSet)
	walk = func(sel ast.SelectionSet) {
		for _, s := range sel {
			switch s := s.(type) {
			case *ast.Field:
				names = append(names, s.Name)
			case *ast.InlineFragment:
				walk(s.SelectionSet)
			case *ast.FragmentSpread:
				if seen[s.Name] {
					continue
				}
				seen[s.Name] = true
				if def := doc.Fragments.ForName(s.Name); def != nil {
					walk(def.SelectionSet)
				}
			}
		}
	}
	walk(op.SelectionSet)
	return names
}

// applyFault carries out f's effects that come before handling. It reports
// whether the request should still be handled.
func applyFault(w http.ResponseWriter, r *http.Request, f Fault) bool {
	e := fakefault.Effect{Latency: f.Latency, Reset: f.Reset, RetryAfter: f.RetryAfter, Status: f.Status, Body: f.Body}
	return fakefault.Apply(w, r, e,
		func(status int, b []byte) { writeBody(w, status, b) },
		func(status int) {
			if strings.HasSuffix(strings.TrimSuffix(f.Path, "/"), tokenPath) {
				writeOAuthError(w, oauthStatusError(status))
			} else {
				writeErrors(w, status, false, statusError(status))
			}
		})
}
