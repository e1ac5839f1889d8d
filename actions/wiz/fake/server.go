package fake

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/playbook-sh/playbook/actions/internal/fakefault"
)

// Credentials of the default service account, which has every scope of
// [AllScopes].
const (
	// ClientID is the client ID of the default service account.
	ClientID = "vtqwhye1wlqd7o3bht6wla79h9ch2jzo15di85zzw34d03au3n01"
	// ClientSecret is the client secret of the default service account.
	ClientSecret = "BRFagKZh7pGc2RYi0yBSyRYLXObVaxQIDrJqUgc65wtjHZwTJxXsAdpE30JPiH5C"
	// ServiceAccountName is the default service account's name, the one a
	// note it writes is signed with (the name the D3 page suggests).
	ServiceAccountName = "D3 vSOC Integration"
)

// Scopes of a Wiz service account (API notes §2.8).
const (
	ScopeReadIssues             = "read:issues"
	ScopeReadCloudConfiguration = "read:cloud_configuration"
	ScopeReadVulnerabilities    = "read:vulnerabilities"
	ScopeReadProjects           = "read:projects"
	ScopeWriteIssueStatus       = "write:issue_status"
	ScopeWriteIssueDueAt        = "update:write:issue_due_at"
	ScopeWriteServiceTicket     = "write:service_ticket"
	ScopeWriteIssueComments     = "write:issue_comments"
)

// AllScopes returns every scope the wiz integration's commands need, in
// the order of API notes §2.8.
func AllScopes() []string {
	return []string{
		ScopeReadIssues, ScopeReadCloudConfiguration, ScopeReadVulnerabilities, ScopeReadProjects,
		ScopeWriteIssueStatus, ScopeWriteIssueDueAt, ScopeWriteServiceTicket, ScopeWriteIssueComments,
	}
}

// ServiceAccount is a Wiz service account the token endpoint accepts.
type ServiceAccount struct {
	ClientID, ClientSecret string
	// Scopes are the API scopes its tokens carry.
	Scopes []string
	// Name signs the notes it writes (serviceAccount.name); the client ID
	// when empty.
	Name string
}

// DefaultServiceAccount returns the default service account: [ClientID],
// [ClientSecret], every scope, named [ServiceAccountName].
func DefaultServiceAccount() ServiceAccount {
	return ServiceAccount{ClientID: ClientID, ClientSecret: ClientSecret, Scopes: AllScopes(), Name: ServiceAccountName}
}

// Option configures a [Server].
type Option func(*Server)

// WithServiceAccounts replaces the default service account with accts.
func WithServiceAccounts(accts ...ServiceAccount) Option {
	return func(s *Server) {
		s.accounts = make(map[string]ServiceAccount, len(accts))
		for _, a := range accts {
			a.Scopes = append([]string(nil), a.Scopes...)
			if a.Name == "" {
				a.Name = a.ClientID
			}
			s.accounts[a.ClientID] = a
		}
	}
}

// WithClock sets the clock, time.Now by default. New reads it once for the
// seed's anchor (see the package documentation); it is read again to judge
// token expiry and to stamp the times a mutation sets. With a fixed clock
// replies are byte-for-byte stable.
func WithClock(now func() time.Time) Option {
	return func(s *Server) { s.now = now }
}

// WithTokenTTL sets how long an access token is valid, 24 hours by default
// [V: Wiz-docs, expires_in 86400].
func WithTokenTTL(d time.Duration) Option {
	return func(s *Server) { s.ttl = d }
}

// WithGeneratedIssues adds n generated issues after the seeded ones, for
// pagination tests and benchmarks: all updated inside the 24 hours before
// the anchor, cycling through the issue types, the severities and the
// open statuses.
func WithGeneratedIssues(n int) Option {
	return func(s *Server) { s.generated = max(n, 0) }
}

// Server is a fake Wiz tenant: an http.Handler serving the token endpoint
// (POST /oauth/token) and the GraphQL API (POST /graphql) on seeded data.
// It is safe for concurrent use.
type Server struct {
	accounts  map[string]ServiceAccount
	now       func() time.Time
	ttl       time.Duration
	generated int

	faultMu sync.Mutex
	faults  []*Fault

	reqMu sync.Mutex
	reqs  []Request

	authMu sync.Mutex
	tokens map[string]issuedToken
	issued int

	mu sync.RWMutex // guards st
	st state
}

