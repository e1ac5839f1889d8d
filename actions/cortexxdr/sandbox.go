//go:build ignore

package cortexxdr

import (
	"net/http/httptest"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/actions/cortexxdr/fake"
)

// Sandbox starts the fake Cortex XDR API on a loopback port and returns a
// connection to it with the fake's advanced key.
func Sandbox() (*actions.Sandbox, error) {
	srv := httptest.NewServer(fake.New())
	return &actions.Sandbox{
		Settings: map[string]string{
			FieldServerURL:     srv.URL,
			FieldAPIKeyID:      fake.AdvancedKeyID,
			FieldSecurityLevel: "advanced",
			FieldVersion:       "v1",
		},
		Secrets: map[string]actions.Secret{FieldAPIKey: actions.NewSecret(fake.AdvancedKey)},
		Close:   srv.Close,
	}, nil
}
