package fake

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// nowText is the fixed clock's time as the server renders it.
var nowText = formatTime(testNow)

func TestCreateIssueNote(t *testing.T) {
	t.Parallel()
	s := newServer()
	tok := login(t, s)
	data := query(t, s, tok, createNoteMutation, map[string]any{"input": map[string]any{"issueId": SampleIssueID, "text": "Demo note"}})
	note := data["createIssueNote"].(map[string]any)["issueNote"].(map[string]any)
	want := map[string]any{"createdAt": nowText, "id": note["id"], "text": "Demo note", "user": nil}
	if diff := cmp.Diff(want, note); diff != "" {
		t.Errorf("issueNote mismatch (-want +got):\n%s", diff)
	}
	if id, _ := note["id"].(string); len(id) != 36 {
		t.Errorf("note id %q is not a UUID", id)
	}
	// Later reads see it.
	ns := nodes(t, query(t, s, tok, issuesQuery, map[string]any{"first": 5, "filterBy": map[string]any{"id": SampleIssueID, "hasNote": true}}), "issues")
	if len(ns) != 1 {
		t.Fatalf("the issue with its new note is not found by hasNote: %v", ns)
	}
	if ns[0]["updatedAt"] != nowText {
		t.Errorf("updatedAt = %v, want %s", ns[0]["updatedAt"], nowText)
	}
	wantNotes := []any{map[string]any{"createdAt": nowText, "updatedAt": nowText, "text": "Demo note", "user": nil,
		"serviceAccount": map[string]any{"name": ServiceAccountName}}}
	if diff := cmp.Diff(wantNotes, ns[0]["notes"]); diff != "" {
		t.Errorf("notes mismatch (-want +got):\n%s", diff)
	}
	// A second note gets another ID and comes after the first.
	data = query(t, s, tok, createNoteMutation, map[string]any{"input": map[string]any{"issueId": SampleIssueID, "text": "second"}})
	if id := data["createIssueNote"].(map[string]any)["issueNote"].(map[string]any)["id"]; id == note["id"] {
		t.Error("two notes share an ID")
	}
	m, _ := s.Issue(SampleIssueID)
	if notes := m["notes"].([]any); len(notes) != 2 || notes[1].(map[string]any)["text"] != "second" {
		t.Errorf("notes after two mutations = %v", notes)
	}

	// IDs do not depend on arrival order: the same notes written the
	// other way round on another server get the same IDs.
	noteID := func(s *Server, tok, issue, text string) string {
		d := query(t, s, tok, createNoteMutation, map[string]any{"input": map[string]any{"issueId": issue, "text": text}})
		return d["createIssueNote"].(map[string]any)["issueNote"].(map[string]any)["id"].(string)
	}
	s2 := newServer()
	tok2 := login(t, s2)
	a1, b1 := noteID(s, tok, OldIssueID, "a"), noteID(s, tok, RejectedIssueID, "b")
	b2, a2 := noteID(s2, tok2, RejectedIssueID, "b"), noteID(s2, tok2, OldIssueID, "a")
	if a1 != a2 || b1 != b2 || a1 == b1 {
		t.Errorf("note IDs depend on order: %s %s / %s %s", a1, b1, a2, b2)
	}
	if again := noteID(s, tok, OldIssueID, "a"); again == a1 {
		t.Error("a repeated note on the same issue got the same ID")
	}

	reply := wantError(t, s, tok, createNoteMutation, map[string]any{"input": map[string]any{"issueId": "00000000-0000-0000-0000-000000000000", "text": "x"}},
		http.StatusOK, codeNotFound, "Resource not found")
	if diff := cmp.Diff(map[string]any{"createIssueNote": nil}, reply["data"]); diff != "" {
		t.Errorf("data of a failed mutation (-want +got):\n%s", diff)
	}
	wantError(t, s, tok, createNoteMutation, map[string]any{"input": map[string]any{"issueId": SampleIssueID, "text": "  "}},
		http.StatusOK, codeBadUserInput, "must not be empty")
	wantError(t, s, tok, createNoteMutation, map[string]any{"input": map[string]any{"issueId": SampleIssueID}},
		http.StatusBadRequest, codeBadUserInput, `at "input.text"`)
	wantError(t, s, tok, createNoteMutation, nil, http.StatusBadRequest, codeBadUserInput, `Variable "$input" of required type "CreateIssueNoteInput!" was not provided.`)
}

