package fake

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/playbook-sh/playbook/actions/internal/fakefault"
)

// Credentials of the default keys. Both keys have the Instance
// Administrator role and a Pro license.
const (
	// StandardKeyID is the ID of the default standard-security key.
	StandardKeyID = "1"
	// StandardKey is the secret of the default standard-security key; a
	// client sends it as the Authorization header.
	StandardKey = "Vfh9zdScdPorvijC9J111Ffi6NawbFygFa7lRY43gOv62pltuXbkWpAtvpD93AHdMdCCkvPFZlFTDgy2jQJ0YFFLOU48T2aShRj0WIj39LEnEDlnYHckP3szHTASXPvd"
	// AdvancedKeyID is the ID of the default advanced-security key.
	AdvancedKeyID = "2"
	// AdvancedKey is the secret of the default advanced-security key; a
	// client sends lower-hex SHA-256(key + nonce + timestamp) as the
	// Authorization header.
	AdvancedKey = "hlqt4SuaKtwYwE73Bk2cyRwmWWIIBiC9PhGH1GVHckH07RfOO6ESGkOeNs7rvhE9KTlLlNa7XzukcLG8ZUJ9ZDMFSqB3DD8FGjjePcb3ym6czcaHSZVDejP0EI1wO4PI"
)

// Key is an API key the server accepts.
type Key struct {
	ID, Secret string
	// Advanced is the key's security level: an advanced key must sign each
	// request with a nonce and a timestamp, a standard key sends its secret.
	// The level is fixed: a key sent in the other form is refused [INF].
	Advanced bool
	// Admin is the Instance Administrator role, needed for
	// /indicators/insert, /indicators/get and /indicators/delete (else 403)
	// [D3], [PA-XSIAM].
	Admin bool
	// Pro is a Pro license, needed for /xql/*, /scripts/*, file retrieval
	// and /indicators/insert_jsons (else 402) [PA].
	Pro bool
}

// DefaultKeys returns the standard and the advanced default key, both with
// the Admin role and a Pro license.
func DefaultKeys() []Key {
	return []Key{
		{ID: StandardKeyID, Secret: StandardKey, Admin: true, Pro: true},
		{ID: AdvancedKeyID, Secret: AdvancedKey, Advanced: true, Admin: true, Pro: true},
	}
}

// Option configures a [Server].
type Option func(*Server)

// WithKeys replaces the default keys with keys.
func WithKeys(keys ...Key) Option {
	return func(s *Server) {
		s.keys = make(map[string]Key, len(keys))
		for _, k := range keys {
			s.keys[k.ID] = k
		}
	}
}

// WithClock sets the clock, time.Now by default. It is read for the
// advanced-key timestamp window, nonce expiry, the extra-data rate limit
// and the times the server stamps on changed objects (an updated incident's
// modification_time, an inserted IOC's dates, an isolation date). Seed data
// never depends on it.
func WithClock(now func() time.Time) Option {
	return func(s *Server) { s.now = now }
}

// WithTimestampWindow sets how far an advanced key's x-xdr-timestamp may be
// from the clock, and how long a nonce is remembered; 5 minutes by default
// [INF].
func WithTimestampWindow(d time.Duration) Option {
	return func(s *Server) { s.window = d }
}

// WithPendingPolls sets how many polls an action or an XQL query stays
// unfinished, 2 by default. get_action_status reports PENDING on the first
// poll and IN_PROGRESS on the later ones of those n, then the terminal
// status; get_query_results reports PENDING for n polls, then SUCCESS.
// 0 makes everything finish on the first poll.
func WithPendingPolls(n int) Option {
	return func(s *Server) { s.pendingPolls = max(n, 0) }
}

// WithExtraDataRate sets how many get_incident_extra_data calls a key may
// make per minute, 10 by default [PA]; 0 disables the limit.
func WithExtraDataRate(perMinute int) Option {
	return func(s *Server) { s.extraRate = max(perMinute, 0) }
}

// WithEndpoints adds n generated endpoints after the seeded ones, for
// benchmarks: named bench-host-0001 and on, CONNECTED, with Windows, Linux
// and macOS in turn, and 32-hex IDs derived from the index.
func WithEndpoints(n int) Option {
	return func(s *Server) { s.benchHosts = max(n, 0) }
}

