package pybaseline_test

import (
	"context"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/go-concurrency-lab/lab/labkit/measure/pybaseline"
)

// choosing.py is notebook 12's Python side: one batch every way Python offers, the memory of
// parked tasks and threads, and what a crash takes down.

func TestChoosingBatchRunsEveryMode(t *testing.T) {
	needPython(t)
	var got struct {
		Tasks      int     `json:"tasks"`
		IterPerMS  int     `json:"iters_per_ms"`
		Sequential float64 `json:"sequential_s"`
		Threads    float64 `json:"threads_s"`
		Processes  float64 `json:"processes_s"`
		Asyncio    float64 `json:"asyncio_s"`
	}
	err := pybaseline.Run(context.Background(), "choosing.py", &got, "batch", "--tasks", "4", "--cpu-ms", "1", "--wait-ms", "5", "--repeat", "2")
	if err != nil {
		t.Fatal(err)
	}
	if got.Tasks != 4 || got.IterPerMS < 1 {
		t.Fatalf("got %+v, want 4 tasks and a calibrated spin", got)
	}
	// Every mode waits 5 ms at least once, so no mode can report less.
	for name, s := range map[string]float64{"sequential": got.Sequential, "threads": got.Threads, "processes": got.Processes, "asyncio": got.Asyncio} {
		if s < 0.005 {
			t.Errorf("%s took %v s, less than one 5 ms wait", name, s)
		}
	}
}

func TestChoosingCrashCountsSurvivors(t *testing.T) {
	needPython(t)
	type outcome struct {
		OK     int      `json:"ok"`
		Failed int      `json:"failed"`
		Errors []string `json:"errors"`
	}
	var got struct{ Threads, Processes outcome }
	if err := pybaseline.Run(context.Background(), "choosing.py", &got, "crash", "--tasks", "4"); err != nil {
		t.Fatal(err)
	}
	// On threads only the raising task fails; a worker process dying breaks the whole pool.
	if got.Threads.OK != 3 || got.Threads.Failed != 1 {
		t.Errorf("threads: %+v, want 3 ok and 1 failed", got.Threads)
	}
	if got.Processes.OK+got.Processes.Failed != 4 || got.Processes.Failed < 1 || !slices.Contains(got.Processes.Errors, "BrokenProcessPool") {
		t.Errorf("processes: %+v, want every task accounted for and BrokenProcessPool among the failures", got.Processes)
	}
}

func TestChoosingMemoryReportsBoth(t *testing.T) {
	needPython(t)
	if runtime.GOOS != "linux" {
		t.Skip("SKIP (visible): memory reads /proc/self/statm, Linux only")
	}
	var got struct {
		Tasks      int      `json:"tasks"`
		Threads    int      `json:"threads"`
		Task       *float64 `json:"bytes_per_task"`
		Thread     *float64 `json:"bytes_per_thread"`
		Virtual    *float64 `json:"virtual_bytes_per_thread"`
		StackLimit *float64 `json:"stack_limit_bytes"`
		Libc       string   `json:"libc"`
	}
	if err := pybaseline.Run(context.Background(), "choosing.py", &got, "memory", "--tasks", "1000", "--threads", "20"); err != nil {
		t.Fatal(err)
	}
	if got.Tasks != 1000 || got.Threads != 20 || got.Task == nil || got.Thread == nil || got.Virtual == nil {
		t.Fatalf("got %+v, want 1000 tasks, 20 threads and bytes for each", got)
	}
	// A thread reserves its whole stack and touches a little of it: notebook 12 says so.
	if *got.Virtual <= *got.Thread {
		t.Errorf("virtual bytes per thread %.0f <= resident %.0f: a thread's stack reservation is missing", *got.Virtual, *got.Thread)
	}
	// glibc sizes a new thread's stack by the stack limit (musl, for one, does not).
	if got.Libc == "glibc" && got.StackLimit != nil && *got.Virtual < *got.StackLimit {
		t.Errorf("virtual bytes per thread %.0f < the stack limit %.0f that glibc reserves for each", *got.Virtual, *got.StackLimit)
	}
}

func TestChoosingRejectsBadArguments(t *testing.T) {
	needPython(t)
	for _, args := range [][]string{
		{"batch", "--tasks", "0"},
		{"batch", "--modes", "sequential,greenlets"},
		{"memory", "--threads", "0"},
		{"fork-bomb"},
	} {
		var out map[string]any
		err := pybaseline.Run(context.Background(), "choosing.py", &out, args...)
		if err == nil || !strings.Contains(err.Error(), "usage") && !strings.Contains(err.Error(), "error") {
			t.Errorf("%v: want a usage error, got %v", args, err)
		}
	}
}
