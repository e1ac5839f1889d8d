package console

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// sessionCookie names the browser session's cookie.
const sessionCookie = "playbook_session"

// Login throttling: after maxLoginFailures failed logins for one user
// name within loginWindow, logins for it are refused for loginLockout.
const (
	maxLoginFailures = 5
	loginWindow      = 5 * time.Minute
	loginLockout     = time.Minute
)

type session struct {
	user    *User
	csrf    string
	expires time.Time
}

type loginFailures struct {
	count int
	first time.Time
	until time.Time
}

// principal is who made a request, and how.
type principal struct {
	user *User
	// sess is the browser session, nil for Bearer and Basic requests.
	sess  *session
	token string // the session id, for logout
	basic bool
}

func checkUsers(users []User) error {
	if len(users) == 0 {
		return fmt.Errorf("console: no users (add console: users: NAME: {password: env:..., role: viewer})")
	}
	tokens := map[string]string{}
	for _, u := range users {
		if u.Role != Viewer && u.Role != Runner {
			return fmt.Errorf("console: user %s: role must be viewer or runner, got %q", u.Name, u.Role)
		}
		if u.Password.Reveal() == "" && u.Token.Reveal() == "" {
			return fmt.Errorf("console: user %s has neither a password nor a token", u.Name)
		}
		if t := u.Token.Reveal(); t != "" {
			if len(t) < 16 {
				return fmt.Errorf("console: user %s: the token is shorter than 16 characters", u.Name)
			}
			if other, dup := tokens[t]; dup {
				return fmt.Errorf("console: users %s and %s share a token", other, u.Name)
			}
			tokens[t] = u.Name
		}
	}
	return nil
}

// equal compares secrets in time independent of where they differ and
// of their lengths.
func equal(a, b string) bool {
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1 && a != "" && b != ""
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// authenticate finds who made r: a session cookie, a bearer token, or
// HTTP Basic with a user's password. nil means nobody.
func (s *Server) authenticate(r *http.Request) *principal {
	if h := r.Header.Get("Authorization"); h != "" {
		if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
			var found *User
			for i := range s.o.Users {
				// Every user is compared, so timing does not tell which.
				if u := &s.o.Users[i]; equal(tok, u.Token.Reveal()) {
					found = u
				}
			}
			if found != nil {
				return &principal{user: found}
			}
			return nil
		}
		if name, pass, ok := r.BasicAuth(); ok {
			if u := s.checkPassword(name, pass); u != nil {
				return &principal{user: u, basic: true}
			}
		}
		return nil
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.sessions[c.Value]
	if sess == nil {
		return nil
	}
	if !s.o.Now().Before(sess.expires) {
		delete(s.sessions, c.Value)
		return nil
	}
	return &principal{user: sess.user, sess: sess, token: c.Value}
}

func (s *Server) checkPassword(name, pass string) *User {
	var found *User
	for i := range s.o.Users {
		u := &s.o.Users[i]
		if equal(pass, u.Password.Reveal()) && u.Name == name {
			found = u
		}
	}
	return found
}

// authed wraps a handler with authentication, the role check, and, for
// state changes, CSRF protection: a browser session must send its CSRF
// token in X-CSRF-Token; HTTP Basic (which browsers resend on their own)
// may only read; a bearer token is never sent by a browser unasked.
func (s *Server) authed(role Role, h func(http.ResponseWriter, *http.Request, *principal)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p := s.authenticate(r)
		if p == nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="playbook console"`)
			writeError(w, http.StatusUnauthorized, "log in, or send Authorization: Bearer TOKEN")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			switch {
			case p.basic:
				writeError(w, http.StatusForbidden, "HTTP Basic may only read: log in, or use a token")
				return
			case p.sess != nil && !equal(r.Header.Get("X-CSRF-Token"), p.sess.csrf):
				writeError(w, http.StatusForbidden, "missing or wrong X-CSRF-Token")
				return
			}
		}
		if role == Runner && p.user.Role != Runner {
			writeError(w, http.StatusForbidden, "the runner role is needed")
			return
		}
		h(w, r, p)
	}
}

// sameOrigin reports whether a browser request came from the console's
// own pages: its Origin, when sent, names this host.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return r.Header.Get("Sec-Fetch-Site") != "cross-site"
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		writeError(w, http.StatusForbidden, "cross-origin login refused")
		return
	}
	var req struct {
		User     string `json:"user"`
		Password string `json:"password"`
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 4096))
	if err != nil || json.Unmarshal(body, &req) != nil || req.User == "" {
		writeError(w, http.StatusBadRequest, `send {"user": "...", "password": "..."}`)
		return
	}
	now := s.o.Now()
	s.mu.Lock()
	f := s.failures[req.User]
	if f != nil && now.Before(f.until) {
		s.mu.Unlock()
		w.Header().Set("Retry-After", fmt.Sprint(int(f.until.Sub(now).Seconds())+1))
		writeError(w, http.StatusTooManyRequests, "too many failed logins: try again later")
		return
	}
	s.mu.Unlock()
	u := s.checkPassword(req.User, req.Password)
	s.mu.Lock()
	defer s.mu.Unlock()
	if u == nil {
		if f == nil || now.Sub(f.first) > loginWindow {
			f = &loginFailures{first: now}
			s.failures[req.User] = f
		}
		f.count++
		if f.count >= maxLoginFailures {
			f.until, f.count, f.first = now.Add(loginLockout), 0, now
		}
		s.log.Warn("console login failed", "user", req.User, "remote", r.RemoteAddr)
		writeError(w, http.StatusUnauthorized, "wrong user name or password")
		return
	}
	delete(s.failures, req.User)
	s.expireSessions(now)
	id := randomToken()
	sess := &session{user: u, csrf: randomToken(), expires: now.Add(s.o.SessionTTL)}
	s.sessions[id] = sess
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode, MaxAge: int(s.o.SessionTTL.Seconds())})
	s.log.Info("console login", "user", u.Name, "role", u.Role)
	writeJSON(w, http.StatusOK, sessionJSON(u, sess))
}

// expireSessions drops ended sessions; s.mu is held.
func (s *Server) expireSessions(now time.Time) {
	for id, sess := range s.sessions {
		if !now.Before(sess.expires) {
			delete(s.sessions, id)
		}
	}
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, p *principal) {
	if p.sess != nil {
		s.mu.Lock()
		delete(s.sessions, p.token)
		s.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode, MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) sessionInfo(w http.ResponseWriter, r *http.Request, p *principal) {
	writeJSON(w, http.StatusOK, sessionJSON(p.user, p.sess))
}

func sessionJSON(u *User, sess *session) map[string]any {
	m := map[string]any{"user": u.Name, "role": u.Role}
	if sess != nil {
		m["csrf"] = sess.csrf
	}
	return m
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true) // the pages build DOM from text, but be safe in any viewer
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}
