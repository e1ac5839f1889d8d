// Package console is playbook serve's web console: pages that show runs
// as graphs, the playbooks serve knows, ingested events and connection
// health, over a small JSON API (/api/...) that scripts may use too.
//
// Assets are embedded in the binary. Access is by user: a password for
// the browser login (a session cookie, CSRF token on every state change)
// or a bearer token for scripts; a viewer reads, a runner may also run a
// recorded run again. Reports reach the pages as the store holds them,
// with credentials already masked by the engine.
package console

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/store"
)

// Role is what a user may do.
type Role string

const (
	// Viewer reads runs, playbooks, events and connections.
	Viewer Role = "viewer"
	// Runner may also run a recorded run again with its inputs.
	Runner Role = "runner"
)

// User is one console user. At least one of Password (browser login,
// and HTTP Basic for reading) and Token (Authorization: Bearer) is set.
type User struct {
	Name     string
	Role     Role
	Password actions.Secret
	Token    actions.Secret
}

// Playbook is a playbook serve knows, as the Playbooks page shows it.
type Playbook struct {
	Name, File string
	// Compiled is the version serve runs; nil when it has none.
	Compiled  *engine.Compiled
	Schedules []Schedule
	Triggers  []string // "schedule:NAME", "intake:NAME", "webhook:NAME"
}

// Schedule is one schedule of a playbook with its next fire time.
type Schedule struct {
	Name, Spec string
	Next       time.Time
}

// Connection is a connection health checks cover.
type Connection struct {
	Name, Integration string
}

// Options configure a console.
type Options struct {
	Store *store.Store
	Users []User
	// Playbooks lists the playbooks serve knows, with their schedules'
	// next fire times as of now. It is called for every run page (for the
	// graph), so it should not read files.
	Playbooks func(ctx context.Context) []Playbook
	// Check validates a playbook file as it is now, for the Playbooks
	// page: its errors as "FILE:LINE:COL: message" lines, none when it is
	// valid. nil means no check.
	Check func(file string) []string
	// Load compiles a recorded run's playbook file for its graph when it
	// is not one of Playbooks; nil means no graph for such runs.
	Load func(file string) (*engine.Compiled, error)
	// Connections are the connections the health checks cover.
	Connections []Connection
	// Rerun starts a recorded run's playbook again with its inputs and
	// event, as user, and returns the new run's id at once.
	Rerun func(ctx context.Context, run store.Run, user string) (string, error)
	// SessionTTL bounds a browser session; 0 means 12h.
	SessionTTL time.Duration
	Logger     hclog.Logger
	// Now is the clock of sessions and login throttling; nil is time.Now.
	Now func() time.Time
}

// Server serves the console.
type Server struct {
	o   Options
	log hclog.Logger
	hub *hub

	mu       sync.Mutex
	sessions map[string]*session
	failures map[string]*loginFailures
}

// New returns a console over o. It is an error to have no users, a user
// with neither password nor token, an unknown role, or two users sharing
// a token.
func New(o Options) (*Server, error) {
	if o.Store == nil {
		return nil, errors.New("console: no state store")
	}
	if err := checkUsers(o.Users); err != nil {
		return nil, err
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = 12 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Playbooks == nil {
		o.Playbooks = func(context.Context) []Playbook { return nil }
	}
	log := o.Logger
	if log == nil {
		log = hclog.NewNullLogger()
	}
	return &Server{o: o, log: log, hub: newHub(), sessions: map[string]*session{}, failures: map[string]*loginFailures{}}, nil
}

// Handler serves the pages at / and the API at /api/.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/login", s.login)
	mux.HandleFunc("POST /api/logout", s.authed(Viewer, s.logout))
	mux.HandleFunc("GET /api/session", s.authed(Viewer, s.sessionInfo))
	mux.HandleFunc("GET /api/runs", s.authed(Viewer, s.listRuns))
	mux.HandleFunc("GET /api/runs/{id}", s.authed(Viewer, s.getRun))
	mux.HandleFunc("POST /api/runs/{id}/rerun", s.authed(Runner, s.rerun))
	mux.HandleFunc("GET /api/playbooks", s.authed(Viewer, s.listPlaybooks))
	mux.HandleFunc("GET /api/events", s.authed(Viewer, s.listEvents))
	mux.HandleFunc("GET /api/connections", s.authed(Viewer, s.listConnections))
	mux.HandleFunc("GET /api/stream", s.authed(Viewer, s.stream))
	pages := assetHandler()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/api/"):
			writeError(w, http.StatusNotFound, "no such API endpoint")
		case r.Method != http.MethodGet && r.Method != http.MethodHead:
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, http.StatusMethodNotAllowed, "pages are read with GET")
		default:
			pages.ServeHTTP(w, r)
		}
	})
	return headers(mux)
}

// contentSecurityPolicy allows the console's own scripts, styles and
// API only: no inline script or style, no other origin, no framing.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// headers sets the security headers of every response.
func headers(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", contentSecurityPolicy)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		hd.Set("Cross-Origin-Resource-Policy", "same-origin")
		hd.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if r.TLS != nil {
			hd.Set("Strict-Transport-Security", "max-age=31536000")
		}
		h.ServeHTTP(w, r)
	})
}
