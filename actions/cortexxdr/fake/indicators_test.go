package fake

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// getIOCs calls indicators/get and returns the unwrapped reply.
func getIOCs(t *testing.T, s *Server, data map[string]any) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"request_data": data})
	w := send(t, s, http.MethodPost, "/public_api/v1/indicators/get", body, standard)
	if w.Code != 200 {
		t.Fatalf("indicators/get %v = %d %s", data, w.Code, w.Body)
	}
	return decode(t, w.Body.Bytes())
}

func ruleIDs(t *testing.T, r map[string]any) []float64 {
	t.Helper()
	out := []float64{}
	for _, o := range r["objects"].([]any) {
		out = append(out, o.(map[string]any)["rule_id"].(float64))
	}
	return out
}

func TestGetIOCs(t *testing.T) {
	t.Parallel()
	s := newServer()
	tests := []struct {
		name  string
		data  map[string]any
		want  []float64
		count float64
	}{
		{"all", map[string]any{}, []float64{51, 52, 53, 54, 55, 56, 57, 58}, 8},
		{"indicator IN", map[string]any{"filters": []any{f("indicator", "IN", []any{"virus1.exe", "evil.example.com"})}}, []float64{57, 58}, 2},
		{"rule_id EQ with a list", map[string]any{"filters": []any{f("rule_id", "EQ", []any{57})}}, []float64{57}, 1},
		{"rule_id EQ with a value", map[string]any{"filters": []any{f("rule_id", "eq", 53)}}, []float64{53}, 1},
		{"type and severity", map[string]any{"filters": []any{f("type", "EQ", "HASH"), f("severity", "EQ", "SEV_040_HIGH")}}, []float64{51}, 1},
		{"reputation", map[string]any{"filters": []any{f("reputation", "in", []any{"suspicious"})}}, []float64{53, 55}, 2},
		{"reliability", map[string]any{"filters": []any{f("reliability", "EQ", "A")}}, []float64{51, 54, 57}, 3},
		{"offsets", map[string]any{"search_from": 2, "search_to": 4}, []float64{53, 54}, 8},
		{"offset only", map[string]any{"search_from": 6}, []float64{57, 58}, 8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := getIOCs(t, s, tc.data)
			if _, wrapped := r["reply"]; wrapped {
				t.Fatalf("indicators/get reply is wrapped: %v", r)
			}
			if diff := cmp.Diff(tc.want, ruleIDs(t, r)); diff != "" {
				t.Errorf("rule IDs mismatch (-want +got):\n%s", diff)
			}
			if r["objects_count"] != tc.count {
				t.Errorf("objects_count = %v, want %v", r["objects_count"], tc.count)
			}
		})
	}
	t.Run("record", func(t *testing.T) {
		got := getIOCs(t, s, map[string]any{"filters": []any{f("rule_id", "EQ", 57)}})["objects"].([]any)[0]
		want := map[string]any{
			"rule_id": float64(57), "indicator": "virus1.exe", "type": "FILENAME", "severity": "SEV_010_INFO",
			"expiration_date": float64(1767225600000), "default_expiration_enabled": false, "comment": "Test",
			"reputation": "GOOD", "reliability": "A", "status": "ENABLED",
			"insertion_date": float64(ms(oct(25, 8))), "modification_date": float64(ms(oct(25, 8))),
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("IOC 57 mismatch (-want +got):\n%s", diff)
		}
		ext := getIOCs(t, s, map[string]any{"extended_view": true, "search_to": 1})["objects"].([]any)[0].(map[string]any)
		if _, ok := ext["vendors"]; !ok {
			t.Errorf("extended view lacks vendors: %v", ext)
		}
	})
	t.Run("errors", func(t *testing.T) {
		wantError(t, s, "indicators/get", map[string]any{"filters": []any{f("comment", "EQ", "x")}}, 400, `unsupported filter field "comment"`)
		wantError(t, s, "indicators/get", map[string]any{"filters": []any{f("type", "EQ", "URL")}}, 400, `invalid value "URL"`)
		wantError(t, s, "indicators/get", map[string]any{"filters": []any{f("indicator", "contains", "x")}}, 400, "unsupported operator")
		wantError(t, s, "indicators/get", map[string]any{"search_from": 3, "search_to": 1}, 400, "search_to")
	})
}

