package serve

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine"
)

// Metrics are serve's Prometheus metrics, on a registry of their own.
type Metrics struct {
	Registry *prometheus.Registry

	runs         *prometheus.CounterVec
	running      prometheus.Gauge
	taskDuration *prometheus.HistogramVec
	apiCalls     *prometheus.CounterVec
	apiErrors    *prometheus.CounterVec
	intakeEvents *prometheus.CounterVec
	intakeErrors *prometheus.CounterVec
	intakeLag    *prometheus.GaugeVec
	healthy      *prometheus.GaugeVec
	webhooks     *prometheus.CounterVec
}

// NewMetrics registers serve's metrics, with the Go runtime's and the
// process's.
func NewMetrics() *Metrics {
	m := &Metrics{Registry: prometheus.NewRegistry()}
	m.runs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "playbook_runs_total",
		Help: "Runs finished, by playbook, trigger kind (cli, schedule, intake, webhook) and status."},
		[]string{"playbook", "trigger", "status"})
	m.running = prometheus.NewGauge(prometheus.GaugeOpts{Name: "playbook_runs_running", Help: "Runs in progress."})
	m.taskDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "playbook_task_duration_seconds",
		Help:    "Task durations (all attempts and waits), by playbook, task and status.",
		Buckets: []float64{.005, .025, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 1800}},
		[]string{"playbook", "task", "status"})
	m.apiCalls = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "playbook_api_calls_total",
		Help: "Integration command calls (attempts), by integration, command and Return Data."},
		[]string{"integration", "command", "return_data"})
	m.apiErrors = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "playbook_api_errors_total",
		Help: "Failed integration command calls, by integration, command and status code."},
		[]string{"integration", "command", "status_code"})
	m.intakeEvents = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "playbook_intake_events_total",
		Help: "Events fetched by intake source: new ones, and ones already stored."},
		[]string{"source", "result"})
	m.intakeErrors = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "playbook_intake_fetch_errors_total",
		Help: "Intake fetch cycles that failed, by source."}, []string{"source"})
	m.intakeLag = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "playbook_intake_lag_seconds",
		Help: "Seconds since each source's high-water mark: how far behind intake is."}, []string{"source"})
	m.healthy = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "playbook_connection_healthy",
		Help: "1 when the connection's last health check passed, else 0."}, []string{"connection"})
	m.webhooks = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "playbook_webhook_requests_total",
		Help: "Webhook requests, by webhook and HTTP status."}, []string{"webhook", "code"})
	m.Registry.MustRegister(m.runs, m.running, m.taskDuration, m.apiCalls, m.apiErrors, m.intakeEvents,
		m.intakeErrors, m.intakeLag, m.healthy, m.webhooks,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// triggerKind is "schedule" of "schedule:hourly".
func triggerKind(t string) string {
	kind, _, _ := strings.Cut(t, ":")
	return kind
}

// countingExecutor counts the integration calls an executor makes.
type countingExecutor struct {
	next engine.Executor
	m    *Metrics
}

func (c countingExecutor) Execute(ctx context.Context, call engine.Call) actions.Envelope {
	env := c.next.Execute(ctx, call)
	if call.Spec.Local {
		return env
	}
	integ := call.Spec.Integration()
	c.m.apiCalls.WithLabelValues(integ, call.Spec.Name, string(env.ReturnData)).Inc()
	if env.ReturnData == actions.Failed && env.Error != nil {
		c.m.apiErrors.WithLabelValues(integ, call.Spec.Name, strconv.Itoa(env.Error.StatusCode)).Inc()
	}
	return env
}

func (m *Metrics) intakeLagSince(source string, mark time.Time, now time.Time) {
	m.intakeLag.WithLabelValues(source).Set(now.Sub(mark).Seconds())
}
