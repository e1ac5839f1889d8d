package connections_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine/connections"
)

const sentinel = "SENTINEL-secret-value-do-not-print"

func registry() *actions.Registry {
	reg := actions.NewRegistry()
	reg.RegisterIntegration(actions.Integration{Name: "cortex_xdr", Fields: []actions.ConnectionField{
		{Name: "server_url", Required: true, Kind: actions.URLField},
		{Name: "api_key", Required: true, Secret: true},
		{Name: "api_key_id", Required: true},
		{Name: "security_level", Default: "advanced", Options: []string{"advanced", "standard"}},
		{Name: "version", Default: "v1"},
	}})
	reg.RegisterIntegration(actions.Integration{Name: "wiz", Fields: []actions.ConnectionField{
		{Name: "client_secret", Required: true, Secret: true},
	}})
	return reg
}

func TestResolve(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "key.txt"), []byte(sentinel+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	src := `connections:
  xdr:
    integration: cortex_xdr
    server_url: https://api-tenant.xdr.us.paloaltonetworks.com
    api_key: file:key.txt
    api_key_id: "7"
    max_retries: "5"
  xdr_env:
    integration: cortex_xdr
    server_url: env:XDR_URL
    api_key: env:XDR_KEY
    api_key_id: 8
    security_level: standard
`
	f, err := connections.Parse(filepath.Join(dir, "connections.yaml"), []byte(src), registry())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.Names(), []string{"xdr", "xdr_env"}; !cmp.Equal(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
	env := map[string]string{"XDR_URL": "https://api-other.example", "XDR_KEY": sentinel}
	getenv := func(k string) (string, bool) { v, ok := env[k]; return v, ok }

	c, err := f.Resolve("xdr", getenv)
	if err != nil {
		t.Fatal(err)
	}
	wantSettings := map[string]string{
		"server_url": "https://api-tenant.xdr.us.paloaltonetworks.com", "api_key_id": "7",
		"security_level": "advanced", "version": "v1",
		"timeout": "30s", "max_retries": "5", "rate_limit": "0", "concurrency": "0",
	}
	if diff := cmp.Diff(wantSettings, c.Settings); diff != "" {
		t.Errorf("Settings (-want +got):\n%s", diff)
	}
	if got := c.Secrets["api_key"].Reveal(); got != sentinel {
		t.Errorf("file: secret = %q, want the file's content without its newline", got)
	}
	c, err = f.Resolve("xdr_env", getenv)
	if err != nil {
		t.Fatal(err)
	}
	if c.Settings["server_url"] != "https://api-other.example" || c.Secrets["api_key"].Reveal() != sentinel || c.Settings["security_level"] != "standard" {
		t.Errorf("env: connection = %+v", c.Settings)
	}

	delete(env, "XDR_KEY")
	_, err = f.Resolve("xdr_env", getenv)
	if err == nil || !strings.Contains(err.Error(), "connections.yaml:11:14: connection xdr_env: api_key: environment variable XDR_KEY is not set") {
		t.Errorf("missing env: error = %v", err)
	}
	if _, err := f.Resolve("xrd", getenv); err == nil || !strings.Contains(err.Error(), `did you mean "xdr"?`) {
		t.Errorf("unknown name: error = %v", err)
	}
}

func TestErrors(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"literal secret", "connections:\n  x:\n    integration: cortex_xdr\n    server_url: https://a.example\n    api_key: " + sentinel + "\n    api_key_id: '1'\n",
			"c.yaml:5:14: connection x: api_key is a secret: give it as env:NAME or file:PATH, not as a literal"},
		{"unknown integration", "connections:\n  x:\n    integration: cortex_xrd\n",
			`c.yaml:3:18: connection x: unknown integration "cortex_xrd" (did you mean "cortex_xdr"?)`},
		{"missing integration", "connections:\n  x:\n    server_url: https://a\n",
			"c.yaml:2:3: connection x: missing integration: (one of cortex_xdr, wiz)"},
		{"unknown field", "connections:\n  x:\n    integration: wiz\n    client_secret: env:S\n    client_secre: env:S\n",
			`c.yaml:5:5: connection x: unknown field "client_secre" for wiz (did you mean "client_secret"?)`},
		{"missing required", "connections:\n  x:\n    integration: wiz\n",
			"c.yaml:2:3: connection x: missing client_secret (required by wiz)"},
		{"bad option", "connections:\n  x:\n    integration: cortex_xdr\n    server_url: https://a.example\n    api_key: env:K\n    api_key_id: '1'\n    security_level: high\n",
			`c.yaml:7:21: connection x: security_level must be one of advanced, standard, got "high"`},
		{"bad url", "connections:\n  x:\n    integration: cortex_xdr\n    server_url: ftp://a\n    api_key: env:K\n    api_key_id: '1'\n",
			"c.yaml:4:17: connection x: server_url must be an http:// or https:// URL with a host"},
		{"credentials in url", "connections:\n  x:\n    integration: cortex_xdr\n    server_url: https://u:" + sentinel + "@a.example\n    api_key: env:K\n    api_key_id: '1'\n",
			"c.yaml:4:17: connection x: server_url must not hold credentials"},
		{"bad duration", "connections:\n  x:\n    integration: wiz\n    client_secret: env:S\n    timeout: soon\n",
			`c.yaml:5:14: connection x: timeout must be a duration such as 30s, got "soon"`},
		{"bad env name", "connections:\n  x:\n    integration: wiz\n    client_secret: env:1-2\n",
			`c.yaml:4:20: connection x: client_secret: env: names an environment variable`},
		{"duplicate", "connections:\n  x:\n    integration: wiz\n    client_secret: env:S\n  x:\n    integration: wiz\n    client_secret: env:S\n",
			`c.yaml:5:3: duplicate connection "x" (first at line 2)`},
		{"not a mapping", "connections: [a]\n", "c.yaml:1:14: connections must be a mapping"},
		{"unknown top key", "connection:\n  x: {}\n", `c.yaml:1:1: unknown key "connection" in the connections file (did you mean "connections"?)`},
		{"alias", "connections:\n  x: &a\n    integration: wiz\n  y: *a\n", "aliases are not supported"},
		{"yaml syntax", "connections:\n  x: [\n", "c.yaml:"},
		{"empty", "", "c.yaml:1:1: empty connections file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := connections.Parse("c.yaml", []byte(tc.src), registry())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse error = %v, want it to contain %q", err, tc.want)
			}
			if strings.Contains(err.Error(), sentinel) {
				t.Errorf("error quotes the secret: %v", err)
			}
		})
	}
}

