// Package jsonpath evaluates RFC 9535 JSONPath queries over decoded JSON.
//
// A query is compiled once with [Compile] (or [CompileRelative] for field
// mappings written relative to a node) into a small immutable tree, and the
// resulting [Path] is then applied to JSON-shaped Go values: nil, bool,
// string, numbers (int64 and float64 as produced by the engine's decoder, and
// defensively the other Go integer and float types and json.Number), []any
// and map[string]any. Other slices and string-keyed maps are read as arrays
// and objects; any other Go value is treated as a leaf.
//
// The whole of RFC 9535 is implemented: root and current node identifiers,
// child and descendant segments, name, wildcard, index, slice and filter
// selectors, filter expressions with comparisons and existence tests, and the
// function extensions length, count, match, search and value (with
// well-typedness checked at compile time). match and search take I-Regexp
// (RFC 9485) patterns, translated to Go's regexp syntax; as in the JSONPath
// Compliance Test Suite, "^" and "$" act as anchors. Object members are
// visited in sorted key order so results are deterministic. Missing members
// and out-of-range indexes select nothing; they are never errors.
//
// [Path.Query] returns the nodelist of a query. [Path.Get] applies the
// engine's design rule: a singular (definite) query yields its value, or nil
// when nothing matches; any other query yields the nodelist as []any.
//
// The package imports only the standard library. It is called by the
// engine's templates, key_fields extraction and field mappings, which run
// queries over vendor replies of several megabytes, so evaluation avoids
// per-node allocations.
package jsonpath
