package check

import (
	"fmt"
	"strings"
	"testing"
)

// Counter is what notebook 02's exercise builds: a counter that many goroutines may
// increment at once without losing an update.
type Counter interface {
	Inc()
	Value() int
}

// SafeCounter checks notebook 02's exercise: counters made by newCounter must count every
// Inc and be free of data races when goroutines call Inc and Value at once. The
// concurrent trial runs the counter's own code in a separate program under the race
// detector, switching goroutines at every statement (see sandbox.go), so a lost update
// or an unguarded access is found on every run, whatever the machine.
func SafeCounter(t *testing.T, newCounter func() Counter) {
	t.Helper()
	if err := checkSafeCounter(t, newCounter); err != nil {
		t.Fatal(err)
	}
}

type safeCounterFunc = func() Counter

// counterHarness is the trial's main: goroutines increment, reading Value as they go.
const counterHarness = `func main() {
	c := newValue().(interface {
		Inc()
		Value() int
	})
	const goroutines, perG = 4, 200
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range perG {
				c.Inc()
				_ = c.Value() // a reader while the others increment
			}
		})
	}
	wg.Wait()
	fmt.Println("counted", c.Value(), "of", goroutines*perG)
}
`

func checkSafeCounter(_ *testing.T, newCounter safeCounterFunc) error {
	c, err := construct("newCounter", newCounter)
	if err != nil {
		return err
	}
	// One goroutine first: a miscount here is not about concurrency.
	for range 100 {
		c.Inc()
	}
	if got := c.Value(); got != 100 {
		return fmt.Errorf("one goroutine called Inc() 100 times and Value() = %d, want 100", got)
	}
	_, out, err := raceTrial(c, "your counter", counterHarness)
	if err != nil {
		return err
	}
	var got, want int
	_, line, _ := strings.Cut(out, "counted ")
	if _, err := fmt.Sscanf(line, "%d of %d", &got, &want); err != nil {
		return fmt.Errorf("the counter's trial printed %q", out)
	}
	if got != want {
		return fmt.Errorf("4 goroutines × 200 Inc() counted %d, want %d (%d updates lost): another goroutine ran between "+
			"the read and the write. They must happen as one step: hold a sync.Mutex from the read to the write "+
			"(Lock; n++; Unlock, not two locked halves), or use an atomic.Int64", got, want, want-got)
	}
	return nil
}
