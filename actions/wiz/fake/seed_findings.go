package fake

import (
	"fmt"
	"maps"
	"slices"
	"time"
)

// resourceOf is the ConfigurationFindingResource of an entity.
func (sd *seeder) resourceOf(e entity, projects ...string) obj {
	var tags []any
	for _, k := range slices.Sorted(maps.Keys(e.tags)) {
		tags = append(tags, obj{"key": k, "value": e.tags[k]})
	}
	if tags == nil {
		tags = []any{}
	}
	return obj{
		"id": entityID(e.name), "providerId": e.providerID, "name": e.name, "nativeType": e.nativeType,
		"type": e.typ, "region": e.region, "subscription": e.sub.account(),
		"projects": sd.projectRefs(projects...), "tags": tags,
	}
}

// findingSpec is one seeded configuration finding.
type findingSpec struct {
	id                         string
	rule                       obj
	resource                   obj
	target                     string
	severity, result, status   string
	firstSeen, analyzed, moved time.Time
	deleted                    bool
	ignoreRules                []any
}

func (fs findingSpec) build() obj {
	id := fs.id
	if id == "" {
		id = uuidOf("configuration-finding", str(fs.rule, "id")+"/"+str(fs.resource, "id"))
	}
	return obj{
		"id": id, "targetExternalId": fs.target, "deleted": fs.deleted,
		"targetObjectProviderUniqueId": str(fs.resource, "providerId"),
		"firstSeenAt":                  fs.firstSeen, "analyzedAt": fs.analyzed, "updatedAt": fs.moved, "statusChangedAt": fs.moved,
		"severity": fs.severity, "result": fs.result, "status": fs.status,
		"remediation": fs.rule["remediationInstructions"], "resource": fs.resource, "rule": fs.rule,
		"securitySubCategories": fs.rule["securitySubCategories"], "ignoreRules": orNil(fs.ignoreRules),
	}
}

