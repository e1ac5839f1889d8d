package pbtest

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine/playbook"
)

// vendorCmd stands for an integration command: it must never run in a
// test without a mock.
type vendorCmd struct {
	name    string
	mutates bool
	ran     *int
}

func (c vendorCmd) Spec() actions.Spec {
	return actions.Spec{Name: c.name, Title: "Call", Mutates: c.mutates, KeyFields: []string{"IDs"},
		Inputs: []actions.Input{{Name: "ids", Type: actions.Array, Items: actions.String}}}
}

func (c vendorCmd) Run(context.Context, actions.Request) actions.Envelope {
	*c.ran++
	return actions.Fail("Call failed.", 0, "the network was reached", nil)
}

func registry(ran *int) *actions.Registry {
	reg := actions.NewRegistry()
	reg.Register(vendorCmd{name: "test.call", ran: ran}, vendorCmd{name: "test.mutate", mutates: true, ran: ran})
	return reg
}

var durations = regexp.MustCompile(`\(\d+\.\d\ds\)`)

// TestRunGolden runs testdata/contain.test.yaml and compares the go-test
// style output (durations normalised) with its golden file.
func TestRunGolden(t *testing.T) {
	t.Parallel()
	ran := 0
	f, err := Load("testdata/contain.test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	results, _, err := (&Runner{Registry: registry(&ran)}).Run(t.Context(), f)
	if err != nil {
		t.Fatal(err)
	}
	if ran != 0 {
		t.Errorf("a vendor command ran %d times in test mode", ran)
	}
	var b bytes.Buffer
	WriteResults(&b, results)
	got := durations.ReplaceAllString(b.String(), "(0.00s)")
	golden := "testdata/contain.golden"
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read golden (UPDATE_GOLDEN=1 go test ./engine/...): %v", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
	pass := map[string]bool{}
	for _, r := range results {
		pass[r.Case] = r.Passed()
	}
	wantPass := map[string]bool{"isolates-found-hosts": true, "dry-run-blocks-isolation": true, "wrong-expectations": false, "unmocked": false,
		"per-item-by-condition": true, "per-item-gaps": false}
	if diff := cmp.Diff(wantPass, pass); diff != "" {
		t.Errorf("passed (-want +got):\n%s", diff)
	}

	// JUnit: one suite, six cases, three failures, in the shape CI systems
	// read; a failure's message is its first line, its text every line.
	var x bytes.Buffer
	if err := WriteJUnit(&x, results); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		XMLName  xml.Name `xml:"testsuites"`
		Tests    int      `xml:"tests,attr"`
		Failures int      `xml:"failures,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(x.Bytes(), &doc); err != nil {
		t.Fatalf("JUnit is not XML: %v\n%s", err, x.String())
	}
	if doc.Tests != 6 || doc.Failures != 3 || len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != 6 {
		t.Errorf("JUnit = %+v", doc)
	} else {
		gaps := doc.Suites[0].Cases[5].Failure
		if gaps == nil || gaps.Message != "testdata/contain.test.yaml:73:7: task each: no match rule holds for item 1: \"e3\" (add a rule with no when: for the rest)" ||
			!strings.Contains(gaps.Text, "\n-  \"endpoint-0123456789abcdef-9\",\n+  \"endpoint-0123456789abcdef-2\",\n") {
			t.Errorf("JUnit failure of per-item-gaps = %+v", gaps)
		}
	}
	if !strings.HasPrefix(x.String(), `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Error("JUnit lacks the XML header")
	}

	// Coverage over the four cases.
	f2, _ := Load("testdata/contain.test.yaml")
	res2, c, _ := (&Runner{Registry: registry(&ran)}).Run(t.Context(), f2)
	cv := NewCoverage(c)
	for _, r := range res2 {
		cv.Add(r.Report)
	}
	var cb bytes.Buffer
	cv.Write(&cb)
	wantCov := `coverage: testdata/contain.yaml: 4/5 tasks ran (80%)
  isolate: never skipped by when
  escalate: never ran
  escalate: when never held
`
	if diff := cmp.Diff(wantCov, cb.String()); diff != "" {
		t.Errorf("coverage (-want +got):\n%s", diff)
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	_, err := Load("testdata/bad.test.yaml")
	var el playbook.ErrorList
	if !errors.As(err, &el) {
		t.Fatalf("Load = %v, want an ErrorList", err)
	}
	want := []string{
		`testdata/bad.test.yaml:4:5: unknown key "inputz" in test case typos (did you mean "inputs"?)`,
		`testdata/bad.test.yaml:7:28: return_data must be Successful, Failed, Partially Successful or Successful with No Event Data, got "Great"`,
		`testdata/bad.test.yaml:9:15: unknown run status "Succesful" (Successful, Failed, Partially Successful, Cancelled) (did you mean "Successful"?)`,
		`testdata/bad.test.yaml:11:26: unknown task status "done" (succeeded, failed, skipped, cancelled, dry_run)`,
		"testdata/bad.test.yaml:17:26: when: syntax error: the expression ends too early",
		"testdata/bad.test.yaml:19:13: match rule needs then: the envelope (or list of envelopes) for the items it matches",
		`testdata/bad.test.yaml:20:13: unknown key "thn" in match rule (did you mean "then"?)`,
		"testdata/bad.test.yaml:21:24: match must be a list of {when: CONDITION, then: ENVELOPE}, tried in order for each for_each item",
		`testdata/bad.test.yaml:24:16: unknown key "with_asert" in expectation of task each (did you mean "with_assert"?)`,
	}
	if diff := cmp.Diff(want, strings.Split(err.Error(), "\n")); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

func TestUnknownNamesInTestFile(t *testing.T) {
	t.Parallel()
	src := `playbook: contain.yaml
tests:
  names:
    mocks:
      detials: {}
      hosts: {items: [{}]}
      isolate: {match: [{then: {}}]}
    expect:
      tasks:
        isolat: {status: succeeded}
        each: {with_assert: [wth.size() == 1, "with.size() == 'one'"]}
      assert: ["tasks.isolate.status =="]
`
	f, err := Parse("testdata/names.test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	_, _, err = (&Runner{Registry: registry(&ran)}).Run(t.Context(), f)
	if err == nil {
		t.Fatal("Run accepted unknown task names")
	}
	for _, w := range []string{
		`testdata/names.test.yaml:5:7: mock for unknown task "detials" (did you mean "details"?)`,
		`testdata/names.test.yaml:6:7: task "hosts" has no for_each: mock it with an envelope or a list of envelopes, not per item`,
		`testdata/names.test.yaml:7:7: task "isolate" has no for_each: mock it with an envelope or a list of envelopes, not per item`,
		`testdata/names.test.yaml:10:9: expectation for unknown task "isolat" (did you mean "isolate"?)`,
		`testdata/names.test.yaml:11:30: with_assert: undeclared reference to "wth" (did you mean "with"?)`,
		`testdata/names.test.yaml:11:48: with_assert: found no matching overload for '_==_' applied to '(int, string)'`,
		`testdata/names.test.yaml:12:40: assert: syntax error: the expression ends too early`,
	} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("errors lack %q:\n%v", w, err)
		}
	}
}

// FuzzLoadTestFile checks the test-file loader never panics and its
// errors lie inside the input.
func FuzzLoadTestFile(f *testing.F) {
	for _, p := range []string{"testdata/contain.test.yaml", "testdata/bad.test.yaml"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 1<<14 {
			return
		}
		_, err := Parse("f.test.yaml", src)
		lines := playbook.LineCount(src) + 1 // an error at the end of the input may name the next line
		var el playbook.ErrorList
		if err != nil {
			if !errors.As(err, &el) {
				t.Fatalf("error %T is not an ErrorList", err)
			}
			for _, e := range el {
				if e.Pos.Line > lines {
					t.Fatalf("error outside the input: %v", e)
				}
			}
		}
	})
}