func TestHTTPWarning(t *testing.T) {
	src := "connections:\n  x:\n    integration: cortex_xdr\n    server_url: http://127.0.0.1:8081\n    api_key: env:K\n    api_key_id: '1'\n"
	f, err := connections.Parse("c.yaml", []byte(src), registry())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"c.yaml:4:17: connection x: server_url uses http://: requests and credentials travel unencrypted"}
	if !cmp.Equal(f.Warnings, want) {
		t.Errorf("Warnings = %q, want %q", f.Warnings, want)
	}
}

func TestFileSecretErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ ref, want string }{
		{"file:missing.txt", "read file " + filepath.Join(dir, "missing.txt")},
		{"file:" + empty, "is empty"},
	} {
		src := "connections:\n  x:\n    integration: wiz\n    client_secret: " + tc.ref + "\n"
		f, err := connections.Parse(filepath.Join(dir, "c.yaml"), []byte(src), registry())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Resolve("x", nil); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Resolve(%s) error = %v, want %q", tc.ref, err, tc.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("connections:\n  x:\n    integration: cortex_xdr\n    server_url: https://a\n    api_key: env:K\n    api_key_id: '1'\n"))
	f.Add([]byte("connections: {x: {integration: wiz, client_secret: 'file:/x'}}"))
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 4096 {
			return
		}
		_, err := connections.Parse("c.yaml", src, registry())
		if err != nil && !strings.HasPrefix(err.Error(), "c.yaml:") {
			t.Fatalf("error without a position: %v", err)
		}
	})
}
