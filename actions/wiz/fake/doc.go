// Package fake is an in-process fake of the Wiz API: the OAuth 2.0 token
// endpoint and the GraphQL endpoint, on seeded, deterministic data. It
// serves what the five commands of the wiz integration use: the
// client-credentials token (POST /oauth/token), and on POST /graphql the
// root fields issuesV2 (and the legacy issues), configurationFindings,
// vulnerabilityFindings and projects, and the mutations createIssueNote
// and updateIssue.
//
// The integration's tests mount it with httptest.NewServer(fake.New());
// the sandbox connection points api_endpoint_url at the server's base URL
// and token_url at base URL + "/oauth/token". It imports the standard
// library and gqlparser only.
//
// Requests are parsed, never string-matched: the server holds a GraphQL
// schema ([Schema]) modelling the subset of Wiz's schema those operations
// use, validates each document against it with gqlparser, coerces the
// variables, and executes the operation with a small executor that honours
// aliases, fragments (inline and named, by type condition), __typename,
// @skip and @include, and returns exactly the selected fields in selection
// order (null for a selected field a node lacks).
//
// # Credentials
//
// [New] accepts one service account, [ClientID]/[ClientSecret], named
// [ServiceAccountName], with every scope of [AllScopes].
// [WithServiceAccounts] replaces it, for example with an account lacking
// read:projects. The token request is form-encoded with
// grant_type=client_credentials, audience=wiz-api, client_id and
// client_secret [V: XSOAR-Wiz, Sentinel-CCF]. A missing or repeated
// parameter, or another grant type, is 400 invalid_request; an unknown
// client or a wrong secret 401 access_denied; another audience 400
// invalid_grant [I: API notes §1.4]. Each call issues a fresh JWT-shaped
// token (claims iss, sub and client_id = the client ID, aud, scope, iat,
// exp, jti) valid for 24 hours ([WithTokenTTL]), answered as
// {"access_token","expires_in","token_type":"Bearer"} without a
// refresh_token. [Server.RevokeTokens] invalidates every token issued.
//
// GraphQL requests carry "Authorization: Bearer <token>" (any case of the
// scheme). A missing, unknown, expired (on the server clock) or revoked
// token is 401 {"errors":[{"message":"Unauthorized","extensions":
// {"code":"UNAUTHENTICATED"}}],"data":null}. Each root field needs a scope
// [V: Wiz-docs, D3]: issuesV2 and issues read:issues, configurationFindings
// read:cloud_configuration, vulnerabilityFindings read:vulnerabilities,
// projects read:projects, createIssueNote write:issue_comments, updateIssue
// write:issue_status and, when it sets dueAt, update:write:issue_due_at
// [I: which of the four write scopes a mutation checks]. A missing scope
// is 403 UNAUTHORIZED "Unauthorized: missing required scope <scope>" with
// "data": null [I].
//
// # Determinism
//
// The seed is anchored at the clock's time when New runs ([Server.Anchor])
// so that a client's default "last 24 hours" finds data: every seed time
// is a fixed offset back from the anchor (with a fixed fraction of a
// second, so that times look like the service's). Everything else is
// fixed: IDs are constant UUIDs, most derived from a name with SHA-1. With
// a fixed clock ([WithClock]) replies are byte-for-byte stable, tokens
// included. Times are RFC 3339 in UTC with microseconds, trailing zeros
// dropped as the service does ("2024-04-17T19:17:28.470891Z",
// "2024-04-30T04:01:29.78729Z") [V: D3 and Wiz-docs samples].
//
// The seed ([SeedIssueIDs], [SeedProjects], [SeedConfigurationFindingIDs],
// [SeedVulnerabilityFindingIDs] and the named IDs):
//
//   - 8 projects: the D3 sample Project1 ([Project1ID], Dev, "Test
//     project", MBI), "Project 2" (MBI), the "Production" folder (HBI)
//     holding "Payments Production" and "Customer Web Platform" (both
//     HBI), "Data Analytics" (MBI), the red team's "Security Lab" (LBI)
//     and the archived "Legacy Intranet" (LBI);
//   - 24 issues of the three types, four statuses and five severities, 18
//     of them updated in the 24 hours before the anchor. They include the
//     D3 sample ([SampleIssueID]); three CRITICAL/HIGH OPEN issues whose
//     entity is tagged environment=pentest-lab ([PentestLabIssueIDs]), the
//     known false positives a triage playbook rejects; several
//     CRITICAL/HIGH OPEN true positives ([WebProd01IssueID],
//     [CIDeployerIssueID], [CryptoMiningIssueID], ...); and
//     [OldIssueID], updated 30 hours before the anchor. Entities are VMs,
//     buckets, a secret, service and user accounts, a container, security
//     groups, a storage account and databases on AWS, Azure and GCP;
//   - 15 configuration findings ([SampleConfigurationFindingID] is Wiz's
//     tutorial sample);
//   - 16 vulnerability findings on the hosts the Cortex XDR fake also
//     knows, by the same names and addresses: web-prod-01 (172.16.10.11;
//     [WebProd01VulnerabilityID], CVE-2023-38408, CRITICAL, 9.8, OPEN,
//     with an exploit), web-prod-02 (172.16.10.12; CVE-2023-5678, MEDIUM,
//     5.3), db-prod-01 (172.16.20.21; CVE-2024-6387, HIGH, 8.1),
//     build-ci-07 (172.16.30.7) and jump-01 (172.16.0.5), plus a
//     container image, a running container, a Lambda function and VMs on
//     GCP and Azure.
//
// [WithGeneratedIssues] appends generated issues for pagination tests and
// benchmarks. A new note's ID derives from its issue, its text and how
// many notes with that text the issue has, never from arrival order, so
// notes written concurrently get the same IDs on every run.
//
// # Behaviour
//
// Facts from the API notes are cited in doc comments with their tags:
// [V: source] verified in a public source, [D3] the integration page.
// Behaviour marked [I] is inferred; the fake picks one reasonable answer:
//
//   - POST /oauth/token and POST /graphql (each with or without a trailing
//     slash); other paths are 404, other methods 405, bodies over 4 MiB
//     413;
//   - a body that is not a JSON object with a non-empty query, a
//     variables object and a string operationName is 400 BAD_REQUEST;
//     several operations without operationName, or an unknown one, 400
//     BAD_REQUEST; a syntax error 400 GRAPHQL_PARSE_FAILED; a document the
//     schema refuses (unknown field, argument or type, wrong literal,
//     introspection) 400 GRAPHQL_VALIDATION_FAILED, with gqlparser's
//     messages and locations; a variable that does not coerce (wrong type,
//     unknown enum value, enum in the wrong case, unknown input field,
//     missing required value, bad DateTime) 400 BAD_USER_INPUT;
//   - field errors come with 200, data null for the field and the error's
//     path: first missing, below 1 or above 500 (1000 on
//     vulnerabilityFindings) [V: API notes §2.6], a bad cursor, a bad
//     DateTime literal: BAD_USER_INPUT; a mutation on an unknown issue:
//     NOT_FOUND "Resource not found" [V: message];
//   - filters: list keys are ORed, keys ANDed; date ranges {after,
//     before} are exclusive and a node without the date never matches;
//     search is a case-insensitive substring; the tenant defaults leave
//     out archived projects and deleted configuration findings;
//   - pagination: first/after with opaque base64-JSON cursors,
//     hasNextPage, endCursor (null on an empty page) and totalCount (all
//     matches); a page resumes after the cursor's node;
//   - order: without orderBy every connection returns nodes in seed order,
//     not by time, so clients sort themselves; orderBy sorts stably,
//     nodes without the sort value last;
//   - mutations change what later reads see: createIssueNote appends a
//     note signed by the service account (user null) and bumps updatedAt;
//     updateIssue applies patch, then override (whose nulls clear), and
//     returns the issue. REJECTED needs a resolutionReason [V: Wiz-docs],
//     RESOLVED is for THREAT_DETECTION issues only and needs one too, a
//     resolutionReason needs REJECTED or RESOLVED, and the reasons Wiz
//     sets itself (ISSUE_FIXED, ...) are refused: BAD_USER_INPUT [I]. A
//     status change sets statusChangedAt, RESOLVED sets resolvedAt,
//     reopening clears resolutionReason and resolvedAt, and every change
//     sets updatedAt.
//
// # Faults and recording
//
// [Server.Inject] makes the next matching requests fail (a status with the
// service's error body, a raw body, Retry-After, latency, a truncated
// body or a reset connection), optionally only for one GraphQL root field
// ([Fault].Operation); [Server.Requests] returns every request received,
// so that client tests can check each call that was made.
package fake
