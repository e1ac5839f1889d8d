package fake

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"
)

// nonceLen is the length of an advanced key's x-xdr-nonce [PA].
const nonceLen = 64

// authenticate checks the request's key headers [PA], [R7]:
//
//   - standard key: x-xdr-auth-id and Authorization = the secret;
//   - advanced key: x-xdr-auth-id, x-xdr-nonce (64 characters of
//     [A-Za-z0-9]), x-xdr-timestamp (epoch ms within the window of the
//     clock) and Authorization = lower-hex SHA-256(secret+nonce+timestamp).
//
// A key sent in the other level's form fails, and so does an advanced
// request whose nonce the same key used within the window [INF].
func (s *Server) authenticate(r *http.Request) (Key, bool) {
	key, ok := s.keys[r.Header.Get("x-xdr-auth-id")]
	if !ok || key.Secret == "" {
		return Key{}, false
	}
	auth := r.Header.Get("Authorization")
	nonce, hasNonce := headerValue(r, "x-xdr-nonce")
	stamp, hasStamp := headerValue(r, "x-xdr-timestamp")
	if !key.Advanced {
		if hasNonce || hasStamp {
			return Key{}, false
		}
		return key, subtle.ConstantTimeCompare([]byte(auth), []byte(key.Secret)) == 1
	}
	if !validNonce(nonce) {
		return Key{}, false
	}
	ms, err := strconv.ParseInt(stamp, 10, 64)
	if err != nil {
		return Key{}, false
	}
	now := s.now()
	if d := now.Sub(time.UnixMilli(ms)); d > s.window || d < -s.window {
		return Key{}, false
	}
	sum := sha256.Sum256([]byte(key.Secret + nonce + stamp))
	want := hex.EncodeToString(sum[:])
	if subtle.ConstantTimeCompare([]byte(auth), []byte(want)) != 1 {
		return Key{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return key, s.st.nonces.use(key.ID+":"+nonce, now, s.window)
}

func headerValue(r *http.Request, name string) (string, bool) {
	v := r.Header.Values(name)
	if len(v) == 0 {
		return "", false
	}
	return v[0], true
}

func validNonce(n string) bool {
	if len(n) != nonceLen {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// nonceStore remembers the nonces used within the timestamp window.
type nonceStore struct {
	seen  map[string]time.Time
	order []nonceUse // in the order they were used
}

type nonceUse struct {
	id string
	at time.Time
}

// use records the nonce id at now and reports whether it was unused within
// window. Nonces older than the window are forgotten.
func (n *nonceStore) use(id string, now time.Time, window time.Duration) bool {
	if n.seen == nil {
		n.seen = make(map[string]time.Time)
	}
	drop := 0
	for drop < len(n.order) && now.Sub(n.order[drop].at) > window {
		if n.seen[n.order[drop].id].Equal(n.order[drop].at) {
			delete(n.seen, n.order[drop].id)
		}
		drop++
	}
	if drop > 0 {
		n.order = append(n.order[:0], n.order[drop:]...)
	}
	if at, ok := n.seen[id]; ok {
		if d := now.Sub(at); d <= window && d >= -window {
			return false
		}
	}
	n.seen[id] = now
	n.order = append(n.order, nonceUse{id: id, at: now})
	return true
}

// rateLimiter counts calls per key over a sliding minute.
type rateLimiter struct {
	calls map[string][]time.Time
}

// allow records a call by key at now and reports whether it is within
// limit calls per minute; when it is not, wait is how long until the
// oldest counted call leaves the window.
func (l *rateLimiter) allow(key string, now time.Time, limit int) (ok bool, wait time.Duration) {
	if limit <= 0 {
		return true, 0
	}
	if l.calls == nil {
		l.calls = make(map[string][]time.Time)
	}
	calls := l.calls[key]
	keep := calls[:0]
	for _, t := range calls {
		if now.Sub(t) < time.Minute && !t.After(now) {
			keep = append(keep, t)
		}
	}
	if len(keep) >= limit {
		l.calls[key] = keep
		return false, time.Minute - now.Sub(keep[0])
	}
	l.calls[key] = append(keep, now)
	return true, 0
}
