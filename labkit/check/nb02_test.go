package check

import (
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// The stub notebook 02 ships (exercise "safe_counter"): read, yield, write. The yield stands
// for work between the read and the write and makes updates get lost on any machine, even
// one core, where a bare n++ (a single instruction on amd64) may well survive a test.
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

// A wrong answer that cannot lose updates but miscounts: it must fail too.
type doubleCounter struct{ n atomic.Int64 }

func (c *doubleCounter) Inc()       { c.n.Add(2) }
func (c *doubleCounter) Value() int { return int(c.n.Load()) }

func init() {
	childStubs["nb02-racy"] = func(t *testing.T) error { return checkSafeCounter(func() Counter { return &racyCounter{} }) }
}

func TestSafeCounterFailsOnStub(t *testing.T) {
	t.Parallel()
	errText, passed := verdictInChild(t, "nb02-racy")
	t.Logf("verdict on the stub: %s", errText)
	if passed || !strings.Contains(errText, "updates lost") {
		t.Fatalf("want the racy stub to fail with lost updates, got passed=%v %q", passed, errText)
	}
}

func TestSafeCounterPassesOnSolutions(t *testing.T) {
	t.Parallel()
	if err := checkSafeCounter(func() Counter { return &mutexCounter{} }); err != nil {
		t.Fatalf("mutex solution: %v", err)
	}
	if err := checkSafeCounter(func() Counter { return &atomicCounter{} }); err != nil {
		t.Fatalf("atomic solution: %v", err)
	}
}

func TestSafeCounterRejectsMiscountAndNil(t *testing.T) {
	t.Parallel()
	if err := checkSafeCounter(func() Counter { return &doubleCounter{} }); err == nil {
		t.Fatal("a counter that adds 2 passed")
	}
	if err := checkSafeCounter(nil); err == nil || !strings.Contains(err.Error(), "nil") {
		t.Fatalf("nil: %v", err)
	}
	if err := checkSafeCounter(func() Counter { return nil }); err == nil || !strings.Contains(err.Error(), "nil") {
		t.Fatalf("nil counter: %v", err)
	}
}
