package fake

import (
	"bytes"
	"net/http"
	"strings"
	"time"

	"github.com/playbook-sh/playbook/actions/internal/fakefault"
)

// Fault is a failure the server gives the next matching requests, for
// tests of clients. Faults apply before routing and authentication, as a
// proxy or an overloaded front end would. The fields combine: Latency
// delays the request, then Reset drops it, or Status/Body answer it, or
// the request is handled (with its body cut short when Truncate is set).
type Fault struct {
	// Path matches a request whose path ends with it (for example
	// "endpoints/isolate" or "/xql/get_query_results"); a trailing slash on
	// either is ignored. "" matches every path.
	Path string
	// Times is how many matching requests get the fault; 0 means every one
	// from now on.
	Times int
	// Status answers with this status and the vendor error body for it
	// (or Body when set).
	Status int
	// Body is a raw body to send instead of the vendor error body; with
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

// takeFault returns the fault for a request to path and counts it.
func (s *Server) takeFault(path string) (Fault, bool) {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	p := strings.TrimSuffix(path, "/")
	for i, f := range s.faults {
		if !strings.HasSuffix(p, strings.TrimSuffix(f.Path, "/")) {
			continue
		}
		got := *f
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

// applyFault carries out f's effects that come before handling. It reports
// whether the request should still be handled.
func applyFault(w http.ResponseWriter, r *http.Request, f Fault) bool {
	e := fakefault.Effect{Latency: f.Latency, Reset: f.Reset, RetryAfter: f.RetryAfter, Status: f.Status, Body: f.Body}
	return fakefault.Apply(w, r, e,
		func(status int, b []byte) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write(b)
		},
		func(status int) { writeError(w, r, vendorError(status)) })
}

// Request is one request the server received.
type Request struct {
	Method, Path string
	Header       http.Header
	Body         []byte
}

func (s *Server) record(r *http.Request, body []byte) {
	req := Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: bytes.Clone(body)}
	s.reqMu.Lock()
	s.reqs = append(s.reqs, req)
	s.reqMu.Unlock()
}

// Requests returns a copy of every request received since New or the last
// ResetRequests, in order, faulted and refused ones included.
func (s *Server) Requests() []Request {
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	out := make([]Request, len(s.reqs))
	for i, r := range s.reqs {
		out[i] = Request{Method: r.Method, Path: r.Path, Header: r.Header.Clone(), Body: bytes.Clone(r.Body)}
	}
	return out
}

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() {
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	s.reqs = nil
}
