package actions

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"
)

const sentinel = "S3NT1NEL-do-not-print"

func TestSecretFmt(t *testing.T) {
	t.Parallel()
	s := NewSecret(sentinel)
	wrapped := struct {
		Key Secret
		Ptr *Secret
	}{Key: s, Ptr: &s}
	for _, verb := range []string{"%v", "%s", "%+v", "%#v", "%q", "%x", "%d"} {
		t.Run(verb, func(t *testing.T) {
			t.Parallel()
			if got := fmt.Sprintf(verb, s); strings.Contains(got, sentinel) || !strings.Contains(got, "[redacted]") {
				t.Errorf("Sprintf(%q, s) = %q, want [redacted]", verb, got)
			}
			if got := fmt.Sprintf(verb, wrapped); strings.Contains(got, sentinel) {
				t.Errorf("Sprintf(%q, struct) = %q shows the secret", verb, got)
			}
		})
	}
	if got, want := s.Reveal(), sentinel; got != want {
		t.Errorf("Reveal() = %q, want %q", got, want)
	}
}

func TestSecretJSON(t *testing.T) {
	t.Parallel()
	s := NewSecret(sentinel)
	tests := []struct {
		name string
		v    any
	}{
		{"value", s},
		{"in struct", struct{ Key Secret }{s}},
		{"in map", map[string]any{"k": s}},
		{"as map key", map[Secret]int{s: 1}},
		{"in connection", Connection{Name: "xdr", Secrets: map[string]Secret{"api_key": s}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			data, err := json.Marshal(tc.v)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(data); strings.Contains(got, sentinel) || !strings.Contains(got, "[redacted]") {
				t.Errorf("json.Marshal = %s, want [redacted]", got)
			}
		})
	}
	if got, want := Normalize(map[string]any{"k": s}), any(map[string]any{"k": "[redacted]"}); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Normalize = %v, want %v", got, want)
	}
}

func TestSecretHclog(t *testing.T) {
	t.Parallel()
	s := NewSecret(sentinel)
	for _, jsonFormat := range []bool{false, true} {
		t.Run(fmt.Sprintf("json=%v", jsonFormat), func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			log := hclog.New(&hclog.LoggerOptions{Output: &buf, JSONFormat: jsonFormat, Level: hclog.Trace})
			log.Info("x", "secret", s)
			log.Info("x", "ptr", &s)
			log.Info("x", "conn", Connection{Secrets: map[string]Secret{"api_key": s}})
			log.With("secret", s).Debug("y")
			log.Info("x", "list", []Secret{s})
			got := buf.String()
			if strings.Contains(got, sentinel) {
				t.Errorf("hclog output shows the secret:\n%s", got)
			}
			if !strings.Contains(got, "[redacted]") {
				t.Errorf("hclog output has no [redacted]:\n%s", got)
			}
		})
	}
}
