package actions

import (
	"net/url"
	"strings"
)

// credentialWords mark a header, query parameter or input key that may
// hold a credential.
var credentialWords = []string{"auth", "token", "key", "secret", "password", "passwd", "cookie", "session", "signature", "credential"}

// SensitiveName reports whether a header, query parameter or key name
// suggests a credential (Authorization, X-Api-Key, access_token, Cookie).
func SensitiveName(name string) bool {
	n := strings.ToLower(name)
	for _, w := range credentialWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// MaskSensitive returns v (JSON-shaped) with every scalar under a key that
// [SensitiveName] flags replaced by "[redacted]", and every [Secret]
// likewise. v itself is not changed. Reports use it for the inputs a task
// was called with.
func MaskSensitive(v any) any {
	switch x := v.(type) {
	case Secret:
		return "[redacted]"
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if SensitiveName(k) {
				if _, isMap := e.(map[string]any); !isMap {
					out[k] = "[redacted]"
					continue
				}
			}
			out[k] = MaskSensitive(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = MaskSensitive(e)
		}
		return out
	case string:
		return MaskURL(x)
	}
	return v
}

// MaskURL masks the password of an http(s) URL and the values of its
// query parameters that [SensitiveName] flags; any other string is
// returned as it is.
func MaskURL(s string) string {
	if !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "[redacted]")
	}
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		for i, p := range parts {
			k, _, _ := strings.Cut(p, "=")
			if name, err := url.QueryUnescape(k); err == nil && SensitiveName(name) {
				parts[i] = k + "=[redacted]"
			}
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	return u.String()
}
