package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/playbook-sh/playbook/engine/store"
)

// checkedConnections are the connections health checks cover:
// health_checks' list, else HealthNames.
func (d *Daemon) checkedConnections() []string {
	if h := d.Config.Health; h != nil && h.Connections != nil {
		return h.Connections
	}
	return d.HealthNames
}

// healthLoop checks each connection every Every with its Test
// Connection, keeps the state in the store, and after NotifyAfter
// consecutive failures posts one notification to the webhook (and one
// more when the connection recovers).
func (d *Daemon) healthLoop(ctx context.Context, h *Health) {
	names := d.checkedConnections()
	for {
		for _, name := range names {
			d.checkOne(ctx, h, name)
		}
		if d.clock().Sleep(ctx, h.Every) != nil {
			return
		}
	}
}

func (d *Daemon) checkOne(ctx context.Context, h *Health, name string) {
	log := d.log().With("connection", name)
	prev, _ := d.healthOf(ctx, name)
	now := d.clock().Now().UTC()
	err := d.HealthCheck(ctx, name)
	if ctx.Err() != nil {
		return
	}
	cur := store.Health{Connection: name, LastCheck: now, LastOK: prev.LastOK, Notified: prev.Notified}
	if err == nil {
		cur.OK, cur.LastOK = true, now
		d.Metrics.healthy.WithLabelValues(name).Set(1)
		if prev.Notified {
			d.notify(ctx, map[string]any{"connection": name, "status": "recovered", "at": now})
			cur.Notified = false
		}
	} else {
		cur.Failures = prev.Failures + 1
		cur.LastError = err.Error()
		d.Metrics.healthy.WithLabelValues(name).Set(0)
		log.Warn("health check failed", "failures", cur.Failures, "error", err)
		if cur.Failures >= h.NotifyAfter && !prev.Notified {
			cur.Notified = d.notify(ctx, map[string]any{"connection": name, "status": "failing",
				"consecutive_failures": cur.Failures, "error": cur.LastError, "at": now})
		}
	}
	if err := d.Store.SetHealth(ctx, cur); err != nil {
		log.Error("record the health check", "error", err)
	}
}

func (d *Daemon) healthOf(ctx context.Context, name string) (store.Health, error) {
	all, err := d.Store.Health(ctx)
	if err != nil {
		return store.Health{}, err
	}
	for _, h := range all {
		if h.Connection == name {
			return h, nil
		}
	}
	return store.Health{}, nil
}

// notify posts a JSON notification to the health webhook; it reports
// whether the webhook took it (2xx).
func (d *Daemon) notify(ctx context.Context, v map[string]any) bool {
	if d.hookURL == "" {
		return false
	}
	v["text"] = fmt.Sprintf("playbook: connection %v is %v", v["connection"], v["status"])
	body, _ := json.Marshal(v)
	client := d.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.hookURL, bytes.NewReader(body))
	if err != nil {
		d.log().Error("health notification", "error", "the webhook URL is not valid")
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		// The URL may hold a token: name only the failure's kind.
		d.log().Error("health notification failed", "error", "the request did not complete")
		return false
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		d.log().Error("health notification refused", "status", resp.StatusCode)
		return false
	}
	return true
}
