package vendorcmd

import (
	"strings"
	"testing"

	"github.com/playbook-sh/playbook/actions"
)

func TestKeys(t *testing.T) {
	k := NewKeys(true, "IDs", "Names")
	for _, v := range []any{"a", "b", "a", nil, "", int64(1), "1"} {
		k.Add("IDs", v)
	}
	got := k.Fields()
	if len(got["IDs"]) != 3 || got["IDs"][0] != "a" || got["IDs"][1] != "b" || got["IDs"][2] != int64(1) {
		t.Errorf("IDs = %#v, want a, b, 1 (deduplicated by text, nil and empty skipped)", got["IDs"])
	}
	if got["Names"] == nil || len(got["Names"]) != 0 {
		t.Errorf("Names = %#v, want an empty list", got["Names"])
	}
	all := NewKeys(false, "S")
	all.Add("S", "OPEN")
	all.Add("S", "OPEN")
	if n := len(all.Fields()["S"]); n != 2 {
		t.Errorf("without dedup, %d values, want 2", n)
	}
	var none *Keys
	if f := none.Fields(); f == nil || len(f) != 0 {
		t.Errorf("nil Keys: %#v", f)
	}
}

func TestTable(t *testing.T) {
	got := Table([]string{"A", "B"}, [][]string{{"<x>", "1"}})
	want := "<table><tr><th>A</th><th>B</th></tr><tr><td>&lt;x&gt;</td><td>1</td></tr></table>"
	if got != want {
		t.Errorf("Table = %s\nwant %s", got, want)
	}
	rows := make([][]string, MaxRows+5)
	for i := range rows {
		rows[i] = []string{"r"}
	}
	if big := Table([]string{"A"}, rows); !strings.Contains(big, "5 more rows in Raw Data") || strings.Count(big, "<td>r</td>") != MaxRows {
		t.Errorf("long table not cut at %d rows: %s", MaxRows, big[len(big)-80:])
	}
}

func TestReaders(t *testing.T) {
	v := map[string]any{"a": map[string]any{"b": []any{"x", int64(2), 1.5, true, nil}}}
	if got := Text(Field(v, "a", "b")); got != "x, 2, 1.5, true, " {
		t.Errorf("Text = %q", got)
	}
	if Field(v, "a", "b", "c") != nil || Field("s", "a") != nil || List(v) != nil {
		t.Error("a missing step must give nil")
	}
	if got := Clip("  " + strings.Repeat("é", MaxMessage+3) + " "); len([]rune(got)) != MaxMessage+3 || !strings.HasSuffix(got, "...") {
		t.Errorf("Clip kept %d runes", len([]rune(got)))
	}
	if got := Clip(" short "); got != "short" {
		t.Errorf("Clip = %q", got)
	}
}

func TestMaskValue(t *testing.T) {
	v := map[string]any{"k-SECRET": []any{"a SECRET b", int64(1), map[string]any{"x": "SECRET"}}, "ok": "fine"}
	mask := func(s string) string { return strings.ReplaceAll(s, "SECRET", "[redacted]") }
	got := MaskValue(v, mask).(map[string]any)
	if _, ok := got["k-SECRET"]; ok {
		t.Error("a key still holds the secret")
	}
	l := got["k-[redacted]"].([]any)
	if l[0] != "a [redacted] b" || l[1] != int64(1) || l[2].(map[string]any)["x"] != "[redacted]" || got["ok"] != "fine" {
		t.Errorf("MaskValue = %#v", got)
	}
}

func TestOpts(t *testing.T) {
	o := Opts("Open", "OPEN", "In Progress", "IN_PROGRESS", "dangling")
	if len(o) != 2 || o[1].Label != "In Progress" || o[1].Value != "IN_PROGRESS" {
		t.Errorf("Opts = %+v", o)
	}
}

func TestOutcome(t *testing.T) {
	for _, tc := range []struct {
		total  int
		failed []string
		want   actions.ReturnData
		msg    string
	}{
		{2, nil, actions.Successful, ""},
		{2, []string{"a: 404 gone"}, actions.PartiallySuccessful, "1 of 2 failed: a: 404 gone"},
		{2, []string{"a: 404 gone", "b: 500 down"}, actions.Failed, "2 of 2 failed: a: 404 gone; b: 500 down"},
		{0, nil, actions.Successful, ""},
	} {
		env := actions.Envelope{ReturnData: actions.Successful}
		Outcome(&env, "Get failed.", tc.total, tc.failed, 404)
		if env.ReturnData != tc.want {
			t.Errorf("%v of %d: %s, want %s", tc.failed, tc.total, env.ReturnData, tc.want)
		}
		switch {
		case tc.msg == "" && env.Error != nil:
			t.Errorf("%v: error %+v", tc.failed, env.Error)
		case tc.msg != "" && (env.Error == nil || env.Error.Message != tc.msg || env.Error.StatusCode != 404 || env.Error.FailureIndicator != "Get failed."):
			t.Errorf("%v: error %+v, want %q", tc.failed, env.Error, tc.msg)
		}
	}
}
