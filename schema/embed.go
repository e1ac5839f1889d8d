package schema

import _ "embed"

// PlaybookJSON is the checked-in JSON Schema of the playbook file,
// playbook.schema.json. It is current when the tests pass.
//
//go:embed playbook.schema.json
var PlaybookJSON []byte

// TestJSON is the checked-in JSON Schema of playbook test files,
// test.schema.json.
//
//go:embed test.schema.json
var TestJSON []byte

// ConnectionsJSON is the checked-in JSON Schema of connections files,
// connections.schema.json.
//
//go:embed connections.schema.json
var ConnectionsJSON []byte

// ServeJSON is the checked-in JSON Schema of serve.yaml,
// serve.schema.json.
//
//go:embed serve.schema.json
var ServeJSON []byte
