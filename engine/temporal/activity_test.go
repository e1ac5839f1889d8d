package temporal

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/playbook-sh/playbook/actions"
)

// TestOutputPayloadLimit: a reply is measured as history would hold it,
// compressed. A large but repetitive reply fits; one that does not
// compress fails the call with an error naming the limit.
func TestOutputPayloadLimit(t *testing.T) {
	t.Parallel()
	rows := make([]any, 40000)
	for i := range rows {
		rows[i] = map[string]any{"endpoint_id": "e-0000", "status": "connected", "os": "windows"}
	}
	noise := make([]byte, 3<<20)
	if _, err := rand.Read(noise); err != nil {
		t.Fatal(err)
	}
	big := base64.StdEncoding.EncodeToString(noise)
	for _, tc := range []struct {
		name string
		raw  any
		fits bool
	}{
		{"repetitive 2.4 MB", map[string]any{"reply": rows}, true},
		{"random 4 MB", map[string]any{"blob": big}, false},
	} {
		out, err := output(actions.Succeed(tc.raw, nil), "Search Hosts failed.", DefaultPayloadLimit)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if tc.fits {
			if out.ReturnData != actions.Successful || len(out.RawData) <= DefaultPayloadLimit {
				t.Errorf("%s: %s with %d bytes of raw data; want it kept whole", tc.name, out.ReturnData, len(out.RawData))
			}
			continue
		}
		if out.ReturnData != actions.Failed || out.Error == nil || out.Error.FailureIndicator != "Search Hosts failed." || !strings.Contains(out.Error.Message, "over the 2097152-byte limit of a Temporal payload") || out.RawData != nil {
			t.Errorf("%s: %+v; want a failure naming the limit, without the data", tc.name, out)
		}
	}
}
