package fake

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// tenantURL is the console address of the fake tenant, used in xdr_url.
const tenantURL = "https://sandbox.xdr.us.paloaltonetworks.com"

// state is all of a server's mutable data, guarded by Server.mu.
type state struct {
	nonces nonceStore
	extra  rateLimiter

	users        []tenantUser
	incidents    []*incident
	incidentByID map[string]*incident
	alerts       []*alert // every incident's alerts, in ID order
	endpoints    []*endpoint
	endpointByID map[string]*endpoint
	iocs         []*ioc // in rule_id order
	nextRuleID   int64

	actions       map[int64]*action
	nextActionID  int64
	forced        map[int64]string
	downloads     map[string]*download
	downloadByKey map[string]string
	nextToken     int

	xql xqlState
}

// tenantUser is a console user incidents can be assigned to.
type tenantUser struct{ mail, name string }

// user returns the tenant user with mail, ignoring case, or nil.
func (st *state) user(mail string) *tenantUser {
	for i := range st.users {
		if strings.EqualFold(st.users[i].mail, mail) {
			return &st.users[i]
		}
	}
	return nil
}

func newState(benchHosts int) state {
	st := state{
		incidentByID:  map[string]*incident{},
		endpointByID:  map[string]*endpoint{},
		actions:       map[int64]*action{},
		nextActionID:  firstActionID,
		forced:        map[int64]string{},
		downloads:     map[string]*download{},
		downloadByKey: map[string]string{},
		xql:           newXQLState(),
	}
	for _, u := range seedUsers {
		st.users = append(st.users, tenantUser{mail: u[0], name: u[1]})
	}
	for _, sp := range seedEndpoints {
		st.addEndpoint(sp.build())
	}
	for i := 1; i <= benchHosts; i++ {
		st.addEndpoint(benchEndpoint(i))
	}
	for _, sp := range seedIncidents {
		in := sp.build(st.endpointByID, firstAlertID+int64(len(st.alerts)))
		st.incidents = append(st.incidents, in)
		st.incidentByID[in.id] = in
		st.alerts = append(st.alerts, in.alerts...)
	}
	for _, sp := range seedIOCs {
		st.iocs = append(st.iocs, sp.build())
	}
	st.nextRuleID = st.iocs[len(st.iocs)-1].ruleID + 1
	for _, e := range st.endpoints[:len(seedEndpoints)] {
		if e.status == statusConnected {
			st.xql.hosts = append(st.xql.hosts, e)
		}
	}
	return st
}

func (st *state) addEndpoint(e *endpoint) {
	st.endpoints = append(st.endpoints, e)
	st.endpointByID[e.id] = e
}

// hexDigest is the hex SHA-256 of parts joined with NUL: the source of
// every seeded ID and hash.
func hexDigest(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:])
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// endpointID is the 32-hex ID of the endpoint named name.
func endpointID(name string) string { return hexDigest("endpoint", name)[:32] }

// fileSHA256 is the seeded SHA-256 of the file named name.
func fileSHA256(name string) string { return hexDigest("file", name) }

// nov is an epoch-ms time on a day of November 2026, UTC.
func nov(day, h, m, s int) time.Time { return time.Date(2026, 11, day, h, m, s, 0, time.UTC) }

func ms(t time.Time) int64 { return t.UnixMilli() }

// seedUsers are the tenant's users: mail and display name.
var seedUsers = [][2]string{
	{"jane.doe@example.com", "Jane Doe"},
	{"sam.lee@example.com", "Sam Lee"},
	{"priya.patel@example.com", "Priya Patel"},
	{"soc-lead@example.com", "SOC Lead"},
}

// SeedUsers returns the mail addresses of the tenant's users, the values
// update_incident accepts as assigned_user_mail.
func SeedUsers() []string {
	out := make([]string, len(seedUsers))
	for i, u := range seedUsers {
		out[i] = u[0]
	}
	return out
}

type endpointSpec struct {
	name, platform, typ, status, isolated, scan string
	ip, group, user, osVersion                  string
	firstSeen, lastSeen                         time.Time
}

func (sp endpointSpec) build() *endpoint {
	e := &endpoint{
		id:        endpointID(sp.name),
		name:      sp.name,
		typ:       "AGENT_TYPE_" + sp.typ,
		status:    sp.status,
		platform:  sp.platform,
		osVersion: sp.osVersion,
		ips:       []string{sp.ip},
		users:     []string{sp.user},
		group:     sp.group,
		firstSeen: ms(sp.firstSeen),
		lastSeen:  ms(sp.lastSeen),
		isolated:  agentUnisolated,
		scan:      sp.scan,
		tags:      []string{},
	}
	sum := hexDigest("mac", sp.name)
	e.macs = []string{fmt.Sprintf("00:50:56:%s:%s:%s", sum[0:2], sum[2:4], sum[4:6])}
	switch sp.platform {
	case "windows":
		e.domain, e.version, e.pkg, e.policy = "acme.local", "8.5.0.12345", "Windows Workstations 8.5", "Windows Default"
		if sp.typ == "SERVER" {
			e.pkg = "Windows Servers 8.5"
		}
	case "linux":
		e.version, e.pkg, e.policy = "8.5.0.3210", "Linux Servers 8.5", "Linux Default"
	case "macos":
		e.version, e.pkg, e.policy = "8.5.0.4567", "macOS 8.5", "macOS Default"
	case "android":
		e.version, e.pkg, e.policy = "8.4.1.1200", "Android 8.4", "Android Default"
	}
	e.content = "1450-25581"
	if strings.HasPrefix(sp.ip, "10.") || strings.HasPrefix(sp.ip, "172.") {
		e.publicIP = "203.0.113.10"
	} else {
		e.publicIP = "198.51.100.219"
	}
	e.alias = seedAliases[sp.name]
	if sp.isolated == "isolated" {
		e.isolated = agentIsolated
		e.isolatedDate = ms(sp.lastSeen.Add(-36 * time.Hour))
	}
	return e
}

