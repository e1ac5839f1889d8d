package playbook

// InputKeys returns the keys an input declaration accepts.
func InputKeys() []string { return append([]string(nil), inputKeys...) }

// RetryKeys returns the keys a task's retry: accepts.
func RetryKeys() []string { return append([]string(nil), retryKeys...) }

// RepeatKeys returns the keys a task's repeat: accepts.
func RepeatKeys() []string { return append([]string(nil), repeatKeys...) }

// NamePattern returns the regular expression a playbook name must match.
func NamePattern() string { return validName.String() }

// IDPattern returns the regular expression a task, input, output,
// connection or Key Field name must match.
func IDPattern() string { return validID.String() }
