package fake

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Audience is the audience the token endpoint requires: the Cognito-era
// value every current tenant uses [V: XSOAR-Wiz, Sentinel-CCF].
const Audience = "wiz-api"

// tokenIssuer is the iss claim of issued tokens.
const tokenIssuer = "https://auth.app.wiz.io/"

// signingKey signs issued tokens. Clients never verify the signature; it
// only makes tokens look like, and be as opaque as, the real ones.
var signingKey = []byte("wiz-fake-token-signing-key")

// issuedToken is an access token the server handed out.
type issuedToken struct {
	clientID string
	expires  time.Time
}

// serveToken serves POST /oauth/token: the OAuth 2.0 client-credentials
// grant of API notes §1.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request, body []byte, tooLarge bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeOAuthError(w, oauthError{http.StatusMethodNotAllowed, "invalid_request", "The token endpoint only accepts POST"})
		return
	}
	if tooLarge {
		writeOAuthError(w, oauthError{http.StatusRequestEntityTooLarge, "invalid_request", "Request entity too large"})
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		writeOAuthError(w, oauthError{http.StatusBadRequest, "invalid_request", "Content-Type must be application/x-www-form-urlencoded"})
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		writeOAuthError(w, oauthError{http.StatusBadRequest, "invalid_request", "Malformed form body"})
		return
	}
	// RFC 6749 §3.2: parameters must not appear more than once.
	for _, k := range []string{"grant_type", "audience", "client_id", "client_secret"} {
		switch v := form[k]; {
		case len(v) > 1:
			writeOAuthError(w, oauthError{http.StatusBadRequest, "invalid_request", "Duplicate parameter: " + k})
			return
		case len(v) == 0 || v[0] == "":
			writeOAuthError(w, oauthError{http.StatusBadRequest, "invalid_request", "Missing required parameter: " + k})
			return
		}
	}
	if form.Get("grant_type") != "client_credentials" {
		writeOAuthError(w, oauthError{http.StatusBadRequest, "invalid_request", "Unsupported grant_type: " + form.Get("grant_type")})
		return
	}
	acct, ok := s.accounts[form.Get("client_id")]
	if !ok || subtle.ConstantTimeCompare([]byte(acct.ClientSecret), []byte(form.Get("client_secret"))) != 1 {
		writeOAuthError(w, oauthError{http.StatusUnauthorized, "access_denied", "Unauthorized"})
		return
	}
	if form.Get("audience") != Audience {
		writeOAuthError(w, oauthError{http.StatusBadRequest, "invalid_grant", "Invalid audience: " + form.Get("audience")})
		return
	}
	tok, ttl := s.issue(acct)
	o := &ordered{}
	o.add("access_token", tok)
	o.add("expires_in", int64(ttl/time.Second))
	o.add("token_type", "Bearer")
	b, _ := encodeJSON(o)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeBody(w, http.StatusOK, b)
}

// issue makes a fresh access token for acct: a JWT-shaped string whose
// payload carries iss, sub, aud, client_id, scope, iat, exp and a unique
// jti. Token n of a server is the same on every server with the same clock.
func (s *Server) issue(acct ServiceAccount) (string, time.Duration) {
	now := s.now()
	s.authMu.Lock()
	defer s.authMu.Unlock()
	s.issued++
	exp := now.Add(s.ttl)
	header := `{"alg":"HS256","kid":"wiz-fake-1","typ":"JWT"}`
	p := &ordered{}
	p.add("iss", tokenIssuer)
	p.add("sub", acct.ClientID)
	p.add("aud", Audience)
	p.add("client_id", acct.ClientID)
	p.add("scope", strings.Join(acct.Scopes, " "))
	p.add("iat", now.Unix())
	p.add("exp", exp.Unix())
	p.add("jti", uuidOf("token", fmt.Sprint(s.issued)))
	payload, _ := encodeJSON(p)
	enc := base64.RawURLEncoding
	signed := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString(payload)
	mac := hmac.New(sha256.New, signingKey)
	mac.Write([]byte(signed))
	tok := signed + "." + enc.EncodeToString(mac.Sum(nil))
	// Forget expired tokens now and then, so a long-running server does not
	// grow without bound.
	if len(s.tokens) >= 1024 {
		for k, t := range s.tokens {
			if !now.Before(t.expires) {
				delete(s.tokens, k)
			}
		}
	}
	s.tokens[tok] = issuedToken{clientID: acct.ClientID, expires: exp}
	return tok, s.ttl
}

// authenticate returns the service account of the request's bearer token.
// The scheme is case-insensitive [V: Wiz-docs cURL uses "bearer"]; a
// missing, unknown, revoked or expired token (judged on the server clock)
// fails.
func (s *Server) authenticate(r *http.Request) (ServiceAccount, bool) {
	scheme, tok, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	tok = strings.TrimSpace(tok)
	if !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return ServiceAccount{}, false
	}
	now := s.now()
	s.authMu.Lock()
	t, ok := s.tokens[tok]
	s.authMu.Unlock()
	if !ok || !now.Before(t.expires) {
		return ServiceAccount{}, false
	}
	acct, ok := s.accounts[t.clientID]
	return acct, ok
}

// TokensIssued returns how many access tokens the token endpoint has
// issued.
func (s *Server) TokensIssued() int {
	s.authMu.Lock()
	defer s.authMu.Unlock()
	return s.issued
}

// RevokeTokens invalidates every token issued so far: a client holding one
// gets 401 UNAUTHENTICATED and must fetch a new one.
func (s *Server) RevokeTokens() {
	s.authMu.Lock()
	defer s.authMu.Unlock()
	clear(s.tokens)
}

// Token issues an access token for the service account with clientID
// without a request, for tests that call /graphql directly. It returns ""
// when there is no such account. It counts in [Server.TokensIssued].
func (s *Server) Token(clientID string) string {
	acct, ok := s.accounts[clientID]
	if !ok {
		return ""
	}
	tok, _ := s.issue(acct)
	return tok
}
