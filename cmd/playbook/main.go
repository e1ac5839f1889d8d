// Command playbook validates, runs and draws declarative security
// playbooks. See the README for the language and the CLI contract.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/actions/core"
	"github.com/playbook-sh/playbook/actions/cortexxdr"
	httpaction "github.com/playbook-sh/playbook/actions/http"
	"github.com/playbook-sh/playbook/actions/wiz"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// registry builds the command registry: every integration, registered
// explicitly.
func registry() *actions.Registry {
	reg := actions.NewRegistry()
	core.Register(reg)
	httpaction.Register(reg)
	cortexxdr.Register(reg)
	wiz.Register(reg)
	return reg
}

const usage = `playbook: declarative security playbooks

Usage:
  playbook validate FILE...                    check playbooks without running them
  playbook run FILE [flags]                    run a playbook once
  playbook graph FILE [--format mermaid|dot]   print the task graph
  playbook actions list                        list the commands
  playbook actions describe NAME               show a command's inputs and Key Fields
  playbook eval EXPR --report F | --run ID     evaluate an expression against a recorded run
  playbook test [PATH...] [--junit F]          run playbook tests (*.test.yaml) with mocks
  playbook connections test NAME               run an integration's Test Connection
  playbook connections list                    list the connections file's connections
  playbook fake INTEGRATION [--addr A]         serve an integration's fake API
  playbook serve --config F [--sandbox]        schedules, event intake, health checks, webhooks
  playbook intake run NAME --config F --once   one intake fetch cycle and the runs it triggers
  playbook events list [--source NAME]         list ingested events (--format text|json|jsonl)
  playbook runs list|show ID|resume ID         read recorded runs; resume an interrupted one
  playbook worker --temporal HOST:PORT         run playbooks for Temporal (run --temporal starts them)
  playbook version                             print the version

Run 'playbook COMMAND -h' for a command's flags.
`

// Exit codes of the CLI contract.
const (
	exitOK        = 0
	exitFailed    = 1
	exitUsage     = 2
	exitPartial   = 3
	exitCancelled = 130
)

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		io.WriteString(stderr, usage)
		return exitUsage
	}
	env := &env{stdin: stdin, stdout: stdout, stderr: stderr, reg: registry()}
	switch args[0] {
	case "validate":
		return env.validate(ctx, args[1:])
	case "run":
		return env.run(ctx, args[1:])
	case "graph":
		return env.graph(args[1:])
	case "actions":
		return env.actions(args[1:])
	case "eval":
		return env.eval(ctx, args[1:])
	case "test":
		return env.test(ctx, args[1:])
	case "connections":
		return env.connections(ctx, args[1:])
	case "fake":
		return env.fake(ctx, args[1:])
	case "serve":
		return env.serve(ctx, args[1:])
	case "intake":
		return env.intake(ctx, args[1:])
	case "events":
		return env.events(ctx, args[1:])
	case "runs":
		return env.runs(ctx, args[1:])
	case "worker":
		return env.worker(ctx, args[1:])
	case "version", "--version":
		io.WriteString(stdout, "playbook "+version+"\n")
		return exitOK
	case "help", "-h", "--help":
		io.WriteString(stdout, usage)
		return exitOK
	}
	io.WriteString(stderr, "playbook: unknown command "+quote(args[0])+"\n\n"+usage)
	return exitUsage
}

var version = "dev"

// env is what every subcommand writes to and runs with.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	reg            *actions.Registry
}

func quote(s string) string { return `"` + s + `"` }
