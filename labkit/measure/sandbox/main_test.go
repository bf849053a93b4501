package sandbox

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if pidFile := os.Getenv(interruptedParentEnv); pidFile != "" {
		runAsInterruptedParent(pidFile)
	}
	goleak.VerifyTestMain(m)
}

// interruptedParentEnv makes this test binary act as a notebook cell: it runs a sandboxed
// program that never ends and waits, until the test interrupts it.
const interruptedParentEnv = "SANDBOX_TEST_INTERRUPTED_PARENT"

// runAsInterruptedParent is the child side of TestInterruptedCellTakesItsSandboxedProgramAlong.
func runAsInterruptedParent(pidFile string) {
	{
		src := fmt.Sprintf(`package main

import (
	"os"
	"strconv"
	"time"
)

func main() {
	os.WriteFile(%q, []byte(strconv.Itoa(os.Getpid())), 0o644)
	time.Sleep(time.Hour)
}
`, pidFile)
		_, err := RunGo(context.Background(), src, Options{Timeout: time.Hour})
		fmt.Fprintln(os.Stderr, "RunGo returned:", err)
		os.Exit(3)
	}
}
