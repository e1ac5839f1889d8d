package cortexxdr

import (
	"sync"

	"github.com/playbook-sh/playbook/actions"
)

// IntegrationName is the prefix of every command name and the integration
// a connection names.
const IntegrationName = "cortex_xdr"

// Connection fields, as a connections file spells them.
const (
	FieldServerURL     = "server_url"
	FieldAPIKey        = "api_key"
	FieldAPIKeyID      = "api_key_id"
	FieldSecurityLevel = "security_level"
	FieldVersion       = "version"
)

// Integration declares the connection fields and the sandbox fake.
func Integration() actions.Integration {
	return actions.Integration{
		Name:  IntegrationName,
		Title: "Cortex XDR",
		Fields: []actions.ConnectionField{
			{Name: FieldServerURL, Required: true, Kind: actions.URLField,
				Description: "The tenant's API URL: https://api-{fqdn}."},
			{Name: FieldAPIKey, Required: true, Secret: true,
				Description: "The API key (env:NAME or file:PATH)."},
			{Name: FieldAPIKeyID, Required: true,
				Description: "The API key's ID, as the API Keys table shows it."},
			{Name: FieldSecurityLevel, Default: "advanced", Options: []string{"advanced", "standard"},
				Description: "The key's security level: advanced signs each request with a nonce, a timestamp and SHA-256."},
			{Name: FieldVersion, Default: "v1",
				Description: "The API version in the path: /public_api/{version}/."},
		},
		Sandbox:  Sandbox,
		Fake:     Fake,
		Mappings: Mappings(),
	}
}

// Register declares the integration and adds its commands to r.
func Register(r *actions.Registry) {
	r.RegisterIntegration(Integration())
	r.Register(New().Commands()...)
}

// XDR is one instance of the integration: its commands share a client per
// connection, so requests over a connection reuse its kept-alive
// connections and share its rate limit.
type XDR struct {
	mu      sync.Mutex
	clients map[string]*client // by connection fingerprint
}

// New returns an instance with no clients yet.
func New() *XDR { return &XDR{clients: map[string]*client{}} }
