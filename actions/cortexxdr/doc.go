// Package cortexxdr is the Cortex XDR integration: the 23 commands of the
// vendor's D3 command page (cortex_xdr.search_hosts, ...), each sending the
// exact request of the Cortex XDR public REST API (/public_api/v1) and
// returning the D3 envelope.
//
// Authentication takes both API key security levels: standard
// (Authorization is the key) and advanced (a 64-character nonce, a
// millisecond timestamp and the SHA-256 of key+nonce+timestamp, fresh for
// every attempt). Calls go through one keep-alive client per connection
// with its timeout, retries, rate limit and concurrency bound
// (actions/internal/vendorhttp).
//
// Raw Data is the vendor's reply as the API returns it. A command that
// makes one call per input item (Get Incident Details, Get Action Status,
// Get XQL Query Results, Update Incidents) returns {"Results": [reply, ...]}
// in input order and is Partially Successful when some items fail, naming
// them. Isolate, Unisolate and Scan Hosts are Partially Successful when the
// reply covers fewer endpoints than were sent.
//
// The fake server in the fake subpackage models the same API for tests and
// --sandbox.
package cortexxdr
