package cortexxdr

import (
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/playbook-sh/playbook/actions"
)

// TestSpecs checks every command against the vendor page and the design's
// Key Field table: names, inputs, defaults, limits, option labels and what
// mutates.
func TestSpecs(t *testing.T) {
	type want struct {
		inputs  string // name[*] for required, in page order
		keys    string
		mutates bool
	}
	page := map[string]want{
		"Add IOCs":                     {"indicators* indicator_type* severity expiration_date enable_default_expiration comment reputation reliability", "Indicators", true},
		"Cancel Scan Hosts":            {"host_names*", "ActionIDs", true},
		"Create Indicator":             {"indicator_type* indicator* severity* reputation reliability expiration_date comment vendors", "Indicators", true},
		"Delete IOCs":                  {"indicators indicator_type severity reputation reliability", "Indicators", true},
		"Fetch Incident":               {"start_time* end_time time_field* number_of_incidents_fetched offset order_by direction other_filters tolerance_scope allow_retrieve_extra_data", "IncidentIDs", false},
		"Get Action Status":            {"action_ids*", "ActionIDs EndpointIDs Statuses", false},
		"Get Incident Details":         {"incident_ids* alerts_limit", "IncidentIDs AlertIDs HostNames HostIPs FileSHA256s", false},
		"Get IOCs":                     {"indicators indicator_type severity reputation reliability offset number_of_iocs_to_return", "Indicators RuleIDs", false},
		"Get Script Result Files":      {"action_id* endpoint_id*", "DownloadLinks", false},
		"Get XQL Query Quota":          {"", "", false},
		"Get XQL Query Results":        {"query_ids*", "QueryIDs Statuses StreamIDs", false},
		"Get XQL Query Results Stream": {"stream_id* is_gzip_compressed", "", false},
		"Isolate Hosts":                {"endpoint_ids*", "ActionIDs EndpointIDs", true},
		"Retrieve Files":               {"endpoint_ids* os* file_paths*", "ActionIDs", true},
		"Retrieve PCAP Packet":         {"creation_time severities alert_sources alert_ids limit", "AlertIDs", false},
		"Run Script":                   {"endpoint_ids* snippet_code*", "ActionIDs", true},
		"Scan Hosts":                   {"host_names*", "ActionIDs", true},
		"Search Hosts":                 {"host_names user_names group_names host_ips host_status platform isolated last_seen_after last_seen_before", "EndpointIDs EndpointNames EndpointIPs", false},
		"Start XQL Query":              {"start_time* end_time query*", "QueryIDs", false},
		"Unisolate Hosts":              {"endpoint_ids*", "ActionIDs EndpointIDs", true},
		"Update Incidents":             {"incident_ids* assigned_user_mail assigned_user_name status severity comment update_data", "IncidentIDs", true},
		"Update IOCs":                  {"rule_id* indicator indicator_type severity expiration_date enable_default_expiration comment reputation reliability", "Indicators RuleIDs", true},
		"Test Connection":              {"", "", false},
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
		wantName := "cortex_xdr." + strings.ToLower(strings.ReplaceAll(s.Title, " ", "_"))
		if s.Name != wantName {
			t.Errorf("%s: name, want %s", s.Name, wantName)
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
		if s.Mutates != w.mutates {
			t.Errorf("%s Mutates = %v, want %v", s.Name, s.Mutates, w.mutates)
		}
		if s.Connection != IntegrationName {
			t.Errorf("%s Connection = %q", s.Name, s.Connection)
		}
		_, previews := c.(actions.Previewer)
		if s.Mutates && previews && c.(*command).first == nil {
			t.Errorf("%s mutates but has no request to preview", s.Name)
		}
	}
}

// TestPageDefaultsAndLimits checks the defaults, limits and option labels
// the page gives.
func TestPageDefaultsAndLimits(t *testing.T) {
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
	f := input(FetchIncidentName, "number_of_incidents_fetched")
	if f.Default != int64(20) || f.Max == nil || *f.Max != 100 {
		t.Errorf("Fetch Incident number_of_incidents_fetched: default %v max %v, want 20 and 100", f.Default, f.Max)
	}
	if d := input(FetchIncidentName, "direction"); d.Default != "Descending" {
		t.Errorf("direction default %v", d.Default)
	}
	if d := input(FetchIncidentName, "order_by"); d.Default != "Creation Time" {
		t.Errorf("order_by default %v", d.Default)
	}
	if d := input(FetchIncidentName, "tolerance_scope"); d.Default != int64(0) {
		t.Errorf("tolerance_scope default %v", d.Default)
	}
	if d := input(GetIncidentDetailsName, "alerts_limit"); d.Default != int64(1000) {
		t.Errorf("alerts_limit default %v", d.Default)
	}
	if d := input(RetrieveFilesName, "endpoint_ids"); d.MaxItems != 10 {
		t.Errorf("Retrieve Files endpoints max %d, want 10", d.MaxItems)
	}
	if d := input(RetrieveFilesName, "file_paths"); d.MaxItems != 20 {
		t.Errorf("Retrieve Files files max %d, want 20", d.MaxItems)
	}
	if d := input(AddIOCsName, "enable_default_expiration"); d.Default != false {
		t.Errorf("enable_default_expiration default %v", d.Default)
	}
	labels := func(cmd, name string) string {
		var l []string
		for _, o := range input(cmd, name).Options {
			l = append(l, o.Label)
		}
		return strings.Join(l, ", ")
	}
	for _, tc := range []struct{ cmd, in, want string }{
		{AddIOCsName, "indicator_type", "Hash, IP, Path, Domain Name, Filename, Mixed"},
		{AddIOCsName, "severity", "Info, Low, Medium, High"},
		{AddIOCsName, "reputation", "Good, Bad, Suspicious, Unknown, No Reputation"},
		{AddIOCsName, "reliability", "A, B, C, D, E, F, G"},
		{CreateIndicatorName, "indicator_type", "Hash, IP, Domain, File"},
		{CreateIndicatorName, "severity", "Informational, Low, Medium, High, Critical, Unknown"},
		{CreateIndicatorName, "reputation", "Good, Bad, Suspicious, Unknown"},
		{CreateIndicatorName, "reliability", "A, B, C, D, E, F"},
		{FetchIncidentName, "time_field", "Creation Time, Modification Time"},
		{FetchIncidentName, "direction", "Ascending, Descending"},
		{SearchHostsName, "host_status", "Connected, Disconnected, Lost, Uninstalled"},
		{SearchHostsName, "platform", "Windows, Linux, MacOS, Android"},
		{SearchHostsName, "isolated", "Isolated, Unisolated"},
		{RetrieveFilesName, "os", "Windows, Linux, MacOS"},
		{UpdateIncidentsName, "severity", "High, Medium, Low"},
	} {
		if got := labels(tc.cmd, tc.in); got != tc.want {
			t.Errorf("%s %s options = %s, want %s", tc.cmd, tc.in, got, tc.want)
		}
	}
	// The page's example values coerce to the wire values.
	for _, tc := range []struct {
		cmd, in string
		v       any
		want    any
	}{
		{FetchIncidentName, "time_field", "Creation Time", "creation_time"},
		{FetchIncidentName, "start_time", "2019-12-22 00:00", "2019-12-22T00:00:00Z"},
		{AddIOCsName, "expiration_date", "2026-01-01 12:00 AM", "2026-01-01T00:00:00Z"},
		{CreateIndicatorName, "expiration_date", "13/07/2023 14:00", "2023-07-13T14:00:00Z"},
		{AddIOCsName, "enable_default_expiration", "No", false},
		{UpdateIncidentsName, "status", "Resolved Known Issue", "resolved_known_issue"},
		{UpdateIncidentsName, "status", "RESOLVED_KNOWN_ISSUE", "resolved_known_issue"},
		{AddIOCsName, "indicator_type", "Domain Name", "DOMAIN_NAME"},
		{SearchHostsName, "host_status", "Connected", "connected"},
	} {
		got, err := input(tc.cmd, tc.in).Coerce(tc.v)
		if err != nil || !cmp.Equal(got, tc.want) {
			t.Errorf("%s %s: Coerce(%v) = %v, %v; want %v", tc.cmd, tc.in, tc.v, got, err, tc.want)
		}
	}
}

func TestIntegrationFields(t *testing.T) {
	var names []string
	for _, f := range Integration().Fields {
		names = append(names, f.Name)
	}
	sort.Strings(names)
	want := []string{"api_key", "api_key_id", "security_level", "server_url", "version"}
	if !cmp.Equal(names, want) {
		t.Errorf("fields %v, want %v", names, want)
	}
	f, _ := Integration().Field("api_key")
	if !f.Secret {
		t.Error("api_key is not secret")
	}
	if f, _ := Integration().Field("version"); f.Default != "v1" {
		t.Errorf("version default %q", f.Default)
	}
}