// configFindings builds the 15 seeded configuration findings: results
// PASS and FAIL, statuses OPEN, RESOLVED and REJECTED, every severity from
// NONE to CRITICAL, resources on AWS, Azure and GCP, first seen from 1 to
// 72 hours before the anchor (10 of them in the last 24 hours, one of
// those deleted).
func (sd *seeder) configFindings() []obj {
	web, payments := projectID("customer-web-platform"), projectID("payments-production")
	analytics := projectID("data-analytics")
	demo := ec2("Demo events findings", subIntegrations, "us-east-2", obj{"Name": "Demo events findings"}, sd.ago(30, "0s"))
	demo.providerID = "arn:aws:ec2:us-east-2:998231069301:instance/i-0b2c436cb6e8cb846"
	demoRes := sd.resourceOf(demo, Project2ID)
	demoRes["id"] = "36c7b515-a9fc-5f08-b2dd-26b1aaf6fa54"
	account := func(sub subscription, projects ...string) obj {
		return obj{
			"id": sub.id, "providerId": sub.externalID, "name": sub.name, "nativeType": "account", "type": "SUBSCRIPTION",
			"region": nil, "subscription": sub.account(), "projects": sd.projectRefs(projects...), "tags": []any{},
		}
	}
	lab := s3("pentest-lab-exfil-test", subLab, regionLab, obj{"Name": "pentest-lab-exfil-test", "environment": "pentest-lab", "owner": "red-team"}, sd.ago(12, "0s"))
	specs := []findingSpec{
		{id: SampleConfigurationFindingID, rule: ruleReboot(), resource: demoRes, target: "i-0b2c436cb6e8cb846",
			severity: "NONE", result: "FAIL", status: "OPEN",
			firstSeen: sd.ago(0, "6h14m1.78729s"), analyzed: sd.ago(0, "1h2m5.753884s"), moved: sd.ago(0, "6h14m1.78729s")},
		{rule: ruleS3Block(), resource: sd.resourceOf(lab, SecurityLabProjectID), target: "pentest-lab-exfil-test",
			severity: "HIGH", result: "FAIL", status: "OPEN",
			firstSeen: sd.ago(0, "3h2m44.100231s"), analyzed: sd.ago(0, "1h2m5.911020s"), moved: sd.ago(0, "3h2m44.100231s")},
		{rule: ruleS3Block(), resource: sd.resourceOf(s3("corp-logs-archive", subIntegrations, "us-east-2", obj{"retention": "7y"}, sd.ago(700, "0s")), Project2ID),
			target: "corp-logs-archive", severity: "MEDIUM", result: "PASS", status: "RESOLVED",
			firstSeen: sd.ago(1, "16h0m9.920113s"), analyzed: sd.ago(0, "1h2m6.003114s"), moved: sd.ago(0, "13h40m2.5s")},
		{rule: ruleSSH(), resource: sd.resourceOf(securityGroup("bastion-ssh", subProd, regionProd, obj{"Name": "bastion-ssh"}, sd.ago(410, "0s")), web),
			target: "sg-0" + hexOf("bastion-ssh", 16), severity: "HIGH", result: "FAIL", status: "OPEN",
			firstSeen: sd.ago(0, "10h1m12.412009s"), analyzed: sd.ago(0, "1h2m6.221500s"), moved: sd.ago(0, "10h1m12.412009s")},
		{rule: ruleIMDSv2(), resource: sd.resourceOf(sd.webProd01(), web), target: instanceID("web-prod-01"),
			severity: "MEDIUM", result: "FAIL", status: "OPEN",
			firstSeen: sd.ago(0, "2h0m3.14159s"), analyzed: sd.ago(0, "1h2m6.3s"), moved: sd.ago(0, "2h0m3.14159s")},
		{rule: ruleIMDSv2(), resource: sd.resourceOf(sd.dbProd01(), payments), target: instanceID("db-prod-01"),
			severity: "MEDIUM", result: "PASS", status: "RESOLVED",
			firstSeen: sd.ago(1, "2h30m0.27s"), analyzed: sd.ago(0, "1h2m6.4s"), moved: sd.ago(0, "19h0m0.5s")},
		{rule: ruleAzureBlob(), resource: sd.resourceOf(azureResource("corpstorprod01", "STORAGE_ACCOUNT", "Microsoft.Storage/storageAccounts", "Microsoft.Storage/storageAccounts", "rg-corp-storage", "westeurope", obj{"environment": "production"}, sd.ago(800, "0s"))),
			target: "corpstorprod01", severity: "MEDIUM", result: "FAIL", status: "OPEN",
			firstSeen: sd.ago(0, "12h12m12.121212s"), analyzed: sd.ago(0, "1h30m0.1s"), moved: sd.ago(0, "12h12m12.121212s")},
		{rule: ruleKeyVault(), resource: sd.resourceOf(azureResource("kv-corp-secrets", "SECRET_CONTAINER", "Microsoft.KeyVault/vaults", "Microsoft.KeyVault/vaults", "rg-corp-security", "westeurope", obj{"owner": "secops"}, sd.ago(600, "0s"))),
			target: "kv-corp-secrets", severity: "LOW", result: "FAIL", status: "OPEN",
			firstSeen: sd.ago(0, "20h4m31.887766s"), analyzed: sd.ago(0, "1h30m0.2s"), moved: sd.ago(0, "20h4m31.887766s")},
		{rule: ruleCloudSQL(), resource: sd.resourceOf(gcpResource("analytics-sql-01", "DB_SERVER", "sqladmin#instance", "cloudsql.googleapis.com", "us-central1", obj{"team": "data"}, sd.ago(200, "0s")), analytics),
			target: "analytics-sql-01", severity: "CRITICAL", result: "FAIL", status: "OPEN",
			firstSeen: sd.ago(0, "8h8m8.080808s"), analyzed: sd.ago(0, "2h0m0.3s"), moved: sd.ago(0, "8h8m8.080808s")},
		{rule: ruleGCSUniform(), resource: sd.resourceOf(gcpResource("analytics-raw-events", "BUCKET", "bucket", "storage.googleapis.com", "us-central1", obj{"team": "data"}, sd.ago(220, "0s")), analytics),
			target: "analytics-raw-events", severity: "LOW", result: "PASS", status: "RESOLVED",
			firstSeen: sd.ago(2, "2h0m0.75s"), analyzed: sd.ago(0, "2h0m0.4s"), moved: sd.ago(1, "1h0m0.5s")},
		{rule: ruleTrail(), resource: account(subProd, web, payments), target: subProd.externalID,
			severity: "HIGH", result: "FAIL", status: "OPEN",
			firstSeen: sd.ago(3, "0h0m41.5s"), analyzed: sd.ago(0, "1h2m7.1s"), moved: sd.ago(3, "0h0m41.5s")},
		{rule: rulePassword(), resource: account(subIntegrations, Project2ID), target: subIntegrations.externalID,
			severity: "LOW", result: "FAIL", status: "REJECTED",
			firstSeen: sd.ago(0, "15h5m0.05s"), analyzed: sd.ago(0, "1h2m7.2s"), moved: sd.ago(0, "14h0m3.3s"),
			ignoreRules: list(obj{"id": uuidOf("ignore-rule", "sso-password-policy"), "name": "Password policy enforced by SSO", "enabled": true, "expiredAt": nil})},
		{rule: ruleReboot(), resource: sd.resourceOf(sd.buildCI07(), web), target: instanceID("build-ci-07"),
			severity: "NONE", result: "PASS", status: "RESOLVED",
			firstSeen: sd.ago(0, "4h4m4.4s"), analyzed: sd.ago(0, "1h2m7.3s"), moved: sd.ago(0, "4h0m0.9s")},
		{rule: ruleSSH(), resource: sd.resourceOf(securityGroup("web-alb-ingress", subProd, regionProd, obj{"Name": "web-alb-ingress"}, sd.ago(100, "0s")), web),
			target: "sg-0" + hexOf("web-alb-ingress", 16), severity: "MEDIUM", result: "FAIL", status: "OPEN",
			firstSeen: sd.ago(0, "1h10m0.61s"), analyzed: sd.ago(0, "1h2m7.4s"), moved: sd.ago(0, "1h10m0.61s"), deleted: true},
		{rule: ruleDiskCMK(), resource: sd.resourceOf(sd.corpADConnect(), Project1ID), target: "corp-ad-connect-01",
			severity: "INFORMATIONAL", result: "FAIL", status: "OPEN",
			firstSeen: sd.ago(1, "6h6m6.6s"), analyzed: sd.ago(0, "1h30m0.3s"), moved: sd.ago(1, "6h6m6.6s")},
	}
	out := make([]obj, len(specs))
	for i, fs := range specs {
		out[i] = fs.build()
	}
	return out
}

