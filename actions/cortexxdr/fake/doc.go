// Package fake is an in-process fake of the Palo Alto Networks Cortex XDR
// public REST API (/public_api/v1), on seeded, deterministic data. It
// serves the calls behind the 23 commands of the cortex_xdr integration:
// incidents (get_incidents, get_incident_extra_data, update_incident),
// endpoints (get_endpoint, isolate, unisolate, scan, abort_scan,
// file_retrieval), actions (get_action_status, file_retrieval_details),
// scripts (run_snippet_code_script and its status, results and result
// files), the download links, XQL (start_xql_query, get_query_results,
// get_query_results_stream, get_quota), IOCs (indicators/insert,
// insert_jsons, get, delete) and alerts/get_alerts_pcap.
//
// The integration's tests mount it with httptest.NewServer(fake.New()),
// `playbook run --sandbox` mounts it in-process so that example playbooks
// run without credentials, `playbook fake cortex_xdr --addr` serves it
// standalone, and a benchmark drives it in parallel. Besides the standard
// library it imports only actions/internal/fakefault, the fault injection
// it shares with the Wiz fake.
//
// # Keys
//
// [New] accepts two keys, both with the Instance Administrator role and a
// Pro license: [StandardKeyID]/[StandardKey], a standard key sent as
// "x-xdr-auth-id: 1" and "Authorization: <key>"; and
// [AdvancedKeyID]/[AdvancedKey], an advanced key that signs each request
// with x-xdr-nonce (64 characters of [A-Za-z0-9]), x-xdr-timestamp (epoch
// ms) and Authorization = lower-hex SHA-256(key + nonce + timestamp).
// [WithKeys] replaces them, for example with a key lacking the role (403
// on the IOC calls) or the license (402 on XQL, scripts and file
// retrieval).
//
// # Determinism
//
// Seed data is fixed: 12 incidents created between 1 and 20 November 2026
// (IDs 2901 to 2912, see [SeedIncidentIDs]) with 1 to 4 alerts each (IDs
// from 283830) on 25 endpoints ([SeedEndpoints]) whose IDs are derived
// from their names, 8 IOCs (rule IDs 51 to 58), 4 tenant users
// ([SeedUsers]) and PAN NGFW alerts with captures ([SeedPCAPAlertIDs]).
// New objects get IDs from counters: action IDs from 1001, XQL query IDs
// "<14 hex>_<n>_inv", UUID-shaped stream IDs, download tokens and IOC rule
// IDs from 59. Actions and queries advance by poll count, never by time.
// The clock ([WithClock]) is read only for the advanced-key timestamp
// window, nonce expiry, the extra-data rate limit and the times stamped on
// objects a request changes; give the server a fixed clock for
// byte-for-byte stable replies.
//
// # Behaviour
//
// Facts from the API notes are cited in doc comments with their tags:
// [PA] the vendor's reference, [PA-XSIAM] its XSIAM pages, [XSOAR] the
// open-source XSOAR integration, [R7] the Rapid7 plugin's recorded errors,
// [D3] the integration page. Behaviour marked [INF] is inferred, not seen
// in any source; the fake picks one reasonable answer:
//
//   - paths with and without a trailing slash are the same; an unknown path
//     gets 404 with a plain "The object at <url> does not exist";
//   - a key sent in the other security level's form, a stale timestamp
//     (outside ±5 minutes by default) and a reused nonce all get 401;
//   - errors: 400 "Bad Request. Got an invalid JSON." for malformed JSON
//     and for request shapes the API refuses (wrong types, unknown filter
//     fields or operators, unknown enum values), with the reason in
//     err_extra; 500 "An error occurred while processing XDR public API"
//     for requests it cannot carry out (unknown incident, no endpoint for
//     an action, limits such as a page of more than 100);
//   - get_incident_extra_data over its rate gets 429 with a Retry-After;
//   - update_incident replies true; indicators/insert and delete reply
//     {"success": true, ...}; indicators/get replies without the reply
//     envelope, {"objects_count": <all matches>, "objects": [...]};
//   - get_action_status of an unknown action replies with empty data;
//     actions on disconnected or lost agents stay PENDING;
//   - an XQL query yields the rows of its smallest "| limit N" stage, all
//     2,500 rows of the dataset when its text contains "stream", else 5;
//     rows follow a "| fields" stage; an unknown stage keyword is a syntax
//     error.
//
// # Faults and recording
//
// [Server.Inject] makes the next matching requests fail (a status with the
// vendor body, a raw body, Retry-After, latency, a truncated body or a
// reset connection) and [Server.Requests] returns every request received,
// so that client tests can check each call that was made.
package fake
