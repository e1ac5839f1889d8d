package fake

import (
	"encoding/base64"
	"encoding/binary"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func pcapIDs(t *testing.T, reply any) []float64 {
	t.Helper()
	out := []float64{}
	for _, a := range reply.([]any) {
		out = append(out, a.(map[string]any)["id"].(float64))
	}
	return out
}

func TestAlertsPCAP(t *testing.T) {
	t.Parallel()
	s := newServer()
	ngfw := f("alert_source", "in", []any{"PAN NGFW"})
	tests := []struct {
		name string
		data map[string]any
		want []float64
	}{
		{"NGFW alerts, newest first", map[string]any{"filters": []any{ngfw}}, []float64{283848, 283841, 283836, 283835}},
		{"ID list, numbers or strings", map[string]any{"filters": []any{f("alert_id_list", "in", []any{283835, "283848", 1})}}, []float64{283848, 283835}},
		{"severity", map[string]any{"filters": []any{ngfw, f("severity", "in", []any{"high"})}}, []float64{283848}},
		{"created since", map[string]any{"filters": []any{ngfw, f("creation_time", "gte", ms(nov(5, 0, 0, 0)))}}, []float64{283848, 283841}},
		{"limit", map[string]any{"filters": []any{ngfw}, "search_from": 0, "search_to": 2}, []float64{283848, 283841}},
		{"oldest first", map[string]any{"filters": []any{ngfw}, "sort": map[string]any{"field": "creation_time", "keyword": "asc"}}, []float64{283835, 283836, 283841, 283848}},
		{"by severity", map[string]any{"filters": []any{ngfw}, "sort": map[string]any{"field": "severity", "keyword": "desc"}}, []float64{283848, 283841, 283836, 283835}},
		{"no match", map[string]any{"filters": []any{f("alert_id_list", "in", []any{1})}}, []float64{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, pcapIDs(t, ok(t, s, "alerts/get_alerts_pcap", tc.data))); diff != "" {
				t.Errorf("alert IDs mismatch (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("all, up to 100", func(t *testing.T) {
		if n := len(pcapIDs(t, ok(t, s, "alerts/get_alerts_pcap", map[string]any{}))); n != 22 {
			t.Errorf("%d alerts, want all 22", n)
		}
	})
	t.Run("captures", func(t *testing.T) {
		withPCAP := map[float64]bool{}
		for _, id := range SeedPCAPAlertIDs() {
			withPCAP[float64(id)] = true
		}
		for _, a := range ok(t, s, "alerts/get_alerts_pcap", map[string]any{"filters": []any{ngfw}}).([]any) {
			a := a.(map[string]any)
			data := a["pcap_data"].(string)
			if (data != "") != withPCAP[a["id"].(float64)] {
				t.Errorf("alert %v pcap_data = %q", a["id"], data)
				continue
			}
			if data == "" {
				continue
			}
			b, err := base64.StdEncoding.DecodeString(data)
			if err != nil || len(b) != 24+16+54 || binary.LittleEndian.Uint32(b) != 0xa1b2c3d4 {
				t.Errorf("alert %v capture is not a one-packet pcap: %v, %d bytes", a["id"], err, len(b))
			}
		}
	})
	t.Run("errors", func(t *testing.T) {
		wantError(t, s, "alerts/get_alerts_pcap", map[string]any{"search_from": 0, "search_to": 101}, 500, "maximum result set size is 100")
		wantError(t, s, "alerts/get_alerts_pcap", map[string]any{"filters": []any{f("severity", "in", []any{"severe"})}}, 400, `invalid value "severe"`)
		wantError(t, s, "alerts/get_alerts_pcap", map[string]any{"filters": []any{f("alert_id_list", "in", []any{true})}}, 400, "must be a value or a list")
	})
}
