package cortexxdr

import (
	"net/http"
	"net/http/httptest"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/actions/cortexxdr/fake"
)

// Fake returns a new fake Cortex XDR API seeded with realistic data, and
// the connection fields that reach it with the fake's advanced key.
func Fake() (http.Handler, func(baseURL string) (map[string]string, map[string]actions.Secret)) {
	return fake.New(), fakeConnection
}

func fakeConnection(baseURL string) (map[string]string, map[string]actions.Secret) {
	return map[string]string{
			FieldServerURL:     baseURL,
			FieldAPIKeyID:      fake.AdvancedKeyID,
			FieldSecurityLevel: "advanced",
			FieldVersion:       "v1",
		},
		map[string]actions.Secret{FieldAPIKey: actions.NewSecret(fake.AdvancedKey)}
}

// Sandbox starts the fake Cortex XDR API on a loopback port and returns a
// connection to it.
func Sandbox() (*actions.Sandbox, error) {
	h, connect := Fake()
	srv := httptest.NewServer(h)
	settings, secrets := connect(srv.URL)
	return &actions.Sandbox{Settings: settings, Secrets: secrets, Close: srv.Close}, nil
}
