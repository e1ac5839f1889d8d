package cortexxdr

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/playbook-sh/playbook/actions"
)

// endpointIDsInput is the Endpoint IDs input of the action commands.
func endpointIDsInput(what string, maxItems int) actions.Input {
	return actions.Input{Name: "endpoint_ids", Type: actions.Array, Items: actions.String, Required: true, MaxItems: maxItems,
		Description: "The IDs of the endpoints " + what + ", from Search Hosts ($.reply.endpoints[*].endpoint_id)."}
}

// idFilter is the endpoint_id_list filter the action calls take [PA].
func idFilter(ids []string) []any {
	return []any{map[string]any{"field": "endpoint_id_list", "operator": "in", "value": anyList(ids)}}
}

func (x *XDR) searchHosts() *command {
	spec := actions.Spec{
		Name: SearchHostsName, Title: "Search Hosts",
		Description: "Retrieves the endpoints matching the filters, by last seen time descending; at most 100 (POST /endpoints/get_endpoint/).",
		Inputs: []actions.Input{
			{Name: "host_names", Type: actions.Array, Items: actions.String, Description: "Endpoint names."},
			{Name: "user_names", Type: actions.Array, Items: actions.String, Description: "Users of the endpoints."},
			{Name: "group_names", Type: actions.Array, Items: actions.String, Description: "Endpoint group names."},
			{Name: "host_ips", Type: actions.Array, Items: actions.String, Description: "Endpoint IP addresses."},
			{Name: "host_status", Type: actions.String, Options: hostStatuses, Description: "Endpoint status."},
			{Name: "platform", Type: actions.String, Options: platforms, Description: "Endpoint platform."},
			{Name: "isolated", Type: actions.String, Options: isolation, Description: "Isolation status."},
			{Name: "last_seen_after", Type: actions.Time, Description: "Endpoints last seen at or after this time (UTC)."},
			{Name: "last_seen_before", Type: actions.Time, Description: "Endpoints last seen at or before this time (UTC)."},
		},
		KeyFields:   []string{"EndpointIDs", "EndpointNames", "EndpointIPs"},
		Permissions: []string{permLicense},
	}
	build := func(r actions.Request) (call, error) {
		var filters []any
		in := func(fieldName string, vals []string) {
			if len(vals) > 0 {
				filters = append(filters, map[string]any{"field": fieldName, "operator": "in", "value": anyList(vals)})
			}
		}
		in("hostname", r.Strings("host_names"))
		in("username", r.Strings("user_names"))
		in("group_name", r.Strings("group_names"))
		in("ip_list", r.Strings("host_ips"))
		for _, f := range [][2]string{{"host_status", "endpoint_status"}, {"platform", "platform"}, {"isolated", "isolate"}} {
			if s := r.String(f[0]); s != "" {
				in(f[1], []string{s})
			}
		}
		if _, ok := r.Inputs["last_seen_after"]; ok {
			filters = append(filters, map[string]any{"field": "last_seen", "operator": "gte", "value": r.Time("last_seen_after").UnixMilli()})
		}
		if _, ok := r.Inputs["last_seen_before"]; ok {
			filters = append(filters, map[string]any{"field": "last_seen", "operator": "lte", "value": r.Time("last_seen_before").UnixMilli()})
		}
		data := map[string]any{"search_from": int64(0), "search_to": int64(100),
			"sort": map[string]any{"field": "last_seen", "keyword": "desc"}}
		if filters != nil {
			data["filters"] = filters
		}
		return call{path: "endpoints/get_endpoint/", data: data}, nil
	}
	return &command{spec: spec, run: func(ctx context.Context, e *exec) actions.Envelope {
		cl, _ := build(e.r)
		rep, f := e.do(ctx, cl)
		if f != nil {
			return e.fail(f)
		}
		keys := newKeys(true, spec.KeyFields...)
		rows := [][]string{}
		found := map[string]bool{}
		endpoints := list(field(rep.value, "reply", "endpoints"))
		for _, ep := range endpoints {
			keys.Add("EndpointIDs", field(ep, "endpoint_id"))
			keys.Add("EndpointNames", field(ep, "endpoint_name"))
			for _, ip := range list(field(ep, "ip")) {
				keys.Add("EndpointIPs", ip)
			}
			found[strings.ToLower(text(field(ep, "endpoint_name")))] = true
			rows = append(rows, []string{text(field(ep, "endpoint_id")), text(field(ep, "endpoint_name")),
				text(field(ep, "endpoint_status")), text(field(ep, "ip")), text(field(ep, "os_type")),
				text(field(ep, "is_isolated")), msTime(field(ep, "last_seen"))})
		}
		env := actions.Succeed(rep.value, keys.Fields())
		env.Result = table([]string{"Endpoint ID", "Name", "Status", "IPs", "OS", "Isolation", "Last Seen"}, rows)
		names := e.r.Strings("host_names")
		if len(names) == 0 {
			return env
		}
		// The page reports host names that match nothing: all of them is
		// Failed, some of them Partially Successful.
		var missing []string
		for _, n := range names {
			if !strings.Contains(n, "*") && !found[strings.ToLower(n)] {
				missing = append(missing, n)
			}
		}
		switch {
		case len(endpoints) == 0:
			env.ReturnData = actions.Failed
			env.Error = &actions.Error{FailureIndicator: spec.FailureIndicator(), StatusCode: 404,
				Message: "Host Names Not Found: " + strings.Join(names, ", ")}
		case len(missing) > 0:
			env.ReturnData = actions.PartiallySuccessful
			env.Error = &actions.Error{FailureIndicator: spec.FailureIndicator(), StatusCode: 404,
				Message: "Host Names Not Found: " + strings.Join(missing, ", ")}
		}
		return env
	}}
}

