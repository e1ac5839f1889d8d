package fake

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzHandler posts arbitrary bodies to every path. Invariants: no panic;
// a 200 reply is JSON (NDJSON, possibly gzipped, for the stream); any
// other reply is the vendor error body with err_code equal to the status.
func FuzzHandler(f *testing.F) {
	paths := paths()
	seeds := []string{
		`{"request_data":{}}`,
		`{"request_data":[]}`,
		`{"request_data":null}`,
		`{"request_data":{"filters":[{"field":"hostname","operator":"in","value":["WS-FIN-0142"]}],"search_from":0,"search_to":100}}`,
		`{"request_data":{"filters":"all"}}`,
		`{"request_data":{"endpoint_id":"f486877e93c795088221dde315c867da"}}`,
		`{"request_data":{"incident_id":"2901","update_data":{"status":"RESOLVED_OTHER","resolve_comment":"x"}}}`,
		`{"request_data":{"query":"dataset = xdr_data | limit 1500"}}`,
		`{"request_data":{"query_id":"x","limit":-1}}`,
		`{"request_data":{"group_action_id":"1001"}}`,
		`{"request_data":[{"indicator":"1.2.3.4","type":"IP"}],"validate":true}`,
		`{"request_data":{"filters":[{"field":"rule_id","operator":"EQ","value":[57]}]}}`,
		`{"request_data":{"search_from":1e300,"search_to":-0.0}}`,
		`{"request_data":{"sort":{"field":"creation_time","keyword":null}}}`,
		`{"request_data":{"files":{"windows":[null]}}}`,
		`{"request_data":"all"}`,
		`[`, `"x"`, `1`, ``,
	}
	if entries, err := os.ReadDir("testdata"); err == nil {
		for _, e := range entries {
			if b, err := os.ReadFile(filepath.Join("testdata", e.Name())); err == nil && strings.HasSuffix(e.Name(), ".json") {
				seeds = append(seeds, `{"request_data":`+string(b)+`}`)
			}
		}
	}
	for i, s := range seeds {
		for j := range 3 {
			f.Add(uint(i*3+j), []byte(s))
		}
	}
	s := New(WithClock(fixedClock()), WithPendingPolls(1))
	f.Fuzz(func(t *testing.T, pathIndex uint, body []byte) {
		if len(body) > 1<<16 {
			return
		}
		s.ResetRequests()
		path := paths[pathIndex%uint(len(paths))]
		w := send(t, s, http.MethodPost, path, body, standard)
		b := w.Body.Bytes()
		if w.Code == http.StatusOK {
			if strings.HasSuffix(path, "/get_query_results_stream/") {
				checkNDJSON(t, b)
				return
			}
			if !json.Valid(b) {
				t.Fatalf("POST %s %q = 200 with invalid JSON %q", path, body, b)
			}
			return
		}
		var e struct {
			Reply struct {
				ErrCode *int            `json:"err_code"`
				ErrMsg  *string         `json:"err_msg"`
				Extra   json.RawMessage `json:"err_extra"`
			} `json:"reply"`
		}
		if err := json.Unmarshal(b, &e); err != nil || e.Reply.ErrCode == nil || e.Reply.ErrMsg == nil || e.Reply.Extra == nil {
			t.Fatalf("POST %s %q = %d with a body that is not a vendor error: %q", path, body, w.Code, b)
		}
		if *e.Reply.ErrCode != w.Code {
			t.Fatalf("POST %s %q = %d, err_code %d", path, body, w.Code, *e.Reply.ErrCode)
		}
	})
}

func checkNDJSON(t *testing.T, b []byte) {
	t.Helper()
	if len(b) > 1 && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("stream is not gzip: %v", err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			t.Fatalf("stream gzip: %v", err)
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if !json.Valid(sc.Bytes()) {
			t.Fatalf("stream line %q is not JSON", sc.Bytes())
		}
	}
}