var (
	seenRecently = nov(20, 23, 58, 12)
	seenOct      = time.Date(2026, 10, 28, 17, 3, 0, 0, time.UTC)
	seenSep      = time.Date(2026, 9, 15, 8, 40, 0, 0, time.UTC)
	seenJun      = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	firstSeen24  = time.Date(2024, 3, 12, 9, 30, 0, 0, time.UTC)
	firstSeen25  = time.Date(2025, 7, 2, 14, 15, 0, 0, time.UTC)
)

// seedAliases are the aliases set on some endpoints.
var seedAliases = map[string]string{"SRV-DC-01": "dc1", "WS-EXEC-0003": "ceo-desktop", "jump-01": "bastion"}

// seedEndpoints are the tenant's 25 agents.
var seedEndpoints = []endpointSpec{
	{"WS-FIN-0142", "windows", "WORKSTATION", statusConnected, "", "none", "10.10.20.42", "Finance", `acme\m.chen`, "Windows 11 Enterprise 23H2", firstSeen24, seenRecently},
	{"WS-HR-0087", "windows", "WORKSTATION", statusConnected, "isolated", "success", "10.10.30.87", "HR", `acme\r.okafor`, "Windows 11 Enterprise 23H2", firstSeen24, seenRecently.Add(-3 * time.Minute)},
	{"WS-ENG-0311", "windows", "WORKSTATION", statusConnected, "", "none", "10.10.40.111", "Engineering", `acme\d.novak`, "Windows 11 Enterprise 24H2", firstSeen25, seenRecently.Add(-5 * time.Minute)},
	{"WS-ENG-0312", "windows", "WORKSTATION", statusConnected, "", "none", "10.10.40.112", "Engineering", `acme\a.kim`, "Windows 11 Enterprise 24H2", firstSeen25, seenRecently.Add(-7 * time.Minute)},
	{"WS-SALES-0024", "windows", "WORKSTATION", statusConnected, "", "success", "10.10.50.24", "Sales", `acme\l.garcia`, "Windows 10 Enterprise 22H2", firstSeen24, seenRecently.Add(-11 * time.Minute)},
	{"WS-EXEC-0003", "windows", "WORKSTATION", statusConnected, "", "none", "10.10.10.3", "Executives", `acme\k.wright`, "Windows 11 Enterprise 23H2", firstSeen24, seenRecently.Add(-13 * time.Minute)},
	{"WS-IT-0450", "windows", "WORKSTATION", statusConnected, "", "none", "10.10.60.50", "IT", `acme\adm-t.nguyen`, "Windows 11 Enterprise 24H2", firstSeen24, seenRecently.Add(-17 * time.Minute)},
	{"WS-MKT-0061", "windows", "WORKSTATION", statusDisconnected, "", "none", "10.10.70.61", "Marketing", `acme\s.ito`, "Windows 10 Enterprise 22H2", firstSeen25, nov(14, 18, 2, 0)},
	{"LT-REMOTE-0219", "windows", "WORKSTATION", statusLost, "", "none", "192.168.1.219", "Remote", `acme\p.silva`, "Windows 11 Pro 23H2", firstSeen25, seenSep},
	{"WS-OLD-0007", "windows", "WORKSTATION", statusUninstalled, "", "none", "10.10.90.7", "Decommissioned", `acme\former.user`, "Windows 10 Enterprise 21H2", firstSeen24, seenJun},
	{"SRV-DC-01", "windows", "SERVER", statusConnected, "", "success", "10.10.0.10", "Domain Controllers", `acme\administrator`, "Windows Server 2022", firstSeen24, seenRecently.Add(-1 * time.Minute)},
	{"SRV-FILE-02", "windows", "SERVER", statusConnected, "", "error", "10.10.0.20", "File Servers", `acme\svc-backup`, "Windows Server 2019", firstSeen24, seenRecently.Add(-2 * time.Minute)},
	{"SRV-SQL-03", "windows", "SERVER", statusConnected, "", "none", "10.10.0.30", "Database Servers", `acme\svc-sql`, "Windows Server 2022", firstSeen24, seenRecently.Add(-4 * time.Minute)},
	{"SRV-EXCH-01", "windows", "SERVER", statusDisconnected, "", "none", "10.10.0.40", "Mail Servers", `acme\svc-exchange`, "Windows Server 2019", firstSeen24, nov(18, 2, 30, 0)},
	{"web-prod-01", "linux", "SERVER", statusConnected, "", "none", "172.16.10.11", "Web Servers", "www-data", "Ubuntu 22.04.5 LTS", firstSeen25, seenRecently.Add(-6 * time.Minute)},
	{"web-prod-02", "linux", "SERVER", statusConnected, "", "none", "172.16.10.12", "Web Servers", "www-data", "Ubuntu 22.04.5 LTS", firstSeen25, seenRecently.Add(-8 * time.Minute)},
	{"db-prod-01", "linux", "SERVER", statusConnected, "", "success", "172.16.20.21", "Database Servers", "postgres", "Red Hat Enterprise Linux 9.4", firstSeen24, seenRecently.Add(-9 * time.Minute)},
	{"jump-01", "linux", "SERVER", statusConnected, "", "none", "172.16.0.5", "Bastion", "ubuntu", "Ubuntu 24.04.1 LTS", firstSeen25, seenRecently.Add(-10 * time.Minute)},
	{"build-ci-07", "linux", "SERVER", statusConnected, "isolated", "none", "172.16.30.7", "CI", "jenkins", "Debian 12", firstSeen25, seenRecently.Add(-12 * time.Minute)},
	{"k8s-node-12", "linux", "SERVER", statusLost, "", "none", "172.16.40.12", "Kubernetes", "root", "Ubuntu 22.04.4 LTS", firstSeen25, seenOct},
	{"MBP-DESIGN-017", "macos", "WORKSTATION", statusConnected, "", "none", "10.10.80.17", "Design", "j.martin", "macOS 15.1", firstSeen25, seenRecently.Add(-14 * time.Minute)},
	{"MBP-ENG-204", "macos", "WORKSTATION", statusConnected, "", "none", "10.10.40.204", "Engineering", "e.rossi", "macOS 15.1", firstSeen25, seenRecently.Add(-15 * time.Minute)},
	{"MBP-EXEC-002", "macos", "WORKSTATION", statusDisconnected, "", "none", "10.10.10.2", "Executives", "k.wright", "macOS 14.7", firstSeen24, nov(16, 20, 45, 0)},
	{"AND-SALES-031", "android", "MOBILE", statusConnected, "", "none", "10.20.5.31", "Mobile", "l.garcia", "Android 14", firstSeen25, seenRecently.Add(-16 * time.Minute)},
	{"AND-FIELD-112", "android", "MOBILE", statusLost, "", "none", "10.20.5.112", "Mobile", "f.tech", "Android 13", firstSeen25, seenSep.Add(48 * time.Hour)},
}

