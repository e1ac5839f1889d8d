package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/go-hclog"
	"go.temporal.io/sdk/worker"

	"github.com/playbook-sh/playbook/engine"
	"github.com/playbook-sh/playbook/engine/store"
	"github.com/playbook-sh/playbook/engine/temporal"
	"github.com/playbook-sh/playbook/internal/goldencmds"
	"github.com/playbook-sh/playbook/internal/goldencmds/cases"
)

// testTemporalResultStore runs a call whose reply is over Temporal's
// payload limit even compressed: with a result store the run succeeds,
// the whole reply reaches the report, and history holds references only;
// a client without the store says what it needs.
func testTemporalResultStore(t *testing.T, bin, addr string) {
	random := make([]byte, 3<<20)
	rand.Read(random)
	blobText := base64.StdEncoding.EncodeToString(random) // 4 MB; about 3 MB compressed
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"blob": blobText})
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	results := filepath.Join(dir, "results")
	pb := writeAt(t, filepath.Join(dir, "big.yaml"), `playbook: big
tasks:
  fetch:
    run: http.request
    with: {url: "`+srv.URL+`/big"}
outputs:
  length: ${{ size(tasks.fetch.raw_data.blob) }}
`)
	startCLI(t, bin, "worker", "--temporal", addr, "--task-queue", "results", "--result-store", results, "--log-level", "error")
	out, errs, code := cli(t, t.Context(), "run", pb, "--temporal", addr, "--task-queue", "results", "--result-store", results,
		"--workflow-id", "big-1", "--format", "json", "--progress", "off")
	if code != exitOK {
		t.Fatalf("run: exit %d\n%s", code, errs)
	}
	var rep struct {
		Outputs map[string]any `json:"outputs"`
		Tasks   map[string]struct {
			RawData struct {
				Blob string `json:"blob"`
			} `json:"raw_data"`
		} `json:"tasks"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Tasks["fetch"].RawData.Blob != blobText || rep.Outputs["length"] != float64(len(blobText)) {
		t.Fatalf("the report lacks the reply: outputs %v, %d bytes of raw data", rep.Outputs, len(rep.Tasks["fetch"].RawData.Blob))
	}
	h := historyJSON(t, history(t, addr, "big-1"))
	if len(h) > 512<<10 || !strings.Contains(string(h), base64.StdEncoding.EncodeToString([]byte("binary/playbook-result-store"))) {
		t.Errorf("the history is %d bytes and holds no reference to the result store", len(h))
	}
	if files, _ := os.ReadDir(results); len(files) == 0 {
		t.Error("the result store is empty")
	}
	// The report itself is over the threshold: a client without the store
	// cannot read it, and says so.
	_, errs, code = cli(t, t.Context(), "run", pb, "--temporal", addr, "--task-queue", "results", "--workflow-id", "big-2", "--progress", "off")
	if code != exitFailed || !strings.Contains(errs, temporal.ResultStoreEnv) {
		t.Errorf("a client without the result store: exit %d\n%s", code, errs)
	}
}

// testTemporalRunOptions: --dry-run on Temporal gives the in-process dry
// run's report, and --record records the run in the state store.
func testTemporalRunOptions(t *testing.T, bin, addr string) {
	startCLI(t, bin, "worker", "--temporal", addr, "--task-queue", "options", "--sandbox", "--log-level", "error")
	f := "../../playbooks/contain-incident-hosts.yaml"
	local, errs, code := cli(t, t.Context(), append([]string{"run", f, "--sandbox", "--dry-run", "--format", "json", "--progress", "off"}, exampleArgs(f)...)...)
	if code != exitOK && code != exitPartial {
		t.Fatalf("dry run in process: exit %d\n%s", code, errs)
	}
	remote, errs, code := cli(t, t.Context(), append([]string{"run", f, "--temporal", addr, "--task-queue", "options", "--dry-run", "--format", "json", "--progress", "off"}, exampleArgs(f)...)...)
	if code != exitOK && code != exitPartial {
		t.Fatalf("dry run on Temporal: exit %d\n%s", code, errs)
	}
	if !strings.Contains(remote, `"dry_run": true`) || !strings.Contains(remote, `"side_effects"`) {
		t.Errorf("the dry run through Temporal is not one:\n%s", remote)
	}
	// Each side's sandbox listens on its own port.
	port := regexp.MustCompile(`http://127\.0\.0\.1:\d+`)
	norm := func(s string) string {
		return port.ReplaceAllString(string(normalizeReport(t, s)), "http://127.0.0.1:<port>")
	}
	if diff := cmp.Diff(norm(local), norm(remote)); diff != "" {
		t.Errorf("dry run (-in process +Temporal):\n%s", diff)
	}

	state := filepath.Join(t.TempDir(), "state.db")
	out, errs, code := cli(t, t.Context(), "run", "../../playbooks/hello.yaml", "--temporal", addr, "--task-queue", "options",
		"--record", "--state", state, "--workflow-id", "recorded-1", "--progress", "off")
	if code != exitOK || !strings.Contains(errs, "recorded run recorded-1") {
		t.Fatalf("run --record: exit %d\n%s%s", code, out, errs)
	}
	st, err := store.Open(t.Context(), state)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r, err := st.GetRun(t.Context(), "recorded-1")
	if err != nil || r.Status != engine.RunSuccessful || r.Trigger != "cli" || r.Owner != "temporal:default" || !strings.Contains(string(r.Report), `"greet"`) {
		t.Errorf("recorded run: %v %+v", err, r)
	}
}

// testTemporalGoldenRuns runs the engine's golden cases on the dev server,
// with a worker in this process that has their test commands: each
// report must be the golden in-process one (run id and times aside).
func testTemporalGoldenRuns(t *testing.T, addr string) {
	tc, err := temporal.Dial(t.Context(), addr, "", hclog.NewNullLogger(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	reg := registry()
	goldencmds.Register(reg)
	w := worker.New(tc, "golden", worker.Options{})
	(&temporal.Worker{Registry: reg}).Register(w)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	cs, err := cases.Read("../../engine/testdata/runs", reg)
	if err != nil || len(cs) < 4 {
		t.Fatalf("found %d golden cases: %v", len(cs), err)
	}
	for _, gc := range cs {
		run, err := temporal.Start(t.Context(), tc, "golden", "golden-"+gc.Name, gc.Input)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := temporal.Wait(t.Context(), tc, run, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := rep.JSON()
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(normalizeReport(t, string(gc.Want))), string(normalizeReport(t, string(got)))); diff != "" {
			t.Errorf("%s: report (-golden in process +Temporal):\n%s", gc.Name, diff)
		}
	}
}
