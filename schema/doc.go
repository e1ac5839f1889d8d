// Package schema holds the JSON Schema of the playbook file, generated
// from the loader's key lists (package engine/playbook) and the command
// registry, checked in as playbook.schema.json and embedded as
// [PlaybookJSON] for the CLI and editors. Playbooks point editors at it with
//
//	# yaml-language-server: $schema=../schema/playbook.schema.json
//
// Regenerate it after changing a command's inputs or the loader's keys:
//
//	go generate ./schema
//
// TestCurrent fails while the checked-in file is stale. The file must
// exist for this package to build (it is embedded); if it was deleted,
// create it empty and regenerate.
//
// [Registry] must register every integration that registry() in
// cmd/playbook/main.go registers: when you add an integration there, add
// it to [Registry] too, or the schema will reject its commands. (This
// package cannot import cmd, so no test compares the two.)
//
// The package imports actions, the integrations it registers, and engine
// (for the spec of run: playbook); only cmd/playbook and tests use it.
package schema

//go:generate go run ./gen
