package actions

import (
	"fmt"
	"net/http"
	"sort"
)

// Integration declares what an integration needs beyond its commands: the
// fields of its connections, and the fake that --sandbox binds them to.
type Integration struct {
	Name  string // "cortex_xdr": the prefix of its command names
	Title string // "Cortex XDR"
	// Fields are the integration's own connection fields, as a
	// connections file spells them. Every connection also takes the
	// [CommonConnectionFields].
	Fields []ConnectionField
	// Sandbox starts an in-process fake of the vendor's API, seeded with
	// realistic data, and returns the settings and secrets of a connection
	// to it. Nil when the integration has no fake.
	Sandbox func() (*Sandbox, error)
	// Fake returns a new fake of the vendor's API for `playbook fake`,
	// and what a connection to it at baseURL needs. Nil when the
	// integration has none.
	Fake func() (h http.Handler, connect func(baseURL string) (settings map[string]string, secrets map[string]Secret))
	// Mappings are the vendor page's pre-configured field mappings of the
	// integration's fetch commands, for `playbook serve`'s intake.
	Mappings []Mapping
}

// ConnectionField declares one field of a connection.
type ConnectionField struct {
	Name     string // "api_key_id"
	Required bool
	// Secret fields hold credentials: a connections file must give them
	// as env:NAME or file:PATH references, never as literals.
	Secret      bool
	Default     string
	Options     []string // the allowed values, or nil for any
	Kind        FieldKind
	Description string
}

// FieldKind is how a connection field's text is read.
type FieldKind string

// Connection field kinds.
const (
	TextField     FieldKind = ""         // any text
	URLField      FieldKind = "url"      // an absolute http(s) URL with a host
	DurationField FieldKind = "duration" // a Go duration: "30s"
	IntegerField  FieldKind = "integer"  // a whole number >= 0
	NumberField   FieldKind = "number"   // a number >= 0
)

// CommonConnectionFields are the fields every connection takes, whatever
// its integration.
var CommonConnectionFields = []ConnectionField{
	{Name: "timeout", Kind: DurationField, Default: "30s",
		Description: "Bound on each HTTP request, from sending to reading the whole reply."},
	{Name: "max_retries", Kind: IntegerField, Default: "3",
		Description: "Retries of a call after 429, 5xx, a reset or a timeout (a mutating call: only when never sent, or after 429)."},
	{Name: "rate_limit", Kind: NumberField, Default: "0",
		Description: "Most requests per second over this connection; 0 means no limit."},
	{Name: "concurrency", Kind: IntegerField, Default: "0",
		Description: "Most requests in flight at once over this connection; 0 means no limit."},
}

// Sandbox is a running fake of an integration's API.
type Sandbox struct {
	Settings map[string]string // plain connection fields pointing at the fake
	Secrets  map[string]Secret // the fake's credentials
	Close    func()            // stops the fake
}

// Connection returns a connection named name to the fake, with its own
// copies of the fake's settings and secrets.
func (s *Sandbox) Connection(name, integration string) *Connection {
	c := &Connection{Name: name, Integration: integration,
		Settings: make(map[string]string, len(s.Settings)), Secrets: make(map[string]Secret, len(s.Secrets))}
	for k, v := range s.Settings {
		c.Settings[k] = v
	}
	for k, v := range s.Secrets {
		c.Secrets[k] = v
	}
	return c
}

// ConnectionFields returns every field a connection of the integration
// takes: its own, then the common ones.
func (i Integration) ConnectionFields() []ConnectionField {
	return append(append([]ConnectionField(nil), i.Fields...), CommonConnectionFields...)
}

// Field returns the connection field with that name.
func (i Integration) Field(name string) (ConnectionField, bool) {
	for _, f := range i.ConnectionFields() {
		if f.Name == name {
			return f, true
		}
	}
	return ConnectionField{}, false
}

// RegisterIntegration declares an integration. A duplicate panics.
func (r *Registry) RegisterIntegration(i Integration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.integrations == nil {
		r.integrations = map[string]Integration{}
	}
	if _, dup := r.integrations[i.Name]; dup {
		panic(fmt.Sprintf("actions: integration %s registered twice", i.Name))
	}
	r.integrations[i.Name] = i
}

// Integration returns the declared integration with that name.
func (r *Registry) Integration(name string) (Integration, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	i, ok := r.integrations[name]
	return i, ok
}

// Integrations returns the names of the declared integrations, sorted.
func (r *Registry) Integrations() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.integrations))
	for n := range r.integrations {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
