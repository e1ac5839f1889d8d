package wiz

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/playbook-sh/playbook/actions"
)

// TestSpecs checks every command against the vendor page: names, inputs
// in page order, Key Fields, permissions and what mutates.
func TestSpecs(t *testing.T) {
	type want struct {
		inputs  string // name[*] for required, in page order
		keys    string
		perms   string
		mutates bool
	}
	write := "update:write:issue_due_at write:issue_status write:service_ticket write:issue_comments"
	page := map[string]want{
		"Add Issue Comments": {"issue_ids* note_text*", "IssueIDs", write, true},
		"Fetch Event": {"event_type start_time end_time number_of_events_fetched issue_statuses severity additional_filters",
			"EventIDs Statuses", "read:issues read:cloud_configuration read:vulnerabilities", false},
		"List Projects":   {"project_name impact", "ProjectIDs ProjectNames", "read:projects", false},
		"Update Issues":   {"issue_ids* status reject_reason due_time note", "IssueIDs IssueStatuses", write, true},
		"Test Connection": {"", "", "read:issues", false},
	}
	cmds := New().Commands()
	if len(cmds) != len(page) {
		t.Fatalf("%d commands, want the page's %d", len(cmds), len(page))
	}
	snake := regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	for _, c := range cmds {
		s := c.Spec()
		w, ok := page[s.Title]
		if !ok {
			t.Errorf("%s: title %q is not a command of the page", s.Name, s.Title)
			continue
		}
		if want := "wiz." + strings.ToLower(strings.ReplaceAll(s.Title, " ", "_")); s.Name != want {
			t.Errorf("%s: name, want %s", s.Name, want)
		}
		var ins []string
		for _, in := range s.Inputs {
			if !snake.MatchString(in.Name) {
				t.Errorf("%s: input %q is not snake_case", s.Name, in.Name)
			}
			n := in.Name
			if in.Required {
				n += "*"
			}
			ins = append(ins, n)
		}
		if got := strings.Join(ins, " "); got != w.inputs {
			t.Errorf("%s inputs:\n got %s\nwant %s", s.Name, got, w.inputs)
		}
		if got := strings.Join(s.KeyFields, " "); got != w.keys {
			t.Errorf("%s Key Fields = %q, want %q", s.Name, got, w.keys)
		}
		if got := strings.Join(s.Permissions, " "); got != w.perms {
			t.Errorf("%s permissions = %q, want %q", s.Name, got, w.perms)
		}
		if s.Mutates != w.mutates {
			t.Errorf("%s Mutates = %v, want %v", s.Name, s.Mutates, w.mutates)
		}
		if s.Connection != IntegrationName {
			t.Errorf("%s Connection = %q", s.Name, s.Connection)
		}
		if s.Mutates && c.(*command).first == nil {
			t.Errorf("%s mutates but has no request to preview", s.Name)
		}
	}
}

