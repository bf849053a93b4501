//go:build linux

package browsertest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStopReportsAndKillsLeftovers stands a shell in for Jupyter: it starts a child and then
// becomes a process that SIGTERM ends, so the child outlives it, as a kernel that ignored
// its shutdown would. stop must name the child as left behind, and kill it.
func TestStopReportsAndKillsLeftovers(t *testing.T) {
	log, err := os.Create(filepath.Join(t.TempDir(), "jupyter.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", "sleep 300 & exec sleep 301")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	j := &jupyter{cmd: cmd, done: make(chan struct{}), base: "http://127.0.0.1:1", token: "t",
		logFile: log, seen: map[int]string{}}
	go func() { _ = cmd.Wait(); close(j.done) }()

	var child int
	for deadline := time.Now().Add(5 * time.Second); child == 0; {
		for pid, c := range descendants(cmd.Process.Pid) {
			if c == "sleep 300" {
				child = pid
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the stand-in's child never appeared")
		}
		time.Sleep(20 * time.Millisecond)
	}

	old := LeftoverGrace
	LeftoverGrace = time.Second
	defer func() { LeftoverGrace = old }()
	problems := j.stop()
	if len(problems) != 1 || !strings.Contains(problems[0], "left behind") || !strings.Contains(problems[0], "sleep 300") {
		t.Errorf("stop() = %q, want one problem naming the left-behind sleep 300", problems)
	}
	time.Sleep(100 * time.Millisecond)
	if running(child) && cmdline(child) == "sleep 300" {
		_ = syscall.Kill(child, syscall.SIGKILL)
		t.Errorf("stop left pid %d running", child)
	}
}

// TestStopIsQuietWhenEverythingEnds: a stand-in whose child ends with it leaves no problem.
func TestStopIsQuietWhenEverythingEnds(t *testing.T) {
	log, err := os.Create(filepath.Join(t.TempDir(), "jupyter.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sleep", "300")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	j := &jupyter{cmd: cmd, done: make(chan struct{}), base: "http://127.0.0.1:1", token: "t",
		logFile: log, seen: map[int]string{}}
	go func() { _ = cmd.Wait(); close(j.done) }()
	if problems := j.stop(); len(problems) != 0 {
		t.Errorf("stop() = %q, want none", problems)
	}
}
