package fake

import (
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// XQL sizes and quota.
const (
	xqlDatasetRows = 2500 // rows of xdr_data in any timeframe
	xqlDefaultRows = 5    // rows of a query with no limit stage and no "stream"
	xqlMaxDataRows = 1000 // more rows than this come as a stream [PA]
	xqlLicense     = 5.0  // license_quota, in query units [PA]
	xqlTenantID    = "5218803437"
)

// xqlBase is the time of the newest xdr_data row.
var xqlBase = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// xqlState is the XQL engine's state, guarded by Server.mu.
type xqlState struct {
	queries    map[string]*query
	streams    map[string]*query
	active     map[string]*query
	next       int
	nextStream int
	started    int
	rejected   int
	peak       int
	used       float64
	hosts      []*endpoint // connected seed endpoints the rows come from
}

func newXQLState() xqlState {
	return xqlState{queries: map[string]*query{}, streams: map[string]*query{}, active: map[string]*query{}}
}

// query is one XQL query.
type query struct {
	id      string
	text    string
	rows    int
	fields  []projection // nil: every field
	polls   int
	done    bool
	cost    float64
	started time.Time
	stream  string
}

type projection struct{ from, as string }

// xqlStages are the stage keywords the fake's parser knows.
var xqlStages = map[string]bool{
	"alter": true, "arrayexpand": true, "bin": true, "call": true, "comp": true, "config": true,
	"dataset": true, "datamodel": true, "dedup": true, "fields": true, "filter": true, "getrole": true,
	"iploc": true, "join": true, "limit": true, "preset": true, "replacenull": true, "sort": true,
	"tag": true, "target": true, "top": true, "transaction": true, "union": true, "view": true,
	"windowcomp": true,
}

// syntaxError is an XQL parse error, sent as a JSON string in err_msg
// [PA]: {"line": 1, "column": 19, "message": "no viable alternative at
// input '|alter2'"}.
type syntaxError struct {
	line, column int
	message      string
}

func (e *syntaxError) apiError() *apiError {
	msg, _ := json.Marshal(e.message)
	return &apiError{status: http.StatusInternalServerError, msg: fmt.Sprintf(`{"line": %d, "column": %d, "message": %s}`, e.line, e.column, msg)}
}

// parsedQuery is what the fake reads from a query: its smallest limit
// (-1: none), whether it asks for a stream of rows, and its fields.
type parsedQuery struct {
	limit  int
	stream bool
	fields []projection
}

// parseXQL splits a query into stages at the pipes outside quotes and
// checks each stage's keyword. Line is 1-based and column 0-based, as
// the service reports them [PA].
func parseXQL(q string) (parsedQuery, *syntaxError) {
	p := parsedQuery{limit: -1, stream: strings.Contains(strings.ToLower(q), "stream")}
	type stage struct {
		text         string
		line, column int // of the stage's pipe, or of its text for the first
		pipe         bool
	}
	var stages []stage
	line, col, start, startLine, startCol := 1, 0, 0, 1, 0
	var quote rune
	for i, r := range q {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '"' || r == '\'' || r == '`':
			quote = r
		case r == '|':
			stages = append(stages, stage{text: q[start:i], line: startLine, column: startCol, pipe: start > 0})
			start, startLine, startCol = i+1, line, col
		}
		if r == '\n' {
			line, col = line+1, 0
		} else {
			col++
		}
	}
	stages = append(stages, stage{text: q[start:], line: startLine, column: startCol, pipe: start > 0})
	for _, st := range stages {
		text := strings.TrimSpace(st.text)
		kw := text
		if n := strings.IndexFunc(text, func(r rune) bool {
			return !(r == '_' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z')
		}); n >= 0 {
			kw = text[:n]
		}
		prefix := ""
		if st.pipe {
			prefix = "|"
		}
		if kw == "" || !xqlStages[strings.ToLower(kw)] {
			bad := kw
			if bad == "" {
				bad = text
				if r := []rune(bad); len(r) > 0 {
					bad = string(r[:1])
				}
			}
			return p, &syntaxError{line: st.line, column: st.column, message: fmt.Sprintf("no viable alternative at input '%s%s'", prefix, bad)}
		}
		rest := strings.TrimSpace(text[len(kw):])
		switch strings.ToLower(kw) {
		case "limit":
			n, err := strconv.Atoi(rest)
			if err != nil || n < 0 {
				return p, &syntaxError{line: st.line, column: st.column, message: fmt.Sprintf("mismatched input '%s' expecting INTEGER", rest)}
			}
			if p.limit < 0 || n < p.limit {
				p.limit = n
			}
		case "fields":
			p.fields = nil
			for _, f := range strings.Split(rest, ",") {
				words := strings.Fields(f)
				switch {
				case len(words) == 1:
					p.fields = append(p.fields, projection{from: words[0], as: words[0]})
				case len(words) == 3 && strings.EqualFold(words[1], "as"):
					p.fields = append(p.fields, projection{from: words[0], as: words[2]})
				}
			}
		}
	}
	return p, nil
}

// startQuery serves /xql/start_xql_query [PA]: it checks the query,
// refuses it when the running queries reach the limit (500, the text
// [XSOAR] retries on) and replies with the query ID.
func (s *Server) startQuery(c *call) (any, *apiError) {
	o, err := object(c.data, "request_data")
	if err != nil {
		return nil, err
	}
	text, _ := o.str("query")
	o.strings("tenants")
	if tf := o.get("timeframe"); tf != nil {
		t, err := object(tf, "request_data.timeframe")
		if err != nil {
			return nil, err
		}
		from, hasFrom := t.id("from")
		to, hasTo := t.id("to")
		rel, hasRel := t.integer("relativeTime")
		if t.err != nil {
			return nil, t.err
		}
		if hasFrom && hasTo && from > to {
			return nil, badRequest("timeframe.from must not be after timeframe.to")
		}
		if hasRel && rel <= 0 {
			return nil, badRequest("timeframe.relativeTime must be a positive number of milliseconds")
		}
	}
	if o.err != nil {
		return nil, o.err
	}
	if strings.TrimSpace(text) == "" {
		return nil, badRequest("request_data.query is required")
	}
	p, serr := parseXQL(text)
	if serr != nil {
		return nil, serr.apiError()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	x := &s.st.xql
	if s.maxQueries > 0 && len(x.active) >= s.maxQueries {
		x.rejected++
		return nil, failure("reached max allowed amount of parallel running queries")
	}
	x.next++
	x.started++
	rows := xqlDefaultRows
	switch {
	case p.limit >= 0:
		rows = min(p.limit, xqlDatasetRows)
	case p.stream:
		rows = xqlDatasetRows
	}
	q := &query{
		id:      fmt.Sprintf("%s_%d_inv", hexDigest("xql", strconv.Itoa(x.next))[:14], x.next),
		text:    text,
		rows:    rows,
		fields:  p.fields,
		cost:    0.0005 + float64(rows)*0.000002,
		started: c.now,
	}
	x.queries[q.id] = q
	x.active[q.id] = q
	x.peak = max(x.peak, len(x.active))
	if s.pendingPolls == 0 {
		s.finish(q)
	}
	return q.id, nil
}

// finish marks q done. The caller holds s.mu.
func (s *Server) finish(q *query) {
	if q.done {
		return
	}
	q.done = true
	delete(s.st.xql.active, q.id)
	s.st.xql.used += q.cost
}

// queryResults serves /xql/get_query_results [PA], [XSOAR]: PENDING for
// the configured number of polls (pending_flag false waits instead), then
// SUCCESS with the rows as results.data, or as results.stream_id when
// there are more than 1000 and limit is absent or above 1000.
func (s *Server) queryResults(c *call) (any, *apiError) {
	o, err := object(c.data, "request_data")
	if err != nil {
		return nil, err
	}
	id, _ := o.str("query_id")
	pending, hasPending := o.boolean("pending_flag")
	limit, hasLimit := o.integer("limit")
	format, hasFormat := o.str("format")
	if o.err != nil {
		return nil, o.err
	}
	switch {
	case id == "":
		return nil, badRequest("request_data.query_id is required")
	case hasLimit && limit < 0:
		return nil, badRequest("request_data.limit must not be negative")
	case hasFormat && format != "json" && format != "csv":
		return nil, badRequest(`request_data.format must be "json" or "csv"`)
	}
	if !hasPending {
		pending = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, ok := s.st.xql.queries[id]
	if !ok {
		return nil, failure("Query %s was not found", id)
	}
	if !q.done {
		q.polls++
		if pending && q.polls <= s.pendingPolls {
			return map[string]any{"status": "PENDING"}, nil
		}
		s.finish(q)
	}
	results := map[string]any{}
	if q.rows > xqlMaxDataRows && (!hasLimit || limit > xqlMaxDataRows) {
		if q.stream == "" {
			s.st.xql.nextStream++
			h := hexDigest("stream", strconv.Itoa(s.st.xql.nextStream))
			q.stream = h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
			s.st.xql.streams[q.stream] = q
		}
		results["stream_id"] = q.stream
	} else {
		n := min(q.rows, xqlMaxDataRows)
		if hasLimit {
			n = min(n, int(limit))
		}
		data := make([]map[string]any, n)
		for i := range data {
			data[i] = s.row(q, i)
		}
		results["data"] = data
	}
	return map[string]any{
		"status":            "SUCCESS",
		"number_of_results": q.rows,
		"query_cost":        map[string]any{xqlTenantID: q.cost},
		"remaining_quota":   xqlLicense - s.st.xql.used,
		"results":           results,
	}, nil
}

// queryStream serves /xql/get_query_results_stream [PA], [XSOAR]: every
// row as one JSON object per line, chunked, and gzip-compressed as a
// whole when is_gzip_compressed is true.
func (s *Server) queryStream(c *call) (any, *apiError) {
	o, err := object(c.data, "request_data")
	if err != nil {
		return nil, err
	}
	id, _ := o.str("stream_id")
	gz, _ := o.boolean("is_gzip_compressed")
	if o.err != nil {
		return nil, o.err
	}
	if id == "" {
		return nil, badRequest("request_data.stream_id is required")
	}
	s.mu.Lock()
	q, ok := s.st.xql.streams[id]
	var rows [][]byte
	if ok {
		rows = make([][]byte, q.rows)
		for i := range rows {
			rows[i], _ = json.Marshal(s.row(q, i))
		}
	}
	s.mu.Unlock()
	if !ok {
		return nil, failure("Stream %s was not found", id)
	}
	h := c.w.Header()
	h.Set("Content-Type", "application/octet-stream")
	var w io.Writer = c.w
	var zw *gzip.Writer
	switch {
	case gz:
		zw = gzip.NewWriter(c.w)
		w = zw
	case acceptsGzip(c.r):
		h.Set("Content-Encoding", "gzip")
		zw = gzip.NewWriter(c.w)
		w = zw
	}
	c.w.WriteHeader(http.StatusOK)
	flusher, _ := c.w.(http.Flusher)
	for i, row := range rows {
		_, _ = w.Write(append(row, '\n'))
		if (i+1)%500 == 0 && flusher != nil {
			if zw != nil {
				_ = zw.Flush()
			}
			flusher.Flush()
		}
	}
	if zw != nil {
		_ = zw.Close()
	}
	return written, nil
}

// quota serves /xql/get_quota [PA]: the quota used by the queries that
// finished, and the running ones.
func (s *Server) quota(c *call) (any, *apiError) {
	if _, err := object(c.data, "request_data"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	x := &s.st.xql
	active := map[string]any{}
	for id, q := range x.active {
		active[id] = map[string]any{"xql": q.text, "duration": int(max(c.now.Sub(q.started), 0) / time.Second)}
	}
	return map[string]any{
		"license_quota":                           xqlLicense,
		"additional_purchased_quota":              0.0,
		"used_quota":                              x.used,
		"eval_quota":                              0.0,
		"total_daily_running_queries":             x.started,
		"total_daily_concurrent_rejected_queries": x.rejected,
		"current_concurrent_active_queries":       active,
		"current_concurrent_active_queries_count": len(active),
		"max_daily_concurrent_active_query_count": x.peak,
	}, nil
}

var xqlKinds = []struct{ typ, sub string }{
	{"PROCESS", "PROCESS_START"},
	{"NETWORK", "NETWORK_STREAM_START"},
	{"FILE", "FILE_CREATE_NEW"},
}

var actorImages = map[string]string{"windows": "explorer.exe", "linux": "bash", "macos": "launchd", "android": "zygote64"}

// row is the i-th row of q: xdr_data generated from i alone, then
// projected onto q's fields. The caller holds s.mu.
func (s *Server) row(q *query, i int) map[string]any {
	hosts := s.st.xql.hosts
	e := hosts[i%len(hosts)]
	t := xqlBase.Add(-time.Duration(i)*37*time.Second - time.Duration(i%997)*time.Millisecond)
	sum := hexDigest("xdr_data", strconv.Itoa(i))
	raw := []byte(sum[:24])
	k := xqlKinds[i%len(xqlKinds)]
	r := map[string]any{
		"_time":                     t.Format("2006-01-02 15:04:05.000 UTC"),
		"insert_timestamp":          t.Add(3*time.Minute + time.Duration(i%60)*time.Second).Format("2006-01-02 15:04:05.000000 UTC"),
		"event_id":                  base64.StdEncoding.EncodeToString(raw[:18]),
		"event_type":                k.typ,
		"event_sub_type":            k.sub,
		"_vendor":                   "PANW",
		"_product":                  "XDR agent",
		"agent_id":                  e.id,
		"agent_hostname":            e.name,
		"agent_os_type":             osTypes[e.platform],
		"actor_process_image_name":  actorImages[e.platform],
		"action_process_image_name": nil,
		"action_remote_ip":          nil,
		"action_remote_port":        nil,
		"action_file_name":          nil,
	}
	switch k.typ {
	case "PROCESS":
		r["action_process_image_name"] = []string{"cmd.exe", "python3", "curl", "osascript"}[i%4]
	case "NETWORK":
		r["action_remote_ip"] = fmt.Sprintf("198.51.100.%d", i%254+1)
		r["action_remote_port"] = []int{443, 80, 53, 22}[i%4]
	case "FILE":
		r["action_file_name"] = fmt.Sprintf("report_%04d.tmp", i%10000)
	}
	if q.fields == nil {
		return r
	}
	out := make(map[string]any, len(q.fields))
	for _, f := range q.fields {
		out[f.as] = r[f.from]
	}
	return out
}
