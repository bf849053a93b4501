package nb_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-concurrency-lab/lab/labkit/nb"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestNotebooksReadsTitleAndSummaryFromEachSource(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"07_async.md": "---\njupyter:\n  title: '# not this'\n---\n\n" +
			"<!-- #region slideshow={\"slide_type\": \"slide\"} -->\n# 07 · From asyncio to goroutines\n\n" +
			"**Seed:** the event loop,\n`gather` and `wait`.\n\n**By the end** you can\n<!-- #endregion -->\n",
		"13_memory_model.md": "```go\n# not a title\n```\n# 13 · The memory model\n" +
			"What happens-before means.\n<!-- #region -->\nmore\n",
		"02_races.md":    "# 02 · Races\n",
		"README.md":      "# not a notebook\n",
		"07_async.ipynb": "{}",
		"1_short.md":     "# not numbered with two digits\n",
	})
	got, err := nb.Notebooks(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []nb.Notebook{
		{Number: "02", Title: "Races", Summary: "", File: "02_races.ipynb"},
		{Number: "07", Title: "From asyncio to goroutines", Summary: "the event loop, `gather` and `wait`.", File: "07_async.ipynb"},
		{Number: "13", Title: "The memory model", Summary: "What happens-before means.", File: "13_memory_model.ipynb"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Notebooks =\n%q\nwant\n%q", got, want)
	}
}

func TestNotebooksPicksUpANewNotebook(t *testing.T) {
	dir := writeFiles(t, map[string]string{"00_start.md": "# 00 · Start\n"})
	before, err := nb.Notebooks(dir)
	if err != nil || len(before) != 1 {
		t.Fatalf("before: %v, %v", before, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "15_deadlocks.md"), []byte("# 15 · Deadlocks\n\nWho waits for whom.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	after, err := nb.Notebooks(dir)
	if err != nil || len(after) != 2 || after[1].Title != "Deadlocks" || after[1].Summary != "Who waits for whom." {
		t.Fatalf("after adding 15: %q, %v", after, err)
	}
}

func TestNotebooksErrors(t *testing.T) {
	if _, err := nb.Notebooks(""); err == nil || !strings.Contains(err.Error(), "GONB_DIR") {
		t.Errorf("empty dir: err = %v, want one that names GONB_DIR", err)
	}
	if _, err := nb.Notebooks(filepath.Join(t.TempDir(), "missing")); err == nil || !strings.HasPrefix(err.Error(), "nb: Notebooks: ") {
		t.Errorf("missing dir: err = %v, want an nb: error", err)
	}
	dir := writeFiles(t, map[string]string{"03_locks.md": "no title here\n\n```go\n# inside a fence\n```\n"})
	if _, err := nb.Notebooks(dir); err == nil || !strings.Contains(err.Error(), "03_locks.md has no H1") {
		t.Errorf("no H1: err = %v, want it to name the file", err)
	}
}

// The lab's own notebooks folder: every notebook has a number, a title and a summary.
func TestNotebooksOfThisLab(t *testing.T) {
	list, err := nb.Notebooks(filepath.Join("..", "..", "notebooks"))
	if err != nil {
		t.Fatal(err)
	}
	if len(list) < 13 || list[0].Number != "00" {
		t.Fatalf("found %d notebooks starting at %v, want 00 and at least 13", len(list), list)
	}
	for _, n := range list {
		if n.Title == "" || n.Summary == "" || strings.Contains(n.Title, "·") {
			t.Errorf("%s: title %q, summary %q; 00's map shows both: write the H1 as \"# NN · Title\" and a paragraph under it", n.File, n.Title, n.Summary)
		}
	}
}

func ExampleNotebooks() {
	dir, _ := os.MkdirTemp("", "lab-")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "04_channels.md"), []byte("# 04 · Channels\n\n**Seed:** `queue.Queue`.\n"), 0o644)
	list, err := nb.Notebooks(dir)
	fmt.Printf("%+v %v\n", list, err)
	// Output: [{Number:04 Title:Channels Summary:`queue.Queue`. File:04_channels.ipynb}] <nil>
}
