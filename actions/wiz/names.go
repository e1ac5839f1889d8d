package wiz

import (
	"strings"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/actions/wiz/internal/gql"
)

// The command names: the page's command names in snake_case.
const (
	AddIssueCommentsName = "wiz.add_issue_comments"
	FetchEventName       = "wiz.fetch_event"
	ListProjectsName     = "wiz.list_projects"
	UpdateIssuesName     = "wiz.update_issues"
	TestConnectionName   = "wiz.test_connection"
)

// Permission scopes [D3].
var (
	writeScopes = []string{"update:write:issue_due_at", "write:issue_status", "write:service_ticket", "write:issue_comments"}
)

// Commands returns the integration's five commands.
func (w *Wiz) Commands() []actions.Command {
	cmds := []*command{w.addIssueComments(), w.fetchEvent(), w.listProjects(), w.updateIssues(), w.testConnection()}
	out := make([]actions.Command, len(cmds))
	for i, c := range cmds {
		c.w = w
		c.spec.Connection = IntegrationName
		out[i] = c
	}
	return out
}

// eventType is one Event Type of Fetch Event: the GraphQL connection it
// reads, the time field Start and End Time apply to, and what its filters
// accept.
type eventType struct {
	label     string // "Issues": the Event Type label, also each node's EventType
	root      string // "issuesV2"
	alias     string // "issues": the key of the reply's data
	query     string
	timeField string // the filter and the sort key: "updatedAt"
	timeMeans string // for the Result and docs: "updated"
	severity  string // the severity filter's key: "severity" or "vendorSeverity"
	statuses  []string
	orderBy   map[string]any // nil: the API's default order
	scope     string
}

var eventTypes = []eventType{
	{label: "Issues", root: "issuesV2", alias: "issues", query: gql.Issues,
		timeField: "updatedAt", timeMeans: "modified", severity: "severity",
		statuses: []string{"OPEN", "IN_PROGRESS", "RESOLVED", "REJECTED"},
		// CREATED_AT is the order field the sources show; the command then
		// sorts by updatedAt [V: XSOAR-WizDefend], [I].
		orderBy: map[string]any{"field": "CREATED_AT", "direction": "DESC"}, scope: "read:issues"},
	{label: "Cloud Configuration Findings", root: "configurationFindings", alias: "configurationFindings",
		query: gql.ConfigurationFindings, timeField: "firstSeenAt", timeMeans: "first seen", severity: "severity",
		statuses: []string{"OPEN", "RESOLVED", "REJECTED"}, scope: "read:cloud_configuration"},
	{label: "Vulnerability Findings", root: "vulnerabilityFindings", alias: "vulnerabilityFindings",
		query: gql.VulnerabilityFindings, timeField: "updatedAt", timeMeans: "updated", severity: "vendorSeverity",
		statuses: []string{"OPEN", "RESOLVED", "REJECTED"}, scope: "read:vulnerabilities"},
}

func eventTypeOf(root string) eventType {
	for _, t := range eventTypes {
		if t.root == root {
			return t
		}
	}
	return eventTypes[0]
}

// Option lists.
var (
	eventTypeOptions = opts("Issues", "issuesV2", "Cloud Configuration Findings", "configurationFindings",
		"Vulnerability Findings", "vulnerabilityFindings")
	// issueStatusOptions are every status Fetch Event filters on; which
	// apply depends on the Event Type [D3].
	issueStatusOptions = opts("OPEN", "OPEN", "IN_PROGRESS", "IN_PROGRESS", "RESOLVED", "RESOLVED", "REJECTED", "REJECTED")
	// severityOptions are cumulative, from Critical down, as the page's
	// example "Critical and High" and XSOAR's Wiz integration read them
	// [D3], [V: XSOAR-Wiz].
	severityOptions = opts("Critical", "CRITICAL", "Critical and High", "CRITICAL,HIGH",
		"Critical, High and Medium", "CRITICAL,HIGH,MEDIUM", "Critical, High, Medium and Low", "CRITICAL,HIGH,MEDIUM,LOW",
		"All", "ALL")
	updateStatusOptions = opts("Open", "OPEN", "In Progress", "IN_PROGRESS", "Rejected", "REJECTED")
	rejectReasonOptions = opts("False Positive", "FALSE_POSITIVE", "Exception", "EXCEPTION", "Won't Fix", "WONT_FIX")
	impactOptions       = opts("High", "HBI", "High and Medium", "HBI,MBI", "Medium", "MBI", "Low", "LBI")
)

// wireList splits a cumulative option's wire value.
func wireList(v string) []any {
	if v == "" || v == "ALL" {
		return nil
	}
	parts := strings.Split(v, ",")
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out
}
