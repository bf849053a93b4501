package check

import (
	"sync"
	"testing"
)

// The stub notebook 04 ships (exercise "merge"): forwards everything, never closes out.
func mergeNeverCloses(inputs ...<-chan int) <-chan int {
	out := make(chan int)
	var wg sync.WaitGroup
	for _, in := range inputs {
		wg.Go(func() {
			for v := range in {
				out <- v
			}
		})
	}
	// TODO: close out once every input is drained, without blocking the caller.
	return out
}

// The reference solution (notebooks/solutions/04_channels/merge.gocell).
func mergeClosesAfterWait(inputs ...<-chan int) <-chan int {
	out := make(chan int)
	var wg sync.WaitGroup
	for _, in := range inputs {
		wg.Go(func() {
			for v := range in {
				out <- v
			}
		})
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out
}

// Waits before returning: the unbuffered out has no reader yet, so this blocks forever
// (for non-empty inputs). Judged in a child because its goroutines stay stuck.
func mergeWaitsBeforeReturning(inputs ...<-chan int) <-chan int {
	out := make(chan int)
	var wg sync.WaitGroup
	for _, in := range inputs {
		wg.Go(func() {
			for v := range in {
				out <- v
			}
		})
	}
	wg.Wait()
	close(out)
	return out
}

// Reads only the first input: loses values (and leaves the other producers blocked, so
// it is judged in a child too).
func mergeFirstOnly(inputs ...<-chan int) <-chan int {
	if len(inputs) == 0 {
		out := make(chan int)
		close(out)
		return out
	}
	return inputs[0]
}

// Wrong: drains the inputs one after another, in a single goroutine.
func mergeSequential(inputs ...<-chan int) <-chan int {
	out := make(chan int)
	go func() {
		defer close(out)
		for _, in := range inputs {
			for v := range in {
				out <- v
			}
		}
	}()
	return out
}

func TestMergeVerdicts(t *testing.T) {
	runVerdicts(t, checkMerge, []verdictCase[mergeFunc]{
		{"stub (never closes)", mergeNeverCloses, "never closed", false},
		{"solution", mergeClosesAfterWait, "", false},
		{"waits before returning", mergeWaitsBeforeReturning, "did not return", true},
		{"first input only", mergeFirstOnly, "values", true},
		{"drains the inputs in turn", mergeSequential, "while the first input stayed open", true},
		{"nil", nil, "nil", false},
	})
}
