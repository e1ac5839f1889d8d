package fake

import (
	"fmt"
	"time"
)

// subscription is a cloud account connected to the tenant.
type subscription struct {
	id, name, externalID, cloud string
	tags                        obj
}

// The tenant's cloud accounts. wiz-integrations is the account of Wiz's
// tutorial samples.
var (
	subIntegrations = subscription{"94e76baa-85fd-5928-b829-1669a2ca9660", "wiz-integrations", "998231069301", "AWS", obj{"owner": "secops"}}
	subProd         = subscription{uuidOf("subscription", "prod-workloads"), "prod-workloads", "412907335618", "AWS", obj{"cost-center": "cc-1200", "environment": "production"}}
	subLab          = subscription{uuidOf("subscription", "security-lab"), "security-lab", "730335214467", "AWS", obj{"owner": "red-team"}}
	subAzure        = subscription{uuidOf("subscription", "corp-azure-prod"), "corp-azure-prod", "6b1e2f4a-93c1-4d7e-8a5b-0c2d9e7f1a34", "Azure", obj{"cost-center": "cc-3100"}}
	subGCP          = subscription{uuidOf("subscription", "analytics-gcp-prod"), "analytics-gcp-prod", "analytics-prod-381207", "GCP", obj{"team": "data"}}
)

// account is the CloudAccount object of a subscription.
func (s subscription) account() obj {
	return obj{"id": s.id, "name": s.name, "externalId": s.externalID, "cloudProvider": s.cloud}
}

// entity is an entity snapshot: the cloud resource an issue is about. Its
// ID is derived from its name, so that the same resource has the same ID
// as a vulnerable asset or a configuration finding's resource.
type entity struct {
	name, typ, nativeType string
	sub                   subscription
	region                string
	providerID, url       string
	resourceGroup         string
	tags                  obj
	created               time.Time
}

func entityID(name string) string { return uuidOf("entity", name) }

func (e entity) snapshot() obj {
	var created any
	if !e.created.IsZero() {
		created = e.created
	}
	tags := e.tags
	if tags == nil {
		tags = obj{}
	}
	return obj{
		"id":                      entityID(e.name),
		"type":                    e.typ,
		"nativeType":              e.nativeType,
		"name":                    e.name,
		"status":                  "Active",
		"cloudPlatform":           e.sub.cloud,
		"cloudProviderURL":        e.url,
		"providerId":              e.providerID,
		"region":                  e.region,
		"resourceGroupExternalId": e.resourceGroup,
		"subscriptionExternalId":  e.sub.externalID,
		"subscriptionName":        e.sub.name,
		"subscriptionTags":        e.sub.tags,
		"tags":                    tags,
		"createdAt":               created,
		"externalId":              e.providerID,
		"_subscriptionId":         e.sub.id,
	}
}

// instanceID is the EC2 instance ID of a seeded VM.
func instanceID(name string) string { return "i-0" + hexOf(name, 16) }

// ec2 is an EC2 instance.
func ec2(name string, sub subscription, region string, tags obj, created time.Time) entity {
	id := instanceID(name)
	return entity{
		name: name, typ: "VIRTUAL_MACHINE", nativeType: "virtualMachine", sub: sub, region: region,
		providerID: fmt.Sprintf("arn:aws:ec2:%s:%s:instance/%s", region, sub.externalID, id),
		url:        fmt.Sprintf("https://console.aws.amazon.com/ec2/v2/home?region=%s#InstanceDetails:instanceId=%s", region, id),
		tags:       tags, created: created,
	}
}

// s3 is an S3 bucket.
func s3(name string, sub subscription, region string, tags obj, created time.Time) entity {
	return entity{
		name: name, typ: "BUCKET", nativeType: "bucket", sub: sub, region: region,
		providerID: "arn:aws:s3:::" + name,
		url:        "https://s3.console.aws.amazon.com/s3/buckets/" + name,
		tags:       tags, created: created,
	}
}

