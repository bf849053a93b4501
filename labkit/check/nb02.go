package check

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// Counter is what notebook 02's exercise builds: a counter that many goroutines may
// increment at once without losing an update.
type Counter interface {
	Inc()
	Value() int
}

// SafeCounter checks notebook 02's exercise: counters made by newCounter must count every
// Inc when 8 goroutines call it concurrently, in every one of several trials.
func SafeCounter(t testing.TB, newCounter func() Counter) {
	t.Helper()
	if err := checkSafeCounter(newCounter); err != nil {
		t.Fatal(err)
	}
}

func checkSafeCounter(newCounter func() Counter) error {
	if newCounter == nil {
		return fmt.Errorf("newCounter is nil")
	}
	const (
		goroutines = 8
		perG       = 20_000
		trials     = 3
		want       = goroutines * perG
	)
	for trial := 1; trial <= trials; trial++ {
		c := newCounter()
		if c == nil {
			return fmt.Errorf("newCounter returned nil")
		}
		var start, done sync.WaitGroup
		start.Add(1)
		for range goroutines {
			done.Add(1)
			go func() {
				defer done.Done()
				start.Wait()
				for range perG {
					c.Inc()
				}
			}()
		}
		start.Done()
		if !waitGroupWithin(&done, 60*time.Second) {
			return fmt.Errorf("trial %d: the goroutines calling Inc did not finish: is Inc waiting for a lock nobody releases?", trial)
		}
		if got := c.Value(); got != want {
			return fmt.Errorf("trial %d: %d goroutines × %d Inc() counted %d, want %d (%d updates lost): "+
				"the read and the write must happen as one step: hold a sync.Mutex from the read to the write, or use an atomic.Int64", trial, goroutines, perG, got, want, want-got)
		}
	}
	return nil
}

// waitGroupWithin waits for wg and reports whether it finished within d. If not, the waiting
// goroutine stays behind until wg finishes (or the process ends): the check has its verdict.
func waitGroupWithin(wg *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-done:
		return true
	case <-timer.C:
		return false
	}
}
