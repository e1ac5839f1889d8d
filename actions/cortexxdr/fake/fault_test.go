package fake

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestFaults(t *testing.T) {
	t.Parallel()
	s := newServer()
	srv := httptest.NewServer(s)
	defer srv.Close()
	client := srv.Client()
	defer client.CloseIdleConnections()
	post := func(path string) (*http.Response, []byte, error) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/public_api/v1/"+path, strings.NewReader(`{"request_data":{}}`))
		standard(req)
		resp, err := client.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp, b, err
	}

	t.Run("status with Retry-After", func(t *testing.T) {
		s.Inject(Fault{Path: "endpoints/get_endpoint/", Times: 2, Status: 429, RetryAfter: "3"})
		for i := range 2 {
			resp, b, err := post("endpoints/get_endpoint")
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "3" {
				t.Fatalf("call %d = %d Retry-After %q, want 429 with 3", i, resp.StatusCode, resp.Header.Get("Retry-After"))
			}
			if code, msg, _ := errReply(t, decode(t, b)); code != 429 || msg != "Too Many Requests" {
				t.Errorf("error body = %v %q", code, msg)
			}
		}
		if resp, _, _ := post("endpoints/get_endpoint"); resp.StatusCode != 200 {
			t.Errorf("call after Times ran out = %d, want 200", resp.StatusCode)
		}
	})
	t.Run("500 vendor body and other paths untouched", func(t *testing.T) {
		s.Inject(Fault{Path: "/xql/get_quota", Times: 1, Status: 500})
		if resp, _, _ := post("incidents/get_incidents"); resp.StatusCode != 200 {
			t.Errorf("other path = %d, want 200", resp.StatusCode)
		}
		resp, b, _ := post("xql/get_quota/")
		if resp.StatusCode != 500 {
			t.Fatalf("status = %d, want 500", resp.StatusCode)
		}
		if _, msg, _ := errReply(t, decode(t, b)); msg != msgProcessing {
			t.Errorf("err_msg = %q, want %q", msg, msgProcessing)
		}
	})
	t.Run("raw body with 200", func(t *testing.T) {
		s.Inject(Fault{Path: "get_incidents", Times: 1, Body: `{"reply": {"incidents": [`})
		resp, b, _ := post("incidents/get_incidents")
		if resp.StatusCode != 200 || string(b) != `{"reply": {"incidents": [` {
			t.Errorf("got %d %q, want the raw body with 200", resp.StatusCode, b)
		}
	})
	t.Run("truncate", func(t *testing.T) {
		s.Inject(Fault{Path: "get_incidents", Times: 1, Truncate: true})
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/public_api/v1/incidents/get_incidents", strings.NewReader(`{"request_data":{}}`))
		req.Header.Set("Accept-Encoding", "identity")
		standard(req)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err == nil {
			t.Fatalf("read of a truncated body succeeded (%d bytes)", len(b))
		}
		if resp.ContentLength != int64(2*len(b)) && resp.ContentLength != int64(2*len(b)+1) {
			t.Errorf("Content-Length = %d, read %d bytes; want half", resp.ContentLength, len(b))
		}
	})
	t.Run("reset", func(t *testing.T) {
		s.Inject(Fault{Path: "get_endpoint", Times: 1, Reset: true})
		if _, _, err := post("endpoints/get_endpoint"); err == nil {
			t.Fatal("request on a reset connection succeeded")
		}
		if resp, _, err := post("endpoints/get_endpoint"); err != nil || resp.StatusCode != 200 {
			t.Errorf("next request = %v, %v; want 200", resp, err)
		}
	})
	t.Run("latency", func(t *testing.T) {
		s.Inject(Fault{Path: "get_quota", Times: 1, Latency: 50 * time.Millisecond})
		start := time.Now()
		resp, _, err := post("xql/get_quota")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("delayed request = %v, %v", resp, err)
		}
		if d := time.Since(start); d < 50*time.Millisecond {
			t.Errorf("request took %v, want at least 50ms", d)
		}
	})
	t.Run("latency honours the request context", func(t *testing.T) {
		s.Inject(Fault{Path: "get_quota", Times: 1, Latency: time.Hour})
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/public_api/v1/xql/get_quota", strings.NewReader(`{"request_data":{}}`))
		standard(req)
		c := &http.Client{Transport: client.Transport, Timeout: 50 * time.Millisecond}
		if _, err := c.Do(req); err == nil {
			t.Fatal("request under an hour's latency succeeded")
		}
	})
	t.Run("every path until cleared", func(t *testing.T) {
		s.Inject(Fault{Status: 503})
		for _, p := range []string{"incidents/get_incidents", "xql/get_quota"} {
			if resp, _, _ := post(p); resp.StatusCode != 503 {
				t.Errorf("%s = %d, want 503", p, resp.StatusCode)
			}
		}
		s.ClearFaults()
		if resp, _, _ := post("xql/get_quota"); resp.StatusCode != 200 {
			t.Errorf("after ClearFaults = %d, want 200", resp.StatusCode)
		}
	})
}

func TestRequests(t *testing.T) {
	t.Parallel()
	s := newServer()
	ok(t, s, "incidents/get_incidents", map[string]any{"search_to": 1})
	send(t, s, http.MethodPost, "/public_api/v1/nope", []byte("x"), nil)
	got := s.Requests()
	if len(got) != 2 {
		t.Fatalf("Requests() has %d requests, want 2", len(got))
	}
	want := []Request{
		{Method: "POST", Path: "/public_api/v1/incidents/get_incidents/", Body: []byte(`{"request_data":{"search_to":1}}`)},
		{Method: "POST", Path: "/public_api/v1/nope", Body: []byte("x")},
	}
	if diff := cmp.Diff(want, got, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Header" }, cmp.Ignore())); diff != "" {
		t.Errorf("Requests() mismatch (-want +got):\n%s", diff)
	}
	if got[0].Header.Get("x-xdr-auth-id") != StandardKeyID {
		t.Errorf("recorded headers = %v, want the auth headers", got[0].Header)
	}
	got[0].Body[0] = 'X'
	if s.Requests()[0].Body[0] != '{' {
		t.Error("Requests() shares its bodies with the server")
	}
	s.ResetRequests()
	if n := len(s.Requests()); n != 0 {
		t.Errorf("after ResetRequests, %d requests", n)
	}
}
