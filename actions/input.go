package actions

// Type is the declared type of a command input.
type Type string

// Input types. Array inputs may declare the type of their items in
// [Input.Items].
const (
	String   Type = "string"
	Integer  Type = "integer"
	Number   Type = "number"
	Boolean  Type = "boolean"
	Array    Type = "array"
	Object   Type = "object"
	Any      Type = "any"
	Duration Type = "duration" // a Go duration string: "30s", "12h"
	Time     Type = "time"     // UTC; RFC 3339 and the vendor pages' example forms
)

// Option is one allowed value of an input with an option list: the label
// the vendor page shows and the value sent on the wire.
type Option struct {
	Label string // "Creation Time"
	Value string // "creation_time"
}

// Input declares one input of a command, with the vendor page's default,
// option list and limits.
type Input struct {
	Name        string // lower snake_case of the page's name: "host_names"
	Type        Type
	Items       Type // element type of an Array input; "" means Any
	Required    bool
	Default     any // JSON-shaped; nil means none
	Options     []Option
	Min, Max    *float64 // inclusive range of an Integer or Number input
	MaxItems    int      // most elements of an Array input; 0 means no limit
	Description string
	// Secret marks an input whose value must never print.
	Secret bool
	// Refused names values that look valid but the vendor does not let a
	// user set, each with the reason ("RESOLVED": "Wiz resolves issues
	// itself"); they match like options and fail with the reason.
	Refused map[string]string
}

// Float returns a pointer to f, for [Input.Min] and [Input.Max].
func Float(f float64) *float64 { return &f }
