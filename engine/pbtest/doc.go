// Package pbtest runs playbook test files (NAME.test.yaml): each case
// gives a playbook's inputs and event, mocks per task, and expectations on
// the run (status, task statuses and skip reasons, the inputs a task was
// called with, outputs, and CEL assertions over the run report).
//
// In test mode no command reaches a network: a task whose command leaves
// the process needs a mock, or the case fails with "task X ran with no
// mock". Backoff and poll waits run on a virtual clock.
//
// It imports the engine, the command contract, yaml.v3 and cel-go; never
// an integration. The CLI's `playbook test` calls it.
package pbtest
