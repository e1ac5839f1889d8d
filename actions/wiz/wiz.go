package wiz

import (
	"sync"

	"github.com/playbook-sh/playbook/actions"
)

// IntegrationName is the prefix of every command name and the integration
// a connection names.
const IntegrationName = "wiz"

// Connection fields, as a connections file spells them.
const (
	FieldAPIEndpointURL = "api_endpoint_url"
	FieldClientID       = "client_id"
	FieldClientSecret   = "client_secret"
	FieldTokenURL       = "token_url"
	FieldAudience       = "audience"
)

// Token URLs of Wiz's identity provider [V: XSOAR-Wiz]: commercial
// tenants, and FedRAMP tenants (API endpoints under .wiz.us).
const (
	DefaultTokenURL    = "https://auth.app.wiz.io/oauth/token"
	FedRAMPTokenURL    = "https://auth.app.wiz.us/oauth/token"
	DefaultAudience    = "wiz-api"
	invalidEndpointMsg = "API endpoint URL is not valid in format."
)

// Integration declares the connection fields and the sandbox fake.
func Integration() actions.Integration {
	return actions.Integration{
		Name:  IntegrationName,
		Title: "Wiz",
		Fields: []actions.ConnectionField{
			{Name: FieldAPIEndpointURL, Required: true, Kind: actions.URLField,
				Description: "The tenant's API endpoint URL from Wiz's User Settings > Tenant: https://api.us1.app.wiz.io (/graphql is added)."},
			{Name: FieldClientID, Required: true, Secret: true,
				Description: "The service account's client ID (env:NAME or file:PATH)."},
			{Name: FieldClientSecret, Required: true, Secret: true,
				Description: "The service account's client secret (env:NAME or file:PATH)."},
			{Name: FieldTokenURL, Kind: actions.URLField,
				Description: "The OAuth token URL; by default " + DefaultTokenURL + ", or " + FedRAMPTokenURL + " for a .wiz.us endpoint."},
			{Name: FieldAudience, Default: DefaultAudience,
				Description: "The token request's audience: wiz-api, or beyond-api for a tenant still on the legacy Auth0 login."},
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

// Wiz is one instance of the integration: its commands share a client per
// connection, so they share its cached token, kept-alive connections and
// rate limit.
type Wiz struct {
	mu      sync.Mutex
	clients map[string]*client // by connection fingerprint
}

// New returns an instance with no clients yet.
func New() *Wiz { return &Wiz{clients: map[string]*client{}} }
