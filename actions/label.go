package actions

import "strings"

// normLabel folds an option label or wire value for matching: case-insensitive,
// "_" equal to a space, surrounding spaces ignored.
func normLabel(s string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), "_", " "))
}
