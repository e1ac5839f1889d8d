package pbtest

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/playbook"
)

func compactJSON(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func indentJSON(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v) + "\n"
	}
	return b.String()
}

// WriteResults prints results like go test -v: a line per case, the
// failures under a failed case.
func WriteResults(w io.Writer, results []*Result) {
	for _, r := range results {
		name := r.File + "/" + r.Case
		if r.Passed() {
			fmt.Fprintf(w, "--- PASS: %s (%.2fs)\n", name, r.Duration.Seconds())
			continue
		}
		fmt.Fprintf(w, "--- FAIL: %s (%.2fs)\n", name, r.Duration.Seconds())
		for _, f := range r.Failures {
			// A diff's lines sit under their failure line.
			first, rest, _ := strings.Cut(f, "\n")
			fmt.Fprintf(w, "    %s\n", first)
			for l := range strings.Lines(rest) {
				fmt.Fprintf(w, "        %s", strings.TrimSuffix(l, "\n")+"\n")
			}
		}
	}
}

// JUnit XML, as CI systems read it.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the results as JUnit XML, one test suite per file.
func WriteJUnit(w io.Writer, results []*Result) error {
	doc := junitSuites{}
	index := map[string]int{}
	for _, r := range results {
		i, ok := index[r.File]
		if !ok {
			i = len(doc.Suites)
			index[r.File] = i
			doc.Suites = append(doc.Suites, junitSuite{Name: r.File})
		}
		s := &doc.Suites[i]
		jc := junitCase{Name: r.Case, Classname: r.File, Time: fmt.Sprintf("%.3f", r.Duration.Seconds())}
		if !r.Passed() {
			first, _, _ := strings.Cut(r.Failures[0], "\n")
			jc.Failure = &junitFailure{Message: first, Text: strings.Join(r.Failures, "\n")}
			s.Failures++
			doc.Failures++
		}
		s.Tests++
		doc.Tests++
		s.Cases = append(s.Cases, jc)
	}
	for i := range doc.Suites {
		var total float64
		for _, c := range doc.Suites[i].Cases {
			var t float64
			fmt.Sscanf(c.Time, "%g", &t)
			total += t
		}
		doc.Suites[i].Time = fmt.Sprintf("%.3f", total)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// Coverage is, over every case of one playbook, which tasks ran, which
// were skipped, and which when and join outcomes were never exercised.
type Coverage struct {
	Playbook string
	tasks    []*taskCoverage
}

type taskCoverage struct {
	id                       string
	hasWhen, hasNeeds        bool
	ran, whenFalse, joinSkip int
	statuses                 map[string]int
}

// NewCoverage starts the coverage of a compiled playbook.
func NewCoverage(c *engine.Compiled) *Coverage {
	cv := &Coverage{Playbook: c.Playbook.File}
	for _, t := range tasksOf(c) {
		cv.tasks = append(cv.tasks, &taskCoverage{id: t.id, hasWhen: t.when, hasNeeds: t.needs, statuses: map[string]int{}})
	}
	return cv
}

type playbookTask struct {
	id          string
	when, needs bool
}

func tasksOf(c *engine.Compiled) []*playbookTask {
	var out []*playbookTask
	for _, t := range append(append([]*playbook.Task{}, c.Playbook.Tasks...), c.Playbook.Finally...) {
		out = append(out, &playbookTask{id: t.ID, when: t.When != nil, needs: len(t.Needs) > 0})
	}
	return out
}

// Add counts one run.
func (cv *Coverage) Add(rep *engine.Report) {
	if rep == nil {
		return
	}
	for _, tc := range cv.tasks {
		tr := rep.Tasks[tc.id]
		if tr == nil {
			continue
		}
		tc.statuses[string(tr.Status)]++
		switch {
		case tr.Status == "skipped" && tr.Reason == "when was false":
			tc.whenFalse++
		case tr.Status == "skipped":
			tc.joinSkip++
		case tr.Status != "cancelled":
			tc.ran++
		}
	}
}

// Write prints the coverage: a summary line, then every gap.
func (cv *Coverage) Write(w io.Writer) {
	ran := 0
	var gaps []string
	for _, tc := range cv.tasks {
		if tc.ran > 0 {
			ran++
		} else {
			gaps = append(gaps, tc.id+": never ran")
		}
		if tc.hasWhen && tc.ran > 0 && tc.whenFalse == 0 {
			gaps = append(gaps, tc.id+": never skipped by when")
		}
		if tc.hasWhen && tc.whenFalse > 0 && tc.ran == 0 {
			gaps = append(gaps, tc.id+": when never held")
		}
		if tc.hasNeeds && tc.joinSkip == 0 && tc.ran > 0 {
			gaps = append(gaps, tc.id+": never skipped by its join")
		}
	}
	pct := 100.0
	if len(cv.tasks) > 0 {
		pct = 100 * float64(ran) / float64(len(cv.tasks))
	}
	fmt.Fprintf(w, "coverage: %s: %d/%d tasks ran (%.0f%%)\n", cv.Playbook, ran, len(cv.tasks), pct)
	for _, g := range gaps {
		fmt.Fprintf(w, "  %s\n", g)
	}
}
