package fake

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Per-endpoint action statuses [PA Get-Action-Status].
const (
	actPending    = "PENDING"
	actInProgress = "IN_PROGRESS"
	actSuccess    = "COMPLETED_SUCCESSFULLY"
	actFailed     = "FAILED"
	actAborted    = "ABORTED"
)

// actionKind is what an action does to its endpoints.
type actionKind int

const (
	kindIsolate actionKind = iota
	kindUnisolate
	kindScan
	kindAbortScan
	kindRetrieve
	kindScript
)

// firstActionID is the ID of the first action a server creates; later ones
// count up from it.
const firstActionID = 1001

// action is one endpoint action (isolate, scan, retrieve files, run a
// script...). It is guarded by Server.mu.
type action struct {
	id        int64
	kind      actionKind
	endpoints []string          // endpoint IDs, in request order
	polls     int               // status polls so far
	override  map[string]string // per-endpoint status set by a later action (abort_scan)
	prev      map[string]string // is_isolated or scan_status before the action, to restore on failure
	applied   map[string]bool   // endpoints whose terminal status took effect
	files     map[string][]string
	snippet   string
	incident  string
	created   int64
}

// newAction creates an action on the endpoints and applies its immediate
// effect (isolation pending, scan pending...). The caller holds s.mu.
func (s *Server) newAction(kind actionKind, eps []*endpoint, now int64) *action {
	a := &action{
		id:       s.st.nextActionID,
		kind:     kind,
		override: map[string]string{},
		prev:     map[string]string{},
		applied:  map[string]bool{},
		created:  now,
	}
	s.st.nextActionID++
	s.st.actions[a.id] = a
	for _, e := range eps {
		a.endpoints = append(a.endpoints, e.id)
		switch kind {
		case kindIsolate:
			a.prev[e.id] = e.isolated
			if e.isolated != agentIsolated {
				e.isolated = agentPendingIsolation
			}
		case kindUnisolate:
			a.prev[e.id] = e.isolated
			if e.isolated != agentUnisolated {
				e.isolated = agentPendingCancellation
			}
		case kindScan:
			a.prev[e.id] = e.scan
			e.scan = "pending"
		case kindAbortScan:
			a.prev[e.id] = e.scan
			e.scan = "pending_cancellation"
			for _, other := range s.st.actions {
				if other.kind == kindScan && !other.applied[e.id] && slices.Contains(other.endpoints, e.id) {
					other.override[e.id] = actAborted
				}
			}
		}
	}
	return a
}

// status is the current status of endpoint id in a. It walks PENDING (no
// poll or the first), IN_PROGRESS (the later pending polls), then the
// terminal status: the one forced with SetActionResult, PENDING for a
// disconnected or lost agent (the action waits for it to return [XSOAR]),
// else COMPLETED_SUCCESSFULLY. The caller holds s.mu.
func (s *Server) status(a *action, id string) string {
	if st, ok := a.override[id]; ok {
		return st
	}
	if a.polls <= s.pendingPolls {
		if a.polls <= 1 {
			return actPending
		}
		return actInProgress
	}
	if st, ok := s.st.forced[a.id]; ok {
		return st
	}
	if e := s.st.endpointByID[id]; e != nil && (e.status == statusDisconnected || e.status == statusLost) {
		return actPending
	}
	return actSuccess
}

// terminal reports whether an action status is final [PA].
func terminal(st string) bool {
	return st != actPending && st != actInProgress && st != "PENDING_ABORT"
}

// poll counts one status poll of a and applies the effect of every status
// that became terminal. The caller holds s.mu.
func (s *Server) poll(a *action, now int64) {
	a.polls++
	for _, id := range a.endpoints {
		e := s.st.endpointByID[id]
		st := s.status(a, id)
		if e == nil || a.applied[id] {
			continue
		}
		if !terminal(st) {
			if a.kind == kindScan && st == actInProgress && e.scan == "pending" {
				e.scan = "in_progress"
			}
			continue
		}
		a.applied[id] = true
		ok := st == actSuccess
		switch a.kind {
		case kindIsolate:
			if ok {
				e.isolated, e.isolatedDate = agentIsolated, now
			} else if e.isolated == agentPendingIsolation {
				e.isolated = a.prev[id]
			}
		case kindUnisolate:
			if ok {
				e.isolated, e.isolatedDate = agentUnisolated, 0
			} else if e.isolated == agentPendingCancellation {
				e.isolated = a.prev[id]
			}
		case kindScan:
			switch {
			case st == actAborted:
			case ok:
				e.scan = "success"
			default:
				e.scan = "error"
			}
		case kindAbortScan:
			if ok {
				e.scan = "canceled"
			} else {
				e.scan = "error"
			}
		}
	}
}

// SetActionResult forces the terminal status of every endpoint of action
// actionID (FAILED, TIMEOUT, CANCELLED, EXPIRED, ...). The action still
// walks through its pending polls first. It may be called before the
// action exists; an endpoint whose status already took effect keeps its
// state, though polls report the new status.
func (s *Server) SetActionResult(actionID int64, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.forced[actionID] = status
}

