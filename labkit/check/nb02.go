package check

import (
	"fmt"
	"sync"
	"testing"
)

// Counter is what notebook 02's exercise builds: a counter that many goroutines may
// increment at once without losing an update.
type Counter interface {
	Inc()
	Value() int
}

// SafeCounter checks notebook 02's exercise: counters made by newCounter must count every
// Inc when 8 goroutines call it concurrently, in every one of several trials.
func SafeCounter(t *testing.T, newCounter func() Counter) {
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
		// Real time, not fake: this check is about goroutines really running at once, and a
		// wrong answer may block on a sync.Mutex, which fake time cannot see. 20×grace is
		// room for the work itself on a loaded machine under -race.
		if _, finished := callWithin(20*grace, func() struct{} { done.Wait(); return struct{}{} }); !finished {
			return fmt.Errorf("trial %d: the goroutines calling Inc did not finish: is Inc waiting for a lock nobody releases?", trial)
		}
		if got := c.Value(); got != want {
			return fmt.Errorf("trial %d: %d goroutines × %d Inc() counted %d, want %d (%d updates lost): "+
				"the read and the write must happen as one step: hold a sync.Mutex from the read to the write, or use an atomic.Int64", trial, goroutines, perG, got, want, want-got)
		}
	}
	return nil
}