// endpointAction is Isolate, Unisolate, Retrieve Files or Run Script: one
// request for many endpoints, returning an action.
func (x *XDR) endpointAction(spec actions.Spec, path string, extra func(r actions.Request, data map[string]any) error) *command {
	build := func(r actions.Request) (call, error) {
		data := map[string]any{"filters": idFilter(r.Strings("endpoint_ids"))}
		if extra != nil {
			if err := extra(r, data); err != nil {
				return call{}, err
			}
		}
		return call{path: path, data: data, mutates: true}, nil
	}
	return &command{spec: spec, first: build, run: func(ctx context.Context, e *exec) actions.Envelope {
		cl, err := build(e.r)
		if err != nil {
			return e.failf(400, "%v", err)
		}
		return e.actionReply(ctx, cl, e.r.Strings("endpoint_ids"), "Endpoint IDs Not Found.")
	}}
}

// actionReply sends an endpoint action and reads its reply
// {"reply": {"action_id", "status", "endpoints_count"}} [PA]. When the
// reply covers fewer endpoints than were sent, the action's status names
// those it covers, and the envelope is Partially Successful naming the
// rest. targets are what was sent: endpoint IDs, or host names for scans.
func (e *exec) actionReply(ctx context.Context, cl call, targets []string, notFound string) actions.Envelope {
	// A target given twice is one endpoint to the API: endpoints_count
	// counts it once.
	targets = uniqueFold(targets)
	rep, f := e.do(ctx, cl)
	if f != nil {
		if f.status == 500 && strings.Contains(strings.ToLower(f.msg), "no endpoint was found") {
			// The vendor's "no such endpoint" [XSOAR], reported as the page does.
			f.status, f.msg = 404, notFound
		}
		return e.fail(f)
	}
	id := actionID(field(rep.value, "reply", "action_id"))
	keys := newKeys(true, e.spec.KeyFields...)
	keys.Add("ActionIDs", id)
	env := actions.Succeed(rep.value, nil)
	covered := targets
	if n, ok := count(field(rep.value, "reply", "endpoints_count")); ok && int(n) < len(targets) {
		covered = e.coveredTargets(ctx, id, targets)
		var missing []string
		in := map[string]bool{}
		for _, c := range covered {
			in[strings.ToLower(c)] = true
		}
		for _, t := range targets {
			if !in[strings.ToLower(t)] {
				missing = append(missing, t)
			}
		}
		msg := fmt.Sprintf("the reply covers %d of %d", n, len(targets))
		if len(missing) > 0 && len(covered) == int(n) {
			msg += "; not covered: " + strings.Join(missing, ", ")
		}
		env.ReturnData = actions.PartiallySuccessful
		env.Error = &actions.Error{FailureIndicator: e.spec.FailureIndicator(), StatusCode: rep.status, Message: msg}
	}
	if slices.Contains(e.spec.KeyFields, "EndpointIDs") {
		for _, t := range covered {
			keys.Add("EndpointIDs", t)
		}
	}
	env.KeyFields = keys.Fields()
	env.Result = table([]string{"Action ID", "Endpoints Sent", "Endpoints Covered"},
		[][]string{{text(id), fmt.Sprint(len(targets)), text(field(rep.value, "reply", "endpoints_count"))}})
	return env
}

