// Package eval compiles and evaluates the playbook language's expressions:
// CEL and expr conditions (`when`, `until`, `retry_if`, trigger `when`),
// `${{ }}` templates and "$."-JSONPath strings in `with:` and `outputs:`
// values (DESIGN §2).
//
// Everything is compiled once, at load: [Compile] for an expression,
// [ParseTemplate] for a string leaf. Compile errors are *[Error] with a
// byte offset into the compiled text, which the loader maps to
// FILE:LINE:COL, and an optional "did you mean" hint. [Program.Refs] and
// [Template.Refs] list the member chains an expression reads
// (tasks.a.return_data), so the loader can check task IDs, fields and
// dependencies statically. Evaluation is safe for concurrent use.
//
// Both languages see the same run context ([Vars]: inputs, tasks, item,
// index, event, run) and the same helper, jsonpath(value, "$.path"), whose
// path must be a string literal, compiled at load through
// [Options.JSONPath]. Values in and out are JSON-shaped: nil, bool, string,
// int64, float64, []any, map[string]any.
//
// CEL (cel.dev/cel-go) runs in one shared environment declaring inputs,
// tasks and run as map(string, dyn), item and event as dyn, index as int,
// with optional types, cross-type numeric comparisons (7.5 > 7), UTC as
// the default time zone, and the extension libraries ext.Strings,
// ext.Lists, ext.Sets, ext.Math, ext.Encoders (base64) and ext.Bindings
// (cel.bind). Each evaluation has a cost limit and honours ctx
// cancellation; parse size, depth and node count are bounded.
//
// expr (github.com/expr-lang/expr) checks names against the same context,
// caps the syntax tree with MaxNodes and keeps its default memory budget.
// now() is disabled and date() uses UTC, because a run must not read the
// clock (use run.started_at). Unlike CEL, expr reads a missing map key as
// nil and cannot be interrupted once started: ctx is checked before each
// evaluation only.
//
// Data is never code: only the strings given to Compile and ParseTemplate
// are parsed. A value produced at run time is returned or interpolated as
// it is, however much it looks like a template or a JSONPath.
//
// This package imports cel-go, expr and internal/textdist (for hints)
// only: no engine, actions or integration package. Package engine calls it while compiling a playbook
// and while running its tasks.
package eval
