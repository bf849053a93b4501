package check

import (
	"strings"
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

func init() {
	childStubs["nb04-waits"] = func(t *testing.T) error { return checkMerge(t, mergeWaitsBeforeReturning) }
	childStubs["nb04-first-only"] = func(t *testing.T) error { return checkMerge(t, mergeFirstOnly) }
}

func TestMergeFailsOnStub(t *testing.T) {
	t.Parallel()
	err := checkMerge(t, mergeNeverCloses)
	t.Logf("verdict on the stub: %v", err)
	if err == nil || !strings.Contains(err.Error(), "never closed") {
		t.Fatalf("want the stub to fail for never closing, got %v", err)
	}
}

func TestMergePassesOnSolution(t *testing.T) {
	t.Parallel()
	if err := checkMerge(t, mergeClosesAfterWait); err != nil {
		t.Fatal(err)
	}
}

func TestMergeRejectsOtherMistakes(t *testing.T) {
	t.Parallel()
	if errText, passed := verdictInChild(t, "nb04-waits"); passed || !strings.Contains(errText, "did not return") {
		t.Errorf("waiting merge: passed=%v %q", passed, errText)
	}
	if errText, passed := verdictInChild(t, "nb04-first-only"); passed || !strings.Contains(errText, "values") {
		t.Errorf("first-only merge: passed=%v %q", passed, errText)
	}
	if err := checkMerge(t, nil); err == nil {
		t.Error("nil passed")
	}
}
