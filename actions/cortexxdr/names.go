package cortexxdr

import "github.com/playbook-sh/playbook/actions"

// The command names: the page's command names in snake_case.
const (
	AddIOCsName                  = "cortex_xdr.add_iocs"
	CancelScanHostsName          = "cortex_xdr.cancel_scan_hosts"
	CreateIndicatorName          = "cortex_xdr.create_indicator"
	DeleteIOCsName               = "cortex_xdr.delete_iocs"
	FetchIncidentName            = "cortex_xdr.fetch_incident"
	GetActionStatusName          = "cortex_xdr.get_action_status"
	GetIncidentDetailsName       = "cortex_xdr.get_incident_details"
	GetIOCsName                  = "cortex_xdr.get_iocs"
	GetScriptResultFilesName     = "cortex_xdr.get_script_result_files"
	GetXQLQueryQuotaName         = "cortex_xdr.get_xql_query_quota"
	GetXQLQueryResultsName       = "cortex_xdr.get_xql_query_results"
	GetXQLQueryResultsStreamName = "cortex_xdr.get_xql_query_results_stream"
	IsolateHostsName             = "cortex_xdr.isolate_hosts"
	RetrieveFilesName            = "cortex_xdr.retrieve_files"
	RetrievePCAPPacketName       = "cortex_xdr.retrieve_pcap_packet"
	RunScriptName                = "cortex_xdr.run_script"
	ScanHostsName                = "cortex_xdr.scan_hosts"
	SearchHostsName              = "cortex_xdr.search_hosts"
	StartXQLQueryName            = "cortex_xdr.start_xql_query"
	UnisolateHostsName           = "cortex_xdr.unisolate_hosts"
	UpdateIncidentsName          = "cortex_xdr.update_incidents"
	UpdateIOCsName               = "cortex_xdr.update_iocs"
	TestConnectionName           = "cortex_xdr.test_connection"
)

// Commands returns the integration's 23 commands.
func (x *XDR) Commands() []actions.Command {
	cmds := []*command{
		x.addIOCs(), x.cancelScanHosts(), x.createIndicator(), x.deleteIOCs(),
		x.fetchIncident(), x.getActionStatus(), x.getIncidentDetails(), x.getIOCs(),
		x.getScriptResultFiles(), x.getXQLQueryQuota(), x.getXQLQueryResults(),
		x.getXQLQueryResultsStream(), x.isolateHosts(), x.retrieveFiles(),
		x.retrievePCAPPacket(), x.runScript(), x.scanHosts(), x.searchHosts(),
		x.startXQLQuery(), x.unisolateHosts(), x.updateIncidents(), x.updateIOCs(),
		x.testConnection(),
	}
	out := make([]actions.Command, len(cmds))
	for i, c := range cmds {
		c.x = x
		c.spec.Connection = IntegrationName
		out[i] = c
	}
	return out
}

// Option lists of the IOC commands (Add, Delete, Get, Update IOCs): the
// page's labels and the IOC API's codes [PA-XSIAM], the codes the sources
// do not show inferred from the alert severity codes [INF].
var (
	iocTypes = opts("Hash", "HASH", "IP", "IP", "Path", "PATH", "Domain Name", "DOMAIN_NAME",
		"Filename", "FILENAME", "Mixed", "MIXED")
	iocSeverities = opts("Info", "SEV_010_INFO", "Low", "SEV_020_LOW", "Medium", "SEV_030_MEDIUM",
		"High", "SEV_040_HIGH")
	iocReputations = opts("Good", "GOOD", "Bad", "BAD", "Suspicious", "SUSPICIOUS",
		"Unknown", "UNKNOWN", "No Reputation", "NO_REPUTATION")
	iocReliabilities = opts("A", "A", "B", "B", "C", "C", "D", "D", "E", "E", "F", "F", "G", "G")
)

// Endpoint filter options of Search Hosts [PA Get-Endpoint].
var (
	hostStatuses = opts("Connected", "connected", "Disconnected", "disconnected", "Lost", "lost",
		"Uninstalled", "uninstalled")
	platforms = opts("Windows", "windows", "Linux", "linux", "MacOS", "macos", "Android", "android")
	isolation = opts("Isolated", "isolated", "Unisolated", "unisolated")
)

// incidentStatuses are the statuses Update Incidents sets; the page lists
// none, so these are the API's [XSOAR], labelled as the page's example
// writes them ("Resolved Known Issue").
var incidentStatuses = opts(
	"New", "new",
	"Under Investigation", "under_investigation",
	"Resolved Threat Handled", "resolved_threat_handled",
	"Resolved Known Issue", "resolved_known_issue",
	"Resolved Duplicate", "resolved_duplicate",
	"Resolved False Positive", "resolved_false_positive",
	"Resolved True Positive", "resolved_true_positive",
	"Resolved Security Testing", "resolved_security_testing",
	"Resolved Other", "resolved_other",
	"Resolved Auto", "resolved_auto",
)

// Permissions the page names.
const (
	permLicense = "Cortex XDR Prevent, Pro per Endpoint or Pro per TB license"
	permAdmin   = "Instance Administrator"
)