func TestUpdateIssueD3Sample(t *testing.T) {
	t.Parallel()
	s := newServer()
	tok := login(t, s)
	body, _ := json.Marshal(map[string]any{"query": updateIssueMutation, "variables": map[string]any{
		"issueId": CIDeployerIssueID, "patch": map[string]any{"note": "This is a test note", "dueAt": "2007-12-03T10:15:30Z"},
	}})
	w := send(t, s, "POST", "/graphql", "application/json", body, bearer(tok))
	want := readTestdata(t, "update_issue.json")
	var compact map[string]any
	if err := json.Unmarshal(want, &compact); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(compact, decode(t, w.Body.Bytes())); diff != "" {
		t.Errorf("Update Issues reply mismatch (-D3 +fake):\n%s", diff)
	}
	wantText := `{"data":{"updateIssue":{"issue":{"id":"842ec39e-b907-4c32-b6e5-2c3dd9fd43c0","note":"This is a test note","status":"OPEN","dueAt":"2007-12-03T10:15:30Z","resolutionReason":null}}}}`
	if w.Body.String() != wantText {
		t.Errorf("reply = %s, want the selection order %s", w.Body, wantText)
	}
	m, _ := s.Issue(CIDeployerIssueID)
	if m["updatedAt"] != nowText || m["statusChangedAt"] == nowText {
		t.Errorf("after a note and due date: updatedAt %v, statusChangedAt %v", m["updatedAt"], m["statusChangedAt"])
	}
}