func (sd *seeder) corpADConnect() entity {
	return azureResource("corp-ad-connect-01", "VIRTUAL_MACHINE", "virtualMachine", "Microsoft.Compute/virtualMachines", "rg-corp-identity", "westeurope",
		obj{"environment": "production", "role": "ad-connect"}, sd.ago(900, "0s"))
}

// exposure is how reachable a vulnerable asset is.
type exposure struct{ limited, wide, vpn, vnets, subs bool }

// asset is the VulnerableAssetBase part of a vulnerable asset.
func asset(typename, typ string, e entity, x exposure) obj {
	return obj{
		"__typename": typename, "id": entityID(e.name), "type": typ, "name": e.name, "region": e.region,
		"providerUniqueId": e.providerID, "cloudProviderURL": e.url, "cloudPlatform": e.sub.cloud, "status": "Active",
		"subscriptionName": e.sub.name, "subscriptionExternalId": e.sub.externalID, "subscriptionId": e.sub.id,
		"tags": e.tags, "hasLimitedInternetExposure": x.limited, "hasWideInternetExposure": x.wide,
		"isAccessibleFromVPN": x.vpn, "isAccessibleFromOtherVnets": x.vnets, "isAccessibleFromOtherSubscriptions": x.subs,
	}
}

// vm is a VulnerableAssetVirtualMachine.
func vm(e entity, os string, ips []any, image string, x exposure) obj {
	a := asset("VulnerableAssetVirtualMachine", "VIRTUAL_MACHINE", e, x)
	a["operatingSystem"], a["ipAddresses"], a["imageName"], a["nativeType"], a["computeInstanceGroup"] = os, ips, image, e.nativeType, nil
	return a
}