// benchEndpoint is the i-th generated endpoint (from 1).
func benchEndpoint(i int) *endpoint {
	platforms := []struct{ platform, os, typ string }{
		{"windows", "Windows 11 Enterprise 24H2", "WORKSTATION"},
		{"linux", "Ubuntu 24.04.1 LTS", "SERVER"},
		{"macos", "macOS 15.1", "WORKSTATION"},
	}
	p := platforms[(i-1)%len(platforms)]
	return endpointSpec{
		name: fmt.Sprintf("bench-host-%04d", i), platform: p.platform, typ: p.typ,
		status: statusConnected, scan: "none",
		ip:    fmt.Sprintf("10.200.%d.%d", (i/250)%256, i%250+1),
		group: "Bench", user: fmt.Sprintf("bench-user-%04d", i), osVersion: p.os,
		firstSeen: firstSeen25, lastSeen: seenRecently.Add(-time.Duration(i) * time.Second),
	}.build()
}

// SeedEndpoints returns the IDs of the seeded endpoints (not those added
// with WithEndpoints), in seed order.
func SeedEndpoints() []string {
	out := make([]string, len(seedEndpoints))
	for i, sp := range seedEndpoints {
		out[i] = endpointID(sp.name)
	}
	return out
}

// SeedEndpointID returns the ID of the seeded endpoint named name, or ""
// when there is none.
func SeedEndpointID(name string) string {
	for _, sp := range seedEndpoints {
		if sp.name == name {
			return endpointID(name)
		}
	}
	return ""
}

// SeedIncidentIDs returns the IDs of the seeded incidents, oldest first.
func SeedIncidentIDs() []string {
	out := make([]string, len(seedIncidents))
	for i, sp := range seedIncidents {
		out[i] = sp.id
	}
	return out
}

// SeedIOCRuleIDs returns the rule IDs of the seeded IOCs.
func SeedIOCRuleIDs() []int64 {
	out := make([]int64, len(seedIOCs))
	for i, sp := range seedIOCs {
		out[i] = sp.ruleID
	}
	return out
}

// SeedPCAPAlertIDs returns the IDs of the seeded alerts that carry a PCAP.
func SeedPCAPAlertIDs() []int64 {
	var out []int64
	id := int64(firstAlertID)
	for _, in := range seedIncidents {
		for _, a := range in.alerts {
			if a.pcap {
				out = append(out, id)
			}
			id++
		}
	}
	return out
}
