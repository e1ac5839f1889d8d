package fake

import (
	"fmt"
	"time"
)

// buildProjects makes the tenant's eight projects: "Project1" and
// "Project 2" of the samples, the "Production" folder with two projects
// in it, "Data Analytics", the red team's "Security Lab" and the archived
// "Legacy Intranet".
func (sd *seeder) buildProjects() {
	p := func(id, name, slug, unit, desc, impact string, score float64, accounts, repos, members int, owners, champions []any) obj {
		return obj{
			"id": id, "name": name, "slug": slug, "isFolder": false, "archived": false,
			"businessUnit": unit, "description": desc, "riskProfile": obj{"businessImpact": impact},
			"securityScore": score, "cloudAccountCount": accounts, "repositoryCount": repos, "teamMemberCount": members,
			"projectOwners": owners, "securityChampions": champions, "_parent": "",
		}
	}
	folder := p(ProductionFolderID, "Production", "production", "Engineering", "Production workloads", "HBI", 58.2, 2, 6, 9,
		list(socLead()), list(priyaPatel()))
	folder["isFolder"] = true
	payments := p(uuidOf("project", "payments-production"), "Payments Production", "payments-production", "Payments",
		"Cardholder data environment (PCI DSS scope)", "HBI", 62.5, 1, 2, 5, list(priyaPatel()), list(janeDoe()))
	payments["_parent"] = ProductionFolderID
	web := p(uuidOf("project", "customer-web-platform"), "Customer Web Platform", "customer-web-platform", "Engineering",
		"Public web tier, APIs and CI/CD", "HBI", 55.9, 1, 4, 7, list(samLee()), list(janeDoe(), samLee()))
	web["_parent"] = ProductionFolderID
	archived := p(ArchivedProjectID, "Legacy Intranet", "legacy-intranet", "IT", "Decommissioned intranet, kept for audit",
		"LBI", 83.0, 1, 0, 1, list(socLead()), list())
	archived["archived"] = true
	sd.projectList = []obj{
		p(Project1ID, "Project1", "project1", "Dev", "Test project", "MBI", 71.4, 2, 3, 4, list(samLee()), list()),
		p(Project2ID, "Project 2", "project-2", "Dev", "Integration test workloads", "MBI", 64.0, 1, 1, 2, list(janeDoe()), list()),
		folder, payments, web,
		p(uuidOf("project", "data-analytics"), "Data Analytics", "data-analytics", "Data", "Analytics pipelines on GCP", "MBI", 77.3, 1, 2, 3,
			list(janeDoe()), list(priyaPatel())),
		p(SecurityLabProjectID, "Security Lab", "security-lab", "Security",
			"Red team and penetration testing lab; its findings are expected", "LBI", 41.0, 1, 1, 3, list(socLead()), list(samLee())),
		archived,
	}
	sd.projectByID = map[string]obj{}
	for _, m := range sd.projectList {
		sd.projectByID[str(m, "id")] = m
	}
}

// projectRefs returns the projects with the given IDs, or nil for none
// (issues without a project have "projects": null, as in the D3 sample).
func (sd *seeder) projectRefs(ids ...string) any {
	if len(ids) == 0 {
		return nil
	}
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = sd.projectByID[id]
	}
	return out
}

func projectID(slug string) string { return uuidOf("project", slug) }

// issueSpec is one seeded issue.
type issueSpec struct {
	id                     string
	typ, status, severity  string
	rule                   obj
	entity                 entity
	projects               []string
	created, statusChanged time.Time
	updated                time.Time
	resolved, due          time.Time
	reason, note           string
	tickets                []any
	notes                  []any
}