// WithMaxConcurrentQueries sets how many XQL queries may run at once, 4 by
// default [PA]; 0 removes the limit.
func WithMaxConcurrentQueries(n int) Option {
	return func(s *Server) { s.maxQueries = max(n, 0) }
}

// Server is a fake Cortex XDR tenant: an http.Handler serving the public API
// under /public_api/v1/ on seeded data. It is safe for concurrent use.
type Server struct {
	keys         map[string]Key
	now          func() time.Time
	window       time.Duration
	pendingPolls int
	extraRate    int
	maxQueries   int
	benchHosts   int

	faultMu sync.Mutex
	faults  []*Fault

	reqMu sync.Mutex
	reqs  []Request

	mu sync.Mutex // guards everything below
	st state
}

// New returns a server seeded with the data described in the package
// documentation.
func New(opts ...Option) *Server {
	s := &Server{
		now:          time.Now,
		window:       5 * time.Minute,
		pendingPolls: 2,
		extraRate:    10,
		maxQueries:   4,
	}
	WithKeys(DefaultKeys()...)(s)
	for _, o := range opts {
		o(s)
	}
	s.st = newState(s.benchHosts)
	return s
}

// maxBody caps a request body; larger bodies get 413.
const maxBody = 8 << 20

// ServeHTTP serves one API request: it records it, applies any injected
// fault, then routes, authenticates and handles it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body []byte
	var err error
	if r.Body != nil {
		body, err = io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	}
	tooLarge := len(body) > maxBody
	if tooLarge {
		body = body[:maxBody]
	}
	s.record(r, body)
	if err != nil {
		writeError(w, r, errorf(http.StatusBadRequest, msgBadJSON, "could not read the request body"))
		return
	}
	f, ok := s.takeFault(r.URL.Path)
	if !ok {
		s.handle(w, r, body, tooLarge)
		return
	}
	if !applyFault(w, r, f) {
		return
	}
	if f.Truncate {
		tw := fakefault.NewTruncWriter(w.Header())
		s.handle(tw, r, body, tooLarge)
		tw.Finish(w)
		return
	}
	s.handle(w, r, body, tooLarge)
}

// call is one authenticated API request being handled.
type call struct {
	r    *http.Request
	w    http.ResponseWriter
	key  Key
	now  time.Time
	body []byte
	top  map[string]json.RawMessage // the whole body, for siblings of request_data
	data json.RawMessage            // request_data
}

// handler serves one API path. It returns the value to send inside the
// reply envelope, or an error. A handler that writes the response itself
// returns [written].
type handler func(s *Server, c *call) (any, *apiError)

type permission int

const (
	permNone  permission = iota
	permAdmin            // Instance Administrator role (403)
	permPro              // Pro license (402)
)

type route struct {
	h    handler
	perm permission
}

// routes maps a path below /public_api/v1/, without slashes at either end,
// to its handler.
var routes = map[string]route{
	"incidents/get_incidents":                    {h: (*Server).getIncidents},
	"incidents/get_incident_extra_data":          {h: (*Server).getIncidentExtraData},
	"incidents/update_incident":                  {h: (*Server).updateIncident},
	"endpoints/get_endpoint":                     {h: (*Server).getEndpoint},
	"endpoints/isolate":                          {h: (*Server).isolate},
	"endpoints/unisolate":                        {h: (*Server).unisolate},
	"endpoints/scan":                             {h: (*Server).scan},
	"endpoints/abort_scan":                       {h: (*Server).abortScan},
	"endpoints/file_retrieval":                   {h: (*Server).fileRetrieval, perm: permPro},
	"actions/get_action_status":                  {h: (*Server).getActionStatus},
	"actions/file_retrieval_details":             {h: (*Server).fileRetrievalDetails, perm: permPro},
	"scripts/run_snippet_code_script":            {h: (*Server).runSnippet, perm: permPro},
	"scripts/get_script_execution_status":        {h: (*Server).scriptStatus, perm: permPro},
	"scripts/get_script_execution_results":       {h: (*Server).scriptResults, perm: permPro},
	"scripts/get_script_execution_results_files": {h: (*Server).scriptResultFiles, perm: permPro},
	"xql/start_xql_query":                        {h: (*Server).startQuery, perm: permPro},
	"xql/get_query_results":                      {h: (*Server).queryResults, perm: permPro},
	"xql/get_query_results_stream":               {h: (*Server).queryStream, perm: permPro},
	"xql/get_quota":                              {h: (*Server).quota, perm: permPro},
	"indicators/insert":                          {h: (*Server).insertIOCs, perm: permAdmin},
	"indicators/insert_jsons":                    {h: (*Server).insertJSONs, perm: permPro},
	"indicators/get":                             {h: (*Server).getIOCs, perm: permAdmin},
	"indicators/delete":                          {h: (*Server).deleteIOCs, perm: permAdmin},
	"alerts/get_alerts_pcap":                     {h: (*Server).alertsPCAP},
}

