package fake

import "github.com/playbook-sh/playbook/actions/wiz/internal/gql"

// The operations of the Wiz API notes, as the wiz integration sends them.

const (
	issuesQuery         = gql.Issues
	testConnectionQuery = gql.TestConnection
	configFindingsQuery = gql.ConfigurationFindings
	vulnFindingsQuery   = gql.VulnerabilityFindings
	projectsQuery       = gql.Projects
	createNoteMutation  = gql.CreateIssueNote
	updateIssueMutation = gql.UpdateIssue
)