func (sp issueSpec) build(sd *seeder) obj {
	opt := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t
	}
	var reason, note any
	if sp.reason != "" {
		reason = sp.reason
	}
	if sp.note != "" {
		note = sp.note
	}
	tickets, notes := sp.tickets, sp.notes
	if tickets == nil {
		tickets = []any{}
	}
	if notes == nil {
		notes = []any{}
	}
	m := obj{
		"id": sp.id, "sourceRule": sp.rule, "createdAt": sp.created, "updatedAt": sp.updated,
		"dueAt": opt(sp.due), "type": sp.typ, "resolvedAt": opt(sp.resolved), "statusChangedAt": sp.statusChanged,
		"projects": sd.projectRefs(sp.projects...), "status": sp.status, "severity": sp.severity,
		"resolutionReason": reason, "note": note, "entitySnapshot": sp.entity.snapshot(),
		"serviceTickets": tickets, "notes": notes,
	}
	if str(sp.rule, "__typename") == "Control" {
		m["control"] = sp.rule
	}
	return m
}

func ticket(key string) obj {
	return obj{"id": uuidOf("ticket", key), "externalId": key, "name": key, "url": "https://jira.example.com/browse/" + key}
}

// userNote is a note written by a tenant user.
func userNote(key string, at time.Time, text string, u obj) obj {
	return obj{"id": uuidOf("note", "seed/"+key), "createdAt": at, "updatedAt": at, "text": text, "user": u, "serviceAccount": nil}
}

// Hosts shared with the Cortex XDR fake, which knows them by the same
// names and addresses.
const (
	regionProd = "us-east-1"
	regionLab  = "us-west-2"
)

func (sd *seeder) webProd01() entity {
	return ec2("web-prod-01", subProd, regionProd, obj{"Name": "web-prod-01", "environment": "production", "team": "web"}, sd.ago(412, "3h"))
}

func (sd *seeder) webProd02() entity {
	return ec2("web-prod-02", subProd, regionProd, obj{"Name": "web-prod-02", "environment": "production", "team": "web"}, sd.ago(412, "2h"))
}

func (sd *seeder) dbProd01() entity {
	return ec2("db-prod-01", subProd, regionProd, obj{"Name": "db-prod-01", "environment": "production", "team": "payments"}, sd.ago(640, "5h"))
}

func (sd *seeder) buildCI07() entity {
	return ec2("build-ci-07", subProd, regionProd, obj{"Name": "build-ci-07", "environment": "ci", "team": "platform"}, sd.ago(390, "1h"))
}

func (sd *seeder) jump01() entity {
	return ec2("jump-01", subProd, regionProd, obj{"Name": "jump-01", "environment": "production", "role": "bastion"}, sd.ago(410, "7h"))
}

