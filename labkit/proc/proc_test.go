package proc

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestSelfRunsThisProgramWithARole(t *testing.T) {
	cmd, err := Self(context.Background(), "echo", "hello", "from", "a", "copy")
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)); got != "hello from a copy" {
		t.Fatalf("child printed %q", got)
	}
	if !slices.Contains(cmd.Env, RoleEnv+"=echo") {
		t.Fatalf("child env lacks %s=echo", RoleEnv)
	}
}

func TestSelfDropsNotebookPipesAndOldRole(t *testing.T) {
	t.Setenv("GONB_PIPE", "/tmp/some-pipe")
	t.Setenv(RoleEnv, "stale")
	cmd, err := Self(context.Background(), "echo")
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range cmd.Env {
		if strings.HasPrefix(kv, "GONB_PIPE") || kv == RoleEnv+"=stale" {
			t.Errorf("child env keeps %q", kv)
		}
	}
}

func TestSelfRejectsEmptyRole(t *testing.T) {
	_, err := Self(context.Background(), "")
	if err == nil || !strings.Contains(err.Error(), "role") {
		t.Fatalf("err = %v, want one naming the role", err)
	}
}

func TestKillGroupBeforeStart(t *testing.T) {
	if err := KillGroup(&exec.Cmd{}); err == nil {
		t.Fatal("KillGroup on an unstarted command returned nil")
	}
}

// startSpawner starts a child that starts a grandchild and returns the grandchild's pid.
func startSpawner(t *testing.T, ctx context.Context) (*exec.Cmd, int) {
	t.Helper()
	cmd, err := Self(ctx, "spawner")
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		KillGroup(cmd)
		cmd.Wait()
		t.Fatalf("reading grandchild pid: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		KillGroup(cmd)
		cmd.Wait()
		t.Fatalf("spawner said %q", line)
	}
	return cmd, pid
}

// waitGone polls (bounded) until pid is no longer a running process.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for Alive(pid) {
		if time.Now().After(deadline) {
			if p, err := os.FindProcess(pid); err == nil {
				_ = p.Kill() // do not leave it behind
			}
			t.Fatalf("process %d is still running", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestCancelKillsTheWholeGroup(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cmd, grandchild := startSpawner(t, ctx)
	if !Alive(grandchild) {
		t.Fatalf("grandchild %d not running before cancel", grandchild)
	}
	cancel()
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("Wait = %v, want the child killed by SIGKILL", err)
	}
	waitGone(t, grandchild)
}

func TestChildDiesWithItsParent(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Pdeathsig is Linux-only")
	}
	cmd, grandchild := startSpawner(t, context.Background())
	// Kill only the spawner (not its group): the kernel must take the grandchild down.
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	waitGone(t, grandchild)
}

func TestChildrenListsLiveChildren(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Children reads /proc")
	}
	before, err := Children()
	if err != nil {
		t.Fatal(err)
	}
	if len(before) != 0 {
		t.Fatalf("children before starting any: %v", before)
	}
	cmd, err := Self(context.Background(), "sleeper")
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	during, _ := Children()
	KillGroup(cmd)
	cmd.Wait()
	after, _ := Children()
	if !slices.Equal(during, []int{cmd.Process.Pid}) {
		t.Errorf("children while running = %v, want [%d]", during, cmd.Process.Pid)
	}
	if len(after) != 0 {
		t.Errorf("children after Wait = %v, want none", after)
	}
}
