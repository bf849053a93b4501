package check

import (
	"flag"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// -fresh-sandbox rebuilds and reruns every sandboxed program on every -count, instead of
// once per test binary: slow, for proving that a sandbox verdict does not vary.
var freshSandbox = flag.Bool("fresh-sandbox", false, "run sandboxed programs afresh for every check (no reuse within the test binary)")

func TestMain(m *testing.M) {
	flag.Parse()
	cacheSandboxRuns = !*freshSandbox
	if os.Getenv(childEnv) != "" {
		os.Exit(m.Run()) // a child exits from inside its test; goleak has nothing to add
	}
	goleak.VerifyTestMain(m)
}