// coveredTargets asks the action's status which endpoints it covers; for
// host names (scans) it maps the endpoint IDs back to names. When that
// fails it returns nil: the envelope then gives the count only.
func (e *exec) coveredTargets(ctx context.Context, id any, targets []string) []string {
	rep, f := e.do(ctx, call{path: "actions/get_action_status/", data: map[string]any{"group_action_id": id}})
	if f != nil {
		return nil
	}
	data, _ := field(rep.value, "reply", "data").(map[string]any)
	ids := make([]string, 0, len(data))
	for k := range data {
		ids = append(ids, k)
	}
	sort.Strings(ids)
	var out []string
	for _, t := range targets {
		if _, ok := data[t]; ok {
			out = append(out, t)
		}
	}
	if len(out) > 0 || len(ids) == 0 {
		return out
	}
	// Host names: look the endpoint IDs up.
	rep, f = e.do(ctx, call{path: "endpoints/get_endpoint/", data: map[string]any{
		"filters": idFilter(ids), "search_from": int64(0), "search_to": int64(100)}})
	if f != nil {
		return nil
	}
	names := map[string]bool{}
	for _, ep := range list(field(rep.value, "reply", "endpoints")) {
		names[strings.ToLower(text(field(ep, "endpoint_name")))] = true
	}
	for _, t := range targets {
		if names[strings.ToLower(t)] {
			out = append(out, t)
		}
	}
	return out
}

func (x *XDR) isolateHosts() *command {
	return x.endpointAction(actions.Spec{
		Name: IsolateHostsName, Title: "Isolate Hosts",
		Description: "Isolates the specified endpoints (POST /endpoints/isolate/).",
		Inputs:      []actions.Input{endpointIDsInput("to isolate", 1000)},
		KeyFields:   []string{"ActionIDs", "EndpointIDs"},
		Permissions: []string{permLicense},
		Mutates:     true,
	}, "endpoints/isolate/", nil)
}

func (x *XDR) unisolateHosts() *command {
	return x.endpointAction(actions.Spec{
		Name: UnisolateHostsName, Title: "Unisolate Hosts",
		Description: "Removes the specified endpoints from isolation (POST /endpoints/unisolate/).",
		Inputs:      []actions.Input{endpointIDsInput("to remove from isolation", 1000)},
		KeyFields:   []string{"ActionIDs", "EndpointIDs"},
		Permissions: []string{permLicense},
		Mutates:     true,
	}, "endpoints/unisolate/", nil)
}

