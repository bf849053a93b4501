package goroutines_test

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/goroutines"
)

func TestLeakedIsZeroWhenEverythingWasWaitedFor(t *testing.T) {
	base := runtime.NumGoroutine()
	done := make(chan struct{})
	go func() { close(done) }()
	<-done // the goroutine may still be exiting; Leaked gives it time
	if n := goroutines.Leaked(base, 5*time.Second); n != 0 {
		t.Fatalf("Leaked = %d, want 0", n)
	}
}

func TestLeakedCountsBlockedGoroutines(t *testing.T) {
	base := runtime.NumGoroutine()
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
	base := runtime.NumGoroutine()
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
