//go:build linux

package browsertest

import (
	"encoding/json"
	"os"
	"os/exec"
	"testing"
	"time"
)

func TestDescendantsSeesGrandchildren(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	// sh starts sleep as its child: a grandchild of this test.
	cmd := exec.Command("sh", "-c", "sleep 30 & wait")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		found := false
		for pid, c := range descendants(os.Getpid()) {
			if c == "sleep 30" && pid != cmd.Process.Pid {
				found = running(pid)
				defer func() { _ = exec.Command("kill", "-9", itoa(pid)).Run() }()
			}
		}
		if found {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("descendants(%d) never listed the grandchild sleep: %v", os.Getpid(), descendants(os.Getpid()))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
