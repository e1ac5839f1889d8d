// Package gql holds the GraphQL documents the wiz integration sends, so
// that the fake's tests run exactly these.
package gql

// The GraphQL documents the commands send, as Wiz's developer docs and
// the reference clients write them; each node asks for __typename, which
// tells a field mapping the event types apart [D3].

// Issues reads issues through issuesV2 under the alias issues
// [V: Wiz-docs "Pull Issues Using Delta Updates", XSOAR-Wiz].
const Issues = `query IssuesTable($filterBy: IssueFilters, $first: Int, $after: String, $orderBy: IssueOrder) {
  issues: issuesV2(filterBy: $filterBy, first: $first, after: $after, orderBy: $orderBy) {
    nodes {
      __typename
      id
      sourceRule {
        __typename
        ... on Control {
          id
          name
          controlDescription: description
          resolutionRecommendation
          securitySubCategories { title category { name framework { name } } }
          risks
        }
        ... on CloudEventRule {
          id
          name
          cloudEventRuleDescription: description
          sourceType
          type
          risks
          securitySubCategories { title category { name framework { name } } }
        }
        ... on CloudConfigurationRule {
          id
          name
          cloudConfigurationRuleDescription: description
          remediationInstructions
          serviceType
          risks
          securitySubCategories { title category { name framework { name } } }
        }
      }
      createdAt
      updatedAt
      dueAt
      type
      resolvedAt
      statusChangedAt
      projects { id name slug businessUnit riskProfile { businessImpact } }
      status
      severity
      entitySnapshot {
        id type nativeType name status cloudPlatform cloudProviderURL providerId region
        resourceGroupExternalId subscriptionExternalId subscriptionName subscriptionTags tags
        createdAt externalId
      }
      serviceTickets { externalId name url }
      notes { createdAt updatedAt text user { name email } serviceAccount { name } }
    }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}`

// ConfigurationFindings reads cloud configuration findings
// [V: Wiz-docs "Cloud Configuration Findings Tutorial"].
const ConfigurationFindings = `query CloudConfigurationFindingsPage($filterBy: ConfigurationFindingFilters, $first: Int, $after: String, $orderBy: ConfigurationFindingOrder) {
  configurationFindings(filterBy: $filterBy, first: $first, after: $after, orderBy: $orderBy) {
    nodes {
      __typename
      id
      targetExternalId
      deleted
      targetObjectProviderUniqueId
      firstSeenAt
      analyzedAt
      updatedAt
      severity
      result
      status
      remediation
      resource {
        id providerId name nativeType type region
        subscription { id name externalId cloudProvider }
        projects { id name riskProfile { businessImpact } }
        tags { key value }
      }
      rule { id graphId name description remediationInstructions functionAsControl }
      securitySubCategories { id title category { id name framework { id name } } }
      ignoreRules { id }
    }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}`

// VulnerabilityFindings reads vulnerability findings
// [V: Wiz-docs "Pull Vulnerabilities Using Delta Updates", Sentinel-CCF].
const VulnerabilityFindings = `query VulnerabilityFindingsPage($filterBy: VulnerabilityFindingFilters, $first: Int, $after: String, $orderBy: VulnerabilityFindingOrder) {
  vulnerabilityFindings(filterBy: $filterBy, first: $first, after: $after, orderBy: $orderBy) {
    nodes {
      __typename
      id portalUrl name CVEDescription CVSSSeverity score exploitabilityScore severity nvdSeverity
      weightedSeverity impactScore dataSourceName hasExploit hasCisaKevExploit status vendorSeverity
      firstDetectedAt lastDetectedAt updatedAt resolvedAt description remediation detailedName version
      fixedVersion detectionMethod link locationPath resolutionReason epssSeverity epssPercentile
      epssProbability validatedInRuntime
      layerMetadata { id details isBaseLayer }
      projects { id name slug businessUnit riskProfile { businessImpact } }
      ignoreRules { id name enabled expiredAt }
      cvssv2 { attackVector attackComplexity confidentialityImpact integrityImpact privilegesRequired userInteractionRequired }
      cvssv3 { attackVector attackComplexity confidentialityImpact integrityImpact privilegesRequired userInteractionRequired }
      relatedIssueAnalytics { issueCount criticalSeverityCount highSeverityCount mediumSeverityCount lowSeverityCount informationalSeverityCount }
      cnaScore
      vulnerableAsset {
        ... on VulnerableAssetBase {
          id type name region providerUniqueId cloudProviderURL cloudPlatform status
          subscriptionName subscriptionExternalId subscriptionId tags
          hasLimitedInternetExposure hasWideInternetExposure isAccessibleFromVPN
          isAccessibleFromOtherVnets isAccessibleFromOtherSubscriptions
        }
        ... on VulnerableAssetVirtualMachine {
          operatingSystem ipAddresses imageName nativeType
          computeInstanceGroup { id externalId name replicaCount tags }
        }
        ... on VulnerableAssetServerless { runtime }
        ... on VulnerableAssetContainerImage {
          imageId scanSource
          registry { name externalId }
          repository { name externalId }
        }
        ... on VulnerableAssetContainer { ImageExternalId VmExternalId ServerlessContainer PodNamespace PodName NodeName }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`

// Projects lists projects [V: Wiz-docs "Pull Projects Tutorial"].
const Projects = `query ProjectsTable($filterBy: ProjectFilters, $first: Int, $after: String, $orderBy: ProjectOrder) {
  projects(filterBy: $filterBy, first: $first, after: $after, orderBy: $orderBy) {
    nodes { id name isFolder archived businessUnit description }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}`

// CreateIssueNote adds a comment to an issue [V: XSOAR-Wiz
// CREATE_COMMENT_QUERY].
const CreateIssueNote = `mutation CreateIssueComment($input: CreateIssueNoteInput!) {
  createIssueNote(input: $input) {
    issueNote {
      createdAt
      id
      text
      user { id email }
    }
  }
}`

// UpdateIssue changes an issue's status, due date or note
// [V: Wiz-docs "Update Issue Tutorial"].
const UpdateIssue = `mutation UpdateIssue($issueId: ID!, $patch: UpdateIssuePatch, $override: UpdateIssuePatch) {
  updateIssue(input: { id: $issueId, patch: $patch, override: $override }) {
    issue { id note status dueAt resolutionReason }
  }
}`

// TestConnection is the smallest read of issues, which needs only read:issues
// [D3], [I: the minimal form of XSOAR-Wiz's test-module].
const TestConnection = `query IssuesTable($first: Int) {
  issues: issuesV2(first: $first) {
    nodes { id }
    pageInfo { hasNextPage endCursor }
  }
}`