// paths returns the API paths the server serves, each as
// /public_api/v1/<api>/<call>/ (the download link excepted), sorted.
func paths() []string {
	out := make([]string, 0, len(routes))
	for p := range routes {
		out = append(out, apiPrefix+p+"/")
	}
	slices.Sort(out)
	return out
}

const (
	apiPrefix      = "/public_api/v1/"
	downloadPrefix = "download/"
)

func (s *Server) handle(w http.ResponseWriter, r *http.Request, body []byte, tooLarge bool) {
	name, ok := strings.CutPrefix(r.URL.Path, apiPrefix)
	name = strings.Trim(name, "/")
	rt, known := routes[name]
	token, download := strings.CutPrefix(name, downloadPrefix)
	download = download && token != "" && !strings.Contains(token, "/")
	if !ok || (!known && !download) {
		notFound(w, r)
		return
	}
	if r.Method != http.MethodPost && !(download && r.Method == http.MethodGet) {
		if download {
			w.Header().Set("Allow", "GET, POST")
		} else {
			w.Header().Set("Allow", "POST")
		}
		writeError(w, r, errorf(http.StatusMethodNotAllowed, "Method Not Allowed", "%s is not allowed on %s", r.Method, r.URL.Path))
		return
	}
	key, ok := s.authenticate(r)
	if !ok {
		writeError(w, r, errUnauthorized)
		return
	}
	if download {
		s.download(w, r, token)
		return
	}
	switch {
	case rt.perm == permAdmin && !key.Admin:
		writeError(w, r, errForbidden)
		return
	case rt.perm == permPro && !key.Pro:
		writeError(w, r, errLicense)
		return
	case tooLarge:
		writeError(w, r, errorf(http.StatusRequestEntityTooLarge, "Request entity too large", "the request body is larger than %d bytes", maxBody))
		return
	}
	c := &call{r: r, w: w, key: key, now: s.now(), body: body}
	if e := c.parseBody(); e != nil {
		writeError(w, r, e)
		return
	}
	reply, e := rt.h(s, c)
	if e != nil {
		writeError(w, r, e)
		return
	}
	switch v := reply.(type) {
	case writtenReply:
	case unwrapped:
		writeJSON(w, r, http.StatusOK, v.v)
	default:
		writeJSON(w, r, http.StatusOK, map[string]any{"reply": reply})
	}
}

// parseBody decodes the body's top-level object and its request_data.
func (c *call) parseBody() *apiError {
	if err := json.Unmarshal(c.body, &c.top); err != nil {
		var ute *json.UnmarshalTypeError
		if !errors.As(err, &ute) {
			return errorf(http.StatusBadRequest, msgBadJSON, "%s", err.Error())
		}
	}
	d, ok := c.top["request_data"]
	if !ok || isNull(d) {
		// A missing request_data: the body a third-party client's test
		// recorded for this API family [R7].
		return errorf(http.StatusInternalServerError, "An unexpected behavior occurred by Cortex Pubic API", "Missing required param: `request_data`")
	}
	c.data = d
	return nil
}

// unwrapped is a reply sent as is, without the {"reply": ...} envelope.
type unwrapped struct{ v any }

// writtenReply is the type of [written].
type writtenReply struct{}

// written is returned by a handler that wrote its own response.
var written = writtenReply{}

// notFound writes the plain 404 the service sends for a path it does not
// know [R7].
func notFound(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprintf(w, "The object at %s does not exist", baseURL(r)+r.URL.Path)
}

// baseURL is the scheme and host the request was sent to.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	host := r.Host
	if host == "" {
		host = "localhost"
	}
	return scheme + "://" + host
}
