package http

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/actions/internal/vendorcmd"
)

// clip cuts a response body an error message quotes.
var clip = vendorcmd.Clip

// fail returns a Failed envelope of http.request; StatusCodes holds the
// status when there is one.
func fail(status int, msg string, cause error) actions.Envelope {
	env := actions.Fail(spec.FailureIndicator(), status, msg, cause)
	env.KeyFields = statusCodes(status)
	return env
}

func statusCodes(status int) map[string][]any {
	if status == 0 {
		return map[string][]any{"StatusCodes": {}}
	}
	return map[string][]any{"StatusCodes": {int64(status)}}
}

// envelope turns a response and its body, read up to c.maxBody+1 bytes,
// into the envelope: Successful for 2xx, else Failed with the body's
// message. Raw Data is the decoded body either way.
func (c *command) envelope(resp *http.Response, body []byte, p *prepared) actions.Envelope {
	code := resp.StatusCode
	result := resultTable(code, p.safeURL)
	if int64(len(body)) > c.maxBody {
		env := fail(code, "response body exceeds "+size(c.maxBody), nil)
		env.Result = result
		return env
	}
	raw := decodeBody(body)
	if code >= 200 && code < 300 {
		return actions.Envelope{
			ReturnData: actions.Successful,
			RawData:    raw,
			KeyFields:  statusCodes(code),
			Result:     result,
		}
	}
	env := fail(code, p.mask(message(raw, body, code)), nil)
	env.RawData = raw
	env.Result = result
	return env
}

// transportFailure is the envelope of a request that got no response. The
// message and cause name the URL as scheme://host/path only, and a timeout
// of the request's own timeout input says so.
func transportFailure(parent, reqCtx context.Context, err error, p *prepared, timeout time.Duration) actions.Envelope {
	op := "request"
	if ue, ok := errors.AsType[*url.Error](err); ok {
		op = ue.Op
		err = &url.Error{Op: ue.Op, URL: p.safeURL, Err: ue.Err}
	}
	msg := err.Error()
	if parent.Err() == nil && reqCtx.Err() != nil && errors.Is(err, context.DeadlineExceeded) {
		msg = fmt.Sprintf("%s %q: timed out after %s", op, p.safeURL, timeout)
	}
	return fail(0, p.mask(msg), err)
}

// decodeBody returns the body decoded as JSON when it is JSON, else as
// text; an empty body is nil.
func decodeBody(body []byte) any {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if v, err := actions.DecodeJSON(body); err == nil {
		return v
	}
	return strings.ToValidUTF8(string(body), "\uFFFD")
}

// message finds the error message of a failed response: the JSON body's
// message, error (a string or {message}), detail or error_description,
// else the body text, else the status text.
func message(raw any, body []byte, code int) string {
	if m, ok := raw.(map[string]any); ok {
		if s, ok := m["message"].(string); ok && s != "" {
			return clip(s)
		}
		switch e := m["error"].(type) {
		case string:
			if e != "" {
				return clip(e)
			}
		case map[string]any:
			if s, ok := e["message"].(string); ok && s != "" {
				return clip(s)
			}
		}
		for _, k := range []string{"detail", "error_description"} {
			if s, ok := m[k].(string); ok && s != "" {
				return clip(s)
			}
		}
	}
	if s := strings.TrimSpace(strings.ToValidUTF8(string(body), "\uFFFD")); s != "" {
		return clip(s)
	}
	if s := http.StatusText(code); s != "" {
		return s
	}
	return "HTTP status " + strconv.Itoa(code)
}

// resultTable is the Result: status and URL as an HTML table, as the D3
// pages show it. It never shows headers or the query.
func resultTable(code int, safeURL string) string {
	return "<table><tr><th>Status Code</th><td>" + strconv.Itoa(code) +
		"</td></tr><tr><th>URL</th><td>" + html.EscapeString(safeURL) + "</td></tr></table>"
}

// size prints a byte count: "32 MiB", or "16 bytes".
func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return strconv.FormatInt(n>>20, 10) + " MiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
