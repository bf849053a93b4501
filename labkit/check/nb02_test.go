package check

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// The stub notebook 02 ships (exercise "safe_counter"): read, yield, write. The yield stands
// for work between the read and the write.
type racyCounter struct{ n int }

func (c *racyCounter) Inc() {
	v := c.n
	runtime.Gosched()
	c.n = v + 1
}

func (c *racyCounter) Value() int { return c.n }

// The reference solution (notebooks/solutions/02_race_conditions/safe_counter.gocell).
type mutexCounter struct {
	mu sync.Mutex
	n  int
}

func (c *mutexCounter) Inc() {
	c.mu.Lock()
	defer c.mu.Unlock()
	v := c.n
	runtime.Gosched()
	c.n = v + 1
}

func (c *mutexCounter) Value() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// Another right answer: an atomic.
type atomicCounter struct{ n atomic.Int64 }

func (c *atomicCounter) Inc()       { c.n.Add(1) }
func (c *atomicCounter) Value() int { return int(c.n.Load()) }

// Wrong: the stub without its yield, a bare n++ (one instruction on amd64: at GOMAXPROCS=1
// it loses no update, so only the race detector can tell).
type bareCounter struct{ n int }

func (c *bareCounter) Inc()       { c.n++ }
func (c *bareCounter) Value() int { return c.n }

// Wrong: every access locked, but the lock is released between the read and the write.
type splitLockCounter struct {
	mu sync.Mutex
	n  int
}

func (c *splitLockCounter) Inc() {
	c.mu.Lock()
	v := c.n
	c.mu.Unlock()
	c.mu.Lock()
	c.n = v + 1
	c.mu.Unlock()
}

func (c *splitLockCounter) Value() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// Wrong: Inc locked, Value not ("a read of an int is atomic anyway").
type unlockedReadCounter struct {
	mu sync.Mutex
	n  int
}

func (c *unlockedReadCounter) Inc() {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
}

func (c *unlockedReadCounter) Value() int { return c.n }

// Wrong, with no concurrency involved: adds 2.
type doubleCounter struct{ n atomic.Int64 }

func (c *doubleCounter) Inc()       { c.n.Add(2) }
func (c *doubleCounter) Value() int { return int(c.n.Load()) }

func TestSafeCounterVerdicts(t *testing.T) {
	runVerdicts(t, checkSafeCounter, []verdictCase[safeCounterFunc]{
		{"stub (read, yield, write)", func() Counter { return &racyCounter{} }, "data race", false},
		{"solution", func() Counter { return &mutexCounter{} }, "", false},
		{"atomic", func() Counter { return &atomicCounter{} }, "", false},
		{"bare n++", func() Counter { return &bareCounter{} }, "data race", false},
		{"lock released between read and write", func() Counter { return &splitLockCounter{} }, "updates lost", false},
		{"Value unlocked", func() Counter { return &unlockedReadCounter{} }, "data race", false},
		{"adds 2", func() Counter { return &doubleCounter{} }, "want 100", false},
		{"nil", nil, "nil", false},
		{"returns nil", func() Counter { return nil }, "returned nil", false},
	})
}
