package fake

import (
	"archive/zip"
	"bytes"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// defaultScriptTimeout is run_snippet_code_script's timeout in seconds
// when none is given [PA].
const defaultScriptTimeout = 600

// runSnippet serves /scripts/run_snippet_code_script [PA]: filters with
// endpoint_id_list, snippet_code, and an optional timeout in seconds.
func (s *Server) runSnippet(c *call) (any, *apiError) {
	o, err := object(c.data, "request_data")
	if err != nil {
		return nil, err
	}
	ids, err := targetIDs(o, false)
	if err != nil {
		return nil, err
	}
	code, _ := o.str("snippet_code")
	timeout, hasTimeout := o.integer("timeout")
	inc := incidentRef(o)
	if o.err != nil {
		return nil, o.err
	}
	if strings.TrimSpace(code) == "" {
		return nil, badRequest("request_data.snippet_code is required")
	}
	if hasTimeout && timeout <= 0 {
		return nil, badRequest("request_data.timeout must be a positive number of seconds")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	eps := s.actionable(ids)
	if len(eps) == 0 {
		return nil, errNoEndpoint()
	}
	a := s.newAction(kindScript, eps, c.now.UnixMilli())
	a.snippet, a.incident = code, inc
	return actionReply(a, false), nil
}

// scriptAction reads action_id and returns that script action. The caller
// holds s.mu.
func (s *Server) scriptAction(o *obj) (*action, *apiError) {
	id, err := o.requiredID("action_id")
	if err != nil {
		return nil, err
	}
	a, ok := s.st.actions[id]
	if !ok || a.kind != kindScript {
		return nil, failure("Script execution action %d was not found", id)
	}
	return a, nil
}

// scriptStatus serves /scripts/get_script_execution_status [PA]: one poll
// of the action, as counts per status.
func (s *Server) scriptStatus(c *call) (any, *apiError) {
	o, err := object(c.data, "request_data")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.scriptAction(o)
	if err != nil {
		return nil, err
	}
	s.poll(a, c.now.UnixMilli())
	counts := map[string]int{}
	for _, ep := range a.endpoints {
		counts[s.status(a, ep)]++
	}
	general := actSuccess
	switch {
	case counts[actPending] == len(a.endpoints):
		general = actPending
	case counts[actPending]+counts[actInProgress] > 0:
		general = actInProgress
	case counts[actSuccess] == 0:
		general = actFailed
	case counts[actSuccess] < len(a.endpoints):
		general = "COMPLETED_PARTIAL"
	}
	return map[string]any{
		"general_status":                   general,
		"endpoints_pending":                counts[actPending],
		"endpoints_in_progress":            counts[actInProgress],
		"endpoints_completed_successfully": counts[actSuccess],
		"endpoints_failed":                 counts[actFailed],
		"endpoints_timeout":                counts["TIMEOUT"],
		"endpoints_canceled":               counts["CANCELLED"],
		"endpoints_pending_abort":          counts["PENDING_ABORT"],
		"endpoints_aborted":                counts[actAborted],
		"endpoints_expired":                counts["EXPIRED"],
	}, nil
}

// scriptResults serves /scripts/get_script_execution_results [PA]: one
// result per endpoint, with the snippet's standard output once it
// completed.
func (s *Server) scriptResults(c *call) (any, *apiError) {
	o, err := object(c.data, "request_data")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.scriptAction(o)
	if err != nil {
		return nil, err
	}
	results := make([]map[string]any, 0, len(a.endpoints))
	for _, ep := range a.endpoints {
		e := s.st.endpointByID[ep]
		st := s.status(a, ep)
		out, files := "", 0
		if st == actSuccess {
			out, files = snippetOutput(a.snippet), 1
		}
		results = append(results, map[string]any{
			"endpoint_id":         ep,
			"endpoint_name":       e.name,
			"endpoint_ip_address": e.ips,
			"endpoint_status":     e.status,
			"domain":              e.domain,
			"execution_status":    st,
			"standard_output":     out,
			"retrieved_files":     files,
			"failed_files":        0,
			"retention_date":      a.created + 90*24*time.Hour.Milliseconds(),
			"command":             "_snippet_code_script",
			"command_output":      []string{},
			"return_value":        []string{},
		})
	}
	return map[string]any{"script_name": "snippet script", "error_message": "", "results": results}, nil
}

// scriptResultFiles serves /scripts/get_script_execution_results_files
// [XSOAR]: {"DATA": link} to a ZIP of the endpoint's script output, or an
// empty link while the script has not completed there.
func (s *Server) scriptResultFiles(c *call) (any, *apiError) {
	o, err := object(c.data, "request_data")
	if err != nil {
		return nil, err
	}
	ep, hasEP := o.str("endpoint_id")
	if o.err != nil {
		return nil, o.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.scriptAction(o)
	if err != nil {
		return nil, err
	}
	if !hasEP {
		return nil, badRequest("request_data.endpoint_id is required")
	}
	found := false
	for _, id := range a.endpoints {
		found = found || id == ep
	}
	if !found {
		return nil, failure("Endpoint %s is not part of action %d", ep, a.id)
	}
	link := ""
	if s.status(a, ep) == actSuccess {
		link = baseURL(c.r) + apiPrefix + downloadPrefix + s.downloadToken(a, ep)
	}
	return map[string]any{"DATA": link}, nil
}

var printCall = regexp.MustCompile(`print\(\s*(?:"([^"\\]*)"|'([^'\\]*)')\s*\)`)

// snippetOutput is what a snippet prints: the string literals of its
// print("...") calls, one per line.
func snippetOutput(code string) string {
	var b strings.Builder
	for _, m := range printCall.FindAllStringSubmatch(code, -1) {
		b.WriteString(m[1] + m[2] + "\n")
	}
	return b.String()
}

// download is a file behind a download link.
type download struct {
	name string
	data []byte
}

// zipTime is the modification time of every file in a download, fixed so
// that downloads are byte-for-byte stable.
var zipTime = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

// downloadToken returns the download token for endpoint ep of a, creating
// the ZIP on first use. The caller holds s.mu.
func (s *Server) downloadToken(a *action, ep string) string {
	key := strconv.FormatInt(a.id, 10) + "/" + ep
	if t, ok := s.st.downloadByKey[key]; ok {
		return t
	}
	s.st.nextToken++
	token := hexDigest("download", strconv.Itoa(s.st.nextToken))[:32]
	s.st.downloadByKey[key] = token
	e := s.st.endpointByID[ep]
	var entries [][2]string
	if a.kind == kindRetrieve {
		for _, p := range a.files[e.platform] {
			entries = append(entries, [2]string{zipPath(p), fmt.Sprintf("%s retrieved from %s by action %d\n", p, e.name, a.id)})
		}
	} else {
		entries = append(entries, [2]string{"stdout.txt", snippetOutput(a.snippet)})
	}
	s.st.downloads[token] = &download{name: fmt.Sprintf("%d_%s.zip", a.id, ep), data: zipOf(entries)}
	return token
}

// zipPath turns an endpoint path into a ZIP entry name: C:\Users\a.txt
// becomes C/Users/a.txt.
func zipPath(p string) string {
	p = strings.ReplaceAll(p, `\`, "/")
	p = strings.ReplaceAll(p, ":", "")
	p = strings.TrimLeft(p, "/")
	if p == "" {
		p = "file"
	}
	return p
}

func zipOf(entries [][2]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e[0], Method: zip.Deflate, Modified: zipTime})
		if err == nil {
			_, _ = w.Write([]byte(e[1]))
		}
	}
	_ = zw.Close()
	return buf.Bytes()
}

// download serves GET or POST /public_api/v1/download/<token> [PA],
// [XSOAR]: the ZIP, named in Content-Disposition. An unknown token is an
// unknown object (404).
func (s *Server) download(w http.ResponseWriter, r *http.Request, token string) {
	s.mu.Lock()
	d, ok := s.st.downloads[token]
	s.mu.Unlock()
	if !ok {
		notFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", "attachment; filename="+d.name)
	h.Set("Content-Length", strconv.Itoa(len(d.data)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(d.data)
}
