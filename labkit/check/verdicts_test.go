package check

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// verdictCase is one row of a verdict table: code handed to a check, and what the check
// must say about it.
type verdictCase[F any] struct {
	name    string
	fn      F
	wantErr string // "" for a pass, else a piece of the message
	// child: judge it in a re-executed test binary, because it leaves goroutines stuck
	// for good (goleak would rightly fail this process) or races in-process (so would
	// -race).
	child bool
}

// childEnv names the row a re-executed test binary judges ("TestName/row name").
const childEnv = "LABKIT_CHECK_CHILD"

// runVerdicts runs check on every row of cases, in parallel subtests, and fails a row
// whose verdict is not the one it wants.
func runVerdicts[F any](t *testing.T, check func(*testing.T, F) error, cases []verdictCase[F]) {
	t.Helper()
	if want, ok := os.LookupEnv(childEnv); ok {
		judgeInChild(t, want, check, cases)
		return
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if c.child {
				errText, passed := verdictInChild(t, t.Name())
				if passed {
					verdict(t, nil, c.wantErr)
				} else {
					verdict(t, fmt.Errorf("%s", errText), c.wantErr)
				}
				return
			}
			verdict(t, check(t, c.fn), c.wantErr)
		})
	}
}

// judgeInChild is the child's side: it runs the one row named want, prints the verdict
// and exits at once, taking any stuck goroutine with it and skipping goleak and the race
// detector's verdict on the process (the code is known to be bad).
func judgeInChild[F any](t *testing.T, want string, check func(*testing.T, F) error, cases []verdictCase[F]) {
	for _, c := range cases {
		if t.Name()+"/"+testNameRewrite(c.name) != want {
			continue
		}
		if err := check(t, c.fn); err != nil {
			fmt.Printf("VERDICT fail: %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
		} else {
			fmt.Println("VERDICT pass")
		}
		os.Exit(0)
	}
	fmt.Printf("VERDICT no row %q\n", want)
	os.Exit(3)
}

// testNameRewrite is how the testing package spells a subtest's name: spaces become
// underscores.
func testNameRewrite(name string) string { return strings.ReplaceAll(name, " ", "_") }

// verdictInChild judges the row named name ("TestName/row") in a child process and
// returns the check's error text ("" and true if the check passed).
func verdictInChild(t testing.TB, name string) (errText string, passed bool) {
	t.Helper()
	top, _, _ := strings.Cut(name, "/")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^"+regexp.QuoteMeta(top)+"$", "-test.count=1")
	// Reporting every lost update of a racy stub under -race takes minutes; the verdict is
	// what matters here, so the child's race detector stays quiet. GOMAXPROCS stays the
	// parent's (-cpu sets it for the parent only).
	cmd.Env = append(os.Environ(), childEnv+"="+name,
		"GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" report_bugs=0"),
		fmt.Sprintf("GOMAXPROCS=%d", runtime.GOMAXPROCS(0)))
	out, _ := cmd.Output() // the exit status reflects the race detector, not the verdict
	for line := range strings.Lines(string(out)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "VERDICT "); ok {
			if v == "pass" {
				return "", true
			}
			return strings.TrimPrefix(v, "fail: "), false
		}
	}
	t.Fatalf("child %q printed no verdict (ctx: %v); output:\n%s", name, ctx.Err(), out)
	return "", false
}

// verdict fails t unless err is what a check should say: nil when wantErr is empty, else an
// error containing wantErr.
func verdict(t testing.TB, err error, wantErr string) {
	t.Helper()
	switch {
	case wantErr == "" && err != nil:
		t.Fatalf("want pass, got %v", err)
	case wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)):
		t.Fatalf("want error containing %q, got %v", wantErr, err)
	}
	if err != nil {
		t.Logf("verdict: %v", err)
	}
}
