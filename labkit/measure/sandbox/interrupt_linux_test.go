package sandbox

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/proc"
)

// GoNB interrupts a cell by sending SIGINT to the cell's process only; Go's default
// handling then exits at once, without cancelling any context. A sandboxed program still
// running must not outlive the cell.
func TestInterruptedCellTakesItsSandboxedProgramAlong(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "child.pid")
	parent := exec.Command(os.Args[0], "-test.run=^$")
	parent.Env = append(os.Environ(), interruptedParentEnv+"="+pidFile)
	var stderr strings.Builder
	parent.Stderr = &stderr
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	var childPID int
	for deadline := time.Now().Add(2 * time.Minute); childPID == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			parent.Process.Kill()
			parent.Wait()
			t.Fatalf("the sandboxed program never started; parent said: %s", stderr.String())
		}
		if data, err := os.ReadFile(pidFile); err == nil && len(data) > 0 {
			childPID, _ = strconv.Atoi(string(data))
		}
	}
	if err := parent.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	parent.Wait()
	for end := time.Now().Add(10 * time.Second); proc.Alive(childPID); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(end) {
			syscall.Kill(childPID, syscall.SIGKILL)
			t.Fatalf("sandboxed program %d outlived its interrupted parent", childPID)
		}
	}
}
