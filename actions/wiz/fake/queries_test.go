package fake

// The operations of the Wiz API notes, as the wiz integration sends them.

// issuesQuery is §5.1's IssuesTable.
const issuesQuery = `query IssuesTable($filterBy: IssueFilters, $first: Int, $after: String, $orderBy: IssueOrder) {
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

// testConnectionQuery is §4's recommended Test Connection request.
const testConnectionQuery = `query IssuesTable($first: Int) { issues: issuesV2(first: $first) { nodes { id } pageInfo { hasNextPage endCursor } } }`

// configFindingsQuery is §5.2's CloudConfigurationFindingsPage.
const configFindingsQuery = `query CloudConfigurationFindingsPage($filterBy: ConfigurationFindingFilters, $first: Int, $after: String, $orderBy: ConfigurationFindingOrder) {
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

// vulnFindingsQuery is §5.3's VulnerabilityFindingsPage.
const vulnFindingsQuery = `query VulnerabilityFindingsPage($filterBy: VulnerabilityFindingFilters, $first: Int, $after: String, $orderBy: VulnerabilityFindingOrder) {
  vulnerabilityFindings(filterBy: $filterBy, first: $first, after: $after, orderBy: $orderBy) {
    nodes {
      __typename
      id portalUrl name CVEDescription CVSSSeverity score exploitabilityScore severity nvdSeverity
      weightedSeverity impactScore dataSourceName hasExploit hasCisaKevExploit status vendorSeverity
      firstDetectedAt lastDetectedAt resolvedAt description remediation detailedName version
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

// projectsQuery is §6's ProjectsTable.
const projectsQuery = `query ProjectsTable($filterBy: ProjectFilters, $first: Int, $after: String, $orderBy: ProjectOrder) {
  projects(filterBy: $filterBy, first: $first, after: $after, orderBy: $orderBy) {
    nodes { id name isFolder archived businessUnit description }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}`

// createNoteMutation is §7's CreateIssueComment.
const createNoteMutation = `mutation CreateIssueComment($input: CreateIssueNoteInput!) {
  createIssueNote(input: $input) {
    issueNote {
      createdAt
      id
      text
      user { id email }
    }
  }
}`

// updateIssueMutation is §8's UpdateIssue.
const updateIssueMutation = `mutation UpdateIssue($issueId: ID!, $patch: UpdateIssuePatch, $override: UpdateIssuePatch) {
  updateIssue(input: { id: $issueId, patch: $patch, override: $override }) {
    issue { id note status dueAt resolutionReason }
  }
}`
