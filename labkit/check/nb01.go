package check

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// RunAll checks notebook 01's exercise: runAll must run every task in its own goroutine at
// the same time, wait for all of them, and return their results in input order.
func RunAll(t *testing.T, runAll func(tasks []func() int) []int) {
	t.Helper()
	if err := checkRunAll(t, runAll); err != nil {
		t.Fatal(err)
	}
}

type runAllFunc = func(tasks []func() int) []int

func checkRunAll(t *testing.T, runAll runAllFunc) error {
	if runAll == nil {
		return fmt.Errorf("RunAll is nil")
	}
	return onFakeTime(t, "RunAll", func() error { return runAllOnce(runAll) })
}

// taskHold is how long (fake) a task takes once all have started, so that returning
// before the tasks have finished shows the same way on every run.
const taskHold = time.Millisecond

func runAllOnce(runAll runAllFunc) error {
	const n = 8
	var started atomic.Int32
	allStarted := make(chan struct{})
	var closeOnce sync.Once
	release := func() { closeOnce.Do(func() { close(allStarted) }) }
	var notConcurrent atomic.Bool
	var finished atomic.Int32

	tasks := make([]func() int, n)
	for i := range tasks {
		tasks[i] = func() int {
			defer finished.Add(1)
			if started.Add(1) == n {
				release()
			}
			// Every task waits until all have started: only possible if they run at once.
			if _, ok := await(allStarted, grace); !ok {
				notConcurrent.Store(true)
				release() // let the others finish; the verdict is already known
			}
			time.Sleep(taskHold)
			return i * i
		}
	}

	type atReturn struct {
		results  []int
		finished int32
	}
	call, returned := callWithin((n+1)*grace, func() atReturn {
		got := runAll(tasks)
		return atReturn{slices.Clone(got), finished.Load()}
	})
	if !returned {
		return fmt.Errorf("RunAll did not return: is something waiting forever (a WaitGroup Add/Done mismatch)?")
	}
	got := call.results
	if f := call.finished; f != n {
		return fmt.Errorf("RunAll returned when only %d of %d tasks had finished: wait for all of them (sync.WaitGroup)", f, n)
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