// issues builds the 24 seeded issues, in seed order. 18 were updated in
// the 24 hours before the anchor, 6 earlier.
func (sd *seeder) issues() []obj {
	labTags := func(name string, extra ...string) obj {
		t := obj{"Name": name, "environment": "pentest-lab", "owner": "red-team"}
		for i := 0; i+1 < len(extra); i += 2 {
			t[extra[i]] = extra[i+1]
		}
		return t
	}
	payments, web := projectID("payments-production"), projectID("customer-web-platform")
	analytics := projectID("data-analytics")
	sample := entity{
		name: "Certificate for kubernetes", typ: "SECRET_INSTANCE",
		providerID: "k8s/configmap/3f1c9e0a/kube-system/extension-apiserver-authentication##API Response##9026",
	}
	sampleSnap := func() obj {
		m := sample.snapshot()
		m["status"], m["cloudPlatform"], m["subscriptionTags"] = nil, nil, nil
		m["_subscriptionId"] = ""
		m["id"] = "5c1b0a2e-7d43-5c8f-9a61-0f3e2d4b8c71" // the API notes' sample
		return m
	}
	specs := []issueSpec{
		// 1. The D3 page's sample.
		{id: SampleIssueID, typ: "TOXIC_COMBINATION", status: "OPEN", severity: "HIGH", rule: ruleSecrets(),
			entity: sample, created: sd.ago(183, "2h47m12.470891s"), statusChanged: sd.ago(0, "21h3m8.583177s"), updated: sd.ago(0, "2h47m12.986012s")},
		// 2. True positive on a production web server.
		{id: WebProd01IssueID, typ: "TOXIC_COMBINATION", status: "OPEN", severity: "CRITICAL", rule: rulePublicVMExploit(),
			entity: sd.webProd01(), projects: []string{web},
			created: sd.ago(2, "6h14m2.118273s"), statusChanged: sd.ago(2, "6h14m2.118273s"), updated: sd.ago(0, "3h0m41.552019s")},
		// 3–5. The red team's lab: known false positives.
		{id: PentestKaliIssueID, typ: "TOXIC_COMBINATION", status: "OPEN", severity: "CRITICAL", rule: rulePublicVMExploit(),
			entity: ec2("pentest-kali-01", subLab, regionLab, labTags("pentest-kali-01"), sd.ago(40, "0s")), projects: []string{SecurityLabProjectID},
			created: sd.ago(1, "9h31m55.702114s"), statusChanged: sd.ago(1, "9h31m55.702114s"), updated: sd.ago(0, "4h12m9.330871s")},
		{id: PentestBucketIssueID, typ: "TOXIC_COMBINATION", status: "OPEN", severity: "HIGH", rule: rulePublicBucket(),
			entity:   s3("pentest-lab-exfil-test", subLab, regionLab, labTags("pentest-lab-exfil-test", "purpose", "exfiltration-drill"), sd.ago(12, "0s")),
			projects: []string{SecurityLabProjectID},
			created:  sd.ago(0, "23h10m4.019283s"), statusChanged: sd.ago(0, "23h10m4.019283s"), updated: sd.ago(0, "5h26m40.118204s")},
		{id: PentestC2IssueID, typ: "THREAT_DETECTION", status: "OPEN", severity: "CRITICAL", rule: ruleReverseShell(),
			entity: ec2("pentest-c2-02", subLab, regionLab, labTags("pentest-c2-02", "tool", "sliver"), sd.ago(9, "0s")), projects: []string{SecurityLabProjectID},
			created: sd.ago(0, "6h2m31.440912s"), statusChanged: sd.ago(0, "6h2m31.440912s"), updated: sd.ago(0, "6h2m31.440912s")},
		// 6. A stale admin key, with a ticket and a note.
		{id: CIDeployerIssueID, typ: "TOXIC_COMBINATION", status: "OPEN", severity: "HIGH", rule: ruleStaleAdminKey(),
			entity: iamUser("ci-deployer", "SERVICE_ACCOUNT", subProd, obj{"purpose": "ci"}, sd.ago(300, "0s")), projects: []string{web},
			created: sd.ago(8, "4h0m0.310022s"), statusChanged: sd.ago(8, "4h0m0.310022s"), updated: sd.ago(0, "7h15m3.902811s"),
			tickets: list(ticket("SEC-1423")),
			notes:   list(userNote("ci-deployer", sd.ago(0, "7h15m3.902811s"), "Key rotation scheduled with the platform team; see SEC-1423.", samLee()))},
		// 7. Crypto mining on the CI server.
		{id: CryptoMiningIssueID, typ: "THREAT_DETECTION", status: "OPEN", severity: "HIGH", rule: ruleMining(),
			entity: sd.buildCI07(), projects: []string{web},
			created: sd.ago(0, "1h30m17.226341s"), statusChanged: sd.ago(0, "1h30m17.226341s"), updated: sd.ago(0, "1h30m17.226341s")},
		// 8. Console login through Tor, being investigated.
		{id: uuidOf("issue", "tor-login-j.doe"), typ: "THREAT_DETECTION", status: "IN_PROGRESS", severity: "HIGH", rule: ruleTorLogin(),
			entity:  iamUser("jane.doe", "USER_ACCOUNT", subProd, obj{}, sd.ago(500, "0s")),
			created: sd.ago(0, "11h40m2.871004s"), statusChanged: sd.ago(0, "9h2m44.100917s"), updated: sd.ago(0, "9h2m44.100917s"),
			tickets: list(ticket("SOC-884")),
			notes:   list(userNote("tor-login", sd.ago(0, "9h2m44.100917s"), "Confirmed with Jane: not her. Password reset and sessions revoked.", socLead()))},
		// 9. Privileged payments container.
		{id: uuidOf("issue", "payments-api-privileged"), typ: "TOXIC_COMBINATION", status: "OPEN", severity: "CRITICAL", rule: rulePrivilegedContainer(),
			entity: entity{name: "payments-api-7f9c", typ: "CONTAINER", nativeType: "container", sub: subProd, region: regionProd,
				providerID: "k8s/container/payments-eks/payments/payments-api-7f9c6d5b8-x2x4q/payments-api",
				url:        "https://console.aws.amazon.com/eks/home?region=us-east-1#/clusters/payments-eks",
				tags:       obj{"app": "payments-api", "environment": "production"}, created: sd.ago(3, "0s")},
			projects: []string{payments},
			created:  sd.ago(3, "2h11m9.614420s"), statusChanged: sd.ago(3, "2h11m9.614420s"), updated: sd.ago(0, "10h4m51.007731s")},
		// 10. Public logs bucket.
		{id: uuidOf("issue", "corp-logs-archive-public"), typ: "CLOUD_CONFIGURATION", status: "OPEN", severity: "MEDIUM", rule: ruleS3Block(),
			entity: s3("corp-logs-archive", subIntegrations, "us-east-2", obj{"retention": "7y"}, sd.ago(700, "0s")), projects: []string{Project2ID},
			created: sd.ago(15, "8h0m3.551902s"), statusChanged: sd.ago(15, "8h0m3.551902s"), updated: sd.ago(0, "12h33m27.441210s")},
		// 11. SSH open to the world on the bastion's security group.
		{id: uuidOf("issue", "bastion-ssh-open"), typ: "CLOUD_CONFIGURATION", status: "OPEN", severity: "HIGH", rule: ruleSSH(),
			entity: securityGroup("bastion-ssh", subProd, regionProd, obj{"Name": "bastion-ssh"}, sd.ago(410, "0s")), projects: []string{web},
			created: sd.ago(1, "14h8m55.093318s"), statusChanged: sd.ago(1, "14h8m55.093318s"), updated: sd.ago(0, "14h8m55.093318s")},
		// 12. Azure storage account, fixed.
		{id: uuidOf("issue", "corpstorprod01-public-blob"), typ: "CLOUD_CONFIGURATION", status: "RESOLVED", severity: "MEDIUM", rule: ruleAzureBlob(),
			entity:  azureResource("corpstorprod01", "STORAGE_ACCOUNT", "Microsoft.Storage/storageAccounts", "Microsoft.Storage/storageAccounts", "rg-corp-storage", "westeurope", obj{"environment": "production"}, sd.ago(800, "0s")),
			created: sd.ago(20, "1h2m3.004005s"), statusChanged: sd.ago(0, "16h20m1.337702s"), updated: sd.ago(0, "16h20m1.337702s"),
			resolved: sd.ago(0, "16h20m1.337702s"), reason: "ISSUE_FIXED"},
		// 13. Public Cloud SQL instance.
		{id: uuidOf("issue", "analytics-sql-public"), typ: "CLOUD_CONFIGURATION", status: "OPEN", severity: "HIGH", rule: ruleCloudSQL(),
			entity:   gcpResource("analytics-sql-01", "DB_SERVER", "sqladmin#instance", "cloudsql.googleapis.com", "us-central1", obj{"team": "data"}, sd.ago(200, "0s")),
			projects: []string{analytics},
			created:  sd.ago(4, "18h0m0.5s"), statusChanged: sd.ago(4, "18h0m0.5s"), updated: sd.ago(0, "18h2m12.660093s")},
		// 14. IMDSv1 on the database server.
		{id: uuidOf("issue", "db-prod-01-imdsv1"), typ: "CLOUD_CONFIGURATION", status: "OPEN", severity: "LOW", rule: ruleIMDSv2(),
			entity: sd.dbProd01(), projects: []string{payments},
			created: sd.ago(30, "3h3m3.030303s"), statusChanged: sd.ago(30, "3h3m3.030303s"), updated: sd.ago(0, "20h1m9.775123s")},
		// 15. The bastion's lateral movement path, accepted.
		{id: RejectedIssueID, typ: "TOXIC_COMBINATION", status: "REJECTED", severity: "HIGH", rule: ruleLateral(),
			entity: sd.jump01(), projects: []string{web},
			created: sd.ago(60, "0h12m0.12s"), statusChanged: sd.ago(0, "22h5m18.905512s"), updated: sd.ago(0, "22h5m18.905512s"),
			reason: "WONT_FIX", note: "Bastion role is an accepted risk until the Session Manager migration (RISK-77)."},
		// 16. Mass download from a payments bucket, resolved.
		{id: uuidOf("issue", "payments-exports-mass-download"), typ: "THREAT_DETECTION", status: "RESOLVED", severity: "MEDIUM", rule: ruleMassDownload(),
			entity: s3("payments-exports", subProd, regionProd, obj{"data-classification": "confidential"}, sd.ago(365, "0s")), projects: []string{payments},
			created: sd.ago(1, "3h0m0.9s"), statusChanged: sd.ago(0, "23h12m40.220871s"), updated: sd.ago(0, "23h12m40.220871s"),
			resolved: sd.ago(0, "23h12m40.220871s"), reason: "NOT_MALICIOUS_THREAT",
			notes: list(userNote("payments-exports", sd.ago(0, "23h12m40.220871s"), "Quarterly reconciliation export by the finance batch job.", priyaPatel()))},
		// 17. Intentionally public CDN bucket.
		{id: uuidOf("issue", "static-assets-public"), typ: "CLOUD_CONFIGURATION", status: "OPEN", severity: "INFORMATIONAL", rule: ruleS3Block(),
			entity: s3("static-assets-cdn", subProd, regionProd, obj{"public": "true", "team": "web"}, sd.ago(420, "0s")), projects: []string{web},
			created: sd.ago(0, "2h5m0.771230s"), statusChanged: sd.ago(0, "2h5m0.771230s"), updated: sd.ago(0, "2h5m0.771230s")},
		// 18. Project1's shared bucket, being fixed, with a due date.
		{id: uuidOf("issue", "project1-shared-data"), typ: "TOXIC_COMBINATION", status: "IN_PROGRESS", severity: "MEDIUM", rule: rulePublicBucket(),
			entity: s3("project1-shared-data", subIntegrations, "us-east-2", obj{"project": "project1"}, sd.ago(90, "0s")), projects: []string{Project1ID},
			created: sd.ago(5, "5h5m5.050505s"), statusChanged: sd.ago(0, "8h0m1.200300s"), updated: sd.ago(0, "8h0m1.200300s"),
			due: sd.in(7, "0s"), tickets: list(ticket("DEV-3120"))},
		// 19–24. Updated before the last 24 hours.
		{id: OldIssueID, typ: "TOXIC_COMBINATION", status: "OPEN", severity: "HIGH", rule: ruleLateral(),
			entity: sd.webProd02(), projects: []string{web},
			created: sd.ago(6, "1h0m0.1s"), statusChanged: sd.ago(6, "1h0m0.1s"), updated: sd.ago(1, "6h0m12.513408s")},
		{id: uuidOf("issue", "web-prod-01-reverse-shell"), typ: "THREAT_DETECTION", status: "REJECTED", severity: "HIGH", rule: ruleReverseShell(),
			entity: sd.webProd01(), projects: []string{web},
			created: sd.ago(2, "4h0m0.4s"), statusChanged: sd.ago(2, "2h0m7.004417s"), updated: sd.ago(2, "2h0m7.004417s"),
			reason: "FALSE_POSITIVE", note: "Authorised scan by the external pentest vendor (change CHG-5521)."},
		{id: uuidOf("issue", "legacy-sg-ssh"), typ: "CLOUD_CONFIGURATION", status: "RESOLVED", severity: "LOW", rule: ruleSSH(),
			entity: securityGroup("legacy-admin-ssh", subIntegrations, "us-east-2", obj{}, sd.ago(900, "0s")), projects: []string{Project2ID},
			created: sd.ago(40, "0s"), statusChanged: sd.ago(3, "3h3m3.3s"), updated: sd.ago(3, "3h3m3.3s"),
			resolved: sd.ago(3, "3h3m3.3s"), reason: "OBJECT_DELETED"},
		{id: uuidOf("issue", "build-ci-07-imdsv1"), typ: "CLOUD_CONFIGURATION", status: "REJECTED", severity: "LOW", rule: ruleIMDSv2(),
			entity: sd.buildCI07(), projects: []string{web},
			created: sd.ago(45, "0s"), statusChanged: sd.ago(5, "5h5m5.5s"), updated: sd.ago(5, "5h5m5.5s"),
			reason: "EXCEPTION", note: "CI agents pinned to IMDSv1 until the Jenkins EC2 plugin upgrade."},
		{id: uuidOf("issue", "analytics-etl-key"), typ: "TOXIC_COMBINATION", status: "OPEN", severity: "MEDIUM", rule: ruleStaleAdminKey(),
			entity:   gcpResource("analytics-etl@analytics-prod-381207.iam.gserviceaccount.com", "SERVICE_ACCOUNT", "serviceAccount", "iam.googleapis.com", "global", obj{}, sd.ago(250, "0s")),
			projects: []string{analytics},
			created:  sd.ago(9, "0s"), statusChanged: sd.ago(9, "0s"), updated: sd.ago(2, "0h30m0.25s")},
		{id: uuidOf("issue", "legacy-intranet-db"), typ: "CLOUD_CONFIGURATION", status: "IN_PROGRESS", severity: "INFORMATIONAL", rule: ruleCloudSQL(),
			entity:   gcpResource("legacy-intranet-db", "DB_SERVER", "sqladmin#instance", "cloudsql.googleapis.com", "europe-west1", obj{}, sd.ago(1500, "0s")),
			projects: []string{ArchivedProjectID},
			created:  sd.ago(120, "0s"), statusChanged: sd.ago(10, "1h1m1.1s"), updated: sd.ago(10, "1h1m1.1s"),
			due: sd.ago(3, "0s")},
	}
	out := make([]obj, len(specs))
	for i, sp := range specs {
		out[i] = sp.build(sd)
	}
	out[0]["entitySnapshot"] = sampleSnap()
	return out
}

