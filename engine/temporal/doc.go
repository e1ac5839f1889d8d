// Package temporal runs playbooks on Temporal: the same compiled plan,
// semantics and run report as the in-process runner, made durable and
// spread over workers.
//
// The workflow ([Worker.Run]) is the engine's own Runner, given a
// [engine.Flow] and a clock built on the workflow's coroutines, channels
// and durable timers, so the loop over engine/plan is the one `playbook
// run` uses and replays deterministically. Each call of a command (every
// attempt and poll of every item) is one activity ([Worker.Call]), which
// resolves the connection from the worker's own connections file: no
// credential enters the workflow's history. Retries, backoff, polling and
// timeouts are the engine's, decided in the workflow between activities
// with durable timers, so retry_if, the attempt log and the report are the
// same as in process. The activity's own retry policy covers only a lost
// worker (a missed heartbeat).
//
// The workflow's input carries the playbook's text and its sub-playbooks'
// (not a path), so a run replays against what it started with whatever
// happens to the files. Each sub-playbook task runs as a child workflow
// of the same type. A dry run's previews of the mutating calls it does
// not make are built on a worker ([Worker.Preview]), with its connection.
//
// Payloads are compressed ([Codec]); with a result store
// ([NewDataConverter], package blob) those still over [ClaimThreshold]
// are kept there by content hash, and history holds the key.
//
// [Backend] is serve's: intake and webhook deliveries start workflows
// whose ids derive from their keys, and serve.yaml's schedules become
// Temporal Schedules ([Backend.ScheduleOptions]).
package temporal
