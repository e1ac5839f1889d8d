// Package actions is the command contract: every integration command
// (cortex_xdr.search_hosts, wiz.update_issues, core.set, http.request)
// implements [Command], declares itself with a [Spec] and answers with the
// D3 [Envelope]. It is a leaf package: it imports none of ours, so the
// engine and every integration can depend on it without depending on each
// other.
package actions
