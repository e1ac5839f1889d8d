// Package wiz is the Wiz integration: the five commands of the Wiz
// command page (Add Issue Comments, Fetch Event, List Projects, Update
// Issues, Test Connection) over Wiz's GraphQL API.
//
// A connection names the tenant's API endpoint URL and a service
// account's client ID and secret. The client logs in with the OAuth2
// client-credentials grant (a form post to the token URL, audience
// wiz-api), caches the token until a minute before it expires, shares one
// login among concurrent requests, and logs in again once when the API
// answers 401. Every command posts to {api_endpoint_url}/graphql; a reply
// with GraphQL errors is a failure even when its status is 200, with the
// errors' messages and the status their code stands for (NOT_FOUND 404,
// BAD_USER_INPUT 400, UNAUTHORIZED 403). Retries, the rate limit and the
// concurrency bound are the connection's, as for every integration:
// reads are retried after 429, 5xx, resets and timeouts; mutations only
// when never sent or after 429.
//
// Raw Data keeps the page's shapes: Fetch Event returns
// {"data": {"nodes": [...]}} over every page, each node with its
// __typename and an EventType naming the Event Type; List Projects
// {"data": {"projects": {"nodes": [...]}}}; Add Issue Comments and Update
// Issues {"Results": [reply, ...]}, one GraphQL reply per issue.
//
// Facts are cited with the tags of the API notes: [D3] the command page,
// [V: source] seen in a named public source, [I] inferred.
package wiz
