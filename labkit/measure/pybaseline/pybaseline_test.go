package pybaseline_test

import (
	"context"
	"errors"
	"github.com/go-concurrency-lab/lab/labkit/proc"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/measure/pybaseline"
)

func needPython(t *testing.T) {
	t.Helper()
	if _, err := pybaseline.Available(); err != nil {
		t.Skipf("SKIP (visible): %v — the Python baselines are not exercised", err)
	}
}

func TestDirFindsTheBaselines(t *testing.T) {
	dir, err := pybaseline.Dir()
	if err != nil {
		t.Fatal(err)
	}
	for _, script := range []string{"asyncio_sleeps.py", "event_loop_blocking.py"} {
		if _, err := os.Stat(filepath.Join(dir, script)); err != nil {
			t.Errorf("%s: %v", script, err)
		}
	}
}

type sleeps struct {
	N      int       `json:"n"`
	DelayS float64   `json:"delay_s"`
	WallS  float64   `json:"wall_s"`
	WallsS []float64 `json:"walls_s"`
}

func TestAsyncioSleeps(t *testing.T) {
	needPython(t)
	var got sleeps
	if err := pybaseline.Run(context.Background(), "asyncio_sleeps.py", &got, "--n", "200", "--delay", "0.01", "--repeat", "2"); err != nil {
		t.Fatal(err)
	}
	if got.N != 200 || got.DelayS != 0.01 || len(got.WallsS) != 2 {
		t.Fatalf("got %+v, want n=200 delay=0.01 and two runs", got)
	}
	// asyncio.sleep never returns early, so no run can beat the delay.
	if got.WallS < got.DelayS {
		t.Fatalf("wall %v s is shorter than the %v s sleep", got.WallS, got.DelayS)
	}
}

type tick [2]float64

type mode struct {
	Ticks        int     `json:"ticks"`
	MaxLateMS    float64 `json:"max_late_ms"`
	BurstStartMS float64 `json:"burst_start_ms"`
	BurstEndMS   float64 `json:"burst_end_ms"`
	Lateness     []tick  `json:"lateness"`
}

func TestEventLoopBlocking(t *testing.T) {
	needPython(t)
	var got struct {
		IntervalMS  float64 `json:"interval_ms"`
		Blocking    mode    `json:"blocking"`
		Cooperative mode    `json:"cooperative"`
	}
	err := pybaseline.Run(context.Background(), "event_loop_blocking.py", &got,
		"--interval-ms", "5", "--burst-ms", "60", "--warmup-ms", "20", "--cooldown-ms", "20")
	if err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]mode{"blocking": got.Blocking, "cooperative": got.Cooperative} {
		if m.Ticks == 0 || len(m.Lateness) != m.Ticks {
			t.Errorf("%s: %d ticks, %d lateness rows", name, m.Ticks, len(m.Lateness))
		}
	}
	// Not a speed claim but what "blocking" means: a tick due within one interval of the
	// burst's start cannot run before the burst ends, so it is late by at least the rest.
	b := got.Blocking
	if floor := b.BurstEndMS - b.BurstStartMS - got.IntervalMS; b.MaxLateMS < floor {
		t.Fatalf("blocking: max lateness %.1f ms, but the loop was blocked for %.1f ms", b.MaxLateMS, b.BurstEndMS-b.BurstStartMS)
	}
}

func TestScriptErrorCarriesStderr(t *testing.T) {
	needPython(t)
	var got sleeps
	err := pybaseline.Run(context.Background(), "asyncio_sleeps.py", &got, "--n", "0")
	if err == nil || !strings.Contains(err.Error(), "--n = 0") {
		t.Fatalf("err = %v, want the script's complaint about --n", err)
	}
}

