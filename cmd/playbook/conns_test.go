package main

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/playbook-sh/playbook/actions/cortexxdr/fake"
	wizfake "github.com/playbook-sh/playbook/actions/wiz/fake"
)

// xdrConnections starts the fake Cortex XDR API and writes a connections
// file naming it xdr, with the key in a file: secret.
func xdrConnections(t *testing.T, key string) string {
	t.Helper()
	srv := httptest.NewServer(fake.New())
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "xdr.key"), []byte(key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return writeAt(t, filepath.Join(dir, "connections.yaml"), `connections:
  xdr:
    integration: cortex_xdr
    server_url: `+srv.URL+`
    api_key: file:xdr.key
    api_key_id: "`+fake.AdvancedKeyID+`"
    max_retries: 0
`)
}

// wizConnections starts a fake Wiz API and writes a connections file for
// it with the given client secret, read from a file.
func wizConnections(t *testing.T, secret string) string {
	t.Helper()
	srv := httptest.NewServer(wizfake.New())
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "wiz.secret"), []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "wiz.id"), []byte(wizfake.ClientID), 0o600); err != nil {
		t.Fatal(err)
	}
	return writeAt(t, filepath.Join(dir, "connections.yaml"), `connections:
  wiz:
    integration: wiz
    api_endpoint_url: `+srv.URL+`
    token_url: `+srv.URL+`/oauth/token
    client_id: file:wiz.id
    client_secret: file:wiz.secret
    max_retries: 0
`)
}

func TestRunWithConnectionsFile(t *testing.T) {
	t.Parallel()
	conns := xdrConnections(t, fake.AdvancedKey)
	out, errs, code := cli(t, t.Context(), "run", "../../playbooks/ioc-sync.yaml", "--connections", conns,
		"--format", "json", "--progress", "off", "--log-level", "trace")
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(out, `"added": [`) {
		t.Errorf("report = %s", out)
	}
	if !strings.Contains(errs, "uses http://") {
		t.Errorf("no warning about http:// in %q", errs)
	}
	if !strings.Contains(errs, "vendor call") {
		t.Errorf("trace log has no vendor calls: %q", errs)
	}
	if strings.Contains(out+errs, fake.AdvancedKey) {
		t.Error("the API key appears in the output or the log")
	}
}

func TestRunConnectionErrors(t *testing.T) {
	t.Parallel()
	good := xdrConnections(t, fake.AdvancedKey)
	dir := t.TempDir()
	literal := writeAt(t, filepath.Join(dir, "literal.yaml"), "connections:\n  xdr:\n    integration: cortex_xdr\n    server_url: https://a.example\n    api_key: SENTINEL-KEY\n    api_key_id: '1'\n")
	unset := writeAt(t, filepath.Join(dir, "unset.yaml"), "connections:\n  xdr:\n    integration: cortex_xdr\n    server_url: https://a.example\n    api_key: env:PLAYBOOK_TEST_UNSET_KEY\n    api_key_id: '1'\n")
	other := writeAt(t, filepath.Join(dir, "other.yaml"), "connections:\n  other:\n    integration: cortex_xdr\n    server_url: https://a.example\n    api_key: env:K\n    api_key_id: '1'\n")
	pb := "../../playbooks/ioc-sync.yaml"
	cases := []struct {
		name string
		args []string
		want string
		code int
	}{
		{"literal secret", []string{"--connections", literal}, "literal.yaml:5:14: connection xdr: api_key is a secret", exitUsage},
		{"unset env", []string{"--connections", unset}, "unset.yaml:5:14: connection xdr: api_key: environment variable PLAYBOOK_TEST_UNSET_KEY is not set", exitUsage},
		{"missing name", []string{"--connections", other}, `connection "xdr" is not configured`, exitUsage},
		{"wrong key", []string{"--connections", xdrConnections(t, "wrong-key-0123456789")}, "", exitFailed},
		{"good", []string{"--connections", good}, "", exitOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, errs, code := cli(t, t.Context(), append([]string{"run", pb, "--progress", "off"}, tc.args...)...)
			if code != tc.code || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q\n%s", code, errs, tc.code, tc.want, out)
			}
			if strings.Contains(out+errs, "SENTINEL-KEY") {
				t.Error("a literal secret was quoted")
			}
			if tc.name == "wrong key" && !strings.Contains(out, "Public API request unauthorized") {
				t.Errorf("summary = %s", out)
			}
		})
	}
}