// securityGroup is an EC2 security group.
func securityGroup(name string, sub subscription, region string, tags obj, created time.Time) entity {
	id := "sg-0" + hexOf(name, 16)
	return entity{
		name: name, typ: "FIREWALL", nativeType: "securityGroup", sub: sub, region: region,
		providerID: fmt.Sprintf("arn:aws:ec2:%s:%s:security-group/%s", region, sub.externalID, id),
		url:        fmt.Sprintf("https://console.aws.amazon.com/ec2/v2/home?region=%s#SecurityGroup:groupId=%s", region, id),
		tags:       tags, created: created,
	}
}

// iamUser is an IAM user (a service account when it has no console
// login).
func iamUser(name, typ string, sub subscription, tags obj, created time.Time) entity {
	return entity{
		name: name, typ: typ, nativeType: "user", sub: sub, region: "us-east-1",
		providerID: fmt.Sprintf("arn:aws:iam::%s:user/%s", sub.externalID, name),
		url:        "https://console.aws.amazon.com/iam/home#/users/" + name,
		tags:       tags, created: created,
	}
}

// azureResource is a resource of the Azure subscription.
func azureResource(name, typ, nativeType, provider, group, region string, tags obj, created time.Time) entity {
	id := fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/%s/%s", subAzure.externalID, group, provider, name)
	return entity{
		name: name, typ: typ, nativeType: nativeType, sub: subAzure, region: region,
		providerID: id, url: "https://portal.azure.com/#@/resource" + id,
		resourceGroup: fmt.Sprintf("/subscriptions/%s/resourceGroups/%s", subAzure.externalID, group),
		tags:          tags, created: created,
	}
}

// gcpResource is a resource of the GCP project.
func gcpResource(name, typ, nativeType, path, region string, tags obj, created time.Time) entity {
	return entity{
		name: name, typ: typ, nativeType: nativeType, sub: subGCP, region: region,
		providerID: fmt.Sprintf("//%s/projects/%s/%s", path, subGCP.externalID, name),
		url:        fmt.Sprintf("https://console.cloud.google.com/home/dashboard?project=%s", subGCP.externalID),
		tags:       tags, created: created,
	}
}

// Security frameworks, categories and sub-categories rules map to.
var (
	fwWiz     = obj{"id": "wf-id-1", "name": "Wiz for Risk Assessment"}
	fwISO     = obj{"id": "wf-id-3", "name": "ISO/IEC 27001"}
	fwCISAWS  = obj{"id": "wf-id-57", "name": "CIS Amazon Web Services Foundations Benchmark v2.0.0"}
	fwCISAzr  = obj{"id": "wf-id-63", "name": "CIS Microsoft Azure Foundations Benchmark v2.0.0"}
	fwCISGCP  = obj{"id": "wf-id-65", "name": "CIS Google Cloud Platform Foundation Benchmark v2.0.0"}
	fwMITRE   = obj{"id": "wf-id-186", "name": "MITRE ATT&CK Matrix"}
	catIDM    = obj{"id": "wct-id-7", "name": "Identity Management", "framework": fwWiz}
	catVuln   = obj{"id": "wct-id-2", "name": "Vulnerability Assessment", "framework": fwWiz}
	catData   = obj{"id": "wct-id-4", "name": "Data Security", "framework": fwWiz}
	catExpo   = obj{"id": "wct-id-5", "name": "External Exposure", "framework": fwWiz}
	catOps    = obj{"id": "wct-id-589", "name": "A.12 Operations security", "framework": fwISO}
	catAWSNet = obj{"id": "wct-id-1320", "name": "5 Networking", "framework": fwCISAWS}
	catAWSSto = obj{"id": "wct-id-1317", "name": "2 Storage", "framework": fwCISAWS}
	catAWSLog = obj{"id": "wct-id-1318", "name": "3 Logging", "framework": fwCISAWS}
	catAWSIAM = obj{"id": "wct-id-1316", "name": "1 Identity and Access Management", "framework": fwCISAWS}
	catAzrSto = obj{"id": "wct-id-1400", "name": "3 Storage Accounts", "framework": fwCISAzr}
	catAzrKV  = obj{"id": "wct-id-1405", "name": "8 Key Vault", "framework": fwCISAzr}
	catAzrVM  = obj{"id": "wct-id-1404", "name": "7 Virtual Machines", "framework": fwCISAzr}
	catGCPSQL = obj{"id": "wct-id-1450", "name": "6 Cloud SQL Database Services", "framework": fwCISGCP}
	catGCPSto = obj{"id": "wct-id-1449", "name": "5 Storage", "framework": fwCISGCP}
	catExec   = obj{"id": "wct-id-1021", "name": "TA0002 Execution", "framework": fwMITRE}
	catImpact = obj{"id": "wct-id-1028", "name": "TA0040 Impact", "framework": fwMITRE}
	catAccess = obj{"id": "wct-id-1019", "name": "TA0001 Initial Access", "framework": fwMITRE}
	catExfil  = obj{"id": "wct-id-1027", "name": "TA0010 Exfiltration", "framework": fwMITRE}
)