func TestInsertIOCs(t *testing.T) {
	t.Parallel()
	s := newServer()
	insert := func(items ...map[string]any) map[string]any {
		t.Helper()
		list := make([]any, len(items))
		for i, it := range items {
			list[i] = it
		}
		return ok(t, s, "indicators/insert", list).(map[string]any)
	}
	r := insert(map[string]any{
		"indicator": "virus9.exe", "type": "FILENAME", "severity": "SEV_020_LOW", "expiration_date": 1767225600000,
		"default_expiration_enabled": false, "comment": "Test", "reputation": "BAD", "reliability": "G",
	})
	if diff := cmp.Diff(map[string]any{"success": true, "validation_errors": []any{}}, r); diff != "" {
		t.Errorf("insert reply mismatch (-want +got):\n%s", diff)
	}
	got := getIOCs(t, s, map[string]any{"filters": []any{f("indicator", "IN", []any{"virus9.exe"})}})["objects"].([]any)
	if len(got) != 1 || got[0].(map[string]any)["rule_id"] != float64(59) || got[0].(map[string]any)["insertion_date"] != float64(testNow.UnixMilli()) {
		t.Fatalf("inserted IOC = %v, want rule 59 inserted now", got)
	}

	// Overwrite by rule_id: the whole IOC is replaced, its insertion date kept.
	insert(map[string]any{"rule_id": 57, "indicator": "virus2.exe", "type": "FILENAME", "severity": "SEV_040_HIGH", "reputation": "BAD", "reliability": "A"})
	r57 := getIOCs(t, s, map[string]any{"filters": []any{f("rule_id", "EQ", []any{57})}})["objects"].([]any)[0].(map[string]any)
	want := map[string]any{"indicator": "virus2.exe", "severity": "SEV_040_HIGH", "comment": nil, "expiration_date": float64(-1),
		"insertion_date": float64(ms(oct(25, 8))), "modification_date": float64(testNow.UnixMilli())}
	for k, v := range want {
		if r57[k] != v {
			t.Errorf("IOC 57 %s = %v, want %v", k, r57[k], v)
		}
	}
	if n := len(s.IOCs()); n != 9 {
		t.Errorf("%d IOCs after an overwrite, want 9", n)
	}

	// Validation errors are per indicator; the valid ones go in.
	r = insert(
		map[string]any{"indicator": "testtest.com", "type": "HASH"},
		map[string]any{"indicator": "x.example", "type": "DOMAIN_NAME", "severity": "SEV_999"},
		map[string]any{"indicator": "1.2.3.4", "type": "IP", "reputation": "EVIL"},
		map[string]any{"indicator": "bad", "type": "URL"},
		map[string]any{"indicator": "y.example", "type": "domain_name", "default_expiration_enabled": true, "reliability": "H"},
		map[string]any{"rule_id": 4242, "indicator": "z.example", "type": "DOMAIN_NAME"},
		map[string]any{"indicator": "10.0.0.0/8", "type": "IP", "severity": "SEV_030_MEDIUM", "default_expiration_enabled": true},
	)
	var msgs []string
	for _, v := range r["validation_errors"].([]any) {
		msgs = append(msgs, v.(map[string]any)["error"].(string))
	}
	wantMsgs := []string{
		"Got type: HASH, Indicator: testtest.com mismatch",
		"Got invalid severity: SEV_999, valid severities: SEV_010_INFO, SEV_020_LOW, SEV_030_MEDIUM, SEV_040_HIGH",
		"Got invalid reputation: EVIL, valid reputations: GOOD, BAD, SUSPICIOUS, UNKNOWN, NO_REPUTATION",
		"Got invalid type: URL, valid types: HASH, IP, PATH, DOMAIN_NAME, FILENAME, MIXED",
		"Got invalid reliability: H, valid reliabilities: A, B, C, D, E, F, G",
		"Rule ID 4242 was not found",
	}
	if diff := cmp.Diff(wantMsgs, msgs); diff != "" {
		t.Errorf("validation errors mismatch (-want +got):\n%s", diff)
	}
	cidr := getIOCs(t, s, map[string]any{"filters": []any{f("indicator", "EQ", "10.0.0.0/8")}})["objects"].([]any)
	if len(cidr) != 1 || cidr[0].(map[string]any)["expiration_date"] != float64(testNow.UnixMilli()+defaultIOCTTL.Milliseconds()) {
		t.Errorf("IOC with default expiration = %v", cidr)
	}

	// The same indicator and type again updates that IOC.
	insert(map[string]any{"indicator": "10.0.0.0/8", "type": "IP", "comment": "again"})
	if n := len(s.IOCs()); n != 10 {
		t.Errorf("%d IOCs after re-inserting an indicator, want 10", n)
	}

	wantError(t, s, "indicators/insert", map[string]any{"indicator": "x"}, 400, "must be a list")
	wantError(t, s, "indicators/insert", []any{"x"}, 400, "must be an object")
	wantError(t, s, "indicators/insert", []any{map[string]any{"type": "IP"}}, 400, "indicator is required")
	wantError(t, s, "indicators/insert", []any{map[string]any{"indicator": "1.1.1.1", "type": "IP", "expiration_date": "soon"}}, 400, "expiration_date must be an integer")
}

