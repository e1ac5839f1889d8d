package actions

// Preview is the request a mutating command would send, shown by a dry
// run instead of sending it. Credentials are masked.
type Preview struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`               // no userinfo; credential query values masked
	Headers map[string]string `json:"headers,omitempty"` // credential values masked
	Body    any               `json:"body,omitempty"`    // JSON-shaped; secrets masked
}

// Previewer is implemented by a command that can describe its request
// without sending it. A dry run shows that description for each mutating
// command; for a command without it, the dry run shows its inputs.
type Previewer interface {
	Preview(req Request) (Preview, error)
}
