// Package http holds http.request, the command that sends one HTTP request
// to any URL, for webhooks and APIs that have no integration of their own.
//
// http.request declares Mutates: a playbook cannot say whether a call
// changes anything, so a dry run conservatively stops at every HTTP call,
// GET included. It takes no connection: credentials go in its headers or
// query, which are never logged nor shown in the Result or an error.
//
// It imports only the command contract in package actions (and net/http);
// cmd/playbook adds the command with [Register], and tests build one
// around their own client with [New].
package http