func TestInsertJSONs(t *testing.T) {
	t.Parallel()
	s := newServer()
	item := map[string]any{
		"indicator": "1.2.3.4", "type": "IP", "severity": "HIGH", "reputation": "SUSPICIOUS", "reliability": "C",
		"expiration_date": 1689256800000, "comment": "Test comment", "class": "Malware",
		"vendors": []any{map[string]any{"vendor_name": "V1", "reliability": "A", "reputation": "GOOD"}},
	}
	body, _ := json.Marshal(map[string]any{"request_data": []any{item, map[string]any{"indicator": "testtest.com", "type": "HASH", "severity": "LOW"}}, "validate": true})
	w := send(t, s, http.MethodPost, "/public_api/v1/indicators/insert_jsons", body, standard)
	want := decode(t, testdata(t, "insert_jsons.json"))
	if diff := cmp.Diff(want, decode(t, w.Body.Bytes())); diff != "" {
		t.Errorf("insert_jsons reply mismatch (-documented +got):\n%s", diff)
	}
	iocs := s.IOCs()
	last := iocs[len(iocs)-1]
	if last["indicator"] != "1.2.3.4" || last["severity"] != "SEV_040_HIGH" || last["class"] != "Malware" || len(last["vendors"].([]any)) != 1 {
		t.Errorf("inserted simple indicator = %v", last)
	}
	if r := ok(t, s, "indicators/insert_jsons", []any{map[string]any{"indicator": "ok.example", "type": "DOMAIN_NAME", "severity": "CRITICAL"}}); r != true {
		t.Errorf("reply without validate = %v, want true", r)
	}
	if r := ok(t, s, "indicators/insert_jsons", []any{map[string]any{"indicator": "x", "type": "MIXED"}}); r != true {
		t.Errorf("reply without validate = %v, want true", r)
	}
	if n := len(s.IOCs()); n != 10 {
		t.Errorf("%d IOCs, want 10 (MIXED is not a simple-indicator type)", n)
	}
	wantError(t, s, "indicators/insert_jsons", []any{map[string]any{"indicator": "x", "type": "IP", "vendors": "V1"}}, 400, "vendors must be a list")
}

func TestDeleteIOCs(t *testing.T) {
	t.Parallel()
	s := newServer()
	r := ok(t, s, "indicators/delete", map[string]any{"filters": []any{
		f("indicator", "IN", []any{"virus1.exe", "mimikatz.exe"}),
		f("type", "EQ", "FILENAME"),
		f("severity", "EQ", "SEV_010_INFO"),
		f("reputation", "EQ", "GOOD"),
		f("reliability", "EQ", "A"),
	}})
	if diff := cmp.Diff(map[string]any{"success": true}, r); diff != "" {
		t.Errorf("delete reply mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]float64{51, 52, 53, 54, 55, 56, 58}, ruleIDs(t, getIOCs(t, s, map[string]any{}))); diff != "" {
		t.Errorf("rules after delete mismatch (-want +got):\n%s", diff)
	}
	ok(t, s, "indicators/delete", map[string]any{"filters": []any{f("type", "EQ", "HASH")}})
	if diff := cmp.Diff([]float64{52, 53, 54, 55, 58}, ruleIDs(t, getIOCs(t, s, map[string]any{}))); diff != "" {
		t.Errorf("rules after deleting hashes mismatch (-want +got):\n%s", diff)
	}
	wantError(t, s, "indicators/delete", map[string]any{"filters": []any{}}, 400, "at least one filter")
	wantError(t, s, "indicators/delete", map[string]any{}, 400, "at least one filter")
	if n := len(s.IOCs()); n != 5 {
		t.Errorf("a refused delete removed IOCs: %d left", n)
	}
}
