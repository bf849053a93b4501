package check

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/measure/sandbox"
)

// RaceTally checks notebook 02's race-hunt exercise. program is a whole Go program whose
// goroutines tally a day's trades; the check builds it with the race detector and runs it
// in a sandbox (a separate process), and passes only if it still starts goroutines, the
// race detector reports nothing, and it prints the right tally.
func RaceTally(t testing.TB, program string) {
	t.Helper()
	if err := checkRaceTally(context.Background(), program); err != nil {
		t.Fatal(err)
	}
}

// tallyWant is the line the program must print: 3000 trades, trade i of size i%7+1 at
// i ms since the open.
func tallyWant() string {
	volume := 0
	for i := range 3000 {
		volume += i%7 + 1
	}
	return fmt.Sprintf("trades 3000 volume %d latest 2999", volume)
}

func checkRaceTally(ctx context.Context, program string) error {
	if strings.TrimSpace(program) == "" {
		return errors.New("the program is empty")
	}
	f, err := parser.ParseFile(token.NewFileSet(), "main.go", program, 0)
	if err != nil {
		return fmt.Errorf("the program does not parse: %v", err)
	}
	if !startsGoroutines(f) {
		return errors.New("the program no longer starts goroutines: keep the workers and make what they share safe (the point is sharing safely, not avoiding it)")
	}
	res, err := sandbox.RunGo(ctx, program, sandbox.Options{Race: true, Timeout: time.Minute})
	if err != nil {
		return err
	}
	switch {
	case res.BuildFailed:
		return fmt.Errorf("the program did not build with -race:\n%s", res.Output)
	case res.RaceDetected():
		return fmt.Errorf("the program printed %q (want %q), and the race detector reported a data race:\n%s", tallyPrinted(res.Output), tallyWant(), raceReportSummary(res.Output, program))
	case res.TimedOut || res.ExitCode != 0:
		return fmt.Errorf("the program failed (%s):\n%s", res.Summary(), res.Output)
	}
	if want := tallyWant(); !strings.Contains(res.Output, want) {
		return fmt.Errorf("the program printed %q; want %q", tallyPrinted(res.Output), want)
	}
	return nil
}

// tallyPrinted returns the tally line the program printed, or all its output if it
// printed none.
func tallyPrinted(out string) string {
	for line := range strings.Lines(out) {
		if strings.HasPrefix(line, "trades ") {
			return strings.TrimSpace(line)
		}
	}
	return strings.TrimSpace(out)
}

// startsGoroutines reports whether f has a go statement or calls a method named Go
// (sync.WaitGroup.Go, errgroup.Group.Go).
func startsGoroutines(f *ast.File) bool {
	found := false
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			found = true
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Go" {
				found = true
			}
		}
		return !found
	})
	return found
}

// raceReportSummary keeps, from the first race report in out, the lines that say which
// accesses raced and where, each place followed by that line of the program: what a
// reader needs to find the variable.
func raceReportSummary(out, program string) string {
	_, report, _ := strings.Cut(out, "WARNING: DATA RACE")
	report, _, _ = strings.Cut(report, "==================")
	source := strings.Split(program, "\n")
	var keep []string
	for line := range strings.Lines(report) {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "Read at"), strings.HasPrefix(line, "Write at"),
			strings.HasPrefix(line, "Previous read at"), strings.HasPrefix(line, "Previous write at"):
			keep = append(keep, "  "+line)
		case strings.Contains(line, "main.go:"):
			_, place, _ := strings.Cut(line, "main.go:")
			place, _, _ = strings.Cut(place, " ")
			text := ""
			if n, err := strconv.Atoi(place); err == nil && n >= 1 && n <= len(source) {
				text = strings.TrimSpace(source[n-1])
			}
			keep = append(keep, fmt.Sprintf("    line %s: %s", place, text))
		}
	}
	return strings.Join(keep, "\n")
}
