package playbook

import "time"

// Playbook is one loaded playbook file.
type Playbook struct {
	File        string // the path it was loaded from, as given
	Name        string
	NamePos     Pos
	Description string
	// Expressions is the language of when, until, retry_if and ${{ }}:
	// "cel" (the default) or "expr".
	Expressions    string
	ExpressionsPos Pos
	Inputs         []*InputDecl
	Connections    []*ConnectionDecl
	Tasks          []*Task // in file order
	Finally        []*Task // run after every task in Tasks has ended
	Outputs        []*Output
	FailFast       bool
	// Concurrency caps how many tasks run at once; 0 means the runner's default.
	Concurrency int
	// Timeout bounds the whole run; 0 means none.
	Timeout time.Duration
	Pos     Pos // the document's first key

	src []byte
}

// InputType is the declared type of a playbook input.
type InputType string

// The input types a playbook may declare.
const (
	TypeString  InputType = "string"
	TypeInteger InputType = "integer"
	TypeNumber  InputType = "number"
	TypeBoolean InputType = "boolean"
	TypeArray   InputType = "array"
	TypeObject  InputType = "object"
)

// InputTypes lists the input types in the order the docs show them.
var InputTypes = []InputType{TypeString, TypeInteger, TypeNumber, TypeBoolean, TypeArray, TypeObject}

// InputDecl declares one playbook input.
type InputDecl struct {
	Name        string
	Pos         Pos
	Type        InputType
	TypePos     Pos
	Required    bool
	Default     *Value // nil when none
	Description string
}

// ConnectionDecl binds a connection name used by tasks to the integration
// it must be.
type ConnectionDecl struct {
	Name        string
	Pos         Pos
	Integration string
	IntegPos    Pos
}

// Join decides when a task may run once its needs have ended.
type Join string

// The joins of DESIGN.md §2.
const (
	JoinAllSucceeded Join = "all_succeeded"
	JoinAnySucceeded Join = "any_succeeded"
	JoinNoneFailed   Join = "none_failed"
	JoinAnyFailed    Join = "any_failed"
	JoinAllDone      Join = "all_done"
)

// Joins lists every join, the default first.
var Joins = []Join{JoinAllSucceeded, JoinAnySucceeded, JoinNoneFailed, JoinAnyFailed, JoinAllDone}

// Task is one task of a playbook.
type Task struct {
	ID      string
	Pos     Pos // the id's key
	Finally bool

	Run    string
	RunPos Pos
	// Connection is the name of a playbook connection, "" when left out.
	Connection    string
	ConnectionPos Pos
	With          *Value // a map, or nil
	WithPos       Pos    // the with: key
	Needs         []Name
	Join          Join
	JoinPos       Pos
	When          *Value // a string scalar, or nil
	ForEach       *Value // a list, or a string template/JSONPath giving one
	Concurrency   int    // for_each items at once; 0 means 1... see engine
	Retry         *Retry
	Timeout       time.Duration
	Until         *Value
	Repeat        *Repeat
	KeyFields     []KeyFieldDecl
	AllowFailure  bool
	AllowEmpty    []Name
	Description   string
}

// Name is a name written in the file, with its position.
type Name struct {
	Name string
	Pos  Pos
}

// Retry is a task's retry policy.
type Retry struct {
	Attempts   int // total calls, at least 1
	Backoff    time.Duration
	MaxBackoff time.Duration
	RetryIf    *Value // replaces the default rule (no response, 429, 5xx)
	Pos        Pos
}

// Repeat polls a task until its until condition holds.
type Repeat struct {
	Every time.Duration
	Max   int
	Pos   Pos
}

// KeyFieldDecl is an extra Key Field: a JSONPath over the task's raw data.
type KeyFieldDecl struct {
	Name string
	Path *Value
	Pos  Pos
}

// Output is one playbook output.
type Output struct {
	Name  string
	Pos   Pos
	Value *Value
}

// Source is the file's text as it was loaded.
func (p *Playbook) Source() []byte { return p.src }

// Task returns the task (or finally task) with that id.
func (p *Playbook) Task(id string) *Task {
	for _, t := range p.Tasks {
		if t.ID == id {
			return t
		}
	}
	for _, t := range p.Finally {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// Input returns the declared input with that name.
func (p *Playbook) Input(name string) *InputDecl {
	for _, in := range p.Inputs {
		if in.Name == name {
			return in
		}
	}
	return nil
}

// Connection returns the declared connection with that name.
func (p *Playbook) Connection(name string) *ConnectionDecl {
	for _, c := range p.Connections {
		if c.Name == name {
			return c
		}
	}
	return nil
}