// actionReply is the reply of an action call [PA]. withStatus adds
// "status": 1, which isolate, unisolate and file_retrieval send.
func actionReply(a *action, withStatus bool) map[string]any {
	r := map[string]any{"action_id": a.id, "endpoints_count": len(a.endpoints)}
	if withStatus {
		r["status"] = 1
	}
	return r
}

// getActionStatus serves /actions/get_action_status [PA], [XSOAR]: one
// poll of group_action_id, {"data": {endpoint: status}} plus errorReasons
// for failed endpoints. An unknown ID gets empty data [INF].
func (s *Server) getActionStatus(c *call) (any, *apiError) {
	o, err := object(c.data, "request_data")
	if err != nil {
		return nil, err
	}
	id, err := o.requiredID("group_action_id")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.st.actions[id]
	if !ok {
		return map[string]any{"data": map[string]any{}}, nil
	}
	s.poll(a, c.now.UnixMilli())
	data := map[string]any{}
	reasons := map[string]any{}
	for _, ep := range a.endpoints {
		st := s.status(a, ep)
		data[ep] = st
		if st == actFailed {
			reasons[ep] = map[string]any{
				"errorData":        fmt.Sprintf(`{"reportIds":[%q],"errorText":""}`, hexDigest("report", strconv.FormatInt(a.id, 10), ep)[:32]),
				"terminated_by":    "instance_id",
				"errorDescription": "Element not found.\r\n",
				"terminate_result": []any{map[string]any{"path": nil, "status": 1}},
			}
		}
	}
	reply := map[string]any{"data": data}
	if len(reasons) > 0 {
		reply["errorReasons"] = reasons
	}
	return reply, nil
}

// targetIDs reads the endpoints of isolate, unisolate, file_retrieval and
// run_snippet_code_script: filters with endpoint_id_list [PA], or, where
// single is set, endpoint_id instead (not both [PA]).
func targetIDs(o *obj, single bool) ([]string, *apiError) {
	if single && o.has("endpoint_id") {
		if o.has("filters") {
			return nil, badRequest("request_data may have endpoint_id or filters, not both")
		}
		id, _ := o.str("endpoint_id")
		if o.err != nil {
			return nil, o.err
		}
		return []string{id}, nil
	}
	if !o.has("filters") {
		if single {
			return nil, badRequest("request_data must have endpoint_id or filters")
		}
		return nil, badRequest("request_data.filters is required")
	}
	conds, err := parseFilters(o.get("filters"), idRules)
	if err != nil {
		return nil, err
	}
	if len(conds) == 0 {
		return nil, badRequest("request_data.filters must not be empty")
	}
	ids := slices.Clone(conds[0].strs)
	for _, c := range conds[1:] {
		ids = slices.DeleteFunc(ids, func(id string) bool { return !slices.Contains(c.strs, id) })
	}
	return ids, nil
}

// actionable returns the known, installed endpoints among ids, once each,
// in order. The caller holds s.mu.
func (s *Server) actionable(ids []string) []*endpoint {
	var out []*endpoint
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		e, ok := s.st.endpointByID[id]
		if !ok || seen[id] || e.status == statusUninstalled {
			continue
		}
		seen[id] = true
		out = append(out, e)
	}
	return out
}

// incidentRef reads the optional incident_id an action is linked to.
func incidentRef(o *obj) string {
	v := o.get("incident_id")
	if v == nil {
		return ""
	}
	if ss, ok := asScalars(v); ok && len(ss) == 1 {
		return ss[0]
	}
	o.wrongType("incident_id", "a string")
	return ""
}

// maxIsolate is the most endpoints one isolate or unisolate call takes
// [PA].
const maxIsolate = 1000

func (s *Server) isolate(c *call) (any, *apiError)   { return s.isolation(c, kindIsolate) }
func (s *Server) unisolate(c *call) (any, *apiError) { return s.isolation(c, kindUnisolate) }