func TestUpdateIssue(t *testing.T) {
	t.Parallel()
	s := newServer()
	tok := login(t, s)
	update := func(id string, patch, override map[string]any) map[string]any {
		t.Helper()
		vars := map[string]any{"issueId": id}
		if patch != nil {
			vars["patch"] = patch
		}
		if override != nil {
			vars["override"] = override
		}
		return query(t, s, tok, updateIssueMutation, vars)["updateIssue"].(map[string]any)["issue"].(map[string]any)
	}

	// Reject a pentest-lab false positive.
	got := update(PentestKaliIssueID, map[string]any{"status": "REJECTED", "resolutionReason": "FALSE_POSITIVE", "note": "Red team lab"}, nil)
	if diff := cmp.Diff(map[string]any{"id": PentestKaliIssueID, "note": "Red team lab", "status": "REJECTED", "dueAt": nil, "resolutionReason": "FALSE_POSITIVE"}, got); diff != "" {
		t.Errorf("reject (-want +got):\n%s", diff)
	}
	m, _ := s.Issue(PentestKaliIssueID)
	if m["statusChangedAt"] != nowText || m["updatedAt"] != nowText || m["resolvedAt"] != nil {
		t.Errorf("rejected issue times: %v %v %v", m["statusChangedAt"], m["updatedAt"], m["resolvedAt"])
	}
	open := issueIDs(t, s, tok, map[string]any{"status": []any{"OPEN"}, "project": []any{SecurityLabProjectID}})
	if slices.Contains(open, PentestKaliIssueID) {
		t.Error("the rejected issue is still listed as OPEN")
	}
	if got := issueIDs(t, s, tok, map[string]any{"resolutionReason": []any{"FALSE_POSITIVE"}}); !slices.Contains(got, PentestKaliIssueID) {
		t.Error("the rejected issue is not found by its resolutionReason")
	}

	// Re-open a rejected issue: the reason goes.
	got = update(RejectedIssueID, map[string]any{"status": "OPEN"}, nil)
	if got["status"] != "OPEN" || got["resolutionReason"] != nil {
		t.Errorf("reopened = %v", got)
	}
	// IN_PROGRESS, then due date set and cleared by override.
	got = update(OldIssueID, map[string]any{"status": "IN_PROGRESS", "dueAt": "2030-01-31T00:00:00.000Z"}, nil)
	if got["status"] != "IN_PROGRESS" || got["dueAt"] != "2030-01-31T00:00:00Z" {
		t.Errorf("in progress with a due date = %v", got)
	}
	got = update(OldIssueID, map[string]any{"dueAt": nil}, nil)
	if got["dueAt"] != "2030-01-31T00:00:00Z" {
		t.Errorf("a null in patch cleared dueAt: %v", got)
	}
	got = update(OldIssueID, nil, map[string]any{"dueAt": nil, "note": nil})
	if got["dueAt"] != nil || got["note"] != nil {
		t.Errorf("override with nulls = %v", got)
	}
	// A threat detection may be resolved.
	got = update(CryptoMiningIssueID, map[string]any{"status": "RESOLVED", "resolutionReason": "MALICIOUS_THREAT"}, nil)
	if got["status"] != "RESOLVED" || got["resolutionReason"] != "MALICIOUS_THREAT" {
		t.Errorf("resolved threat = %v", got)
	}
	if m, _ := s.Issue(CryptoMiningIssueID); m["resolvedAt"] != nowText {
		t.Errorf("resolvedAt = %v, want %s", m["resolvedAt"], nowText)
	}

	errs := []struct {
		name     string
		vars     map[string]any
		status   int
		code     string
		contains string
	}{
		{"reject without reason", map[string]any{"issueId": WebProd01IssueID, "patch": map[string]any{"status": "REJECTED"}}, 200, codeBadUserInput, "resolutionReason is required"},
		{"resolve a toxic combination", map[string]any{"issueId": WebProd01IssueID, "patch": map[string]any{"status": "RESOLVED", "resolutionReason": "FALSE_POSITIVE"}}, 200, codeBadUserInput, "Only Threat Detection"},
		{"resolve without reason", map[string]any{"issueId": PentestC2IssueID, "patch": map[string]any{"status": "RESOLVED"}}, 200, codeBadUserInput, "resolutionReason is required"},
		{"reason without rejection", map[string]any{"issueId": WebProd01IssueID, "patch": map[string]any{"resolutionReason": "WONT_FIX"}}, 200, codeBadUserInput, "only be set with the status REJECTED"},
		{"reason with OPEN", map[string]any{"issueId": WebProd01IssueID, "patch": map[string]any{"status": "OPEN", "resolutionReason": "WONT_FIX"}}, 200, codeBadUserInput, "only be set"},
		{"reason Wiz sets", map[string]any{"issueId": WebProd01IssueID, "patch": map[string]any{"status": "REJECTED", "resolutionReason": "ISSUE_FIXED"}}, 200, codeBadUserInput, "set by Wiz"},
		{"status cleared", map[string]any{"issueId": WebProd01IssueID, "override": map[string]any{"status": nil}}, 200, codeBadUserInput, "cannot be cleared"},
		{"unknown enum", map[string]any{"issueId": WebProd01IssueID, "patch": map[string]any{"status": "CLOSED"}}, 400, codeBadUserInput, `Variable "$patch" got invalid value at "patch.status"; CLOSED is not a valid IssueStatus`},
		{"enum in lower case", map[string]any{"issueId": WebProd01IssueID, "patch": map[string]any{"status": "open"}}, 400, codeBadUserInput, "open is not a valid IssueStatus"},
		{"unknown patch key", map[string]any{"issueId": WebProd01IssueID, "patch": map[string]any{"severity": "LOW"}}, 400, codeBadUserInput, `"patch.severity"; unknown field`},
		{"bad dueAt", map[string]any{"issueId": WebProd01IssueID, "patch": map[string]any{"dueAt": "next week"}}, 400, codeBadUserInput, "DateTime"},
		{"dueAt not a string", map[string]any{"issueId": WebProd01IssueID, "patch": map[string]any{"dueAt": 1700000000}}, 400, codeBadUserInput, "DateTime"},
		{"no id", map[string]any{"patch": map[string]any{"note": "x"}}, 400, codeBadUserInput, `Variable "$issueId" of required type "ID!" was not provided.`},
		{"null id", map[string]any{"issueId": nil}, 400, codeBadUserInput, `must not be null`},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			reply := wantError(t, s, tok, updateIssueMutation, tc.vars, tc.status, tc.code, tc.contains)
			if tc.status == 200 {
				if diff := cmp.Diff(map[string]any{"updateIssue": nil}, reply["data"]); diff != "" {
					t.Errorf("data (-want +got):\n%s", diff)
				}
				if p := reply["errors"].([]any)[0].(map[string]any)["path"]; !cmp.Equal(p, []any{"updateIssue"}) {
					t.Errorf("path = %v", p)
				}
			}
		})
	}
	if m, _ := s.Issue(WebProd01IssueID); m["status"] != "OPEN" || m["resolutionReason"] != nil || m["updatedAt"] == nowText {
		t.Errorf("refused updates changed the issue: %v", m)
	}

	// A bad DateTime literal is a field error.
	wantError(t, s, tok, `mutation { updateIssue(input: {id: "`+WebProd01IssueID+`", patch: {dueAt: "soon"}}) { issue { id } } }`, nil,
		http.StatusOK, codeBadUserInput, "dueAt")

	// The unknown-issue body of the error catalogue.
	body, _ := json.Marshal(map[string]any{"query": updateIssueMutation, "variables": map[string]any{"issueId": "12345678-2222-3333-1111-ff5fa2ff7f78", "patch": map[string]any{"status": "OPEN"}}})
	w := send(t, s, "POST", "/graphql", "application/json", body, bearer(tok))
	got2 := decode(t, w.Body.Bytes())
	for _, e := range got2["errors"].([]any) {
		delete(e.(map[string]any), "locations")
	}
	if diff := cmp.Diff(decode(t, readTestdata(t, "errors.json"))["update_not_found"], any(got2)); w.Code != 200 || diff != "" {
		t.Errorf("unknown issue = %d, mismatch (-want +got):\n%s", w.Code, diff)
	}
}

