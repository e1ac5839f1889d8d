// Package plan is the pure DAG logic of a run: cycle detection, readiness by
// join, and skip reasons. It holds no clock, randomness or I/O and never
// depends on map order, so the same decisions come out of a local run and
// of a replayed Temporal workflow. It imports only the standard library.
package plan