func TestNoConnectionsFile(t *testing.T) {
	// Not parallel: it changes the working directory's view through
	// $PLAYBOOK_CONNECTIONS.
	t.Setenv("PLAYBOOK_CONNECTIONS", "")
	_, errs, code := cli(t, t.Context(), "run", "../../playbooks/ioc-sync.yaml", "--progress", "off")
	if code != exitUsage || !strings.Contains(errs, "no connections file") || !strings.Contains(errs, "--sandbox") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}

func TestConnectionsTest(t *testing.T) {
	t.Parallel()
	good := xdrConnections(t, fake.AdvancedKey)
	bad := xdrConnections(t, "wrong-key-0123456789")
	for _, tc := range []struct {
		args []string
		want string
		code int
	}{
		{[]string{"test", "xdr", "--connections", good}, "xdr (cortex_xdr): Passed\n", exitOK},
		{[]string{"test", "xdr", "--connections", bad}, "xdr (cortex_xdr): Failed\nTest Connection failed. Failed to check the connector.\nStatus Code: 401.\nMessage: Public API request unauthorized\n", exitFailed},
		{[]string{"test", "cortex_xdr", "--sandbox"}, "cortex_xdr (cortex_xdr): Passed\n", exitOK},
		{[]string{"test", "wiz", "--sandbox"}, "wiz (wiz): Passed\n", exitOK},
		{[]string{"test", "wiz", "--connections", wizConnections(t, wizfake.ClientSecret)}, "wiz (wiz): Passed\n", exitOK},
		{[]string{"test", "wiz", "--connections", wizConnections(t, "wrong-secret-0123456789")}, "wiz (wiz): Failed\nTest Connection failed. Failed to check the connector.\nStatus Code: 401.\nMessage: Wiz refused the client credentials: access_denied: Unauthorized\n", exitFailed},
		{[]string{"list", "--connections", good}, "NAME  INTEGRATION\nxdr   cortex_xdr\n", exitOK},
		{[]string{"test", "nope", "--connections", good}, "", exitUsage},
		{[]string{"test"}, "", exitUsage},
	} {
		out, errs, code := cli(t, t.Context(), append([]string{"connections"}, tc.args...)...)
		if code != tc.code || out != tc.want {
			t.Errorf("connections %q: exit %d, stdout %q (stderr %q); want %d, %q", tc.args, code, out, errs, tc.code, tc.want)
		}
	}
}

func TestFakeCommand(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	var out, errs string
	var code int
	go func() {
		defer close(done)
		out, errs, code = cli(t, ctx, "fake", "cortex_xdr", "--addr", "127.0.0.1:0")
	}()
	time.Sleep(200 * time.Millisecond)
	cancel()
	<-done
	if code != exitOK || !strings.Contains(out, "fake cortex_xdr API listening on http://127.0.0.1:") ||
		!strings.Contains(out, "api_key: env:FAKE_CORTEX_XDR_API_KEY") {
		t.Errorf("exit %d\n%s\n%s", code, out, errs)
	}
	ctx, cancel = context.WithCancel(t.Context())
	done = make(chan struct{})
	go func() {
		defer close(done)
		out, errs, code = cli(t, ctx, "fake", "wiz", "--addr", "127.0.0.1:0")
	}()
	time.Sleep(200 * time.Millisecond)
	cancel()
	<-done
	if code != exitOK || !strings.Contains(out, "fake wiz API listening on http://127.0.0.1:") ||
		!strings.Contains(out, "client_secret: env:FAKE_WIZ_CLIENT_SECRET") || !strings.Contains(out, "/oauth/token") {
		t.Errorf("exit %d\n%s\n%s", code, out, errs)
	}
	if _, _, code := cli(t, t.Context(), "fake", "nope"); code != exitUsage {
		t.Errorf("fake nope: exit %d", code)
	}
}

// writeAt writes src to the path p and returns p.
func writeAt(t *testing.T, p, src string) string {
	t.Helper()
	if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