// The vulnerable assets, with the names and addresses of the Cortex XDR
// fake's hosts.
func (sd *seeder) assets() map[string]obj {
	const ubuntu22 = "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20240927"
	ecrImage := "sha256:" + hexOf("payments-api:1.14.2", 40) + hexOf("payments-api", 24)
	repoARN := "arn:aws:ecr:us-east-1:412907335618:repository/payments-api"
	image := asset("VulnerableAssetContainerImage", "CONTAINER_IMAGE",
		entity{name: "412907335618.dkr.ecr.us-east-1.amazonaws.com/payments-api:1.14.2", sub: subProd, region: regionProd,
			providerID: repoARN + "@" + ecrImage, url: "https://console.aws.amazon.com/ecr/repositories/private/412907335618/payments-api",
			tags: obj{"app": "payments-api"}}, exposure{})
	image["imageId"], image["scanSource"] = ecrImage, "ECR"
	image["registry"] = obj{"name": "412907335618.dkr.ecr.us-east-1.amazonaws.com", "externalId": "arn:aws:ecr:us-east-1:412907335618"}
	image["repository"] = obj{"name": "payments-api", "externalId": repoARN}
	container := asset("VulnerableAssetContainer", "CONTAINER",
		entity{name: "payments-api-7f9c", sub: subProd, region: regionProd,
			providerID: "k8s/container/payments-eks/payments/payments-api-7f9c6d5b8-x2x4q/payments-api",
			url:        "https://console.aws.amazon.com/eks/home?region=us-east-1#/clusters/payments-eks",
			tags:       obj{"app": "payments-api", "environment": "production"}}, exposure{wide: true})
	container["ImageExternalId"], container["VmExternalId"], container["ServerlessContainer"] = ecrImage, instanceID("eks-node-payments-3"), false
	container["PodNamespace"], container["PodName"], container["NodeName"] = "payments", "payments-api-7f9c6d5b8-x2x4q", "ip-172-16-40-21.ec2.internal"
	lambda := asset("VulnerableAssetServerless", "SERVERLESS",
		entity{name: "invoice-renderer", sub: subProd, region: regionProd,
			providerID: "arn:aws:lambda:us-east-1:412907335618:function:invoice-renderer",
			url:        "https://console.aws.amazon.com/lambda/home?region=us-east-1#/functions/invoice-renderer",
			tags:       obj{"app": "billing"}}, exposure{limited: true})
	lambda["runtime"] = "nodejs18.x"
	worker := gcpResource("analytics-worker-03", "VIRTUAL_MACHINE", "virtualMachine", "compute.googleapis.com", "us-central1", obj{"team": "data"}, sd.ago(200, "0s"))
	return map[string]obj{
		"web-prod-01": vm(sd.webProd01(), "Linux", strList("172.16.10.11"), ubuntu22, exposure{wide: true, vpn: true}),
		"web-prod-02": vm(sd.webProd02(), "Linux", strList("172.16.10.12"), ubuntu22, exposure{wide: true, vpn: true}),
		"db-prod-01":  vm(sd.dbProd01(), "Linux", strList("172.16.20.21"), "RHEL-9.4.0_HVM-20240605-x86_64-82-Hourly2-GP3", exposure{vpn: true, vnets: true}),
		"build-ci-07": vm(sd.buildCI07(), "Linux", strList("172.16.30.7"), "debian-12-amd64-20240717-1811", exposure{limited: true, vpn: true}),
		"jump-01":     vm(sd.jump01(), "Linux", strList("172.16.0.5"), "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20240927", exposure{wide: true}),
		"worker":      vm(worker, "Linux", strList("10.128.0.14"), "debian-12-bookworm-v20240312", exposure{vpn: true}),
		"ad-connect":  vm(sd.corpADConnect(), "Windows", strList("10.40.1.4"), "MicrosoftWindowsServer:WindowsServer:2022-datacenter-azure-edition:20348.2582.240703", exposure{vnets: true}),
		"image":       image,
		"container":   container,
		"lambda":      lambda,
	}
}

// vulnSpec is one seeded vulnerability finding.
type vulnSpec struct {
	id, cve, cveText               string
	asset                          string
	projects                       []string
	score, exploitability, impact  float64
	vendor, nvd                    string
	exploit, kev                   bool
	status                         string
	first, last, updated, resolved time.Time
	pkg, version, fixed, path      string
	method, link, remediation      string
	epss                           string
	epssPct, epssProb              float64
	cvss                           obj
	related                        [5]int // critical, high, medium, low, informational
	runtime                        any
	layer                          any
}

// cvss3 is a CVSS v3 vector: attack vector, complexity, privileges,
// user interaction, confidentiality and integrity impact.
func cvss3(av, ac, pr string, ui bool, c, i string) obj {
	return obj{"attackVector": av, "attackComplexity": ac, "confidentialityImpact": c, "integrityImpact": i, "privilegesRequired": pr, "userInteractionRequired": ui}
}

