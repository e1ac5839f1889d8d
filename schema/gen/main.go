// Command gen writes playbook.schema.json, test.schema.json,
// connections.schema.json and serve.schema.json, the JSON Schemas of the
// playbook, test, connections and serve files, into the current directory. go generate ./schema runs it there.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/playbook-sh/playbook/schema"
)

func main() {
	out := flag.String("o", "playbook.schema.json", "file to write")
	testOut := flag.String("test-o", "test.schema.json", "file to write the test-file schema to")
	connsOut := flag.String("connections-o", "connections.schema.json", "file to write the connections-file schema to")
	serveOut := flag.String("serve-o", "serve.schema.json", "file to write the serve-file schema to")
	flag.Parse()
	b, err := schema.Playbook(schema.Registry())
	if err == nil {
		err = os.WriteFile(*out, b, 0o644)
	}
	if err == nil {
		b, err = schema.TestFile()
	}
	if err == nil {
		err = os.WriteFile(*testOut, b, 0o644)
	}
	if err == nil {
		b, err = schema.Connections(schema.Registry())
	}
	if err == nil {
		err = os.WriteFile(*connsOut, b, 0o644)
	}
	if err == nil {
		b, err = schema.Serve(schema.Registry())
	}
	if err == nil {
		err = os.WriteFile(*serveOut, b, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
