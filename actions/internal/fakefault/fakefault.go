// Package fakefault carries out the faults the vendor fakes inject for
// tests of clients: latency, a reset connection, a status or a raw body
// instead of the reply, and a reply cut short.
package fakefault

import (
	"bytes"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Effect is what a fault does to a request before, or instead of,
// handling it.
type Effect struct {
	Latency    time.Duration // delay, or until the request's context ends
	Reset      bool          // close the connection without a reply
	RetryAfter string        // the Retry-After header
	Status     int           // answer with the vendor's error body for it
	Body       string        // answer with this raw body (Status, or 200)
}

// Apply carries out e's effects that come before handling: writeBody
// sends a raw body with a status, vendorError the vendor's error body for
// a status. It reports whether the request should still be handled.
func Apply(w http.ResponseWriter, r *http.Request, e Effect, writeBody func(status int, body []byte), vendorError func(status int)) bool {
	if e.Latency > 0 {
		t := time.NewTimer(e.Latency)
		select {
		case <-r.Context().Done():
			t.Stop()
			return false
		case <-t.C:
		}
	}
	if e.Reset {
		ResetConn(w)
		return false
	}
	if e.RetryAfter != "" {
		w.Header().Set("Retry-After", e.RetryAfter)
	}
	switch {
	case e.Body != "":
		status := e.Status
		if status == 0 {
			status = http.StatusOK
		}
		writeBody(status, []byte(e.Body))
		return false
	case e.Status != 0:
		vendorError(e.Status)
		return false
	}
	return true
}

// ResetConn closes the client connection without a reply, with a TCP RST
// where it can. Outside net/http's server (no http.Hijacker) it panics
// with http.ErrAbortHandler.
func ResetConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// TruncWriter buffers a reply so that only its first half is sent.
type TruncWriter struct {
	header http.Header
	status int
	wrote  bool
	buf    bytes.Buffer
}

// NewTruncWriter buffers a reply whose headers go to h.
func NewTruncWriter(h http.Header) *TruncWriter {
	return &TruncWriter{header: h, status: http.StatusOK}
}

func (t *TruncWriter) Header() http.Header { return t.header }

func (t *TruncWriter) WriteHeader(status int) {
	if !t.wrote {
		t.status, t.wrote = status, true
	}
}

func (t *TruncWriter) Write(p []byte) (int, error) {
	t.WriteHeader(http.StatusOK)
	return t.buf.Write(p)
}

// Flush is a no-op: the reply is sent by Finish.
func (t *TruncWriter) Flush() {}

// Finish sends the status, a Content-Length for the whole body and the
// first half of it to w, then closes the connection.
func (t *TruncWriter) Finish(w http.ResponseWriter) {
	b := t.buf.Bytes()
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Header().Del("Transfer-Encoding")
	w.WriteHeader(t.status)
	_, _ = w.Write(b[:len(b)/2])
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
		}
	}
}
