package serve

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/eval"
	"github.com/playbook-sh/playbook/engine/store"
)

// maxWebhookBody bounds a webhook request's JSON body.
const maxWebhookBody = 1 << 20

// Handler serves GET /healthz (liveness), GET /metrics (Prometheus) and
// POST /webhooks/<name> (run the webhook's playbook with the JSON body as
// its event; bearer token; 202 with the run id).
func (d *Daemon) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSONReply(w, http.StatusOK, map[string]any{"status": "ok",
			"uptime_seconds": int64(d.clock().Now().Sub(d.started).Seconds())})
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(d.Metrics.Registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("POST /webhooks/{name}", d.webhook)
	if d.console != nil {
		mux.Handle("/", d.console.Handler())
	}
	return securityHeaders(mux)
}

func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

func writeJSONReply(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func (d *Daemon) webhook(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	reply := func(code int, v any) {
		d.Metrics.webhooks.WithLabelValues(name, strconv.Itoa(code)).Inc()
		writeJSONReply(w, code, v)
	}
	var hook *Webhook
	for _, h := range d.Config.Webhooks {
		if h.Name == name {
			hook = h
		}
	}
	if hook == nil {
		// The same answer as a wrong token: names are not disclosed.
		w.Header().Set("WWW-Authenticate", `Bearer realm="playbook"`)
		reply(http.StatusUnauthorized, map[string]string{"error": "unauthorized"})
		return
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(token), []byte(d.tokens[name])) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="playbook"`)
		reply(http.StatusUnauthorized, map[string]string{"error": "unauthorized"})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			reply(http.StatusRequestEntityTooLarge, map[string]string{"error": "the body is larger than 1 MiB"})
			return
		}
		reply(http.StatusBadRequest, map[string]string{"error": "read the body: " + err.Error()})
		return
	}
	var event any
	if len(strings.TrimSpace(string(body))) > 0 {
		if event, err = actions.DecodeJSON(body); err != nil {
			reply(http.StatusBadRequest, map[string]string{"error": "the body must be JSON: " + err.Error()})
			return
		}
	}
	inputs, err := d.eventInputs(r.Context(), hook.Inputs, hook.Playbook, event)
	if err != nil {
		reply(http.StatusUnprocessableEntity, map[string]string{"error": "the playbook's inputs: " + err.Error()})
		return
	}
	if d.runCtx.Err() != nil {
		reply(http.StatusServiceUnavailable, map[string]string{"error": "shutting down"})
		return
	}
	l := Launch{ID: engine.NewRunID(), Playbook: hook.Playbook, Inputs: inputs, Event: event,
		Trigger: "webhook:" + name, TriggerRef: r.RemoteAddr,
		Start: func(context.Context, store.Run) error { return nil }} // recorded below
	if key := r.Header.Get("Idempotency-Key"); key != "" {
		// A retried delivery names the run the first one started.
		l.ID, l.TriggerRef = DerivedRunID("webhook", name, key), key
	}
	if err := d.Store.CreateRun(r.Context(), d.Recorder.row(l)); err != nil {
		if errors.Is(err, store.ErrExists) {
			reply(http.StatusOK, map[string]any{"run_id": l.ID, "duplicate": true, "status_url_hint": "playbook runs show " + l.ID})
			return
		}
		reply(http.StatusInternalServerError, map[string]string{"error": "record the run: " + err.Error()})
		return
	}
	d.inflight.Add(1)
	go func() {
		defer d.inflight.Done()
		rep, err := d.Recorder.Run(d.runCtx, l)
		switch {
		case errors.Is(err, ErrDetached):
		case err != nil:
			d.log().Error("webhook run did not start", "webhook", name, "run_id", l.ID, "error", err)
		default:
			d.log().Info("webhook run finished", "webhook", name, "run_id", l.ID, "status", rep.Status)
		}
	}()
	reply(http.StatusAccepted, map[string]string{"run_id": l.ID, "status_url_hint": "playbook runs show " + l.ID,
		"accepted_at": d.clock().Now().UTC().Format(time.RFC3339)})
}

// eventInputs evaluates a webhook's inputs over its body and binds them.
func (d *Daemon) eventInputs(ctx context.Context, ins map[string]*Template, c *engine.Compiled, event any) (map[string]any, error) {
	given := make(map[string]any, len(ins))
	vars := eval.Vars{"event": event}
	for k, tm := range ins {
		v, err := tm.Eval(ctx, vars)
		if err != nil {
			return nil, fmt.Errorf("input %s: %w", k, err)
		}
		given[k] = v
	}
	return c.BindInputs(given)
}