func (x *XDR) retrieveFiles() *command {
	return x.endpointAction(actions.Spec{
		Name: RetrieveFilesName, Title: "Retrieve Files",
		Description: "Retrieves files from the specified endpoints: up to 20 files from at most 10 endpoints (POST /endpoints/file_retrieval/).",
		Inputs: []actions.Input{
			endpointIDsInput("to retrieve files from", 10),
			{Name: "os", Type: actions.String, Required: true, Options: opts("Windows", "windows", "Linux", "linux", "MacOS", "macos"),
				Description: "The endpoints' operating system."},
			{Name: "file_paths", Type: actions.Array, Items: actions.String, Required: true, MaxItems: 20,
				Description: "The paths of the files to retrieve."},
		},
		KeyFields:   []string{"ActionIDs"},
		Permissions: []string{permLicense},
		Mutates:     true,
	}, "endpoints/file_retrieval/", func(r actions.Request, data map[string]any) error {
		data["files"] = map[string]any{r.String("os"): anyList(r.Strings("file_paths"))}
		return nil
	})
}

func (x *XDR) runScript() *command {
	return x.endpointAction(actions.Spec{
		Name: RunScriptName, Title: "Run Script",
		Description: "Runs snippet code on the specified endpoints (POST /scripts/run_snippet_code_script/).",
		Inputs: []actions.Input{
			endpointIDsInput("to run the script on", 1000),
			{Name: "snippet_code", Type: actions.String, Required: true, Description: "The script code to run (Python)."},
		},
		KeyFields:   []string{"ActionIDs"},
		Permissions: []string{permLicense},
		Mutates:     true,
	}, "scripts/run_snippet_code_script/", func(r actions.Request, data map[string]any) error {
		if strings.TrimSpace(r.String("snippet_code")) == "" {
			return fmt.Errorf("snippet_code is empty")
		}
		data["snippet_code"] = r.String("snippet_code")
		return nil
	})
}

// scanAction is Scan Hosts or Cancel Scan Hosts, addressed by host name.
// It never sends the match-everything filter "all".
func (x *XDR) scanAction(spec actions.Spec, path string) *command {
	build := func(r actions.Request) (call, error) {
		names := r.Strings("host_names")
		if len(names) == 0 {
			return call{}, fmt.Errorf("host_names is empty: this command never targets every endpoint")
		}
		return call{path: path, mutates: true, data: map[string]any{
			"filters": []any{map[string]any{"field": "hostname", "operator": "in", "value": anyList(names)}}}}, nil
	}
	return &command{spec: spec, first: build, run: func(ctx context.Context, e *exec) actions.Envelope {
		cl, err := build(e.r)
		if err != nil {
			return e.failf(400, "%v", err)
		}
		return e.actionReply(ctx, cl, e.r.Strings("host_names"), "Host Names Not Found.")
	}}
}

func hostNamesInput(what string) actions.Input {
	return actions.Input{Name: "host_names", Type: actions.Array, Items: actions.String, Required: true,
		Description: "The names of the endpoints " + what + ", from Search Hosts ($.reply.endpoints[*].endpoint_name). " +
			"Required: an empty list would address every endpoint."}
}

func (x *XDR) scanHosts() *command {
	return x.scanAction(actions.Spec{
		Name: ScanHostsName, Title: "Scan Hosts",
		Description: "Runs a scan on the specified endpoints (POST /endpoints/scan/).",
		Inputs:      []actions.Input{hostNamesInput("to scan")},
		KeyFields:   []string{"ActionIDs"},
		Permissions: []string{permLicense},
		Mutates:     true,
	}, "endpoints/scan/")
}

func (x *XDR) cancelScanHosts() *command {
	return x.scanAction(actions.Spec{
		Name: CancelScanHostsName, Title: "Cancel Scan Hosts",
		Description: "Cancels scans on the specified endpoints; only Pending or In Progress scans can be cancelled (POST /endpoints/abort_scan/).",
		Inputs:      []actions.Input{hostNamesInput("to cancel scans on")},
		KeyFields:   []string{"ActionIDs"},
		Permissions: []string{permLicense},
		Mutates:     true,
	}, "endpoints/abort_scan/")
}

