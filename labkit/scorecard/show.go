package scorecard

import (
	"fmt"
	"io"
	"strings"

	"github.com/go-concurrency-lab/lab/labkit/nb"
)

// Write prints the progress view as plain text, one block per notebook with something to say.
func Write(w io.Writer, books []Notebook) {
	passed, total, predicted, right := 0, 0, 0, 0
	for _, b := range books {
		if len(b.Exercises) == 0 && len(b.Predictions) == 0 {
			continue
		}
		fmt.Fprintf(w, "%s\n", b.Stem)
		for _, e := range b.Exercises {
			total++
			mark := "✗ not yet"
			if e.Passed {
				passed++
				mark = "✓ passes"
			}
			fmt.Fprintf(w, "  exercise %-14s %s", e.Name, mark)
			if !e.Passed && e.Why != "" {
				fmt.Fprintf(w, " (%s)", shorten(e.Why, 100))
			}
			fmt.Fprintln(w)
		}
		for _, p := range b.Predictions {
			predicted++
			if p.Right() {
				right++
			}
			fmt.Fprintf(w, "  prediction %-12s %s\n", strings.TrimPrefix(p.ID, p.Notebook()+"/"), p.Verdict())
		}
	}
	if total > 0 {
		fmt.Fprintf(w, "\nexercises passing now: %d of %d\n", passed, total)
	}
	if predicted == 0 {
		fmt.Fprintln(w, "no predictions recorded yet (click an answer under a Predict prompt in JupyterLab)")
	} else {
		fmt.Fprintf(w, "predictions measured nearest to your answer: %d of %d\n", right, predicted)
	}
}

// Show displays the progress view in a notebook cell (as text anywhere else).
func Show(books []Notebook) {
	var b strings.Builder
	b.WriteString("| notebook | exercises | predictions |\n|---|---|---|\n")
	for _, book := range books {
		var ex, pr []string
		for _, e := range book.Exercises {
			mark := "✗"
			if e.Passed {
				mark = "✓"
			}
			ex = append(ex, mark+" `"+e.Name+"`")
		}
		for _, p := range book.Predictions {
			pr = append(pr, strings.ReplaceAll(p.Verdict(), "|", "\\|"))
		}
		if len(ex) == 0 && len(pr) == 0 {
			continue
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", book.Stem, strings.Join(ex, "<br>"), strings.Join(pr, "<br>"))
	}
	if strings.Count(b.String(), "\n") == 2 {
		nb.Markdown("No exercise results or recorded predictions yet.")
		return
	}
	nb.Markdown(b.String())
}

func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
