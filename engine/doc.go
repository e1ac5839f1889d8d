// Package engine compiles a loaded playbook against the command registry
// and runs it: [Compile] checks every command input, expression, template,
// JSONPath and reference before anything runs, and a [Runner] drives the
// deterministic planner of package plan through an [Executor], building the
// run report.
//
// It imports the command contract in package actions, never an
// integration: commands reach it through an [actions.Registry] filled by
// package main.
package engine