func (vs vulnSpec) build(sd *seeder, assets map[string]obj) obj {
	id := vs.id
	a := assets[vs.asset]
	if id == "" {
		id = uuidOf("vulnerability-finding", vs.cve+"/"+str(a, "id"))
	}
	var fixed, resolved any
	if vs.fixed != "" {
		fixed = vs.fixed
	}
	if !vs.resolved.IsZero() {
		resolved = vs.resolved
	}
	where := map[string]string{"PACKAGE": "the OS package manager", "LIBRARY": "an application library", "OS": "the operating system"}[vs.method]
	desc := fmt.Sprintf("The package %s version %s was detected in %s on a %s and is vulnerable to %s",
		vs.pkg, vs.version, where, str(a, "type"), vs.cve)
	if vs.fixed != "" {
		desc += fmt.Sprintf(", which exists in versions < %s.", vs.fixed)
	} else {
		desc += "; no fixed version is available."
	}
	remediation := vs.remediation
	if remediation == "" && vs.fixed != "" {
		remediation = fmt.Sprintf("Upgrade %s to version %s or later.", vs.pkg, vs.fixed)
	}
	r := vs.related
	return obj{
		"id":             id,
		"portalUrl":      fmt.Sprintf("https://app.wiz.io/explorer/vulnerability-findings#~(entity~(~'%s*2cSECURITY_TOOL_FINDING))", id),
		"name":           vs.cve,
		"CVEDescription": vs.cveText, "CVSSSeverity": vs.nvd, "score": vs.score,
		"exploitabilityScore": vs.exploitability, "severity": vs.vendor, "nvdSeverity": vs.nvd, "weightedSeverity": nil,
		"impactScore": vs.impact, "dataSourceName": nil, "hasExploit": vs.exploit, "hasCisaKevExploit": vs.kev,
		"status": vs.status, "vendorSeverity": vs.vendor, "firstDetectedAt": vs.first, "lastDetectedAt": vs.last,
		"updatedAt": vs.updated, "resolvedAt": resolved, "description": desc, "remediation": remediation,
		"detailedName": vs.pkg, "version": vs.version, "fixedVersion": fixed, "detectionMethod": vs.method,
		"link": vs.link, "locationPath": vs.path, "resolutionReason": nil, "epssSeverity": vs.epss,
		"epssPercentile": vs.epssPct, "epssProbability": vs.epssProb, "validatedInRuntime": vs.runtime,
		"layerMetadata": vs.layer, "projects": sd.projectRefs(vs.projects...), "ignoreRules": nil,
		"cvssv2": nil, "cvssv3": vs.cvss,
		"relatedIssueAnalytics": obj{
			"issueCount": r[0] + r[1] + r[2] + r[3] + r[4], "criticalSeverityCount": r[0], "highSeverityCount": r[1],
			"mediumSeverityCount": r[2], "lowSeverityCount": r[3], "informationalSeverityCount": r[4],
		},
		"cnaScore":        vs.score,
		"vulnerableAsset": a,
	}
}

