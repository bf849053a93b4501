package goroutines_test

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/measure/goroutines"
)

// settled returns the goroutine count once it has held still for a few milliseconds, so
// goroutines of earlier tests that are still exiting do not skew a baseline.
func settled() int {
	n, still := runtime.NumGoroutine(), 0
	for still < 5 {
		time.Sleep(time.Millisecond)
		if m := runtime.NumGoroutine(); m == n {
			still++
		} else {
			n, still = m, 0
		}
	}
	return n
}

func TestLeakedIsZeroWhenEverythingWasWaitedFor(t *testing.T) {
	base := settled()
	done := make(chan struct{})
	go func() { close(done) }()
	<-done // the goroutine may still be exiting; Leaked gives it time
	if n := goroutines.Leaked(base, 5*time.Second); n != 0 {
		t.Fatalf("Leaked = %d, want 0", n)
	}
}

func TestLeakedCountsBlockedGoroutines(t *testing.T) {
	base := settled()
	block := make(chan struct{})
	for range 3 {
		go func() { <-block }()
	}
	n := goroutines.Leaked(base, time.Millisecond)
	close(block)
	if n != 3 {
		t.Fatalf("Leaked = %d with 3 blocked goroutines, want 3", n)
	}
	if n := goroutines.Leaked(base, 5*time.Second); n != 0 {
		t.Fatalf("after release Leaked = %d, want 0", n)
	}
}

func TestLeakedWithNegativeGraceReadsOnce(t *testing.T) {
	base := settled()
	block := make(chan struct{})
	go func() { <-block }()
	defer close(block)
	if n := goroutines.Leaked(base, -time.Second); n != 1 {
		t.Fatalf("Leaked = %d, want 1", n)
	}
}

func TestMeasureCountsStacks(t *testing.T) {
	const n = 10_000
	c, err := goroutines.Measure(n)
	if err != nil {
		t.Fatal(err)
	}
	if c.Goroutines != n {
		t.Errorf("Goroutines = %d, want %d", c.Goroutines, n)
	}
	// Every goroutine has a stack of at least 2 KiB; allow half for stacks the runtime
	// had cached before the measurement started.
	if c.StackBytes < n*1024 {
		t.Errorf("StackBytes = %d for %d goroutines, want >= %d", c.StackBytes, n, n*1024)
	}
	if per := c.PerGoroutine(); per < 1024 || per > 64*1024 {
		t.Errorf("PerGoroutine = %.0f bytes, want between 1 KiB and 64 KiB", per)
	}
	if !strings.Contains(c.String(), "bytes per goroutine") {
		t.Errorf("String() = %q", c.String())
	}
	// goleak in TestMain proves all n goroutines exited.
}

func TestMeasureRejectsBadN(t *testing.T) {
	for _, n := range []int{0, -1, goroutines.MaxCostGoroutines + 1} {
		if _, err := goroutines.Measure(n); err == nil || !strings.Contains(err.Error(), "n =") {
			t.Errorf("Measure(%d): err = %v, want one naming n", n, err)
		}
	}
}

func TestZeroCost(t *testing.T) {
	if got := (goroutines.Cost{}).PerGoroutine(); got != 0 {
		t.Fatalf("zero Cost PerGoroutine = %v", got)
	}
}

var release = make(chan struct{})

func spawnBlocked(n int) {
	for range n {
		go func() { <-release }()
	}
}

func spawnBlockedIndirect() { go waitForRelease() }

func waitForRelease() { <-release }

func spawnAndWait() {
	done := make(chan struct{})
	go func() { close(done) }()
	<-done
}

type worker struct{}

func (worker) start() { go waitForRelease() }

func TestLeakedByCountsOnlyFnsGoroutines(t *testing.T) {
	unrelated := make(chan struct{})
	go func() { <-unrelated }() // not fn's: must not be counted
	defer close(unrelated)

	spawnBlocked(3)
	spawnBlockedIndirect()
	n, err := goroutines.LeakedBy(spawnBlocked, time.Millisecond)
	if err != nil || n != 3 {
		t.Errorf("LeakedBy(spawnBlocked) = %d, %v; want 3 (closures started by it)", n, err)
	}
	n, err = goroutines.LeakedBy(spawnBlockedIndirect, time.Millisecond)
	if err != nil || n != 1 {
		t.Errorf("LeakedBy(spawnBlockedIndirect) = %d, %v; want 1 (created by it)", n, err)
	}
	var w worker
	w.start()
	n, err = goroutines.LeakedBy(w.start, time.Millisecond)
	if err != nil || n != 1 {
		t.Errorf("LeakedBy(w.start) = %d, %v; want 1 (method value)", n, err)
	}
	close(release)
	for _, fn := range []any{spawnBlocked, spawnBlockedIndirect, w.start} {
		if n, err := goroutines.LeakedBy(fn, 5*time.Second); err != nil || n != 0 {
			t.Errorf("after release: %d, %v; want 0", n, err)
		}
	}
	spawnAndWait()
	if n, err := goroutines.LeakedBy(spawnAndWait, 5*time.Second); err != nil || n != 0 {
		t.Errorf("LeakedBy(spawnAndWait) = %d, %v; want 0", n, err)
	}
}

func TestLeakedByRejectsNonFunctions(t *testing.T) {
	var nilFn func()
	for _, fn := range []any{nil, 42, nilFn} {
		if _, err := goroutines.LeakedBy(fn, 0); err == nil || !strings.Contains(err.Error(), "fn") {
			t.Errorf("LeakedBy(%#v): err = %v, want one naming fn", fn, err)
		}
	}
}

func TestStacksListsEveryGoroutineCallerFirst(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	go func() { close(started); <-release }()
	<-started
	defer close(release)
	s := goroutines.Stacks()
	first, _, _ := strings.Cut(s, "\n\n")
	if !strings.Contains(first, "TestStacksListsEveryGoroutineCallerFirst") {
		t.Errorf("the first traceback is not the caller's:\n%s", first)
	}
	if !strings.Contains(s, "[chan receive") {
		t.Errorf("the blocked goroutine is missing:\n%s", s)
	}
}
