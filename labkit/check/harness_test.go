package check

import (
	"errors"
	"strings"
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

func init() {
	// Correct otherwise, but leaves a goroutine blocked for ever.
	childStubs["harness-leak"] = func(t *testing.T) error {
		return onFakeTime(t, "leaky code", func() error {
			go func() { select {} }()
			return nil
		})
	}
	// Wrong and leaking: the check's own verdict is the one reported.
	childStubs["harness-wrong-and-leak"] = func(t *testing.T) error {
		return onFakeTime(t, "leaky code", func() error {
			block := make(chan int)
			go func() { block <- 1 }()
			return errors.New("the check's verdict")
		})
	}
}

func TestOnFakeTimeReportsLeakedGoroutines(t *testing.T) {
	errText, passed := verdictInChild(t, "harness-leak")
	if passed || !strings.Contains(errText, "goroutines started by leaky code were still blocked") {
		t.Fatalf("want the leak reported, got passed=%v %q", passed, errText)
	}
	errText, passed = verdictInChild(t, "harness-wrong-and-leak")
	if passed || errText != "the check's verdict" {
		t.Fatalf("want the check's own verdict, got passed=%v %q", passed, errText)
	}
}
