package actions

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMaskSensitive(t *testing.T) {
	t.Parallel()
	in := map[string]any{
		"url":     "https://u:pw@x/y?token=abc&page=2",
		"headers": map[string]any{"Authorization": "Bearer abc", "X-Trace": "t1", "X-Api-Key": "k"},
		"query":   map[string]any{"access_token": []any{"a", "b"}, "page": int64(2)},
		"secret":  NewSecret("s3"),
		"list":    []any{map[string]any{"password": "p"}},
		"auth":    map[string]any{"user": "u"}, // a map under a sensitive key is walked, not dropped
	}
	want := map[string]any{
		"url":     "https://u:%5Bredacted%5D@x/y?token=[redacted]&page=2",
		"headers": map[string]any{"Authorization": "[redacted]", "X-Trace": "t1", "X-Api-Key": "[redacted]"},
		"query":   map[string]any{"access_token": "[redacted]", "page": int64(2)},
		"secret":  "[redacted]",
		"list":    []any{map[string]any{"password": "[redacted]"}},
		"auth":    map[string]any{"user": "u"},
	}
	if diff := cmp.Diff(want, MaskSensitive(in)); diff != "" {
		t.Errorf("MaskSensitive (-want +got):\n%s", diff)
	}
	if in["headers"].(map[string]any)["Authorization"] != "Bearer abc" {
		t.Error("MaskSensitive changed its input")
	}
	if !SensitiveName("X-Auth-Token") || SensitiveName("host_names") {
		t.Error("SensitiveName misjudged")
	}
}
