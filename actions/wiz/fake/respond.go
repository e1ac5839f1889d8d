package fake

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/vektah/gqlparser/v2/ast"
)

// GraphQL error codes (extensions.code) the service sends, from Wiz's
// handling-api-errors page [V: wizapi-py], plus the Apollo Server defaults
// for documents that do not parse or validate and for malformed requests
// [I].
const (
	codeUnauthenticated  = "UNAUTHENTICATED"
	codeUnauthorized     = "UNAUTHORIZED"
	codeBadUserInput     = "BAD_USER_INPUT"
	codeNotFound         = "NOT_FOUND"
	codeRateLimited      = "RATE_LIMIT_EXCEEDED"
	codeInternal         = "INTERNAL"
	codeParseFailed      = "GRAPHQL_PARSE_FAILED"
	codeValidationFailed = "GRAPHQL_VALIDATION_FAILED"
	codeBadRequest       = "BAD_REQUEST"
)

// gqlError is one item of a GraphQL response's errors array.
type gqlError struct {
	Message    string     `json:"message"`
	Locations  []location `json:"locations,omitempty"`
	Path       []any      `json:"path,omitempty"`
	Extensions extensions `json:"extensions"`
}

type location struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

type extensions struct {
	Code string `json:"code"`
}

func newError(code, msg string) *gqlError {
	return &gqlError{Message: msg, Extensions: extensions{Code: code}}
}

// at adds the position of a node of the query document.
func (e *gqlError) at(p *ast.Position) *gqlError {
	if p != nil && p.Line > 0 {
		e.Locations = append(e.Locations, location{Line: p.Line, Column: p.Column})
	}
	return e
}

// statusError is the GraphQL error body a status is answered with when the
// request is refused as a whole (API notes §10): an injected fault, or a
// refusal before execution.
func statusError(status int) *gqlError {
	switch {
	case status == http.StatusUnauthorized:
		return newError(codeUnauthenticated, "Unauthorized")
	case status == http.StatusForbidden:
		return newError(codeUnauthorized, "Unauthorized")
	case status == http.StatusNotFound:
		return newError(codeNotFound, "Resource not found")
	case status == http.StatusTooManyRequests:
		return newError(codeRateLimited, "Rate limit exceeded")
	case status >= 500:
		return newError(codeInternal, "Internal server error")
	case status == http.StatusBadRequest:
		return newError(codeBadRequest, "Bad request")
	}
	return newError(codeBadRequest, http.StatusText(status))
}

// writeErrors sends {"errors": [...]}, with "data": null after them when
// nullData is set (authentication and authorization refusals, API notes
// §10), without data otherwise (requests refused before execution, as
// Apollo Server does).
func writeErrors(w http.ResponseWriter, status int, nullData bool, errs ...*gqlError) {
	var b bytes.Buffer
	b.WriteString(`{"errors":`)
	writeErrorList(&b, errs)
	if nullData {
		b.WriteString(`,"data":null`)
	}
	b.WriteByte('}')
	writeBody(w, status, b.Bytes())
}

// encodeErrors encodes an errors array, each error's keys in the order
// message, locations, path, extensions.
func encodeErrors(errs []*gqlError) ([]byte, error) {
	var b bytes.Buffer
	writeErrorList(&b, errs)
	return b.Bytes(), nil
}

func writeErrorList(b *bytes.Buffer, errs []*gqlError) {
	list := make([]any, len(errs))
	for i, e := range errs {
		o := &ordered{}
		o.add("message", e.Message)
		if len(e.Locations) > 0 {
			locs := make([]any, len(e.Locations))
			for j, l := range e.Locations {
				lo := &ordered{}
				lo.add("line", l.Line)
				lo.add("column", l.Column)
				locs[j] = lo
			}
			o.add("locations", locs)
		}
		if len(e.Path) > 0 {
			o.add("path", e.Path)
		}
		ext := &ordered{}
		ext.add("code", e.Extensions.Code)
		o.add("extensions", ext)
		list[i] = o
	}
	_ = writeJSON(b, list)
}

// oauthError is an OAuth 2.0 error reply of the token endpoint (RFC 6749
// §5.2; API notes §1.4).
type oauthError struct {
	status      int
	code        string
	description string
}

func writeOAuthError(w http.ResponseWriter, e oauthError) {
	o := &ordered{}
	o.add("error", e.code)
	o.add("error_description", e.description)
	b, _ := encodeJSON(o)
	w.Header().Set("Cache-Control", "no-store")
	writeBody(w, e.status, b)
}

// oauthStatusError is the token endpoint's error body for a status, for
// injected faults [I].
func oauthStatusError(status int) oauthError {
	switch {
	case status == http.StatusUnauthorized:
		return oauthError{status, "access_denied", "Unauthorized"}
	case status == http.StatusForbidden:
		return oauthError{status, "access_denied", "Forbidden"}
	case status == http.StatusTooManyRequests:
		return oauthError{status, "too_many_requests", "Rate limit exceeded"}
	case status >= 500:
		return oauthError{status, "server_error", "Internal server error"}
	}
	return oauthError{status, "invalid_request", http.StatusText(status)}
}

func writeBody(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