func subCategory(id, title string, cat obj) obj {
	return obj{"id": id, "title": title, "category": cat}
}

var (
	scBackup     = subCategory("wsct-id-635", "A.12.3.1 Information backup", catOps)
	scLateral    = subCategory("wsct-id-11", "Lateral movement", catIDM)
	scHighPriv   = subCategory("wsct-id-12", "Excessive privileges", catIDM)
	scPublicVuln = subCategory("wsct-id-3", "Vulnerable public-facing workloads", catVuln)
	scDataExpo   = subCategory("wsct-id-5", "Data exposure", catData)
	scExposure   = subCategory("wsct-id-8", "Publicly exposed resources", catExpo)
	scSSH        = subCategory("wsct-id-8123", "5.2 Ensure no security groups allow ingress from 0.0.0.0/0 to remote server administration ports", catAWSNet)
	scS3Public   = subCategory("wsct-id-8101", "2.1.4 Ensure that S3 Buckets are configured with 'Block public access (bucket settings)'", catAWSSto)
	scIMDS       = subCategory("wsct-id-8140", "5.6 Ensure that EC2 Metadata Service only allows IMDSv2", catAWSNet)
	scTrail      = subCategory("wsct-id-8110", "3.1 Ensure CloudTrail is enabled in all regions", catAWSLog)
	scPassword   = subCategory("wsct-id-8087", "1.8 Ensure IAM password policy requires minimum length of 14 or greater", catAWSIAM)
	scAzrBlob    = subCategory("wsct-id-9321", "3.7 Ensure that 'Public access level' is disabled for storage accounts with blob containers", catAzrSto)
	scAzrKV      = subCategory("wsct-id-9366", "8.5 Ensure the Key Vault is Recoverable", catAzrKV)
	scAzrDisk    = subCategory("wsct-id-9358", "7.3 Ensure that 'OS and Data' disks are encrypted with Customer Managed Key (CMK)", catAzrVM)
	scGCPSQL     = subCategory("wsct-id-9870", "6.5 Ensure that Cloud SQL database instances do not implicitly whitelist all public IP addresses", catGCPSQL)
	scGCPBucket  = subCategory("wsct-id-9861", "5.2 Ensure that Cloud Storage buckets have uniform bucket-level access enabled", catGCPSto)
	scShell      = subCategory("wsct-id-1467", "T1059 Command and Scripting Interpreter", catExec)
	scMining     = subCategory("wsct-id-1495", "T1496 Resource Hijacking", catImpact)
	scValidAcct  = subCategory("wsct-id-1452", "T1078 Valid Accounts", catAccess)
	scExfilCloud = subCategory("wsct-id-1551", "T1537 Transfer Data to Cloud Account", catExfil)
)

func list(objs ...obj) []any {
	out := make([]any, len(objs))
	for i, o := range objs {
		out[i] = o
	}
	return out
}

