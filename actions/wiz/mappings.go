package wiz

import (
	"time"

	"github.com/playbook-sh/playbook/actions"
)

// Names of the shipped Fetch Event field mappings.
const (
	MappingIssues                = "wiz.issues"
	MappingConfigurationFindings = "wiz.configuration_findings"
	MappingVulnerabilityFindings = "wiz.vulnerability_findings"
	fetchEventMinEvery           = 12 * time.Hour
	fetchEventMainPath           = "$.data.nodes"
	fetchEventUniqueKey          = ".id"
	searchIssue                  = "{__typename}=Issue"
	searchConfigurationFinding   = "{__typename} = ConfigurationFinding"
	searchVulnerabilityFinding   = "{__typename} = VulnerabilityFinding"
)

// fetchEventIntake is how serve's intake runs Fetch Event: the window on
// Start and End Time, at most every 12 hours as the page says; the command
// pages by itself.
var fetchEventIntake = &actions.Intake{
	Start: "start_time", End: "end_time", MinEvery: fetchEventMinEvery,
	Mappings: []string{MappingIssues, MappingConfigurationFindings, MappingVulnerabilityFindings},
}

// Mappings are the page's pre-configured Fetch Event field mappings, one
// per event type, in the page's order and spelling (its "rule.name"
// without the leading dot included: both forms mean the same path).
func Mappings() []actions.Mapping {
	return []actions.Mapping{
		{Name: MappingIssues, Description: "Wiz issues (Event Type Issues)",
			MainPath: fetchEventMainPath, UniqueKey: fetchEventUniqueKey,
			Sources: []actions.EventSource{{Search: searchIssue, Fields: actions.MappedFields(
				"Document ID", ".id",
				"Start Time", ".createdAt",
				"Description", ".sourceRule.controlDescription",
				"Status", ".status",
				"Source type", ".sourceRule.name",
				"Resolved Time", ".resolvedAt",
				"Due Time", ".dueAt",
				"Updated Time", ".updatedAt",
				"Project Names", ".projects[*].name",
				"Related Service Tickets", ".serviceTickets",
				"Severity", ".severity",
				"Notes", ".notes[*].text",
				"Rule name", ".sourceRule.name",
				"Entity Provider ID", ".entitySnapshot.providerId",
				"Event Type", ".EventType",
				"Issue Type", ".type",
				"Entity ID", ".entitySnapshot.id",
				"Entity Type", ".entitySnapshot.type",
				"Entity Name", ".entitySnapshot.name",
			)}}},
		{Name: MappingConfigurationFindings, Description: "Wiz cloud configuration findings (Event Type Cloud Configuration Findings)",
			MainPath: fetchEventMainPath, UniqueKey: fetchEventUniqueKey,
			Sources: []actions.EventSource{{Search: searchConfigurationFinding, Fields: actions.MappedFields(
				"Unique Event Key", ".id",
				"Start Time", ".firstSeenAt",
				"Description", ".rule.description",
				"Status", ".status",
				"Severity", ".severity",
				"Rule name", "rule.name",
				"Tag", ".tags",
				"Event Type", ".EventType",
				"Action result", ".result",
				"Remediation", ".remediation",
				"Target External ID", ".targetExternalId",
				"Resource Type", ".resource.type",
				"Resource Name", ".resource.name",
				"Resource ID", ".resource.id",
				"Rule ID", ".rule.id",
				"Subscription ID", ".resource.subscription.id",
				"Cloud Provider", ".resource.subscription.cloudProvider",
				"Security Sub Category Title", ".securitySubCategories[*].title",
				"Security Sub Category ID", ".securitySubCategories[*].id",
			)}}},
		{Name: MappingVulnerabilityFindings, Description: "Wiz vulnerability findings (Event Type Vulnerability Findings)",
			MainPath: fetchEventMainPath, UniqueKey: fetchEventUniqueKey,
			Sources: []actions.EventSource{{Search: searchVulnerabilityFinding, Fields: actions.MappedFields(
				"Unique Event Key", ".id",
				"Start Time", ".firstDetectedAt",
				"Description", ".description",
				"Status", ".status",
				"Event name", ".name",
				"Last Detected Time", ".lastDetectedAt",
				"Score", ".score",
				"CVE", ".CVEDescription",
				"Project Names", ".projects[*].name",
				"Exploitability Score", ".exploitabilityScore",
				"Severity", ".vendorSeverity",
				"Impact Score", ".impactScore",
				"Remediation", ".remediation",
				"object path", ".locationPath",
				"Event Type", ".EventType",
				"Issue Type", ".type",
				"Version", ".version",
				"Fixed Version", ".fixedVersion",
				"EPSS Severity", ".epssSeverity",
				"Vulnerable Asset Type", ".vulnerableAsset.type",
				"Vulnerable Asset Name", ".vulnerableAsset.name",
				"Vulnerable Asset ID", ".vulnerableAsset.id",
				"Cloud Platform", ".vulnerableAsset.cloudPlatform",
				"Vulnerable Asset Subscription", ".vulnerableAsset.subscriptionName",
				"Vulnerable Asset Status", ".vulnerableAsset.status",
				"Operating system", ".vulnerableAsset.operatingSystem",
				"Vulnerable Asset IP Addresses", ".vulnerableAsset.ipAddresses",
				"Image Name", ".vulnerableAsset.imageName",
				"Vulnerable Asset Tags", ".vulnerableAsset.tags",
			)}}},
	}
}