func TestMutationsInOrder(t *testing.T) {
	t.Parallel()
	s := newServer()
	tok := login(t, s)
	q := `mutation($id: ID!) {
	  a: updateIssue(input: {id: $id, patch: {status: IN_PROGRESS}}) { issue { status } }
	  b: createIssueNote(input: {issueId: $id, text: "working on it"}) { issueNote { text serviceAccount { name } } }
	  c: updateIssue(input: {id: $id, patch: {status: REJECTED, resolutionReason: EXCEPTION}}) { issue { status resolutionReason notes { text } } }
	}`
	data := query(t, s, tok, q, map[string]any{"id": WebProd01IssueID})
	want := map[string]any{
		"a": map[string]any{"issue": map[string]any{"status": "IN_PROGRESS"}},
		"b": map[string]any{"issueNote": map[string]any{"text": "working on it", "serviceAccount": map[string]any{"name": ServiceAccountName}}},
		"c": map[string]any{"issue": map[string]any{"status": "REJECTED", "resolutionReason": "EXCEPTION", "notes": []any{map[string]any{"text": "working on it"}}}},
	}
	if diff := cmp.Diff(want, data); diff != "" {
		t.Errorf("mutations (-want +got):\n%s", diff)
	}
}

func TestMutationClock(t *testing.T) {
	t.Parallel()
	now := testNow
	s := New(WithClock(func() time.Time { return now }))
	tok := login(t, s)
	now = now.Add(90*time.Minute + 1234567*time.Nanosecond)
	query(t, s, tok, updateIssueMutation, map[string]any{"issueId": SampleIssueID, "patch": map[string]any{"status": "IN_PROGRESS"}})
	m, _ := s.Issue(SampleIssueID)
	if want := "2026-11-21T10:30:00.001234Z"; m["statusChangedAt"] != want || m["updatedAt"] != want {
		t.Errorf("times after the clock moved = %v, %v, want %s", m["statusChangedAt"], m["updatedAt"], want)
	}
	// The seed stays anchored where New was.
	if !s.Anchor().Equal(testNow) {
		t.Errorf("Anchor() = %v, want %v", s.Anchor(), testNow)
	}
}
