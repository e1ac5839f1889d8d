package fake

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"time"
)

// state is all of a server's data, guarded by Server.mu. Objects are
// built fresh for every server and never shared between servers.
type state struct {
	anchor         time.Time
	issues         []obj
	issueByID      map[string]obj
	configFindings []obj
	vulnFindings   []obj
	projects       []obj
}

// newState builds the seed anchored at anchor, plus generated issues.
func newState(anchor time.Time, generated int) state {
	sd := &seeder{at: anchor.UTC().Truncate(time.Microsecond)}
	sd.buildProjects()
	st := state{anchor: anchor, issueByID: map[string]obj{}, projects: sd.projectList}
	st.issues = append(sd.issues(), sd.generatedIssues(generated)...)
	for _, m := range st.issues {
		st.issueByID[str(m, "id")] = m
	}
	st.configFindings = sd.configFindings()
	st.vulnFindings = sd.vulnFindings()
	return st
}

// uuidOf derives a fixed, UUID-shaped ID (version 5 layout) from a kind
// and a name with SHA-1, so that seed IDs never change.
func uuidOf(kind, name string) string {
	sum := sha1.Sum([]byte("wiz-fake/" + kind + "/" + name))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// hexOf derives n hex digits from a name, for provider IDs such as EC2
// instance IDs.
func hexOf(name string, n int) string {
	sum := sha1.Sum([]byte("wiz-fake/hex/" + name))
	return hex.EncodeToString(sum[:])[:n]
}

// seeder builds the seed relative to its anchor.
type seeder struct {
	at          time.Time
	projectList []obj
	projectByID map[string]obj
}

// ago returns the anchor minus days and a duration such as
// "3h12m5.470891s" (the fractions make times look like the service's).
func (sd *seeder) ago(days int, d string) time.Time {
	return sd.at.Add(-time.Duration(days)*24*time.Hour - mustDuration(d))
}

// in returns the anchor plus days and a duration.
func (sd *seeder) in(days int, d string) time.Time {
	return sd.at.Add(time.Duration(days)*24*time.Hour + mustDuration(d))
}

func mustDuration(d string) time.Duration {
	v, err := time.ParseDuration(d)
	if err != nil {
		panic(fmt.Sprintf("wiz fake seed: bad duration %q", d)) // a typo in the seed
	}
	return v
}

// user is a tenant user, the same people as the Cortex XDR fake's.
func user(name, email string) obj {
	return obj{"id": uuidOf("user", email), "name": name, "email": email}
}

var (
	janeDoe    = func() obj { return user("Jane Doe", "jane.doe@example.com") }
	samLee     = func() obj { return user("Sam Lee", "sam.lee@example.com") }
	priyaPatel = func() obj { return user("Priya Patel", "priya.patel@example.com") }
	socLead    = func() obj { return user("SOC Lead", "soc-lead@example.com") }
)

// Named seed IDs. The package documentation describes what they are.
const (
	// SampleIssueID is the D3 page's sample issue: a HIGH, OPEN
	// TOXIC_COMBINATION from the Control "Secrets not stored in a secret
	// container" on the SECRET_INSTANCE "Certificate for kubernetes",
	// without projects, tickets or notes.
	SampleIssueID = "fb67a8e2-6c1b-4f2e-9a8d-2c4b3e9dfe46"
	// WebProd01IssueID is a CRITICAL, OPEN TOXIC_COMBINATION on the VM
	// web-prod-01 (publicly exposed, critical vulnerability with a known
	// exploit), updated 3 hours before the anchor: a true positive.
	WebProd01IssueID = "c5de6a43-e8ae-5e02-8a07-5d5b9c2ddf59"
	// CIDeployerIssueID is a HIGH, OPEN TOXIC_COMBINATION on the service
	// account ci-deployer, with a Jira ticket and a note; its ID is the
	// one of Wiz's Update Issue tutorial.
	CIDeployerIssueID = "842ec39e-b907-4c32-b6e5-2c3dd9fd43c0"
	// CryptoMiningIssueID is a HIGH, OPEN THREAT_DETECTION (crypto mining
	// pool connection) on the VM build-ci-07: an issue that may be set to
	// RESOLVED.
	CryptoMiningIssueID = "0f8f2ec9-0c35-5a1b-a1b3-cd3e24c8cc7f"
	// PentestKaliIssueID, PentestBucketIssueID and PentestC2IssueID are
	// CRITICAL or HIGH OPEN issues updated in the last 24 hours whose
	// entity is tagged environment=pentest-lab: known false positives of
	// the red team's lab, which a triage playbook rejects.
	PentestKaliIssueID   = "ea3b7338-76a7-5d48-b8b0-4fcf80eb1c54"
	PentestBucketIssueID = "a3d0b8dc-fa5e-5da5-9062-d3cd55b6f611"
	PentestC2IssueID     = "0ae0c8a0-95b0-5b8a-9f64-b5b4ecbfe5a0"
	// RejectedIssueID is a REJECTED (WONT_FIX) TOXIC_COMBINATION on the
	// bastion jump-01, with a note.
	RejectedIssueID = "b1ddd0ae-4d0d-56c2-b8e6-9ba87b5af8a7"
	// OldIssueID is an OPEN HIGH TOXIC_COMBINATION on web-prod-02 updated
	// 30 hours before the anchor: outside a default 24-hour window.
	OldIssueID = "55c5e1ef-0fa3-5b7c-a3c0-fbd64e3f2c35"

	// Project1ID is the D3 page's sample project "Project1" (business unit
	// Dev, "Test project", MBI).
	Project1ID = "d6ac50bb-aec0-52fc-80ab-bacd7b02f178"
	// Project2ID is "Project 2" of the API notes' samples (Dev, MBI).
	Project2ID = "83b76efe-a7b6-5762-8a53-8e8f59e68bd8"
	// SecurityLabProjectID is the red team's "Security Lab" project (LBI),
	// which holds the pentest-lab assets.
	SecurityLabProjectID = "0d3a1d0e-5b5f-5ae2-8e0b-fb3c38b6ee2a"
	// ArchivedProjectID is the archived "Legacy Intranet" project (LBI).
	ArchivedProjectID = "5a1e2d8c-b4a4-5d52-9f1d-2b1e7a5d6c09"
	// ProductionFolderID is the "Production" folder (HBI), the parent of
	// "Payments Production" and "Customer Web Platform".
	ProductionFolderID = "9e6c4c1f-04d8-5b8b-b3b1-9d3a2c4f1e70"

	// SampleConfigurationFindingID is Wiz's tutorial sample: a FAIL, OPEN
	// finding of severity NONE ("EC2 instance with an upcoming system
	// reboot scheduled event").
	SampleConfigurationFindingID = "bb0084ca-aacf-5d90-bf67-523a84d679d5"
	// WebProd01VulnerabilityID is CVE-2023-38408 on web-prod-01: CRITICAL,
	// score 9.8, OPEN, with a known exploit.
	WebProd01VulnerabilityID = "6f1c0e8e-3b9b-5d1a-a3c2-7e4d2b9f8a61"
)

// seedState is a seed built without generated issues, for the Seed
// accessors: IDs and names do not depend on the anchor.
func seedState() state { return newState(time.Time{}, 0) }

func idsOf(objs []obj) []string {
	out := make([]string, len(objs))
	for i, m := range objs {
		out[i] = str(m, "id")
	}
	return out
}

// SeedIssueIDs returns the IDs of the 24 seeded issues, in seed order
// (the order of every unsorted issues page).
func SeedIssueIDs() []string { return idsOf(seedState().issues) }

// PentestLabIssueIDs returns the IDs of the CRITICAL and HIGH OPEN issues
// whose entity is tagged environment=pentest-lab, in seed order.
func PentestLabIssueIDs() []string {
	return []string{PentestKaliIssueID, PentestBucketIssueID, PentestC2IssueID}
}

// SeedConfigurationFindingIDs returns the IDs of the 15 seeded
// configuration findings, in seed order.
func SeedConfigurationFindingIDs() []string { return idsOf(seedState().configFindings) }

// SeedVulnerabilityFindingIDs returns the IDs of the 16 seeded
// vulnerability findings, in seed order.
func SeedVulnerabilityFindingIDs() []string { return idsOf(seedState().vulnFindings) }

// Project is a seeded project, as SeedProjects describes it.
type Project struct {
	ID, Name, Slug, BusinessUnit, Description string
	// BusinessImpact is HBI, MBI or LBI.
	BusinessImpact string
	IsFolder       bool
	Archived       bool
	// ParentID is the folder holding the project, "" at the root.
	ParentID string
}

// SeedProjects returns the 8 seeded projects, in seed order.
func SeedProjects() []Project {
	st := seedState()
	out := make([]Project, len(st.projects))
	for i, m := range st.projects {
		out[i] = Project{
			ID: str(m, "id"), Name: str(m, "name"), Slug: str(m, "slug"),
			BusinessUnit: str(m, "businessUnit"), Description: str(m, "description"),
			BusinessImpact: str(child(m, "riskProfile"), "businessImpact"),
			IsFolder:       m["isFolder"] == true, Archived: m["archived"] == true, ParentID: str(m, "_parent"),
		}
	}
	return out
}