// vulnFindings builds the 16 seeded vulnerability findings, 13 of them
// updated in the 24 hours before the anchor.
func (sd *seeder) vulnFindings() []obj {
	assets := sd.assets()
	web, payments := projectID("customer-web-platform"), projectID("payments-production")
	analytics := projectID("data-analytics")
	net := func(ui bool) obj { return cvss3("NETWORK", "LOW", "NONE", ui, "HIGH", "HIGH") }
	const (
		regresshion = "A signal handler race condition in OpenSSH's server (sshd) lets an unauthenticated remote attacker run code as root (regreSSHion)."
		text4shell  = "Apache Commons Text 1.5 to 1.9 performs variable interpolation that can run arbitrary code or contact remote servers when untrusted input reaches StringSubstitutor (Text4Shell)."
	)
	specs := []vulnSpec{
		{id: WebProd01VulnerabilityID, cve: "CVE-2023-38408", asset: "web-prod-01", projects: []string{web},
			cveText: "The PKCS#11 feature in ssh-agent in OpenSSH before 9.3p2 has an insufficiently trustworthy search path, leading to remote code execution if an agent is forwarded to an attacker-controlled system.",
			score:   9.8, exploitability: 3.9, impact: 5.9, vendor: "CRITICAL", nvd: "CRITICAL", exploit: true, status: "OPEN",
			first: sd.ago(20, "4h0m2.2s"), last: sd.ago(0, "1h5m0.5s"), updated: sd.ago(0, "2h10m33.402118s"),
			pkg: "openssh-client", version: "1:8.9p1-3ubuntu0.1", fixed: "1:8.9p1-3ubuntu0.3", path: "/usr/bin/ssh-agent", method: "PACKAGE",
			link: "https://ubuntu.com/security/CVE-2023-38408", epss: "HIGH", epssPct: 97.6, epssProb: 12.4, cvss: net(false), related: [5]int{1, 0, 0, 0, 0}},
		{cve: "CVE-2023-5678", asset: "web-prod-02", projects: []string{web},
			cveText: "Generating or checking excessively long X9.42 DH keys or parameters in OpenSSL may be very slow, which can lead to a denial of service.",
			score:   5.3, exploitability: 3.9, impact: 1.4, vendor: "MEDIUM", nvd: "MEDIUM", status: "OPEN",
			first: sd.ago(60, "0h0m0.9s"), last: sd.ago(0, "1h6m0.1s"), updated: sd.ago(0, "4h44m4.404404s"),
			pkg: "libssl3", version: "3.0.2-0ubuntu1.10", fixed: "3.0.2-0ubuntu1.12", path: "/usr/lib/x86_64-linux-gnu/libssl.so.3", method: "PACKAGE",
			link: "https://ubuntu.com/security/CVE-2023-5678", epss: "LOW", epssPct: 41.2, epssProb: 0.1,
			cvss: cvss3("NETWORK", "LOW", "NONE", false, "NONE", "NONE")},
		{cve: "CVE-2024-6387", asset: "db-prod-01", projects: []string{payments}, cveText: regresshion,
			score: 8.1, exploitability: 2.2, impact: 5.9, vendor: "HIGH", nvd: "HIGH", exploit: true, status: "OPEN",
			first: sd.ago(14, "3h0m0.3s"), last: sd.ago(0, "1h7m0.7s"), updated: sd.ago(0, "3h33m3.303303s"),
			pkg: "openssh-server", version: "8.7p1-38.el9", fixed: "8.7p1-38.el9_4.1", path: "/usr/sbin/sshd", method: "PACKAGE",
			link: "https://access.redhat.com/security/cve/CVE-2024-6387", epss: "HIGH", epssPct: 99.3, epssProb: 44.6,
			cvss: cvss3("NETWORK", "HIGH", "NONE", false, "HIGH", "HIGH"), related: [5]int{0, 0, 0, 1, 0}},
		{cve: "CVE-2024-23897", asset: "build-ci-07", projects: []string{web},
			cveText: "Jenkins 2.441 and earlier, LTS 2.426.2 and earlier does not disable a feature of its CLI command parser that replaces an '@' character followed by a file path in an argument with the file's contents, allowing unauthenticated attackers to read arbitrary files on the Jenkins controller file system.",
			score:   9.8, exploitability: 3.9, impact: 5.9, vendor: "CRITICAL", nvd: "CRITICAL", exploit: true, kev: true, status: "OPEN",
			first: sd.ago(9, "0h0m9.9s"), last: sd.ago(0, "1h8m0.8s"), updated: sd.ago(0, "1h15m2.615243s"),
			pkg: "jenkins", version: "2.426.2", fixed: "2.426.3", path: "/usr/share/java/jenkins.war", method: "LIBRARY",
			link: "https://www.jenkins.io/security/advisory/2024-01-24/", epss: "CRITICAL", epssPct: 99.9, epssProb: 97.4, cvss: net(false),
			related: [5]int{0, 1, 0, 0, 0}},
		{cve: "CVE-2024-6387", asset: "jump-01", projects: []string{web}, cveText: regresshion,
			score: 8.1, exploitability: 2.2, impact: 5.9, vendor: "HIGH", nvd: "HIGH", exploit: true, status: "RESOLVED",
			first: sd.ago(14, "3h0m0.4s"), last: sd.ago(2, "1h0m0.2s"), updated: sd.ago(1, "16h2m2.020202s"), resolved: sd.ago(1, "16h2m2.020202s"),
			pkg: "openssh-server", version: "1:9.6p1-3ubuntu13", fixed: "1:9.6p1-3ubuntu13.3", path: "/usr/sbin/sshd", method: "PACKAGE",
			link: "https://ubuntu.com/security/CVE-2024-6387", epss: "HIGH", epssPct: 99.3, epssProb: 44.6,
			cvss: cvss3("NETWORK", "HIGH", "NONE", false, "HIGH", "HIGH")},
		{cve: "CVE-2023-4863", asset: "web-prod-01", projects: []string{web},
			cveText: "Heap buffer overflow in libwebp allows a remote attacker to perform an out of bounds memory write via a crafted HTML page.",
			score:   8.8, exploitability: 2.8, impact: 5.9, vendor: "HIGH", nvd: "HIGH", exploit: true, kev: true, status: "OPEN",
			first: sd.ago(20, "4h0m2.3s"), last: sd.ago(0, "1h5m0.6s"), updated: sd.ago(0, "5h1m10.110110s"),
			pkg: "libwebp7", version: "1.2.2-2ubuntu0.22.04.1", fixed: "1.2.2-2ubuntu0.22.04.2", path: "/usr/lib/x86_64-linux-gnu/libwebp.so.7", method: "PACKAGE",
			link: "https://ubuntu.com/security/CVE-2023-4863", epss: "HIGH", epssPct: 99.9, epssProb: 62.1, cvss: net(true)},
		{cve: "CVE-2024-2961", asset: "web-prod-02", projects: []string{web},
			cveText: "The iconv() function in the GNU C Library 2.39 and older may overflow its output buffer by up to 4 bytes when converting to the ISO-2022-CN-EXT character set.",
			score:   8.8, exploitability: 2.8, impact: 5.9, vendor: "HIGH", nvd: "HIGH", exploit: true, status: "REJECTED",
			first: sd.ago(40, "0h0m0.4s"), last: sd.ago(0, "1h6m0.2s"), updated: sd.ago(0, "9h9m9.090909s"),
			pkg: "libc6", version: "2.35-0ubuntu3.6", fixed: "2.35-0ubuntu3.7", path: "/usr/lib/x86_64-linux-gnu/libc.so.6", method: "PACKAGE",
			link: "https://ubuntu.com/security/CVE-2024-2961", epss: "MEDIUM", epssPct: 91.0, epssProb: 2.3, cvss: net(false)},
		{cve: "CVE-2024-0985", asset: "db-prod-01", projects: []string{payments},
			cveText: "Late privilege drop in REFRESH MATERIALIZED VIEW CONCURRENTLY in PostgreSQL allows an object creator to execute arbitrary SQL functions as the command issuer.",
			score:   8.0, exploitability: 2.1, impact: 5.9, vendor: "HIGH", nvd: "HIGH", status: "OPEN",
			first: sd.ago(25, "0h0m2.5s"), last: sd.ago(0, "1h7m0.8s"), updated: sd.ago(0, "11h11m11.111111s"),
			pkg: "postgresql15-server", version: "15.5-1PGDG.rhel9", fixed: "15.6-1PGDG.rhel9", path: "/usr/pgsql-15/bin/postgres", method: "PACKAGE",
			link: "https://www.postgresql.org/support/security/CVE-2024-0985/", epss: "LOW", epssPct: 33.9, epssProb: 0.1,
			cvss: cvss3("NETWORK", "LOW", "LOW", true, "HIGH", "HIGH")},
		{cve: "CVE-2023-44487", asset: "build-ci-07", projects: []string{web},
			cveText: "The HTTP/2 protocol allows a denial of service (server resource consumption) because request cancellation can reset many streams quickly (Rapid Reset).",
			score:   7.5, exploitability: 3.9, impact: 3.6, vendor: "HIGH", nvd: "HIGH", exploit: true, kev: true, status: "OPEN",
			first: sd.ago(9, "0h0m9.8s"), last: sd.ago(0, "1h8m0.9s"), updated: sd.ago(0, "13h13m13.131313s"),
			pkg: "libnghttp2-14", version: "1.52.0-1", fixed: "1.52.0-1+deb12u1", path: "/usr/lib/x86_64-linux-gnu/libnghttp2.so.14", method: "PACKAGE",
			link: "https://security-tracker.debian.org/tracker/CVE-2023-44487", epss: "CRITICAL", epssPct: 99.9, epssProb: 81.6,
			cvss: cvss3("NETWORK", "LOW", "NONE", false, "NONE", "NONE")},
		{cve: "CVE-2022-3219", asset: "jump-01", projects: []string{web},
			cveText: "GnuPG can be made to spin on a relatively small input by crafting a public key with thousands of signatures attached, compressed down to just a few KB.",
			score:   3.3, exploitability: 1.8, impact: 1.4, vendor: "LOW", nvd: "LOW", status: "OPEN",
			first: sd.ago(90, "0h0m0.1s"), last: sd.ago(1, "7h0m0.7s"), updated: sd.ago(1, "6h30m30.303030s"),
			pkg: "gpg", version: "2.4.4-2ubuntu17", path: "/usr/bin/gpg", method: "PACKAGE",
			remediation: "No fixed version is available yet; restrict keyring imports to trusted keys.",
			link:        "https://ubuntu.com/security/CVE-2022-3219", epss: "LOW", epssPct: 12.0, epssProb: 0.05,
			cvss: cvss3("LOCAL", "LOW", "LOW", false, "NONE", "NONE")},
		{cve: "CVE-2022-42889", asset: "image", projects: []string{payments}, cveText: text4shell,
			score: 9.8, exploitability: 3.9, impact: 5.9, vendor: "CRITICAL", nvd: "CRITICAL", exploit: true, status: "OPEN",
			first: sd.ago(3, "0h0m3.3s"), last: sd.ago(0, "1h9m0.9s"), updated: sd.ago(0, "6h30m0.600600s"),
			pkg: "org.apache.commons:commons-text", version: "1.9", fixed: "1.10.0", path: "/app/lib/commons-text-1.9.jar", method: "LIBRARY",
			link: "https://nvd.nist.gov/vuln/detail/CVE-2022-42889", epss: "CRITICAL", epssPct: 99.8, epssProb: 96.9, cvss: net(false),
			layer: obj{"id": uuidOf("layer", "payments-api:1.14.2/lib"), "details": "COPY build/libs/ /app/lib/", "isBaseLayer": false}},
		{cve: "CVE-2022-42889", asset: "container", projects: []string{payments}, cveText: text4shell,
			score: 9.8, exploitability: 3.9, impact: 5.9, vendor: "CRITICAL", nvd: "CRITICAL", exploit: true, status: "OPEN",
			first: sd.ago(3, "0h0m3.4s"), last: sd.ago(0, "1h9m1.1s"), updated: sd.ago(0, "6h30m0.700700s"),
			pkg: "org.apache.commons:commons-text", version: "1.9", fixed: "1.10.0", path: "/app/lib/commons-text-1.9.jar", method: "LIBRARY",
			link: "https://nvd.nist.gov/vuln/detail/CVE-2022-42889", epss: "CRITICAL", epssPct: 99.8, epssProb: 96.9, cvss: net(false),
			related: [5]int{1, 0, 0, 0, 0}, runtime: true},
		{cve: "CVE-2023-45857", asset: "lambda", projects: []string{payments},
			cveText: "Axios 1.5.1 inadvertently reveals the confidential XSRF-TOKEN stored in cookies by including it in the X-XSRF-TOKEN header of every request made to any host.",
			score:   6.5, exploitability: 2.8, impact: 3.6, vendor: "MEDIUM", nvd: "MEDIUM", status: "OPEN",
			first: sd.ago(30, "0h0m0.3s"), last: sd.ago(0, "2h0m0.2s"), updated: sd.ago(0, "16h16m16.161616s"),
			pkg: "axios", version: "1.5.1", fixed: "1.6.0", path: "/var/task/node_modules/axios/package.json", method: "LIBRARY",
			link: "https://github.com/advisories/GHSA-wf5p-g6vw-rhxx", epss: "LOW", epssPct: 45.5, epssProb: 0.1,
			cvss: cvss3("NETWORK", "LOW", "NONE", true, "HIGH", "NONE")},
		{cve: "CVE-2024-3094", asset: "worker", projects: []string{analytics},
			cveText: "Malicious code was discovered in the upstream tarballs of xz, starting with version 5.6.0, that modifies liblzma so that it can intercept and modify data interactions with it.",
			score:   10.0, exploitability: 3.9, impact: 6.0, vendor: "CRITICAL", nvd: "CRITICAL", exploit: true, status: "RESOLVED",
			first: sd.ago(8, "0h0m0.8s"), last: sd.ago(4, "0h0m0.4s"), updated: sd.ago(3, "2h2m2.020202s"), resolved: sd.ago(3, "2h2m2.020202s"),
			pkg: "liblzma5", version: "5.6.0-0.2", fixed: "5.6.1+really5.4.5-1", path: "/usr/lib/x86_64-linux-gnu/liblzma.so.5", method: "PACKAGE",
			link: "https://security-tracker.debian.org/tracker/CVE-2024-3094", epss: "HIGH", epssPct: 98.1, epssProb: 16.2,
			cvss: cvss3("NETWORK", "LOW", "NONE", false, "HIGH", "HIGH")},
		{cve: "CVE-2024-38063", asset: "ad-connect", projects: []string{Project1ID},
			cveText: "Windows TCP/IP Remote Code Execution Vulnerability: a remote attacker can run code by sending crafted IPv6 packets to a Windows machine.",
			score:   9.8, exploitability: 3.9, impact: 5.9, vendor: "CRITICAL", nvd: "CRITICAL", status: "OPEN",
			first: sd.ago(12, "0h0m1.2s"), last: sd.ago(0, "3h0m0.3s"), updated: sd.ago(0, "15h15m15.151515s"),
			pkg: "Windows Server 2022", version: "10.0.20348.2582", fixed: "10.0.20348.2655", path: "C:\\Windows\\System32\\drivers\\tcpip.sys", method: "OS",
			remediation: "Install the August 2024 cumulative update (KB5041160).",
			link:        "https://msrc.microsoft.com/update-guide/vulnerability/CVE-2024-38063", epss: "HIGH", epssPct: 96.2, epssProb: 5.1, cvss: net(false)},
		{cve: "CVE-2023-48795", asset: "build-ci-07", projects: []string{web},
			cveText: "The SSH transport protocol with certain OpenSSH extensions allows remote attackers to bypass integrity checks so that some packets are omitted from the extension negotiation message (Terrapin).",
			score:   5.9, exploitability: 2.2, impact: 3.6, vendor: "MEDIUM", nvd: "MEDIUM", exploit: true, status: "OPEN",
			first: sd.ago(9, "0h0m9.7s"), last: sd.ago(0, "1h8m1.0s"), updated: sd.ago(0, "19h19m19.191919s"),
			pkg: "openssh-server", version: "1:9.2p1-2+deb12u1", fixed: "1:9.2p1-2+deb12u2", path: "/usr/sbin/sshd", method: "PACKAGE",
			link: "https://security-tracker.debian.org/tracker/CVE-2023-48795", epss: "HIGH", epssPct: 98.6, epssProb: 28.3,
			cvss: cvss3("NETWORK", "HIGH", "NONE", false, "NONE", "HIGH")},
	}
	out := make([]obj, len(specs))
	for i, vs := range specs {
		out[i] = vs.build(sd, assets)
	}
	return out
}
