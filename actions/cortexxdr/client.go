package cortexxdr

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	"golang.org/x/time/rate"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/actions/internal/vendorcmd"
	"github.com/playbook-sh/playbook/actions/internal/vendorhttp"
)

// client sends one connection's requests.
type client struct {
	base     string // https://api-{fqdn}/public_api/v1
	prefix   string // /public_api/v1, for logs and messages
	keyID    string
	key      actions.Secret
	advanced bool
	http     *vendorhttp.Client
	// extraData paces get_incident_extra_data, which the API allows 10
	// times a minute per key [PA].
	extraData *rate.Limiter
	now       func() time.Time
}

// client returns the connection's client, made on first use.
func (x *XDR) client(conn *actions.Connection) (*client, error) {
	if conn == nil {
		return nil, errors.New("no cortex_xdr connection is bound to this task")
	}
	cfg, err := vendorhttp.ConfigFrom(conn)
	if err != nil {
		return nil, err
	}
	key := conn.Secrets[FieldAPIKey]
	fp := fingerprint(conn, cfg, key)
	x.mu.Lock()
	defer x.mu.Unlock()
	if c, ok := x.clients[fp]; ok {
		return c, nil
	}
	c, err := newClient(conn, cfg, key)
	if err != nil {
		return nil, err
	}
	x.clients[fp] = c
	return c, nil
}

// fingerprint identifies a connection's settings; the key enters only as
// a hash.
func fingerprint(conn *actions.Connection, cfg vendorhttp.Config, key actions.Secret) string {
	h := sha256.Sum256([]byte(key.Reveal()))
	return fmt.Sprintf("%s|%s|%s|%s|%+v|%x", conn.Settings[FieldServerURL], conn.Settings[FieldAPIKeyID],
		conn.Settings[FieldSecurityLevel], conn.Settings[FieldVersion], cfg, h[:8])
}

func newClient(conn *actions.Connection, cfg vendorhttp.Config, key actions.Secret) (*client, error) {
	raw := strings.TrimRight(conn.Settings[FieldServerURL], "/")
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("connection %s: server_url must be an https:// URL with a host", conn.Name)
	}
	if key.Reveal() == "" {
		return nil, fmt.Errorf("connection %s: api_key is not set", conn.Name)
	}
	id := strings.TrimSpace(conn.Settings[FieldAPIKeyID])
	if id == "" {
		return nil, fmt.Errorf("connection %s: api_key_id is not set", conn.Name)
	}
	version := conn.Settings[FieldVersion]
	if version == "" {
		version = "v1"
	}
	level := strings.ToLower(conn.Settings[FieldSecurityLevel])
	if level != "" && level != "advanced" && level != "standard" {
		return nil, fmt.Errorf("connection %s: security_level must be advanced or standard", conn.Name)
	}
	return &client{
		base:      raw + "/public_api/" + url.PathEscape(version),
		prefix:    "/public_api/" + url.PathEscape(version),
		keyID:     id,
		key:       key,
		advanced:  level != "standard",
		http:      vendorhttp.New(cfg),
		extraData: rate.NewLimiter(rate.Every(6*time.Second), 10),
		now:       time.Now,
	}, nil
}

// sign adds the auth headers: standard (the key) or advanced (nonce,
// timestamp and SHA-256 of key+nonce+timestamp) [PA], [XSOAR].
func (c *client) sign(h http.Header) error {
	h.Set("x-xdr-auth-id", c.keyID)
	if !c.advanced {
		h.Set("Authorization", c.key.Reveal())
		return nil
	}
	nonce, err := nonce64()
	if err != nil {
		return err
	}
	ts := strconv.FormatInt(c.now().UnixMilli(), 10)
	sum := sha256.Sum256([]byte(c.key.Reveal() + nonce + ts))
	h.Set("x-xdr-timestamp", ts)
	h.Set("x-xdr-nonce", nonce)
	h.Set("Authorization", hex.EncodeToString(sum[:]))
	return nil
}

const nonceChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// nonce64 returns 64 random characters from [A-Za-z0-9].
func nonce64() (string, error) {
	var b [64]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	for i := range b {
		// 256 % 62 leaves a slight bias; the nonce needs uniqueness, not
		// uniformity.
		b[i] = nonceChars[int(b[i])%len(nonceChars)]
	}
	return string(b[:]), nil
}

// call is one API call: a path under /public_api/{version}/ and its
// request_data.
type call struct {
	path    string // "endpoints/isolate/"
	data    any    // request_data; nil sends {}
	mutates bool
	maxBody int64
	// extraData marks get_incident_extra_data, which is paced.
	extraData bool
	// raw keeps the body as bytes (the XQL stream is not JSON).
	raw bool
	// top is the request's top-level fields besides request_data
	// (insert_jsons' validate).
	top map[string]any
}

// reply is a 2xx reply.
type reply struct {
	status   int
	body     []byte
	value    any // the decoded JSON; nil when raw
	attempts int
}

