package cortexxdr

import "github.com/playbook-sh/playbook/actions/internal/vendorcmd"

// The helpers the integrations share, by their short names here.
type keyset = vendorcmd.Keys

var (
	newKeys = vendorcmd.NewKeys
	table   = vendorcmd.Table
	field   = vendorcmd.Field
	list    = vendorcmd.List
	text    = vendorcmd.Text
	clip    = vendorcmd.Clip
	opts    = vendorcmd.Opts
)