func TestCancelKillsTheInterpreter(t *testing.T) {
	needPython(t)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		var got sleeps
		errc <- pybaseline.Run(ctx, "asyncio_sleeps.py", &got, "--n", "1", "--delay", "30")
	}()
	time.Sleep(50 * time.Millisecond) // let the interpreter start; the outcome does not depend on it
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestRejectsBadArguments(t *testing.T) {
	var out struct{}
	ctx := context.Background()
	for _, script := range []string{"", "../x.py", "dir/x.py", "x.sh"} {
		if err := pybaseline.Run(ctx, script, &out); err == nil || !strings.Contains(err.Error(), "script =") {
			t.Errorf("script %q: err = %v, want one naming script", script, err)
		}
	}
	if err := pybaseline.Run(ctx, "asyncio_sleeps.py", nil); err == nil || !strings.Contains(err.Error(), "out is nil") {
		t.Errorf("nil out: err = %v", err)
	}
}

func TestScript(t *testing.T) {
	needPython(t)
	python, path, err := pybaseline.Script("echo_server.py")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil || filepath.Base(path) != "echo_server.py" {
		t.Errorf("Script(echo_server.py) path = %q (%v), want the baseline's file", path, err)
	}
	if _, err := os.Stat(python); err != nil {
		t.Errorf("Script(echo_server.py) python = %q: %v", python, err)
	}
	for _, script := range []string{"", "../x.py", "x.sh", "no_such_baseline.py"} {
		if _, _, err := pybaseline.Script(script); err == nil || !strings.Contains(err.Error(), "pybaseline: Script: script") {
			t.Errorf("Script(%q): err = %v, want one naming the script", script, err)
		}
	}
}

func TestMissingScriptAndBadJSON(t *testing.T) {
	needPython(t)
	root := t.TempDir()
	dir := filepath.Join(root, "baselines", "python")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "chatty.py"), []byte("print('hello, not json')\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LABKIT_ROOT", root)
	var out map[string]any
	if err := pybaseline.Run(context.Background(), "absent.py", &out); err == nil || !strings.Contains(err.Error(), "absent.py") {
		t.Errorf("missing script: err = %v", err)
	}
	if err := pybaseline.Run(context.Background(), "chatty.py", &out); err == nil || !strings.Contains(err.Error(), "not json") {
		t.Errorf("non-JSON output: err = %v, want it quoted", err)
	}
	t.Setenv("LABKIT_ROOT", filepath.Join(root, "nowhere"))
	if _, err := pybaseline.Dir(); err == nil || !strings.Contains(err.Error(), "LABKIT_ROOT") {
		t.Errorf("bad LABKIT_ROOT: err = %v", err)
	}
}

func TestNoPython(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	var out map[string]any
	err := pybaseline.Run(context.Background(), "asyncio_sleeps.py", &out)
	if !errors.Is(err, pybaseline.ErrNoPython) {
		t.Fatalf("err = %v, want ErrNoPython", err)
	}
}

// A baseline that starts processes of its own (multiprocessing does) must not leave them
// behind when the run is cancelled: the whole process group goes.
func TestCancelKillsTheScriptsChildren(t *testing.T) {
	needPython(t)
	root := t.TempDir()
	dir := filepath.Join(root, "baselines", "python")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	pidFile := filepath.Join(root, "child.pid")
	script := `import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
open(sys.argv[1], "w").write(str(child.pid))
time.sleep(60)
`
	if err := os.WriteFile(filepath.Join(dir, "spawner.py"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LABKIT_ROOT", root)

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		var out struct{}
		errc <- pybaseline.Run(ctx, "spawner.py", &out, pidFile)
	}()
	var childPID int
	deadline := time.Now().Add(20 * time.Second)
	for childPID == 0 && time.Now().Before(deadline) {
		if data, err := os.ReadFile(pidFile); err == nil && len(data) > 0 {
			childPID, _ = strconv.Atoi(string(data))
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if childPID == 0 {
		t.Fatal("the script never reported its child's pid")
	}
	for end := time.Now().Add(5 * time.Second); proc.Alive(childPID); {
		if time.Now().After(end) {
			if p, err := os.FindProcess(childPID); err == nil {
				p.Kill() // os, not syscall.Kill: the test builds on windows too
			}
			t.Fatalf("the script's child %d outlived the cancelled run", childPID)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
