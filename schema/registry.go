package schema

import (
	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/actions/core"
	"github.com/playbook-sh/playbook/actions/cortexxdr"
	httpaction "github.com/playbook-sh/playbook/actions/http"
	"github.com/playbook-sh/playbook/actions/wiz"
)

// Registry returns a registry holding every integration the playbook CLI
// registers, registered the same way as registry() in cmd/playbook: keep
// the two in step.
func Registry() *actions.Registry {
	reg := actions.NewRegistry()
	core.Register(reg)
	httpaction.Register(reg)
	cortexxdr.Register(reg)
	wiz.Register(reg)
	return reg
}
