package check

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strings"
	"testing"
)

// RaceTally checks notebook 02's race-hunt exercise. program is a whole Go program whose
// goroutines tally a day's trades; the check builds it with the race detector and runs it
// in a sandbox (a separate process), and passes only if the race detector reports
// nothing, it prints the right tally, and its loops still run in more than one goroutine
// at once (the point is sharing safely, not avoiding it). To see that, the check adds a
// call to a probe at the top of every loop body; the probe writes a variable of its own,
// so loops running at once in different goroutines race on it, and the race detector
// says so whatever the machine's scheduling.
func RaceTally(t *testing.T, program string) {
	t.Helper()
	if err := checkRaceTally(t, program); err != nil {
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

// probeCall is what the check puts at the top of every loop body, on the same line, so
// the race detector's line numbers still point at the reader's lines.
const probeCall = "checkProbe(); "

const probeDecl = `

var checkProbed int

// checkProbe is the check's: loops that call it from goroutines running at once race here.
//
//go:noinline
func checkProbe() { checkProbed++ }
`

func checkRaceTally(_ *testing.T, program string) error {
	if strings.TrimSpace(program) == "" {
		return errors.New("the program is empty")
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "main.go", program, 0)
	if err != nil {
		return fmt.Errorf("the program does not parse: %v", err)
	}
	probed := withProbes(fset, f, program)
	res, err := raceRun(context.Background(), probed)
	if err != nil {
		return err
	}
	if res.BuildFailed {
		return fmt.Errorf("the program did not build with -race:\n%s", res.Output)
	}
	var theirs []string
	overlapped := false
	for _, r := range res.RaceReports() {
		if strings.Contains(r.Text, "main.checkProbe(") {
			overlapped = true
		} else {
			theirs = append(theirs, r.Text)
		}
	}
	switch {
	case len(theirs) > 0:
		printed := fmt.Sprintf("the program printed %q", tallyPrinted(res.Output))
		if want := tallyWant(); !strings.Contains(res.Output, want) {
			printed += fmt.Sprintf(" (want %q)", want)
		} else {
			printed += ", the right tally this time"
		}
		return fmt.Errorf("%s, but the race detector reported a data race:\n%s", printed, raceReportSummary(theirs[0], probed))
	case res.TimedOut || (res.ExitCode != 0 && !(overlapped && res.ExitCode == 66)):
		return fmt.Errorf("the program failed (%s):\n%s", res.Summary(), res.Output)
	}
	if want := tallyWant(); !strings.Contains(res.Output, want) {
		return fmt.Errorf("the program printed %q; want %q", tallyPrinted(res.Output), want)
	}
	if !overlapped {
		return errors.New("the program's loops never ran in two goroutines at once: keep the workers running " +
			"side by side and make what they share safe (the point is sharing safely, not avoiding it)")
	}
	return nil
}

// withProbes returns program with probeCall at the top of every loop body and the probe
// declared at the end.
func withProbes(fset *token.FileSet, f *ast.File, program string) string {
	var at []int // offsets just after each loop body's {
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ForStmt:
			at = append(at, fset.Position(n.Body.Lbrace).Offset+1)
		case *ast.RangeStmt:
			at = append(at, fset.Position(n.Body.Lbrace).Offset+1)
		}
		return true
	})
	slices.Sort(at)
	var b strings.Builder
	last := 0
	for _, off := range at {
		b.WriteString(program[last:off])
		b.WriteString(" " + probeCall)
		last = off
	}
	b.WriteString(program[last:])
	b.WriteString(probeDecl)
	return b.String()
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
