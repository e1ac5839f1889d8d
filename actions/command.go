package actions

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
)

// Command is one integration command, such as cortex_xdr.isolate_hosts.
// Implementations must be safe for concurrent use.
type Command interface {
	Spec() Spec                                    // name, inputs, key fields, permissions
	Run(ctx context.Context, req Request) Envelope // never panics on vendor data
}

// Waiter is implemented by a command whose only effect is waiting
// (core.sleep). A durable backend waits with a durable timer of its own
// instead of holding a worker for the duration.
type Waiter interface {
	// Wait gives the duration the coerced inputs ask for, and the
	// envelope of a wait that ran to its end.
	Wait(inputs map[string]any) (time.Duration, Envelope)
}

// Spec declares a command: what users type, what it takes and what it returns.
type Spec struct {
	// Name is "integration.command" in snake_case of the vendor page's
	// command name: "cortex_xdr.search_hosts".
	Name string
	// Title is the vendor page's command name: "Search Hosts". It starts the
	// Failure Indicator ("Search Hosts failed.").
	Title string
	// Failure is the Failure Indicator when the vendor page words it
	// otherwise than "Title failed." ("Test Connection failed. Failed to
	// check the connector."); "" means the usual form.
	Failure     string
	Description string
	Inputs      []Input
	// KeyFields are the Key Field names the command returns, as the vendor
	// page writes them ("EndpointIDs").
	KeyFields   []string
	Permissions []string
	// Mutates is true when the command changes anything at the vendor
	// (Isolate Hosts, Update Incidents); a dry run stops there.
	Mutates bool
	// Local is true when the command never leaves the process (core.*):
	// tests run it without a mock, and empty-target checks do not apply.
	Local bool
	// Connection is the integration a connection must be for this command,
	// or "" when the command takes none.
	Connection string
	// Check, when set, checks rules between inputs ("Reject Reason only
	// with Status Rejected") on the coerced inputs; [Spec.CoerceInputs]
	// runs it last, and validate runs it when every input is a literal.
	// Its error should be an [*InputError] naming the input at fault.
	Check func(in map[string]any) error
	// Intake, when set, says how `playbook serve` fetches events with the
	// command; nil for commands that are not a fetch.
	Intake *Intake
}

// Integration returns the part of Name before the first dot.
func (s Spec) Integration() string {
	i, _, _ := strings.Cut(s.Name, ".")
	return i
}

// Input returns the declared input with that name.
func (s Spec) Input(name string) (Input, bool) {
	for _, in := range s.Inputs {
		if in.Name == name {
			return in, true
		}
	}
	return Input{}, false
}

// FailureIndicator is the D3 Failure Indicator of the command: "Title failed.".
func (s Spec) FailureIndicator() string {
	if s.Failure != "" {
		return s.Failure
	}
	t := s.Title
	if t == "" {
		t = s.Name
	}
	return t + " failed."
}

// Request is one call of a command: its inputs after templating and
// coercion by the declared types, and what it runs with.
type Request struct {
	// Task is the id of the task calling the command (for logs).
	Task string
	// Inputs holds each given or defaulted input, coerced by [Input.Coerce].
	Inputs map[string]any
	// Connection is the bound connection, nil for commands that take none.
	Connection *Connection
	// Logger is pinned with the run id, task and command; never nil.
	Logger hclog.Logger
}

// Connection is a named connection of a connections file, its secrets
// resolved.
type Connection struct {
	Name        string
	Integration string
	// Settings are the connection's plain fields (server_url, api_key_id).
	Settings map[string]string
	// Secrets are the fields resolved from env: or file: references.
	Secrets map[string]Secret
}

// Secret holds a credential resolved from env: or file:. It prints as
// [redacted] through fmt, encoding/json and hclog.
type Secret struct{ v string }

// NewSecret wraps a resolved credential.
func NewSecret(v string) Secret { return Secret{v: v} }

func (s Secret) String() string                { return "[redacted]" }
func (s Secret) GoString() string              { return "[redacted]" }
func (s Secret) MarshalText() ([]byte, error)  { return []byte("[redacted]"), nil }
func (s Secret) MarshalJSON() ([]byte, error)  { return []byte(`"[redacted]"`), nil }
func (s Secret) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte("[redacted]")) }

// Reveal returns the credential; only request builders call it.
func (s Secret) Reveal() string { return s.v }

// Registry holds the commands by name. It is safe for concurrent use.
type Registry struct {
	mu           sync.RWMutex
	cmds         map[string]Command
	integrations map[string]Integration
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{cmds: map[string]Command{}} }

// Register adds commands. A duplicate or malformed name panics: it is a
// programming error at startup.
func (r *Registry) Register(cmds ...Command) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range cmds {
		name := c.Spec().Name
		if !strings.Contains(name, ".") {
			panic("actions: command name " + name + " is not integration.command")
		}
		if _, dup := r.cmds[name]; dup {
			panic("actions: command " + name + " registered twice")
		}
		r.cmds[name] = c
	}
}

// Lookup returns the command with that name.
func (r *Registry) Lookup(name string) (Command, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c, ok := r.cmds[name]
	return c, ok
}

// Names returns every registered name, sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.cmds))
	for n := range r.cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
