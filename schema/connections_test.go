package schema_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/playbook-sh/playbook/engine/connections"
	"github.com/playbook-sh/playbook/schema"
)

func TestConnectionsCurrent(t *testing.T) {
	t.Parallel()
	got, err := schema.Connections(schema.Registry())
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("connections.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) || !bytes.Equal(schema.ConnectionsJSON, want) {
		t.Fatalf("schema/connections.schema.json is stale: run go generate ./schema\n%s", firstDiff(got, want))
	}
}

// TestConnectionsSchemaAgreesWithLoader checks files the loader accepts
// validate, and files it rejects for a field's shape do not.
func TestConnectionsSchemaAgreesWithLoader(t *testing.T) {
	t.Parallel()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema.ConnectionsJSON))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(schema.ConnectionsID, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(schema.ConnectionsID)
	if err != nil {
		t.Fatal(err)
	}
	base := "connections:\n  xdr:\n    integration: cortex_xdr\n    server_url: https://api-t.xdr.us.paloaltonetworks.com\n    api_key_id: \"7\"\n"
	for _, tc := range []struct {
		name, src string
		valid     bool
	}{
		{"env secret", base + "    api_key: env:XDR_API_KEY\n", true},
		{"file secret and common fields", base + "    api_key: file:/run/secrets/xdr\n    timeout: 10s\n    max_retries: 2\n    rate_limit: 2.5\n    concurrency: 4\n    security_level: standard\n", true},
		{"literal secret", base + "    api_key: abcdef\n", false},
		{"unknown field", base + "    api_key: env:K\n    api_kye: env:K\n", false},
		{"missing key", base, false},
		{"bad level", base + "    api_key: env:K\n    security_level: high\n", false},
		{"unknown integration", "connections:\n  x:\n    integration: nope\n", false},
	} {
		_, loadErr := connections.Parse("c.yaml", []byte(tc.src), schema.Registry())
		if (loadErr == nil) != tc.valid {
			t.Errorf("%s: loader error %v, want valid=%v", tc.name, loadErr, tc.valid)
		}
		v := jsonValue(t, []byte(tc.src))
		err := sch.Validate(v)
		if (err == nil) != tc.valid {
			t.Errorf("%s: schema says %v, want valid=%v", tc.name, err, tc.valid)
		}
	}
}
