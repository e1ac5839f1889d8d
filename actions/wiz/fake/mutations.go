package fake

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// errNotFound is the error of a mutation on an unknown issue, sent with
// HTTP 200 and a null field [V: message, XSOAR-Wiz tests; shape I].
func errNotFound() *gqlError { return newError(codeNotFound, "Resource not found") }

func badInput(format string, args ...any) *gqlError {
	return newError(codeBadUserInput, fmt.Sprintf(format, args...))
}

// idString reads an ID argument: a string, or an integer JSON number.
func idString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(v, 10)
	}
	return ""
}

// createIssueNote adds a note to an issue's notes (API notes §7). The note
// is signed by the calling service account (user null, as in the D3
// sample) and bumps the issue's updatedAt. An empty text is refused [I].
func (x *execution) createIssueNote(args map[string]any) (any, *gqlError) {
	in, _ := args["input"].(map[string]any)
	issue := x.s.st.issueByID[idString(in["issueId"])]
	if issue == nil {
		return nil, errNotFound()
	}
	text, _ := in["text"].(string)
	if strings.TrimSpace(text) == "" {
		return nil, badInput("The note text must not be empty")
	}
	now := x.now.UTC().Truncate(time.Microsecond)
	notes, _ := issue["notes"].([]any)
	// The ID derives from the issue, the text and how many notes with
	// that text the issue already has, not from arrival order, so that
	// notes written concurrently (a playbook's for_each) get the same IDs
	// on every run.
	same := 0
	for _, n := range notes {
		if m, ok := n.(obj); ok && m["text"] == text {
			same++
		}
	}
	note := obj{
		"id":             uuidOf("note", str(issue, "id")+"\x00"+text+"\x00"+strconv.Itoa(same)),
		"createdAt":      now,
		"updatedAt":      now,
		"text":           text,
		"user":           nil,
		"serviceAccount": obj{"id": x.acct.ClientID, "name": x.acct.Name},
	}
	// Readers hold s.mu while they use the slice, so it may grow in place.
	issue["notes"] = append(notes, note)
	issue["updatedAt"] = now
	return obj{"issueNote": note}, nil
}

// Resolution reasons only Wiz itself sets, when a scan resolves an issue;
// a client may not [I].
var systemReasons = []string{"OBJECT_DELETED", "ISSUE_FIXED", "CONTROL_CHANGED", "CONTROL_DISABLED"}

// updateIssue applies an UpdateIssueInput (API notes §8). patch sets the
// keys it has (a null in patch is ignored); override then sets its keys,
// a null clearing the value. Rules [V: Wiz-docs; error shapes I]:
//
//   - REJECTED, and RESOLVED (THREAT_DETECTION issues only), need a
//     resolutionReason in the same input;
//   - a resolutionReason needs the resulting status to be REJECTED or
//     RESOLVED, and may not be one Wiz sets itself (ISSUE_FIXED, ...);
//   - a change of status sets statusChangedAt; RESOLVED sets resolvedAt;
//     back to OPEN or IN_PROGRESS clears resolutionReason and resolvedAt;
//   - any change sets updatedAt.
func (x *execution) updateIssue(args map[string]any) (any, *gqlError) {
	in, _ := args["input"].(map[string]any)
	issue := x.s.st.issueByID[idString(in["id"])]
	if issue == nil {
		return nil, errNotFound()
	}
	changes := map[string]any{}
	if p, ok := in["patch"].(map[string]any); ok {
		for k, v := range p {
			if v != nil {
				changes[k] = v
			}
		}
	}
	if o, ok := in["override"].(map[string]any); ok {
		for k, v := range o {
			changes[k] = v
		}
	}
	cur := str(issue, "status")
	status, statusSet := changes["status"]
	reason, reasonSet := changes["resolutionReason"]
	newStatus := cur
	if statusSet {
		s, ok := status.(string)
		if !ok {
			return nil, badInput("The status of an issue cannot be cleared")
		}
		newStatus = s
	}
	closed := newStatus == "REJECTED" || newStatus == "RESOLVED"
	switch {
	case statusSet && newStatus == "RESOLVED" && str(issue, "type") != "THREAT_DETECTION":
		return nil, badInput("Only Threat Detection issues can be set to RESOLVED; Wiz resolves other issues itself")
	case statusSet && closed && (!reasonSet || reason == nil):
		return nil, badInput("resolutionReason is required when setting the status to %s", newStatus)
	case reasonSet && reason != nil && !closed:
		return nil, badInput("resolutionReason can only be set with the status REJECTED or RESOLVED")
	case reasonSet && reason == nil && closed:
		return nil, badInput("resolutionReason cannot be cleared on a %s issue", newStatus)
	case reasonSet && slices.Contains(systemReasons, idString(reason)):
		return nil, badInput("resolutionReason %s is set by Wiz and cannot be set manually", idString(reason))
	}
	var due any
	if v, ok := changes["dueAt"]; ok && v != nil {
		s, _ := v.(string)
		t, ok := parseTime(s)
		if !ok {
			return nil, badInput("dueAt: DateTime cannot represent an invalid date-time string %s", shortValue(v))
		}
		due = t
	}
	if note, ok := changes["note"]; ok {
		if _, isStr := note.(string); note != nil && !isStr {
			return nil, badInput("note must be a string")
		}
	}

	now := x.now.UTC().Truncate(time.Microsecond)
	if statusSet {
		if newStatus != cur {
			issue["statusChangedAt"] = now
			switch newStatus {
			case "RESOLVED":
				issue["resolvedAt"] = now
			case "OPEN", "IN_PROGRESS":
				issue["resolutionReason"] = nil
				issue["resolvedAt"] = nil
			}
		}
		issue["status"] = newStatus
	}
	if reasonSet {
		issue["resolutionReason"] = reason
	}
	if note, ok := changes["note"]; ok {
		issue["note"] = note
	}
	if _, ok := changes["dueAt"]; ok {
		issue["dueAt"] = due
	}
	if len(changes) > 0 {
		issue["updatedAt"] = now
	}
	return obj{"issue": issue}, nil
}
