package check

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Some stubs the notebooks ship cannot be judged inside this test process: the racy
// counter would trip `go test -race` itself, and a self-deadlocked stub leaves a goroutine
// blocked forever, which goleak rightly reports. Those verdicts are taken in a child: the
// test binary re-executed to run TestStubChild alone, which prints the check's verdict and
// exits at once, taking any stuck goroutine with it.

const stubChildEnv = "LABKIT_CHECK_STUB_CHILD"

// childStubs maps a name to a function that runs one check against one stub.
var childStubs = map[string]func(t *testing.T) error{}

// TestStubChild is the child's entry point; in a normal run it skips.
func TestStubChild(t *testing.T) {
	name := os.Getenv(stubChildEnv)
	if name == "" {
		t.Skip("runs only as a re-executed child (see verdictInChild)")
	}
	run, ok := childStubs[name]
	if !ok {
		fmt.Printf("VERDICT unknown stub %q\n", name)
		os.Exit(3)
	}
	if err := run(t); err != nil {
		fmt.Printf("VERDICT fail: %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
	} else {
		fmt.Println("VERDICT pass")
	}
	os.Exit(0) // skip goleak and the race detector's verdict: the stub is known to be bad
}

// verdictInChild runs childStubs[name] in a child process and returns the check's error
// ("" if the check passed).
func verdictInChild(t *testing.T, name string) (errText string, passed bool) {
	t.Helper()
	if _, ok := childStubs[name]; !ok {
		t.Fatalf("no child stub %q", name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestStubChild$", "-test.count=1")
	// In a -race build, reporting every lost update of a racy stub takes minutes; the
	// verdict is what matters here, so the child's race detector stays quiet.
	cmd.Env = append(os.Environ(), stubChildEnv+"="+name, "GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" report_bugs=0"))
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
