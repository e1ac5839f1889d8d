// Command gen writes playbook.schema.json, the JSON Schema of the playbook
// file, into the current directory. go generate ./schema runs it there.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/playbook-sh/playbook/schema"
)

func main() {
	out := flag.String("o", "playbook.schema.json", "file to write")
	flag.Parse()
	b, err := schema.Playbook(schema.Registry())
	if err == nil {
		err = os.WriteFile(*out, b, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
