//go:build !unix

package store

import "os"

// processAlive reports whether a process with this pid exists. On
// windows os.FindProcess opens the process and fails when there is none;
// elsewhere it always succeeds, so a process is never taken for dead.
func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	p.Release()
	return true
}
