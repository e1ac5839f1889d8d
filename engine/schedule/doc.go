// Package schedule decides when the schedules of `playbook serve` fire and
// fires them: [Parse] checks one serve.yaml schedule and answers when it
// fires next, and a [Scheduler] launches the due runs of many schedules,
// applying overlap, catch-up and jitter, and records each schedule's last
// fire through [Cursors].
//
// Everything here is deterministic: time comes from an injected [Clock]
// (engine.SystemClock satisfies it) and jitter is a hash of the schedule
// name and fire time, never a random draw. It imports the standard library,
// robfig/cron for cron expressions and hclog; package main builds the
// Scheduler and gives it the playbook runner as a [Launch].
//
// Time zones are loaded with [time.LoadLocation], so a binary that runs
// where /usr/share/zoneinfo is missing must import time/tzdata in main.
package schedule
