package wiz

import (
	"net/http"
	"net/http/httptest"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/actions/wiz/fake"
)

// Fake returns a new fake Wiz API (token and GraphQL endpoints on one
// server) seeded with realistic data, and the connection fields that
// reach it with the fake's service account.
func Fake() (http.Handler, func(baseURL string) (map[string]string, map[string]actions.Secret)) {
	return fake.New(), fakeConnection
}

func fakeConnection(baseURL string) (map[string]string, map[string]actions.Secret) {
	return map[string]string{
			FieldAPIEndpointURL: baseURL,
			FieldTokenURL:       baseURL + "/oauth/token",
			FieldAudience:       DefaultAudience,
		},
		map[string]actions.Secret{
			FieldClientID:     actions.NewSecret(fake.ClientID),
			FieldClientSecret: actions.NewSecret(fake.ClientSecret),
		}
}

// Sandbox starts the fake Wiz API on a loopback port and returns a
// connection to it.
func Sandbox() (*actions.Sandbox, error) {
	h, connect := Fake()
	srv := httptest.NewServer(h)
	settings, secrets := connect(srv.URL)
	return &actions.Sandbox{Settings: settings, Secrets: secrets, Close: srv.Close}, nil
}
