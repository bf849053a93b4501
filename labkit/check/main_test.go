package check

import (
	"flag"
	"os"
	"runtime"
	"strconv"
	"testing"

	"go.uber.org/goleak"
)

// -fresh-sandbox rebuilds and reruns every sandboxed program on every -count, instead of
// once per test binary: slow, for proving that a sandbox verdict does not vary.
var freshSandbox = flag.Bool("fresh-sandbox", false, "run sandboxed programs afresh for every check (no reuse within the test binary)")

func TestMain(m *testing.M) {
	flag.Parse()
	cacheSandboxRuns = !*freshSandbox
	// Most verdict rows wait (on fake time, a child process, a sandboxed program, a grace
	// period) rather than compute, so more of them may run at once than there are CPUs.
	if f := flag.Lookup("test.parallel"); f != nil && f.Value.String() == strconv.Itoa(runtime.GOMAXPROCS(0)) {
		flag.Set("test.parallel", strconv.Itoa(max(8, runtime.GOMAXPROCS(0))))
	}
	if os.Getenv(childEnv) != "" {
		os.Exit(m.Run()) // a child exits from inside its test; goleak has nothing to add
	}
	goleak.VerifyTestMain(m)
}
