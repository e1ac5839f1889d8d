package engine_test

import (
	"context"
	"fmt"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/playbook"
)

// echo is a command returning its input as Raw Data and Key Field.
type echo struct{}

func (echo) Spec() actions.Spec {
	return actions.Spec{Name: "demo.echo", Title: "Echo", Local: true, KeyFields: []string{"Words"},
		Inputs: []actions.Input{{Name: "words", Type: actions.Array, Items: actions.String, Required: true}}}
}

func (echo) Run(_ context.Context, req actions.Request) actions.Envelope {
	words := make([]any, 0)
	for _, w := range req.Strings("words") {
		words = append(words, w)
	}
	return actions.Succeed(words, map[string][]any{"Words": words})
}

// ExampleRunner_Run loads a playbook, compiles it against a registry and
// runs it.
func ExampleRunner_Run() {
	reg := actions.NewRegistry()
	reg.Register(echo{})
	pb, err := playbook.Parse("demo.yaml", []byte(`
playbook: demo
inputs: {word: {type: string, default: hello}}
tasks:
  first: {run: demo.echo, with: {words: "${{ inputs.word }}"}}
  second:
    needs: [first]
    when: size(tasks.first.key_fields.Words) == 1
    run: demo.echo
    with: {words: "${{ tasks.first.key_fields.Words + ['world'] }}"}
outputs:
  said: ${{ tasks.second.raw_data }}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := engine.Compile(pb, reg)
	if err != nil {
		fmt.Println(err)
		return
	}
	inputs, _ := c.BindInputs(nil)
	rep, _ := engine.New(engine.LocalExecutor{Registry: reg}).Run(context.Background(), c, engine.Params{Inputs: inputs})
	fmt.Println(rep.Status, rep.Outputs["said"])
	// Output: Successful [hello world]
}

// ExampleCompile shows a validation error with its position.
func ExampleCompile() {
	reg := actions.NewRegistry()
	reg.Register(echo{})
	pb, _ := playbook.Parse("demo.yaml", []byte("playbook: demo\ntasks:\n  a: {run: demo.echo, with: {words: [x]}}\n  b: {run: demo.echo, needs: [a], with: {words: \"${{ tasks.a.retrun_data }}\"}}\n"))
	_, err := engine.Compile(pb, reg)
	fmt.Println(err)
	// Output: demo.yaml:4:54: with.words: tasks.a has no field "retrun_data" (did you mean "return_data"?)
}
