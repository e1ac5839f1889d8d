package cortexxdr

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/playbook-sh/playbook/actions"
)

// maxStream caps an XQL results stream, before and after gzip.
const maxStream = 256 << 20

func (x *XDR) startXQLQuery() *command {
	spec := actions.Spec{
		Name: StartXQLQueryName, Title: "Start XQL Query",
		Description: "Starts an XQL query (POST /xql/start_xql_query/); its ID goes to Get XQL Query Results.",
		Inputs: []actions.Input{
			{Name: "start_time", Type: actions.Time, Required: true, Description: "Start of the query's time range (UTC)."},
			{Name: "end_time", Type: actions.Time, Description: "End of the query's time range (UTC); now when left out."},
			{Name: "query", Type: actions.String, Required: true, Description: "The XQL query."},
		},
		KeyFields:   []string{"QueryIDs"},
		Permissions: []string{permLicense, permAdmin},
	}
	build := func(r actions.Request) (call, error) {
		to := time.Now().UTC()
		if _, ok := r.Inputs["end_time"]; ok {
			to = r.Time("end_time")
		}
		from := r.Time("start_time")
		if !to.After(from) {
			return call{}, fmt.Errorf("end_time must be after start_time")
		}
		return call{path: "xql/start_xql_query/", data: map[string]any{
			"query":     r.String("query"),
			"tenants":   []any{},
			"timeframe": map[string]any{"from": from.UnixMilli(), "to": to.UnixMilli()},
		}}, nil
	}
	return &command{spec: spec, run: func(ctx context.Context, e *exec) actions.Envelope {
		cl, err := build(e.r)
		if err != nil {
			return e.failf(400, "%v", err)
		}
		rep, f := e.do(ctx, cl)
		if f != nil {
			return e.fail(f)
		}
		id := text(field(rep.value, "reply"))
		if id == "" {
			env := e.failf(rep.status, "the reply holds no query ID")
			env.RawData = rep.value
			return env
		}
		env := actions.Succeed(rep.value, map[string][]any{"QueryIDs": {id}})
		env.Result = table([]string{"Query ID"}, [][]string{{id}})
		return env
	}}
}

func (x *XDR) getXQLQueryResults() *command {
	spec := actions.Spec{
		Name: GetXQLQueryResultsName, Title: "Get XQL Query Results",
		Description: "Retrieves the results of XQL queries, at most 1,000 rows each; a larger result gives a stream ID " +
			"for Get XQL Query Results Stream (POST /xql/get_query_results/, one call per query).",
		Inputs: []actions.Input{
			{Name: "query_ids", Type: actions.Array, Items: actions.String, Required: true,
				Description: "The queries' IDs, from Start XQL Query ($.reply)."},
		},
		KeyFields:   []string{"QueryIDs", "Statuses", "StreamIDs"},
		Permissions: []string{permLicense, permAdmin},
	}
	return &command{spec: spec, run: func(ctx context.Context, e *exec) actions.Envelope {
		items := e.perItem(ctx, e.r.Strings("query_ids"), func(id string) (call, error) {
			// No limit: a result over 1,000 rows then comes as a stream ID
			// instead of being cut at 1,000 [PA].
			return call{path: "xql/get_query_results/", data: map[string]any{"query_id": id, "pending_flag": true, "format": "json"}}, nil
		})
		// A query that failed is a failed item; its entry in Results is
		// the vendor's reply saying so, with the reply's status.
		for i := range items {
			if it := &items[i]; it.fail == nil && text(field(it.reply.value, "reply", "status")) == "FAIL" {
				it.fail = &failure{status: it.reply.status, msg: "the query failed", raw: it.reply.value}
			}
		}
		keys := newKeys(false, spec.KeyFields...)
		rows := [][]string{}
		env := e.results(items, keys, func(id string, v any) string {
			status := text(field(v, "reply", "status"))
			keys.Add("QueryIDs", id)
			keys.Add("Statuses", status)
			stream := text(field(v, "reply", "results", "stream_id"))
			keys.Add("StreamIDs", stream)
			rows = append(rows, []string{id, status, text(field(v, "reply", "number_of_results")), stream})
			return ""
		})
		env.Result = table([]string{"Query ID", "Status", "Results", "Stream ID"}, rows)
		return env
	}}
}

func (x *XDR) getXQLQueryResultsStream() *command {
	spec := actions.Spec{
		Name: GetXQLQueryResultsStreamName, Title: "Get XQL Query Results Stream",
		Description: "Retrieves every row of an XQL result over 1,000 rows (POST /xql/get_query_results_stream/). " +
			"The API sends newline-delimited JSON, gzipped when asked; Raw Data is the list of rows.",
		Inputs: []actions.Input{
			{Name: "stream_id", Type: actions.String, Required: true, Description: "The stream ID from Get XQL Query Results."},
			{Name: "is_gzip_compressed", Type: actions.Boolean, Default: false, Description: "Ask for the stream gzipped."},
		},
		Permissions: []string{permLicense, permAdmin},
	}
	return &command{spec: spec, run: func(ctx context.Context, e *exec) actions.Envelope {
		gz := e.r.Bool("is_gzip_compressed")
		rep, f := e.do(ctx, call{path: "xql/get_query_results_stream/", raw: true, maxBody: maxStream,
			data: map[string]any{"stream_id": e.r.String("stream_id"), "is_gzip_compressed": gz}})
		if f != nil {
			return e.fail(f)
		}
		rows, err := ndjson(rep.body, gz)
		if err != nil {
			return e.failf(rep.status, "read the stream: %v", err)
		}
		env := actions.Succeed(rows, map[string][]any{})
		env.Result = table([]string{"Stream ID", "Rows"}, [][]string{{e.r.String("stream_id"), fmt.Sprint(len(rows))}})
		return env
	}}
}

// ndjson decodes newline-delimited JSON rows, gunzipping first when the
// body is gzip (as XSOAR reads it).
func ndjson(body []byte, gz bool) ([]any, error) {
	var r io.Reader = bytes.NewReader(body)
	if gz || bytes.HasPrefix(body, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("gzip: %v", err)
		}
		r = io.LimitReader(zr, maxStream)
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	rows := []any{}
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		v, err := actions.DecodeJSON(b)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", line, err)
		}
		rows = append(rows, v)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return rows, nil
}

func (x *XDR) getXQLQueryQuota() *command {
	spec := actions.Spec{
		Name: GetXQLQueryQuotaName, Title: "Get XQL Query Quota",
		Description: "Retrieves the tenant's XQL query quota: available, used, and running queries (POST /xql/get_quota/).",
		Permissions: []string{permLicense, permAdmin},
	}
	return &command{spec: spec, run: single(func(actions.Request) (call, error) {
		return call{path: "xql/get_quota/", data: map[string]any{}}, nil
	}, func(e *exec, v any) (*keyset, string) {
		rows := [][]string{}
		for _, k := range []string{"license_quota", "additional_purchased_quota", "used_quota", "eval_quota",
			"total_daily_running_queries", "current_concurrent_active_queries_count", "max_daily_concurrent_active_query_count"} {
			rows = append(rows, []string{k, text(field(v, "reply", k))})
		}
		return nil, table([]string{"Quota", "Value"}, rows)
	})}
}
