package scorecard_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
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