// New returns a server seeded with the data described in the package
// documentation, anchored at the clock's time.
func New(opts ...Option) *Server {
	s := &Server{now: time.Now, ttl: 24 * time.Hour, tokens: map[string]issuedToken{}}
	WithServiceAccounts(DefaultServiceAccount())(s)
	for _, o := range opts {
		o(s)
	}
	s.st = newState(s.now(), s.generated)
	return s
}

// Anchor returns the time the seed is anchored at: the clock's time when
// New ran. Seed times are offsets back from it.
func (s *Server) Anchor() time.Time { return s.st.anchor }

// maxBody caps a request body; larger bodies get 413.
const maxBody = 4 << 20

// Paths the server serves.
const (
	tokenPath   = "/oauth/token"
	graphqlPath = "/graphql"
)

// ServeHTTP serves one request: it records it, applies any injected fault,
// then routes, authenticates and handles it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body []byte
	var readErr error
	if r.Body != nil {
		body, readErr = io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	}
	tooLarge := len(body) > maxBody
	if tooLarge {
		body = body[:maxBody]
	}
	s.record(r, body)
	if readErr != nil {
		writeErrors(w, http.StatusBadRequest, false, newError(codeBadRequest, "could not read the request body"))
		return
	}
	f, ok := s.takeFault(r.URL.Path, func() []string { return operationFields(body) })
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

func (s *Server) handle(w http.ResponseWriter, r *http.Request, body []byte, tooLarge bool) {
	defer func() {
		// Nothing in the server should panic; if something does, answer
		// as the service would rather than drop the connection.
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			writeErrors(w, http.StatusInternalServerError, false, statusError(http.StatusInternalServerError))
		}
	}()
	switch strings.TrimSuffix(r.URL.Path, "/") {
	case tokenPath:
		s.serveToken(w, r, body, tooLarge)
	case graphqlPath:
		s.serveGraphQL(w, r, body, tooLarge)
	default:
		writeErrors(w, http.StatusNotFound, false, newError(codeNotFound, "Cannot "+r.Method+" "+r.URL.Path))
	}
}

// Request is one request the server received.
type Request struct {
	Method, Path string
	Header       http.Header
	// Form is the form body of a request to /oauth/token.
	Form url.Values
	// Query, OperationName and Variables are the fields of a request to
	// /graphql whose body is a JSON object. Variables is decoded as plain
	// JSON: numbers are float64.
	Query, OperationName string
	Variables            map[string]any
	// Body is the raw body, cut at the size limit.
	Body []byte
}

func (s *Server) record(r *http.Request, body []byte) {
	req := Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: bytes.Clone(body)}
	switch strings.TrimSuffix(r.URL.Path, "/") {
	case tokenPath:
		if form, err := url.ParseQuery(string(body)); err == nil {
			req.Form = form
		}
	case graphqlPath:
		// Each field on its own, so that one of the wrong type does not
		// hide the others.
		var b map[string]json.RawMessage
		if json.Unmarshal(body, &b) == nil {
			_ = json.Unmarshal(b["query"], &req.Query)
			_ = json.Unmarshal(b["operationName"], &req.OperationName)
			_ = json.Unmarshal(b["variables"], &req.Variables)
		}
	}
	s.reqMu.Lock()
	s.reqs = append(s.reqs, req)
	s.reqMu.Unlock()
}

// Requests returns a copy of every request received since New or the last
// ResetRequests, in order, faulted and refused ones included.
func (s *Server) Requests() []Request {
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	out := make([]Request, len(s.reqs))
	for i, r := range s.reqs {
		c := r
		c.Header = r.Header.Clone()
		c.Body = bytes.Clone(r.Body)
		if r.Form != nil {
			c.Form = url.Values{}
			for k, v := range r.Form {
				c.Form[k] = append([]string(nil), v...)
			}
		}
		if r.Variables != nil {
			c.Variables, _ = cloneJSON(r.Variables).(map[string]any)
		}
		out[i] = c
	}
	return out
}

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() {
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	s.reqs = nil
}
