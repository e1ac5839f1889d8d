package fake

import (
	"cmp"
	"slices"
	"strings"
)

// Endpoint isolation states, as is_isolated shows them [XSOAR].
const (
	agentUnisolated          = "AGENT_UNISOLATED"
	agentPendingIsolation    = "AGENT_PENDING_ISOLATION"
	agentIsolated            = "AGENT_ISOLATED"
	agentPendingCancellation = "AGENT_PENDING_ISOLATION_CANCELLATION"
)

// Endpoint connection states, as endpoint_status shows them [PA].
const (
	statusConnected    = "CONNECTED"
	statusDisconnected = "DISCONNECTED"
	statusLost         = "LOST"
	statusUninstalled  = "UNINSTALLED"
)

// endpoint is one agent. Its mutable fields (isolated, isolatedDate, scan)
// are guarded by Server.mu.
type endpoint struct {
	id, name     string
	typ          string // AGENT_TYPE_WORKSTATION, AGENT_TYPE_SERVER, AGENT_TYPE_MOBILE
	status       string // CONNECTED, DISCONNECTED, LOST, UNINSTALLED
	platform     string // windows, linux, macos, android
	osVersion    string
	ips          []string
	publicIP     string
	macs         []string
	users        []string
	domain       string
	alias        string
	group        string
	firstSeen    int64
	lastSeen     int64
	version      string
	content      string
	pkg          string
	policy       string
	tags         []string
	isolated     string
	isolatedDate int64  // 0: null
	scan         string // lower case: none, pending, in_progress, canceled, aborted, pending_cancellation, success, error
}

var osTypes = map[string]string{
	"windows": "AGENT_OS_WINDOWS",
	"linux":   "AGENT_OS_LINUX",
	"macos":   "AGENT_OS_MAC",
	"android": "AGENT_OS_ANDROID",
}

// record is the endpoint as get_endpoint returns it [PA], [XSOAR].
func (e *endpoint) record() map[string]any {
	var isoDate any
	if e.isolatedDate != 0 {
		isoDate = e.isolatedDate
	}
	groups := []string{}
	if e.group != "" {
		groups = []string{e.group}
	}
	op := "PROTECTED"
	if e.status == statusUninstalled {
		op = "UNPROTECTED"
	}
	return map[string]any{
		"endpoint_id":                    e.id,
		"endpoint_name":                  e.name,
		"endpoint_type":                  e.typ,
		"endpoint_status":                e.status,
		"os_type":                        osTypes[e.platform],
		"os_version":                     e.osVersion,
		"ip":                             slices.Clone(e.ips),
		"ipv6":                           []string{},
		"public_ip":                      e.publicIP,
		"mac_address":                    slices.Clone(e.macs),
		"users":                          slices.Clone(e.users),
		"domain":                         e.domain,
		"alias":                          e.alias,
		"first_seen":                     e.firstSeen,
		"last_seen":                      e.lastSeen,
		"content_version":                e.content,
		"installation_package":           e.pkg,
		"active_directory":               nil,
		"install_date":                   e.firstSeen,
		"endpoint_version":               e.version,
		"is_isolated":                    e.isolated,
		"isolated_date":                  isoDate,
		"group_name":                     groups,
		"operational_status":             op,
		"operational_status_description": nil,
		"scan_status":                    "SCAN_STATUS_" + strings.ToUpper(e.scan),
		"assigned_prevention_policy":     e.policy,
		"tags":                           map[string]any{"server_tags": []string{}, "endpoint_tags": slices.Clone(e.tags)},
	}
}

// endpointRules are get_endpoint's filter fields [PA Get-Endpoint]; scan
// and abort_scan take the same [XSOAR].
var endpointRules = map[string]fieldRule{
	"endpoint_id_list": {ops: map[string]kind{"in": kindStrings}},
	"endpoint_status": {ops: map[string]kind{"in": kindStrings, "eq": kindString},
		enum: []string{"connected", "disconnected", "lost", "uninstalled"}},
	"dist_name":      {ops: map[string]kind{"in": kindStrings}},
	"first_seen":     {ops: map[string]kind{"gte": kindInt, "lte": kindInt}},
	"last_seen":      {ops: map[string]kind{"gte": kindInt, "lte": kindInt}},
	"ip_list":        {ops: map[string]kind{"in": kindStrings}},
	"public_ip_list": {ops: map[string]kind{"in": kindStrings}},
	"group_name":     {ops: map[string]kind{"in": kindStrings}},
	"platform":       {ops: map[string]kind{"in": kindStrings}, enum: []string{"windows", "linux", "macos", "android"}},
	"alias":          {ops: map[string]kind{"in": kindStrings}},
	"isolate":        {ops: map[string]kind{"in": kindStrings}, enum: []string{"isolated", "unisolated"}},
	"hostname":       {ops: map[string]kind{"in": kindStrings}},
	"username":       {ops: map[string]kind{"in": kindStrings}},
	"scan_status": {ops: map[string]kind{"in": kindStrings},
		enum: []string{"none", "pending", "in_progress", "canceled", "aborted", "pending_cancellation", "success", "error"}},
}

