package wiz

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/actions/wiz/internal/gql"
)

func (w *Wiz) addIssueComments() *command {
	spec := actions.Spec{
		Name: AddIssueCommentsName, Title: "Add Issue Comments",
		Description: "Adds a comment to the specified issues (POST /graphql, mutation createIssueNote, one request per issue).",
		Inputs: []actions.Input{
			{Name: "issue_ids", Type: actions.Array, Items: actions.String, Required: true,
				Description: "The issues' IDs, from Fetch Event with Event Type Issues ($.data.nodes[*].id)."},
			{Name: "note_text", Type: actions.String, Required: true,
				Description: "The text of the comment."},
		},
		KeyFields:   []string{"IssueIDs"},
		Permissions: writeScopes,
		Mutates:     true,
		Check:       nonEmptyIDs,
	}
	build := func(text string) func(id string) op {
		return func(id string) op {
			return op{name: "createIssueNote", query: gql.CreateIssueNote, mutates: true,
				vars: map[string]any{"input": map[string]any{"issueId": id, "text": text}}}
		}
	}
	return &command{spec: spec,
		first: func(r actions.Request) (op, error) {
			return build(r.String("note_text"))(r.Strings("issue_ids")[0]), nil
		},
		run: func(ctx context.Context, e *exec) actions.Envelope {
			items := e.perItem(ctx, uniqueIDs(e.r), build(e.r.String("note_text")))
			keys := newKeys(true, spec.KeyFields...)
			n := 0
			env := e.results(items, func(id string, v any) string {
				if field(v, "data", "createIssueNote", "issueNote") == nil {
					return "Resource not found"
				}
				keys.Add("IssueIDs", id)
				n++
				return ""
			})
			env.KeyFields = keys.Fields()
			env.Result = table([]string{"Issues Count"}, [][]string{{strconv.Itoa(n)}})
			return env
		}}
}

func (w *Wiz) updateIssues() *command {
	spec := actions.Spec{
		Name: UpdateIssuesName, Title: "Update Issues",
		Description: "Updates the status, due time or note of the specified issues (POST /graphql, mutation updateIssue, one request per issue). " +
			"Wiz resolves issues itself during its scan cycle: RESOLVED cannot be set by hand.",
		Inputs: []actions.Input{
			{Name: "issue_ids", Type: actions.Array, Items: actions.String, Required: true,
				Description: "The issues' IDs, from Fetch Event with Event Type Issues ($.data.nodes[*].id)."},
			{Name: "status", Type: actions.String, Options: updateStatusOptions,
				Refused:     map[string]string{"RESOLVED": "Wiz resolves issues itself during its scan cycle; set Open, In Progress or Rejected"},
				Description: "The new status: Open, In Progress or Rejected."},
			{Name: "reject_reason", Type: actions.String, Options: rejectReasonOptions,
				Description: "Why the issues are rejected: False Positive, Exception or Won't Fix. Only with Status Rejected, which needs it."},
			{Name: "due_time", Type: actions.Time,
				Description: "When the issues are due to be resolved (UTC)."},
			{Name: "note", Type: actions.String,
				Description: "The note of a rejection; only with Status Rejected. Use Add Issue Comments for other notes."},
		},
		KeyFields:   []string{"IssueIDs", "IssueStatuses"},
		Permissions: writeScopes,
		Mutates:     true,
		Check:       checkUpdateIssues,
	}
	return &command{spec: spec,
		first: func(r actions.Request) (op, error) {
			return updateIssueOp(r, r.Strings("issue_ids")[0]), nil
		},
		run: func(ctx context.Context, e *exec) actions.Envelope {
			items := e.perItem(ctx, uniqueIDs(e.r), func(id string) op { return updateIssueOp(e.r, id) })
			keys := newKeys(false, spec.KeyFields...)
			n := 0
			env := e.results(items, func(id string, v any) string {
				issue := field(v, "data", "updateIssue", "issue")
				if issue == nil {
					return "Resource not found"
				}
				keys.Add("IssueIDs", field(issue, "id"))
				keys.Add("IssueStatuses", field(issue, "status"))
				n++
				return ""
			})
			env.KeyFields = keys.Fields()
			env.Result = table([]string{"Issues Count"}, [][]string{{strconv.Itoa(n)}})
			return env
		}}
}

// updateIssueOp is one issue's updateIssue: only the fields given go into
// the patch [V: Wiz-docs].
func updateIssueOp(r actions.Request, id string) op {
	patch := map[string]any{}
	if s := r.String("status"); s != "" {
		patch["status"] = s
	}
	if s := r.String("reject_reason"); s != "" {
		patch["resolutionReason"] = s
	}
	if _, ok := r.Inputs["due_time"]; ok {
		patch["dueAt"] = r.Time("due_time").Format(wireTime)
	}
	if s, ok := r.Inputs["note"].(string); ok {
		patch["note"] = s
	}
	return op{name: "updateIssue", query: gql.UpdateIssue, mutates: true,
		vars: map[string]any{"issueId": id, "patch": patch}}
}

// checkUpdateIssues holds the page's rules: Reject Reason and Note only
// with Rejected, which Wiz refuses without a reason, and something to
// change.
func checkUpdateIssues(in map[string]any) error {
	if err := nonEmptyIDs(in); err != nil {
		return err
	}
	status := text(in["status"])
	_, reason := in["reject_reason"]
	_, note := in["note"]
	_, due := in["due_time"]
	switch {
	case reason && status != "REJECTED":
		return &actions.InputError{Input: "reject_reason", Msg: "only with status Rejected"}
	case note && status != "REJECTED":
		return &actions.InputError{Input: "note", Msg: "only with status Rejected; use wiz.add_issue_comments for other notes"}
	case status == "REJECTED" && !reason:
		return &actions.InputError{Input: "reject_reason", Msg: "required with status Rejected (False Positive, Exception or Won't Fix)"}
	case status == "" && !due:
		return &actions.InputError{Input: "status", Msg: "give status or due_time: there is nothing to update"}
	}
	return nil
}

// nonEmptyIDs refuses an empty or blank issue ID, which no issue has.
func nonEmptyIDs(in map[string]any) error {
	ids := list(in["issue_ids"])
	if len(ids) == 0 {
		return &actions.InputError{Input: "issue_ids", Msg: "no issue IDs given"}
	}
	for i, id := range ids {
		if strings.TrimSpace(text(id)) == "" {
			return &actions.InputError{Input: "issue_ids", Msg: fmt.Sprintf("issue_ids[%d] is empty", i)}
		}
	}
	return nil
}

// uniqueIDs are the Issue IDs, each once and trimmed, in input order: an
// issue listed twice gets one comment, not two.
func uniqueIDs(r actions.Request) []string {
	var out []string
	seen := map[string]bool{}
	for _, id := range r.Strings("issue_ids") {
		id = strings.TrimSpace(id)
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