// TestPageOptions checks the defaults, limits and option lists the page
// gives, and that the page's example values coerce to the wire values.
func TestPageOptions(t *testing.T) {
	specs := map[string]actions.Spec{}
	for _, c := range New().Commands() {
		specs[c.Spec().Name] = c.Spec()
	}
	input := func(cmd, name string) actions.Input {
		in, ok := specs[cmd].Input(name)
		if !ok {
			t.Fatalf("%s has no input %s", cmd, name)
		}
		return in
	}
	if in := input(FetchEventName, "event_type"); in.Default != "Issues" {
		t.Errorf("event_type default %v, want Issues", in.Default)
	}
	if in := input(FetchEventName, "number_of_events_fetched"); in.Default != nil || *in.Min != 1 || *in.Max != 500 {
		t.Errorf("number_of_events_fetched: default %v range %v-%v, want none and 1-500", in.Default, *in.Min, *in.Max)
	}
	labels := func(cmd, name string) string {
		var l []string
		for _, o := range input(cmd, name).Options {
			l = append(l, o.Label)
		}
		return strings.Join(l, ", ")
	}
	for _, tc := range []struct{ cmd, in, want string }{
		{FetchEventName, "event_type", "Issues, Cloud Configuration Findings, Vulnerability Findings"},
		{FetchEventName, "issue_statuses", "OPEN, IN_PROGRESS, RESOLVED, REJECTED"},
		{ListProjectsName, "impact", "High, High and Medium, Medium, Low"},
		{UpdateIssuesName, "status", "Open, In Progress, Rejected"},
		{UpdateIssuesName, "reject_reason", "False Positive, Exception, Won't Fix"},
	} {
		if got := labels(tc.cmd, tc.in); got != tc.want {
			t.Errorf("%s %s options = %s, want %s", tc.cmd, tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct {
		cmd, in string
		v       any
		want    any
	}{
		{FetchEventName, "event_type", "Cloud Configuration Findings", "configurationFindings"},
		{FetchEventName, "start_time", "2024-08-06 18:00:00", "2024-08-06T18:00:00Z"},
		{FetchEventName, "issue_statuses", []any{"OPEN"}, []any{"OPEN"}},
		{FetchEventName, "issue_statuses", "in progress", []any{"IN_PROGRESS"}},
		{FetchEventName, "severity", "Critical and High", "CRITICAL,HIGH"},
		{ListProjectsName, "impact", "High", "HBI"},
		{UpdateIssuesName, "status", "Rejected", "REJECTED"},
		{UpdateIssuesName, "status", "in_progress", "IN_PROGRESS"},
		{UpdateIssuesName, "reject_reason", "False Positive", "FALSE_POSITIVE"},
		{UpdateIssuesName, "due_time", "2007-12-03T10:15:30Z", "2007-12-03T10:15:30Z"},
	} {
		got, err := input(tc.cmd, tc.in).Coerce(tc.v)
		if err != nil || !cmp.Equal(got, tc.want) {
			t.Errorf("%s %s: Coerce(%v) = %v, %v; want %v", tc.cmd, tc.in, tc.v, got, err, tc.want)
		}
	}
	// RESOLVED is refused with the page's reason, not as an unknown value.
	for _, v := range []string{"RESOLVED", "Resolved"} {
		_, err := input(UpdateIssuesName, "status").Coerce(v)
		if err == nil || !strings.Contains(err.Error(), "cannot be set") || !strings.Contains(err.Error(), "scan cycle") {
			t.Errorf("status %s: %v, want it refused with Wiz's reason", v, err)
		}
	}
}

// TestRules checks the rules between inputs the page states.
func TestRules(t *testing.T) {
	specs := map[string]actions.Spec{}
	for _, c := range New().Commands() {
		specs[c.Spec().Name] = c.Spec()
	}
	ids := []any{"fb67a8e2-6c1b-4f2e-9a8d-2c4b3e9dfe46"}
	for _, tc := range []struct {
		name  string
		cmd   string
		in    map[string]any
		input string // the input the error names; "" for no error
		msg   string
	}{
		{"reason without rejected", UpdateIssuesName, map[string]any{"issue_ids": ids, "status": "Open", "reject_reason": "Exception"}, "reject_reason", "only with status Rejected"},
		{"note without rejected", UpdateIssuesName, map[string]any{"issue_ids": ids, "status": "In Progress", "note": "x"}, "note", "add_issue_comments"},
		{"rejected without reason", UpdateIssuesName, map[string]any{"issue_ids": ids, "status": "Rejected"}, "reject_reason", "required"},
		{"nothing to update", UpdateIssuesName, map[string]any{"issue_ids": ids}, "status", "nothing to update"},
		{"due time alone", UpdateIssuesName, map[string]any{"issue_ids": ids, "due_time": "2026-12-01"}, "", ""},
		{"rejected with reason and note", UpdateIssuesName, map[string]any{"issue_ids": ids, "status": "Rejected", "reject_reason": "Won't Fix", "note": "n"}, "", ""},
		{"empty id", AddIssueCommentsName, map[string]any{"issue_ids": []any{"a", " "}, "note_text": "x"}, "issue_ids", "issue_ids[1] is empty"},
		{"no ids", AddIssueCommentsName, map[string]any{"issue_ids": []any{}, "note_text": "x"}, "issue_ids", "no issue IDs"},
		{"in progress finding", FetchEventName, map[string]any{"event_type": "Vulnerability Findings", "issue_statuses": []any{"OPEN", "IN_PROGRESS"}}, "issue_statuses", "IN_PROGRESS is not a status of Vulnerability Findings"},
		{"in progress issue", FetchEventName, map[string]any{"issue_statuses": []any{"IN_PROGRESS"}}, "", ""},
		{"window backwards", FetchEventName, map[string]any{"start_time": "2024-08-06 19:00:00", "end_time": "2024-08-06 18:00:00"}, "start_time", "not before end_time"},
	} {
		_, err := specs[tc.cmd].CoerceInputs(tc.in)
		if tc.input == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		var ie *actions.InputError
		if !errors.As(err, &ie) || ie.Input != tc.input || !ie.Rule || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v (%+v), want a rule error on %s containing %q", tc.name, err, ie, tc.input, tc.msg)
		}
	}
}

func TestIntegrationFields(t *testing.T) {
	var got []string
	for _, f := range Integration().Fields {
		n := f.Name
		if f.Required {
			n += "*"
		}
		if f.Secret {
			n += "(secret)"
		}
		got = append(got, n)
	}
	want := []string{"api_endpoint_url*", "client_id*(secret)", "client_secret*(secret)", "token_url", "audience"}
	if !cmp.Equal(got, want) {
		t.Errorf("fields %v, want %v", got, want)
	}
}

func TestGraphQLURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://api.us1.app.wiz.io":           "https://api.us1.app.wiz.io/graphql",
		"https://api.us1.app.wiz.io/":          "https://api.us1.app.wiz.io/graphql",
		" https://api.eu17.app.wiz.io/graphql": "https://api.eu17.app.wiz.io/graphql",
		"http://127.0.0.1:8080":                "http://127.0.0.1:8080/graphql",
		"api.us1.app.wiz.io":                   "",
		"ftp://api.us1.app.wiz.io":             "",
		"https://user:pw@api.us1.app.wiz.io":   "",
		"https://api.us1.app.wiz.io/?x=1":      "",
		"":                                     "",
	} {
		got, err := graphqlURL(in)
		if want == "" {
			if err == nil || err.Error() != "API endpoint URL is not valid in format." {
				t.Errorf("graphqlURL(%q) = %q, %v; want the page's format error", in, got, err)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("graphqlURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