// idRules is the only filter endpoint actions take: endpoint_id_list
// [PA].
var idRules = map[string]fieldRule{
	"endpoint_id_list": {ops: map[string]kind{"in": kindStrings}},
}

// matches reports whether e passes c. Names, users and groups compare
// case-insensitively [INF].
func (e *endpoint) matches(c cond) bool {
	switch c.field {
	case "endpoint_id_list":
		return slices.Contains(c.strs, e.id)
	case "endpoint_status":
		return anyFold(c.strs, e.status)
	case "dist_name":
		return anyFold(c.strs, e.pkg)
	case "first_seen":
		return timeMatches(c, e.firstSeen)
	case "last_seen":
		return timeMatches(c, e.lastSeen)
	case "ip_list":
		return intersectsFold(c.strs, e.ips)
	case "public_ip_list":
		return anyFold(c.strs, e.publicIP)
	case "group_name":
		return e.group != "" && anyFold(c.strs, e.group)
	case "platform":
		return slices.Contains(c.strs, e.platform)
	case "alias":
		return e.alias != "" && anyFold(c.strs, e.alias)
	case "isolate":
		return slices.Contains(c.strs, "isolated") && e.isolated == agentIsolated ||
			slices.Contains(c.strs, "unisolated") && e.isolated == agentUnisolated
	case "hostname":
		return anyFold(c.strs, e.name)
	case "username":
		return intersectsFold(c.strs, e.users)
	case "scan_status":
		return slices.Contains(c.strs, e.scan)
	}
	return false
}

func timeMatches(c cond, t int64) bool {
	if c.op == "gte" {
		return t >= c.n
	}
	return t <= c.n
}

func matchAll[T interface{ matches(cond) bool }](v T, conds []cond) bool {
	for _, c := range conds {
		if !v.matches(c) {
			return false
		}
	}
	return true
}

// getEndpoint serves /endpoints/get_endpoint [PA Get-Endpoint]: filters,
// sort by first_seen, last_seen or endpoint_id, pages of at most 100.
// Without sort, endpoints come in seed order [INF].
func (s *Server) getEndpoint(c *call) (any, *apiError) {
	o, err := object(c.data, "request_data")
	if err != nil {
		return nil, err
	}
	conds, err := parseFilters(o.get("filters"), endpointRules)
	if err != nil {
		return nil, err
	}
	field, desc, err := o.sortSpec([]string{"first_seen", "last_seen", "endpoint_id"}, "", false)
	if err != nil {
		return nil, err
	}
	from, to, err := o.page(100)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var found []*endpoint
	for _, e := range s.st.endpoints {
		if matchAll(e, conds) {
			found = append(found, e)
		}
	}
	if field != "" {
		slices.SortStableFunc(found, func(a, b *endpoint) int {
			var r int
			switch field {
			case "first_seen":
				r = cmp.Compare(a.firstSeen, b.firstSeen)
			case "last_seen":
				r = cmp.Compare(a.lastSeen, b.lastSeen)
			default:
				r = cmp.Compare(a.id, b.id)
			}
			if desc {
				r = -r
			}
			return r
		})
	}
	pageItems := window(found, from, to)
	out := make([]map[string]any, len(pageItems))
	for i, e := range pageItems {
		out[i] = e.record()
	}
	return map[string]any{"total_count": len(found), "result_count": len(out), "endpoints": out}, nil
}

// Endpoint returns the endpoint with id as a client decodes it from
// get_endpoint (numbers are float64).
func (s *Server) Endpoint(id string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.st.endpointByID[id]
	if !ok {
		return nil, false
	}
	return asJSON(e.record()), true
}
