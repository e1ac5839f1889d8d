package fake

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Error messages the service puts in err_msg.
const (
	msgBadJSON    = "Bad Request. Got an invalid JSON." // 400 [PA]
	msgProcessing = "An error occurred while processing XDR public API"
	msgUnauth     = "Public API request unauthorized" // 401 [R7]
	// 402 and 403 texts: the meaning is [PA]'s, the wording its error table's.
	msgLicense   = "Unauthorized access. User does not have the required license type to run this API."
	msgForbidden = "Forbidden access. The provided API Key does not have the required RBAC permissions to run this API."
)

// apiError is a vendor error reply:
// {"reply":{"err_code":<status>,"err_msg":<msg>,"err_extra":<extra>}}.
type apiError struct {
	status int
	msg    string
	extra  any // string or nil
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %v", e.status, e.msg, e.extra) }

func errorf(status int, msg, format string, args ...any) *apiError {
	return &apiError{status: status, msg: msg, extra: fmt.Sprintf(format, args...)}
}

// badRequest is a request whose shape the API refuses (400).
func badRequest(format string, args ...any) *apiError {
	return errorf(http.StatusBadRequest, msgBadJSON, format, args...)
}

// failure is a request the API accepts but cannot carry out (500).
func failure(format string, args ...any) *apiError {
	return errorf(http.StatusInternalServerError, msgProcessing, format, args...)
}

var (
	errUnauthorized = &apiError{status: http.StatusUnauthorized, msg: msgUnauth}
	errLicense      = &apiError{status: http.StatusPaymentRequired, msg: msgLicense}
	errForbidden    = &apiError{status: http.StatusForbidden, msg: msgForbidden}
)

// errNoEndpoint is the reply to an endpoint action that matches no
// endpoint able to run it [XSOAR].
func errNoEndpoint() *apiError {
	return failure("No endpoint was found for creating the requested action")
}

// vendorError is the error body the service sends with status.
func vendorError(status int) *apiError {
	switch status {
	case http.StatusUnauthorized:
		return errUnauthorized
	case http.StatusPaymentRequired:
		return errLicense
	case http.StatusForbidden:
		return errForbidden
	case http.StatusBadRequest:
		return &apiError{status: status, msg: msgBadJSON}
	case http.StatusInternalServerError:
		return &apiError{status: status, msg: msgProcessing}
	}
	return &apiError{status: status, msg: http.StatusText(status)}
}

func errorBody(e *apiError) map[string]any {
	return map[string]any{"reply": map[string]any{
		"err_code":  e.status,
		"err_msg":   e.msg,
		"err_extra": e.extra,
	}}
}

func writeError(w http.ResponseWriter, r *http.Request, e *apiError) {
	writeJSON(w, r, e.status, errorBody(e))
}

// gzipMin is the smallest body the server compresses for a client that
// accepts gzip.
const gzipMin = 1024

var gzipPool = sync.Pool{New: func() any { return gzip.NewWriter(nil) }}

// writeJSON sends v as JSON with status, gzip-compressed when the client
// accepts it and the body is large enough [PA].
func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Replies are built from strings, numbers, booleans, maps and
		// slices only; this is a bug in the server.
		b, _ = json.Marshal(errorBody(failure("could not encode the reply")))
		status = http.StatusInternalServerError
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if len(b) >= gzipMin && acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		h.Add("Vary", "Accept-Encoding")
		h.Del("Content-Length")
		w.WriteHeader(status)
		zw := gzipPool.Get().(*gzip.Writer)
		zw.Reset(w)
		_, _ = zw.Write(b)
		_ = zw.Close()
		gzipPool.Put(zw)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.TrimSpace(strings.ReplaceAll(q, " ", "")) != "q=0" {
			return true
		}
	}
	return false
}

// asJSON returns v as encoding/json decodes its JSON into an any: maps of
// any, []any, float64 numbers. State accessors use it so that what they
// return is what a client decodes, and shares nothing with the server.
func asJSON(v any) map[string]any {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	return m
}
