package fake

import (
	_ "embed"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

//go:embed schema.graphql
var schemaSDL string

// schema is the parsed schema every request is validated and executed
// against. It is read-only after package initialisation.
var schema = loadSchema()

func loadSchema() *ast.Schema {
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphql", Input: schemaSDL})
	if err != nil {
		// The schema is part of the package: a startup programming error.
		panic("wiz fake: invalid schema.graphql: " + err.Error())
	}
	return s
}

// Schema returns the GraphQL SDL the server validates requests against: the
// subset of the Wiz schema the wiz integration's operations use. Client
// tests can load it to check their query texts.
func Schema() string { return schemaSDL }
