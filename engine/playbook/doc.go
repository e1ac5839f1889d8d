// Package playbook is the Go model of a playbook file and its loader.
//
// [Load] decodes YAML with gopkg.in/yaml.v3, keeping every position, and
// checks the file's shape: unknown and duplicate keys, value types,
// durations, join and expression-language names, task ids and needs. What
// needs the command registry or the expression compilers (command inputs,
// expressions, references between tasks) is checked by package engine,
// which reports through the same [ErrorList].
//
// The package is a leaf: it imports yaml.v3, the standard library and
// internal/textdist (for hints) only, so the JSON Schema generator and
// every front end can use it.
package playbook
