package store

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// started is this process's start time as owner tokens give it: when the
// package was initialised, which tells this process from an earlier one
// that had the same pid.
var started = time.Now().UnixNano()

var hostname = sync.OnceValue(func() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "localhost"
	}
	return h
})

// Owner is this process's owner token, "HOST:PID:START": the host name,
// the process id, and the process's start in unix nanoseconds. A run's
// Owner says which process runs it, so [Store.MarkInterrupted] can tell a
// run whose process died from one still running.
func Owner() string {
	return fmt.Sprintf("%s:%d:%d", hostname(), os.Getpid(), started)
}

// parseOwner splits an owner token. The host may itself hold colons.
func parseOwner(s string) (host string, pid int, start int64, ok bool) {
	rest, st, ok1 := cutLast(s, ":")
	host, p, ok2 := cutLast(rest, ":")
	if !ok1 || !ok2 || host == "" {
		return "", 0, 0, false
	}
	pid, err1 := strconv.Atoi(p)
	start, err2 := strconv.ParseInt(st, 10, 64)
	if err1 != nil || err2 != nil || pid <= 0 {
		return "", 0, 0, false
	}
	return host, pid, start, true
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// ownerGone reports whether owner is a process on this host that has
// ended: its pid is not alive, or its pid is this process's but its start
// is not (the pid was reused). Owners on other hosts, and tokens that do
// not parse, are never gone: nothing here can tell.
func ownerGone(owner string) bool {
	host, pid, start, ok := parseOwner(owner)
	if !ok || host != hostname() {
		return false
	}
	if pid == os.Getpid() {
		return start != started
	}
	return !processAlive(pid)
}
