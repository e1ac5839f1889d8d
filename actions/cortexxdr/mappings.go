package cortexxdr

import "github.com/playbook-sh/playbook/actions"

// Names of the shipped Fetch Incident field mappings.
const (
	MappingIncidents      = "cortex_xdr.incidents"
	MappingIncidentAlerts = "cortex_xdr.incident_alerts"
	incidentAlertsSearch  = "{$.eventType}=IncidentAlerts"
	incidentsMainPath     = "$.reply.incidents"
	// incidentAlertsMainPath reaches the alerts Fetch Incident adds to
	// each incident when Allow Retrieve Extra Data is on.
	incidentAlertsMainPath = "$.reply.incidents[*].alerts.data[*]"
)

// fetchIncidentIntake is how serve's intake runs Fetch Incident: the
// window on Start and End Time (on the Time Field the intake's `with`
// gives), pages of 100 by Offset.
var fetchIncidentIntake = &actions.Intake{
	Start: "start_time", End: "end_time",
	Offset: "offset", Limit: "number_of_incidents_fetched", PageSize: 100, PageItems: incidentsMainPath,
	Mappings: []string{MappingIncidents, MappingIncidentAlerts},
}

// Mappings are the page's pre-configured event field mappings: the
// default event source over the incidents (Unique Key .incident_id), with
// the alert event source the page selects by {$.eventType}=IncidentAlerts;
// and the same alert fields over the alerts of each incident, for an
// intake that fetches with Allow Retrieve Extra Data and wants one event
// per alert.
func Mappings() []actions.Mapping {
	alertFields := actions.MappedFields(
		"Document ID", ".alert_id",
		"Start Time", ".detection_timestamp",
		"Source", ".source",
		"Description", ".description",
		"Severity", ".severity",
		"Tag", ".tags",
		"Device", ".host_name",
		"Device IP address", ".host_ip",
		"Event name", ".name",
		"Alert type", ".alert_type",
		"Techniques", ".mitre_technique_id_and_name",
		"Tactics", ".mitre_tactic_id_and_name",
		"Agent version", ".agent_version",
		"Agent Device Domain", ".agent_device_domain",
		"Agent FQDN", ".agent_fqdn",
		"Agent OS", ".agent_os_type",
		"Agent MAC", ".mac",
		"Actor Process Instance Id", ".actor_process_instance_id",
		"URL", ".malicious_urls",
		"Event category", ".category",
		"Action", ".action",
		"Endpoint ID", ".endpoint_id",
		"Alert Event ID", ".event_id",
		"Actor Process Image Path", ".actor_process_image_path",
		"Actor Process Image Name", ".actor_process_image_name",
		"Actor Process Command Line", ".actor_process_command_line",
		"Actor Process Image SHA256", ".actor_process_image_sha256",
		"Actor Process Image MD5", ".actor_process_image_md5",
		"Actor Process Causality ID", ".actor_process_causality_id",
		"Actor Process OS PID", ".actor_process_os_pid",
		"Actor Thread ID", ".actor_thread_thread_id",
		"Action Local IP", ".action_local_ip",
		"Action Local Port", ".action_local_port",
		"Action Remote IP", ".action_remote_ip",
		"Action_Remote_Port", ".action_remote_port",
		"External ID", ".external_id",
		"Rule ID", ".matching_service_rule_id",
		"Case ID", ".case_id",
	)
	return []actions.Mapping{
		{Name: MappingIncidents, Description: "Cortex XDR incidents (default event source), and incident alerts by search string",
			MainPath: incidentsMainPath, UniqueKey: ".incident_id",
			Fields: actions.MappedFields(
				"Unique Key", ".incident_id",
				"Title", ".incident_name",
				"Event Type", ".alarmRuleName",
				"Description", ".description",
				"Severity", ".severity",
				"Start Time", ".creation_time",
				"Status", ".status",
				"Tactics", ".mitre_tactics_ids_and_names",
				"Techniques", ".mitre_techniques_ids_and_names",
			),
			Sources: []actions.EventSource{{Search: incidentAlertsSearch, UniqueKey: ".alert_id", Fields: alertFields}}},
		{Name: MappingIncidentAlerts, Description: "Cortex XDR incident alerts, one event per alert (fetch with allow_retrieve_extra_data: true)",
			MainPath: incidentAlertsMainPath, UniqueKey: ".alert_id", Fields: alertFields},
	}
}