func strList(s ...string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// control is a Control (the source rule of a toxic combination).
func control(id, name, description, recommendation string, risks []any, subs ...obj) obj {
	var sc any
	if len(subs) > 0 {
		sc = list(subs...)
	}
	var r any
	if risks != nil {
		r = risks
	}
	return obj{
		"__typename": "Control", "id": id, "name": name, "description": description,
		"resolutionRecommendation": recommendation, "securitySubCategories": sc, "risks": r,
	}
}

// eventRule is a CloudEventRule (the source rule of a threat detection).
func eventRule(name, description, sourceType string, risks []any, subs ...obj) obj {
	return obj{
		"__typename": "CloudEventRule", "id": uuidOf("cloud-event-rule", name), "name": name,
		"description": description, "sourceType": sourceType, "type": "THREAT_DETECTION",
		"risks": orNil(risks), "securitySubCategories": list(subs...),
	}
}

// configRule is a CloudConfigurationRule, the source rule of cloud
// configuration issues and the rule of configuration findings.
func configRule(id, name, description, remediation, service string, risks []any, subs ...obj) obj {
	if id == "" {
		id = uuidOf("cloud-configuration-rule", name)
	}
	return obj{
		"__typename": "CloudConfigurationRule", "id": id, "graphId": uuidOf("graph", id), "name": name,
		"description": description, "remediationInstructions": remediation, "serviceType": service,
		"functionAsControl": false, "risks": orNil(risks), "securitySubCategories": list(subs...),
	}
}

// orNil is l, or a nil any (JSON null) for a nil list.
func orNil(l []any) any {
	if l == nil {
		return nil
	}
	return l
}

// The rules of the seed.
var (
	ruleSecrets = func() obj {
		return control("wc-id-1335", "Secrets not stored in a secret container", "", "", nil)
	}
	rulePublicVMExploit = func() obj {
		return control("wc-id-1742", "Publicly exposed VM instance with a critical/high severity network vulnerability with a known exploit",
			"This VM instance is exposed to the internet and has a critical or high severity vulnerability with a known exploit in a network-facing package, making it a likely initial access target.",
			"Patch the vulnerable packages, and restrict inbound access to the instance to the ports and sources the service needs.",
			strList("EXTERNAL_EXPOSURE", "VULNERABILITY"), scPublicVuln, scExposure)
	}
	rulePublicBucket = func() obj {
		return control("wc-id-318", "Publicly exposed bucket allows public read access to sensitive data",
			"The bucket is readable by anyone on the internet and holds data classified as sensitive.",
			"Enable Block Public Access on the bucket and remove the public grants from its policy and ACL.",
			strList("EXTERNAL_EXPOSURE", "DATA_EXPOSURE"), scDataExpo, scExposure)
	}
	ruleStaleAdminKey = func() obj {
		return control("wc-id-1099", "Service account with admin privileges has an access key older than 90 days",
			"A non-human identity with administrative permissions authenticates with a long-lived access key that has not been rotated.",
			"Rotate the access key, then scope the identity's policies down to the actions it uses.",
			strList("HIGH_PRIVILEGE", "IDENTITY"), scHighPriv)
	}
	rulePrivilegedContainer = func() obj {
		return control("wc-id-2210", "Privileged container with a high severity vulnerability exposed to the internet",
			"The container runs privileged, is reachable from the internet and has a high or critical vulnerability, so a compromise can escape to its node.",
			"Remove privileged mode from the pod spec and rebuild the image with the fixed package versions.",
			strList("EXTERNAL_EXPOSURE", "VULNERABILITY", "HIGH_PRIVILEGE"), scPublicVuln, scHighPriv)
	}
	ruleLateral = func() obj {
		return control("wc-id-804", "VM with a high-privileged identity allows lateral movement to sensitive data",
			"The VM's instance role can read data stores with sensitive data, so a compromise of the VM reaches the data.",
			"Detach the role or scope its permissions to the resources the workload needs.",
			strList("LATERAL_MOVEMENT", "HIGH_PRIVILEGE"), scLateral, scBackup)
	}
	ruleReverseShell = func() obj {
		return eventRule("Reverse shell executed on a virtual machine",
			"The Wiz Runtime Sensor saw a process open an interactive shell whose input and output are redirected to a network socket.",
			"WIZ_SENSOR", strList("THREAT"), scShell)
	}
	ruleMining = func() obj {
		return eventRule("Connection to a known cryptocurrency mining pool",
			"A workload resolved and connected to a domain of a known cryptocurrency mining pool.",
			"WIZ_SENSOR", strList("THREAT"), scMining)
	}
	ruleTorLogin = func() obj {
		return eventRule("Console login from an anonymizing proxy (Tor exit node)",
			"An identity signed in to the AWS console from an IP address of a Tor exit node.",
			"AWS_CLOUDTRAIL", strList("THREAT"), scValidAcct)
	}
	ruleMassDownload = func() obj {
		return eventRule("Unusual number of S3 GetObject calls by a single identity",
			"An identity read an unusually large number of objects from a bucket within one hour.",
			"AWS_CLOUDTRAIL", strList("THREAT", "DATA_EXPOSURE"), scExfilCloud)
	}
	ruleS3Block = func() obj {
		return configRule("", "S3 Bucket should have Block Public Access enabled",
			"This rule checks whether the bucket's Block Public Access settings block public ACLs and policies.",
			"Enable all four Block Public Access settings on the bucket, or on the account.", "AWS",
			strList("EXTERNAL_EXPOSURE"), scS3Public)
	}
	ruleSSH = func() obj {
		return configRule("", "Security group should restrict SSH access (TCP port 22) from 0.0.0.0/0",
			"This rule checks whether the security group allows inbound SSH from any address.",
			"Remove the 0.0.0.0/0 and ::/0 sources from the inbound rules for port 22; reach instances through a bastion or Session Manager.", "AWS",
			strList("EXTERNAL_EXPOSURE"), scSSH)
	}
	ruleAzureBlob = func() obj {
		return configRule("", "Storage Account should not allow public blob access",
			"This rule checks whether the storage account allows anonymous public read access to its containers and blobs.",
			"Set 'Allow Blob public access' to Disabled on the storage account.", "Azure",
			strList("EXTERNAL_EXPOSURE", "DATA_EXPOSURE"), scAzrBlob)
	}
	ruleCloudSQL = func() obj {
		return configRule("", "Cloud SQL database instance should not be publicly accessible",
			"This rule checks whether the instance's authorized networks include 0.0.0.0/0.",
			"Remove 0.0.0.0/0 from the authorized networks and connect through the Cloud SQL Auth Proxy or a private IP.", "GCP",
			strList("EXTERNAL_EXPOSURE"), scGCPSQL)
	}
	ruleIMDSv2 = func() obj {
		return configRule("", "EC2 instance should require IMDSv2",
			"This rule checks whether the instance metadata service requires session tokens (IMDSv2).",
			"Set HttpTokens to required on the instance's metadata options.", "AWS",
			strList("LATERAL_MOVEMENT"), scIMDS)
	}
	ruleReboot = func() obj {
		return configRule("d4926f50-d41c-455e-b3c5-465b3b3ae5fa", "EC2 instance with an upcoming system reboot scheduled event",
			"This rule checks whether there is a system reboot scheduled event for the EC2 instance.",
			"To monitor an instance system reboot scheduled event for the EC2 instance, follow the AWS documentation.\n", "AWS",
			nil, scBackup)
	}
	ruleTrail = func() obj {
		return configRule("", "CloudTrail should be enabled in all regions",
			"This rule checks whether the account has a multi-region trail that is logging.",
			"Create a multi-region trail, or turn on IsMultiRegionTrail on an existing one.", "AWS",
			nil, scTrail)
	}
	rulePassword = func() obj {
		return configRule("", "IAM password policy should require a minimum length of 14",
			"This rule checks the account password policy's minimum password length.",
			"Set MinimumPasswordLength to 14 or more in the account password policy.", "AWS",
			nil, scPassword)
	}
	ruleKeyVault = func() obj {
		return configRule("", "Key Vault should have purge protection enabled",
			"This rule checks whether soft delete and purge protection are enabled on the key vault.",
			"Enable purge protection on the key vault.", "Azure",
			nil, scAzrKV)
	}
	ruleDiskCMK = func() obj {
		return configRule("", "Virtual Machine OS disk should be encrypted with a customer-managed key",
			"This rule checks whether the VM's OS disk uses a disk encryption set with a customer-managed key.",
			"Create a disk encryption set with a key in your key vault and assign it to the disk.", "Azure",
			nil, scAzrDisk)
	}
	ruleGCSUniform = func() obj {
		return configRule("", "Cloud Storage bucket should have uniform bucket-level access enabled",
			"This rule checks whether uniform bucket-level access is enabled on the bucket.",
			"Enable uniform bucket-level access on the bucket.", "GCP",
			nil, scGCPBucket)
	}
)
