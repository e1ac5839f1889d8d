package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// fake serves an integration's fake API until ctx ends (SIGINT/SIGTERM),
// and prints a connections file entry that reaches it.
func (e *env) fake(ctx context.Context, args []string) int {
	fs := newFlags("fake", "fake INTEGRATION [--addr HOST:PORT]", e.stderr)
	addr := fs.String("addr", "127.0.0.1:8081", "address to listen on")
	pos, err := parse(fs, args)
	if err != nil {
		return exitUsage
	}
	var withFake []string
	for _, n := range e.reg.Integrations() {
		if i, _ := e.reg.Integration(n); i.Fake != nil {
			withFake = append(withFake, n)
		}
	}
	if len(pos) != 1 {
		fmt.Fprintf(e.stderr, "Usage: playbook fake INTEGRATION [--addr HOST:PORT] (integrations: %s)\n", strings.Join(withFake, ", "))
		return exitUsage
	}
	integ, ok := e.reg.Integration(pos[0])
	if !ok || integ.Fake == nil {
		fmt.Fprintf(e.stderr, "playbook fake: no fake for %q%s\n", pos[0], hint(withFake, pos[0]))
		return exitUsage
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(e.stderr, "playbook fake: %v\n", err)
		return exitUsage
	}
	h, connect := integ.Fake()
	base := "http://" + ln.Addr().String()
	settings, secrets := connect(base)
	fmt.Fprintf(e.stdout, "fake %s API listening on %s\n\nconnections.yaml:\n  connections:\n    %s:\n      integration: %s\n", integ.Name, base, integ.Name, integ.Name)
	for _, f := range integ.Fields {
		if v, ok := settings[f.Name]; ok {
			fmt.Fprintf(e.stdout, "      %s: %q\n", f.Name, v)
		}
	}
	var exports []string
	for _, f := range integ.Fields {
		if s, ok := secrets[f.Name]; ok {
			env := "FAKE_" + strings.ToUpper(integ.Name+"_"+f.Name)
			fmt.Fprintf(e.stdout, "      %s: env:%s\n", f.Name, env)
			// These are the fake's own published test credentials, not a secret.
			exports = append(exports, fmt.Sprintf("export %s=%s", env, s.Reveal()))
		}
	}
	fmt.Fprintf(e.stdout, "\nthe fake's credentials:\n  %s\n", strings.Join(exports, "\n  "))
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		fmt.Fprintf(e.stderr, "playbook fake: %v\n", err)
		return exitFailed
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(e.stderr, "playbook fake: %v\n", err)
	}
	<-done
	return exitOK
}
