package scorecard_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-concurrency-lab/lab/labkit/scorecard"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// copyNotebook writes notebooks/01_goroutines.ipynb to dir as stem.ipynb, with the run_all
// stub replaced by the reference solution when solved.
func copyNotebook(t *testing.T, dir, stem string, solved bool) {
	t.Helper()
	data, err := os.ReadFile("../../notebooks/01_goroutines.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	var nb map[string]any
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Fatal(err)
	}
	if solved {
		solution, err := os.ReadFile("../../notebooks/solutions/01_goroutines/run_all.gocell")
		if err != nil {
			t.Fatal(err)
		}
		replaced := false
		for _, c := range nb["cells"].([]any) {
			c := c.(map[string]any)
			tags, _ := c["metadata"].(map[string]any)["tags"].([]any)
			for _, tag := range tags {
				if tag == "exercise-stub" {
					c["source"], replaced = string(solution), true
				}
			}
		}
		if !replaced {
			t.Fatal("no exercise-stub cell in 01_goroutines.ipynb")
		}
	}
	out, _ := json.Marshal(nb)
	if err := os.WriteFile(filepath.Join(dir, stem+".ipynb"), out, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCollectJudgesTheSavedCellsAndReadsPredictions(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two exercise checks")
	}
	data := t.TempDir()
	t.Setenv("LABKIT_DATA_DIR", data)
	line := `{"id":"01/wait-all","kind":"predicted","choices":[{"Label":"about 450 ms","Value":450},` +
		`{"Label":"about 120 ms","Value":120}],"answer":{"Label":"about 120 ms","Value":120},"at":"2026-01-02T03:04:05Z"}` + "\n" +
		`{"id":"01/wait-all","kind":"measured","value":123,"text":"123ms","at":"2026-01-02T03:05:05Z"}` + "\n"
	if err := os.WriteFile(filepath.Join(data, "predictions.jsonl"), []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	copyNotebook(t, dir, "01_goroutines", false)
	copyNotebook(t, dir, "02_solved", true)

	books, err := scorecard.Collect(context.Background(), dir, scorecard.Options{Module: "../.."})
	if err != nil {
		t.Fatal(err)
	}
	if len(books) != 2 || len(books[0].Exercises) != 1 || len(books[1].Exercises) != 1 {
		t.Fatalf("Collect = %+v, want two notebooks with one exercise each", books)
	}
	if e := books[0].Exercises[0]; e.Passed || !strings.Contains(e.Why, "TestRunAll") {
		t.Errorf("the stub as saved: %+v, want a failing TestRunAll", e)
	}
	if e := books[1].Exercises[0]; !e.Passed {
		t.Errorf("the solved cell: %+v, want it to pass", e)
	}
	if ps := books[0].Predictions; len(ps) != 1 || !ps[0].Right() || len(books[1].Predictions) != 0 {
		t.Errorf("predictions = %+v / %+v", ps, books[1].Predictions)
	}
	var out bytes.Buffer
	scorecard.Write(&out, books)
	for _, want := range []string{"exercise run_all", "✗ not yet", "✓ passes", "exercises passing now: 1 of 2",
		"You predicted about 120 ms, measured 123ms — the nearest choice.", "1 of 1"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the view lacks %q:\n%s", want, out.String())
		}
	}
}

func TestCollectRejectsAFolderWithoutNotebooks(t *testing.T) {
	if _, err := scorecard.Collect(context.Background(), t.TempDir(), scorecard.Options{}); err == nil ||
		!strings.HasPrefix(err.Error(), "scorecard: ") {
		t.Errorf("err = %v, want a scorecard: error", err)
	}
}

// TestWarmUpCheckRejectsWrongClamps runs notebook 00's own %test cell (as committed) on its
// stub, its reference solution and plausible wrong answers: the warm-up's check lives in the
// notebook, not in labkit/check, so this is where its verdicts are proven.
func TestWarmUpCheckRejectsWrongClamps(t *testing.T) {
	if testing.Short() {
		t.Skip("builds six exercise checks")
	}
	solution, err := os.ReadFile("../../notebooks/solutions/00_start_here/clamp.gocell")
	if err != nil {
		t.Fatal(err)
	}
	clamp := func(body string) string {
		return "func Clamp(x, lo, hi int) int {\n\t" + body + "\n}"
	}
	answers := []struct {
		stem, stub string
		pass       bool
	}{
		{"00_as_committed", "", false},
		{"01_solution", string(solution), true},
		{"02_lower_bound_only", clamp("return max(x, lo)"), false},
		{"03_upper_bound_only", clamp("return min(x, hi)"), false},
		{"04_bounds_swapped", clamp("return max(min(x, lo), hi)"), false},
		{"05_upper_bound_never_reached", clamp("if x < lo {\n\t\treturn lo\n\t}\n\tif x > hi {\n\t\treturn hi - 1\n\t}\n\treturn x"), false},
	}
	dir := t.TempDir()
	for _, a := range answers {
		copyWithStub(t, "00_start_here", dir, a.stem, a.stub)
	}
	books, err := scorecard.Collect(context.Background(), dir, scorecard.Options{Module: "../.."})
	if err != nil {
		t.Fatal(err)
	}
	if len(books) != len(answers) {
		t.Fatalf("Collect judged %d notebooks, want %d", len(books), len(answers))
	}
	for i, a := range answers {
		if len(books[i].Exercises) != 1 {
			t.Fatalf("%s: %d exercises judged, want 1", a.stem, len(books[i].Exercises))
		}
		if e := books[i].Exercises[0]; e.Passed != a.pass {
			t.Errorf("%s: passed = %v, want %v (%s)", a.stem, e.Passed, a.pass, e.Why)
		}
	}
}

// copyWithStub writes notebooks/<src>.ipynb to dir as stem.ipynb with its exercise stub cell
// replaced by stub (unless stub is empty).
func copyWithStub(t *testing.T, src, dir, stem, stub string) {
	t.Helper()
	data, err := os.ReadFile("../../notebooks/" + src + ".ipynb")
	if err != nil {
		t.Fatal(err)
	}
	var nb map[string]any
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Fatal(err)
	}
	for _, c := range nb["cells"].([]any) {
		c := c.(map[string]any)
		tags, _ := c["metadata"].(map[string]any)["tags"].([]any)
		if stub != "" && slices.Contains(tags, any("exercise-stub")) {
			c["source"] = stub
		}
	}
	out, _ := json.Marshal(nb)
	if err := os.WriteFile(filepath.Join(dir, stem+".ipynb"), out, 0o644); err != nil {
		t.Fatal(err)
	}
}