// isolation serves /endpoints/isolate and /endpoints/unisolate [PA]:
// unknown and uninstalled endpoints are left out of endpoints_count; with
// none left the call fails [XSOAR].
func (s *Server) isolation(c *call, kind actionKind) (any, *apiError) {
	o, err := object(c.data, "request_data")
	if err != nil {
		return nil, err
	}
	ids, err := targetIDs(o, true)
	if err != nil {
		return nil, err
	}
	inc := incidentRef(o)
	if o.err != nil {
		return nil, o.err
	}
	if len(ids) > maxIsolate {
		return nil, failure("A maximum of %d endpoints can be sent in one request, got %d", maxIsolate, len(ids))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	eps := s.actionable(ids)
	if len(eps) == 0 {
		return nil, errNoEndpoint()
	}
	a := s.newAction(kind, eps, c.now.UnixMilli())
	a.incident = inc
	return actionReply(a, true), nil
}

// scanTargets reads scan and abort_scan filters: the get_endpoint fields,
// or the string "all" for every endpoint [PA Scan-Endpoints], [XSOAR].
// The caller holds s.mu.
func (s *Server) scanTargets(o *obj) ([]*endpoint, *apiError) {
	raw := o.get("filters")
	if raw == nil {
		return nil, badRequest(`request_data.filters is required: a list of filters or "all"`)
	}
	var conds []cond
	if str, ok := asString(raw); ok {
		if !strings.EqualFold(str, "all") {
			return nil, badRequest(`request_data.filters must be a list of filters or "all"`)
		}
	} else {
		var err *apiError
		if conds, err = parseFilters(raw, endpointRules); err != nil {
			return nil, err
		}
		if len(conds) == 0 {
			return nil, badRequest(`request_data.filters must not be empty; use "all" to address every endpoint`)
		}
	}
	var out []*endpoint
	for _, e := range s.st.endpoints {
		if e.status != statusUninstalled && matchAll(e, conds) {
			out = append(out, e)
		}
	}
	return out, nil
}

// scan serves /endpoints/scan [PA], [XSOAR]: scan_status becomes pending,
// in_progress while the action runs, then success or error.
func (s *Server) scan(c *call) (any, *apiError) {
	return s.scanAction(c, kindScan)
}

// abortScan serves /endpoints/abort_scan [XSOAR]: it addresses only the
// matching endpoints whose scan is pending or in progress [D3]; their
// scan_status becomes pending_cancellation, then canceled, and their scan
// action reports ABORTED.
func (s *Server) abortScan(c *call) (any, *apiError) {
	return s.scanAction(c, kindAbortScan)
}

func (s *Server) scanAction(c *call, kind actionKind) (any, *apiError) {
	o, err := object(c.data, "request_data")
	if err != nil {
		return nil, err
	}
	inc := incidentRef(o)
	if o.err != nil {
		return nil, o.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	eps, err := s.scanTargets(o)
	if err != nil {
		return nil, err
	}
	if kind == kindAbortScan {
		eps = slices.DeleteFunc(eps, func(e *endpoint) bool { return e.scan != "pending" && e.scan != "in_progress" })
	}
	if len(eps) == 0 {
		return nil, errNoEndpoint()
	}
	a := s.newAction(kind, eps, c.now.UnixMilli())
	a.incident = inc
	return actionReply(a, false), nil
}

// File retrieval limits [PA], [D3].
const (
	maxRetrieveEndpoints = 10
	maxRetrieveFiles     = 20
)

// fileRetrieval serves /endpoints/file_retrieval [PA Retrieve-File]: files
// maps windows, linux and macos to paths; an endpoint is addressed when
// files has paths for its platform [INF].
func (s *Server) fileRetrieval(c *call) (any, *apiError) {
	o, err := object(c.data, "request_data")
	if err != nil {
		return nil, err
	}
	ids, err := targetIDs(o, false)
	if err != nil {
		return nil, err
	}
	inc := incidentRef(o)
	if o.err != nil {
		return nil, o.err
	}
	fo, err := object(o.get("files"), "request_data.files")
	if err != nil {
		return nil, err
	}
	files := map[string][]string{}
	total := 0
	for _, k := range sortedKeys(fo.m) {
		if k != "windows" && k != "linux" && k != "macos" {
			return nil, badRequest("request_data.files may have the keys windows, linux and macos, not %q", k)
		}
		paths, _ := fo.strings(k)
		if fo.err != nil {
			return nil, fo.err
		}
		files[k] = paths
		total += len(paths)
	}
	if total == 0 {
		return nil, badRequest("request_data.files must list at least one file path")
	}
	if total > maxRetrieveFiles {
		return nil, failure("A maximum of %d files can be retrieved in one request, got %d", maxRetrieveFiles, total)
	}
	if len(ids) > maxRetrieveEndpoints {
		return nil, failure("Files can be retrieved from a maximum of %d endpoints in one request, got %d", maxRetrieveEndpoints, len(ids))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	eps := slices.DeleteFunc(s.actionable(ids), func(e *endpoint) bool { return len(files[e.platform]) == 0 })
	if len(eps) == 0 {
		return nil, errNoEndpoint()
	}
	a := s.newAction(kindRetrieve, eps, c.now.UnixMilli())
	a.files, a.incident = files, inc
	return actionReply(a, true), nil
}

// fileRetrievalDetails serves /actions/file_retrieval_details [PA]: a
// download link per endpoint whose retrieval completed; none for other
// endpoints or an unknown action [INF].
func (s *Server) fileRetrievalDetails(c *call) (any, *apiError) {
	o, err := object(c.data, "request_data")
	if err != nil {
		return nil, err
	}
	id, err := o.requiredID("group_action_id")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	data := map[string]any{}
	a, ok := s.st.actions[id]
	if !ok || a.kind != kindRetrieve {
		return map[string]any{"data": data}, nil
	}
	for _, ep := range a.endpoints {
		if s.status(a, ep) == actSuccess {
			data[ep] = baseURL(c.r) + apiPrefix + downloadPrefix + s.downloadToken(a, ep)
		}
	}
	return map[string]any{"data": data}, nil
}