func (x *XDR) getActionStatus() *command {
	spec := actions.Spec{
		Name: GetActionStatusName, Title: "Get Action Status",
		Description: "Retrieves the per-endpoint status of actions (POST /actions/get_action_status/, one call per action).",
		Inputs: []actions.Input{
			{Name: "action_ids", Type: actions.Array, Items: actions.Any, Required: true,
				Description: "The actions' IDs (numbers, or numeric strings), from Isolate Hosts, Scan Hosts, Run Script ... ($.reply.action_id)."},
		},
		KeyFields:   []string{"ActionIDs", "EndpointIDs", "Statuses"},
		Permissions: []string{permLicense},
	}
	return &command{spec: spec, run: func(ctx context.Context, e *exec) actions.Envelope {
		items := e.perItem(ctx, e.r.Strings("action_ids"), func(id string) (call, error) {
			n, ok := count(id)
			if !ok {
				return call{}, fmt.Errorf("action ID %q is not a number", id)
			}
			return call{path: "actions/get_action_status/", data: map[string]any{"group_action_id": n}}, nil
		})
		keys := newKeys(false, spec.KeyFields...)
		rows := [][]string{}
		env := e.results(items, keys, func(id string, v any) string {
			data, _ := field(v, "reply", "data").(map[string]any)
			if len(data) == 0 {
				return "Action IDs Not Found."
			}
			keys.Add("ActionIDs", actionID(id))
			eps := make([]string, 0, len(data))
			for ep := range data {
				eps = append(eps, ep)
			}
			sort.Strings(eps)
			for _, ep := range eps {
				keys.Add("EndpointIDs", ep)
				keys.Add("Statuses", data[ep])
				rows = append(rows, []string{id, ep, text(data[ep])})
			}
			return ""
		})
		env.Result = table([]string{"Action ID", "Endpoint ID", "Status"}, rows)
		return env
	}}
}

func (x *XDR) getScriptResultFiles() *command {
	spec := actions.Spec{
		Name: GetScriptResultFilesName, Title: "Get Script Result Files",
		Failure:     "Get Script Results failed.",
		Description: "Retrieves the link to the files a script execution collected from an endpoint (POST /scripts/get_script_execution_results_files/).",
		Inputs: []actions.Input{
			{Name: "action_id", Type: actions.Any, Required: true, Description: "The script execution's action ID, a number or numeric string (Run Script's $.reply.action_id)."},
			{Name: "endpoint_id", Type: actions.String, Required: true, Description: "The endpoint the script ran on."},
		},
		KeyFields:   []string{"DownloadLinks"},
		Permissions: []string{permLicense},
	}
	build := func(r actions.Request) (call, error) {
		return call{path: "scripts/get_script_execution_results_files/",
			data: map[string]any{"action_id": text(r.Value("action_id")), "endpoint_id": r.String("endpoint_id")}}, nil
	}
	return &command{spec: spec, run: func(ctx context.Context, e *exec) actions.Envelope {
		cl, _ := build(e.r)
		rep, f := e.do(ctx, cl)
		if f != nil {
			return e.fail(f)
		}
		// XSOAR reads DATA; its recorded reply has data [XSOAR].
		link := text(field(rep.value, "reply", "DATA"))
		if link == "" {
			link = text(field(rep.value, "reply", "data"))
		}
		if link == "" {
			env := e.failf(404, "no result files for action %s on endpoint %s", text(e.r.Value("action_id")), e.r.String("endpoint_id"))
			env.RawData = rep.value
			return env
		}
		env := actions.Succeed(rep.value, map[string][]any{"DownloadLinks": {link}})
		env.Result = table([]string{"Action ID", "Endpoint ID", "Download Link"},
			[][]string{{text(e.r.Value("action_id")), e.r.String("endpoint_id"), link}})
		return env
	}}
}

// uniqueFold returns s without repeats, ignoring case, in order.
func uniqueFold(s []string) []string {
	seen := make(map[string]bool, len(s))
	out := make([]string, 0, len(s))
	for _, v := range s {
		if k := strings.ToLower(v); !seen[k] {
			seen[k] = true
			out = append(out, v)
		}
	}
	return out
}

func anyList(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func lower(s string) string { return strings.ToLower(s) }