// generatedIssues makes n issues for WithGeneratedIssues: open or in
// progress, cycling through types and severities, updated one minute
// apart going back from the anchor and wrapping inside the last 24 hours.
func (sd *seeder) generatedIssues(n int) []obj {
	types := []string{"TOXIC_COMBINATION", "THREAT_DETECTION", "CLOUD_CONFIGURATION"}
	rules := []func() obj{rulePublicVMExploit, ruleMining, ruleIMDSv2}
	severities := []string{"CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL"}
	statuses := []string{"OPEN", "OPEN", "IN_PROGRESS"}
	out := make([]obj, n)
	for i := range n {
		name := fmt.Sprintf("gen-host-%05d", i+1)
		updated := sd.at.Add(-time.Duration(i%1430+1)*time.Minute - time.Duration(i%997)*time.Microsecond)
		out[i] = issueSpec{
			id: uuidOf("generated-issue", name), typ: types[i%3], status: statuses[i%3], severity: severities[i%5],
			rule: rules[i%3](), entity: ec2(name, subProd, regionProd, obj{"Name": name, "environment": "generated"}, sd.ago(30, "0s")),
			created: updated.Add(-48 * time.Hour), statusChanged: updated.Add(-48 * time.Hour), updated: updated,
		}.build(sd)
	}
	return out
}
