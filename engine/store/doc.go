// Package store is the embedded SQLite state of unattended runs: run
// history with per-task checkpoints (so an interrupted run can be resumed)
// and the input and Key Field values each run touched (to find every run
// that touched a host, [RunFilter].Values), ingested events deduplicated
// by key with per-source high-water marks, schedule cursors, and
// connection health with a history of checks.
//
// Several processes may open one state file at once (a `playbook serve`
// daemon and a `playbook run --record`), so the file is in WAL mode, every
// write is one BEGIN IMMEDIATE transaction, and a writer that finds the
// file locked waits up to 10s. A [Store] is safe for concurrent use.
//
// It imports the standard library and the pure-Go SQLite driver
// modernc.org/sqlite, nothing of ours, so the engine, the intake and
// package main can all use it.
package store
