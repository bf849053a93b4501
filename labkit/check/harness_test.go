package check

import (
	"errors"
	"testing"
	"time"
)

// On fake time a wait of grace takes exactly grace of the bubble's clock, whatever the
// machine is doing: the verdicts that depend on it are exact.
func TestOnFakeTimeWaitsAreExact(t *testing.T) {
	var waited time.Duration
	err := onFakeTime(t, "nothing", func() error {
		start := time.Now()
		never := make(chan struct{})
		if _, ok := await(never, grace); ok {
			return errors.New("received from a channel nobody sends on")
		}
		waited = time.Since(start)
		return nil
	})
	if err != nil || waited != grace {
		t.Fatalf("err = %v, waited %v of fake time, want exactly %v", err, waited, grace)
	}
}

func TestOnFakeTimeVerdicts(t *testing.T) {
	runVerdicts(t, func(t *testing.T, code func() error) error { return onFakeTime(t, "leaky code", code) },
		[]verdictCase[func() error]{
			{"correct", func() error { return nil }, "", false},
			{"correct but leaks", func() error {
				go func() { select {} }()
				return nil
			}, "goroutines started by leaky code were still blocked", true},
			// Wrong and leaking: the check's own verdict is the one reported.
			{"wrong and leaks", func() error {
				block := make(chan int)
				go func() { block <- 1 }()
				return errors.New("the check's verdict")
			}, "the check's verdict", true},
		})
}
