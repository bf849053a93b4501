package check

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// startGrace is how long a task waits for its siblings to start before concluding they
// are not running concurrently. Goroutines start in microseconds; seconds of grace means
// a verdict of "not concurrent" is about the code, not a slow machine.
const startGrace = 2 * time.Second

// RunAll checks notebook 01's exercise: runAll must run every task in its own goroutine at
// the same time, wait for all of them, and return their results in input order.
func RunAll(t testing.TB, runAll func(tasks []func() int) []int) {
	t.Helper()
	if err := checkRunAll(runAll); err != nil {
		t.Fatal(err)
	}
}

func checkRunAll(runAll func(tasks []func() int) []int) error {
	if runAll == nil {
		return fmt.Errorf("RunAll is nil")
	}
	const n = 8
	var started atomic.Int32
	allStarted := make(chan struct{})
	var closeOnce sync.Once
	release := func() { closeOnce.Do(func() { close(allStarted) }) }
	var notConcurrent atomic.Bool

	tasks := make([]func() int, n)
	for i := range tasks {
		tasks[i] = func() int {
			if started.Add(1) == n {
				release()
			}
			// Every task waits until all have started: only possible if they run at once.
			select {
			case <-allStarted:
			case <-time.After(startGrace):
				notConcurrent.Store(true)
				release() // let the others finish quickly; the verdict is already known
			}
			return i * i
		}
	}

	done := make(chan []int, 1)
	go func() { done <- runAll(tasks) }()
	var got []int
	select {
	case got = <-done:
	case <-time.After(n*startGrace + 5*time.Second):
		return fmt.Errorf("RunAll did not return: is something waiting forever (a WaitGroup Add/Done mismatch)?")
	}

	if s := started.Load(); s != n {
		return fmt.Errorf("RunAll returned after only %d of %d tasks started: wait for all of them (sync.WaitGroup)", s, n)
	}
	if notConcurrent.Load() {
		return fmt.Errorf("the tasks did not run at the same time: start each one with `go` before waiting for any")
	}
	if len(got) != n {
		return fmt.Errorf("RunAll returned %d results for %d tasks", len(got), n)
	}
	for i, v := range got {
		if v != i*i {
			return fmt.Errorf("result %d is %d, want %d: keep results in input order (write result i into slot i)", i, v, i*i)
		}
	}
	return nil
}
