package wiz

import (
	"testing"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/actions/wiz/fake"
)

// BenchmarkFetchEventAllPages fetches every issue of a tenant of 5,018
// (5,000 generated) from the fake on a loopback port: 11 pages of up to
// 500, then the sort by updatedAt and the Key Fields. The token is
// cached after the first run.
func BenchmarkFetchEventAllPages(b *testing.B) {
	h := newHarness(b, fake.WithGeneratedIssues(5000))
	h.tap.off.Store(true)
	cmd := h.command(FetchEventName)
	req := actions.Request{Task: "bench", Inputs: map[string]any{}, Connection: h.conn}
	b.ReportAllocs()
	for b.Loop() {
		env := cmd.Run(b.Context(), req)
		if env.ReturnData != actions.Successful || len(env.KeyFields["EventIDs"]) != 5018 {
			b.Fatalf("%s, %d events: %+v", env.ReturnData, len(env.KeyFields["EventIDs"]), env.Error)
		}
	}
	b.ReportMetric(float64(len(h.srv.Requests())-1)/float64(b.N), "pages/op")
}

// BenchmarkAddIssueComments100 comments on 100 issues: 100 mutations,
// four at a time, over one cached token.
func BenchmarkAddIssueComments100(b *testing.B) {
	h := newHarness(b, fake.WithGeneratedIssues(100))
	h.tap.off.Store(true)
	ids := h.srv.IssueIDs()[:100]
	cmd := h.command(AddIssueCommentsName)
	req := actions.Request{Task: "bench", Inputs: map[string]any{"issue_ids": anys(ids...), "note_text": "benchmark"}, Connection: h.conn}
	b.ReportAllocs()
	for b.Loop() {
		env := cmd.Run(b.Context(), req)
		if env.ReturnData != actions.Successful || len(env.KeyFields["IssueIDs"]) != 100 {
			b.Fatalf("%s: %+v", env.ReturnData, env.Error)
		}
	}
	b.ReportMetric(100*float64(b.N)/b.Elapsed().Seconds(), "calls/s")
}