// failure is a call that did not succeed: a non-2xx reply, no reply, or a
// reply that is not JSON. status is 0 when no reply came.
type failure struct {
	status int
	msg    string
	raw    any // the decoded error body, if any
	err    error
}

func (f *failure) Error() string { return f.msg }

// do sends a call and decodes the reply.
func (c *client) do(ctx context.Context, log hclog.Logger, cl call) (*reply, *failure) {
	data := cl.data
	if data == nil {
		data = map[string]any{}
	}
	top := map[string]any{"request_data": data}
	for k, v := range cl.top {
		top[k] = v
	}
	body, err := json.Marshal(top)
	if err != nil {
		return nil, &failure{msg: "encode request: " + err.Error(), err: err}
	}
	if cl.extraData {
		if err := c.extraData.Wait(ctx); err != nil {
			return nil, &failure{msg: "cancelled while pacing get_incident_extra_data (10 calls a minute)", err: err}
		}
	}
	path := c.prefix + "/" + cl.path
	resp, err := c.http.Do(ctx, vendorhttp.Request{
		Method: http.MethodPost,
		URL:    c.base + "/" + cl.path,
		Path:   path,
		Body:   body,
		Header: http.Header{
			"Content-Type": {"application/json"},
			"Accept":       {"application/json"},
		},
		Sign:      c.sign,
		Mutates:   cl.mutates,
		Permanent: permanent,
		MaxBody:   cl.maxBody,
	}, log)
	if err != nil {
		return nil, &failure{msg: c.mask(err.Error()), err: err}
	}
	if resp.Status < 200 || resp.Status > 299 {
		return nil, c.errorReply(resp.Status, resp.Body)
	}
	r := &reply{status: resp.Status, body: resp.Body, attempts: resp.Attempts}
	if cl.raw {
		return r, nil
	}
	v, err := actions.DecodeJSON(resp.Body)
	if err != nil {
		return nil, &failure{status: resp.Status, msg: fmt.Sprintf("the reply from %s is not valid JSON: %v", path, err), err: err}
	}
	r.value = v
	return r, nil
}

// errorReply reads the vendor's error body:
// {"reply": {"err_code": 500, "err_msg": "...", "err_extra": "..."}} [PA], [R7].
func (c *client) errorReply(status int, body []byte) *failure {
	f := &failure{status: status}
	if v, err := actions.DecodeJSON(body); err == nil {
		f.raw = c.maskValue(v)
		m, _ := v.(map[string]any)
		if r, ok := m["reply"].(map[string]any); ok {
			m = r
		}
		msg, _ := m["err_msg"].(string)
		switch extra := m["err_extra"].(type) {
		case string:
			if extra != "" && msg != "" {
				msg += ": " + extra
			} else if extra != "" {
				msg = extra
			}
		case nil:
		default:
			if b, err := json.Marshal(extra); err == nil {
				msg += ": " + string(b)
			}
		}
		f.msg = c.mask(clip(msg))
	} else if len(bytes.TrimSpace(body)) > 0 {
		f.raw = c.mask(clip(strings.ToValidUTF8(string(body), "\uFFFD")))
		f.msg = f.raw.(string)
	}
	if f.msg == "" {
		f.msg = http.StatusText(status)
		if f.msg == "" {
			f.msg = "HTTP status " + strconv.Itoa(status)
		}
	}
	return f
}

// mask hides the key, should a reply or error ever quote it.
func (c *client) mask(s string) string {
	if k := c.key.Reveal(); len(k) >= 4 {
		s = strings.ReplaceAll(s, k, "[redacted]")
	}
	return s
}

// maskValue hides the credentials in every string of a decoded reply,
// keys included. It changes v in place.
func (c *client) maskValue(v any) any { return vendorcmd.MaskValue(v, c.mask) }

// permanent reports a 5xx that retrying cannot change: the vendor sends
// its business errors ("No endpoint was found for creating the requested
// action", "Incident 9 was not found") as 500 with err_extra [XSOAR], and
// an XQL syntax error as 500 with err_msg holding
// {"line", "column", "message"} [PA].
func permanent(status int, body []byte) bool {
	if status != http.StatusInternalServerError {
		return false
	}
	var e struct {
		Reply struct {
			ErrMsg   string `json:"err_msg"`
			ErrExtra any    `json:"err_extra"`
		} `json:"reply"`
	}
	if json.Unmarshal(body, &e) != nil {
		return false
	}
	var syntax struct {
		Line    *int   `json:"line"`
		Message string `json:"message"`
	}
	if json.Unmarshal([]byte(e.Reply.ErrMsg), &syntax) == nil && syntax.Line != nil && syntax.Message != "" {
		return true
	}
	s, _ := e.Reply.ErrExtra.(string)
	s = strings.ToLower(s)
	return strings.Contains(s, "not found") || strings.Contains(s, "no endpoint was found") ||
		strings.Contains(s, "invalid") || strings.Contains(s, "already")
}
