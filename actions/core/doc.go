// Package core holds the built-in commands that never leave the process:
// core.set returns the data and Return Data it is given, core.fail fails
// with a chosen Status Code and message, and core.sleep waits. They are
// Local (tests run them without a mock) and change nothing, so a dry run
// runs them too.
//
// It imports only the command contract in package actions; cmd/playbook
// adds the commands with [Register].
package core
