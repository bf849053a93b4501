package check

import (
	"context"
	"testing"
	"time"
)

// The stub notebook 08 ships (exercise "sample"): every quote shown the moment it comes.
func sampleEveryQuote(ctx context.Context, feed <-chan int, every time.Duration, show func(int)) error {
	for q := range feed {
		show(q)
	}
	return nil
}

// The reference solution (notebooks/solutions/08_backpressure/sample.gocell).
func sampleOnTicks(ctx context.Context, feed <-chan int, every time.Duration, show func(int)) error {
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	latest, fresh := 0, false
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case q := <-feed:
			latest, fresh = q, true
		case <-ticker.C:
			if fresh {
				show(latest)
				fresh = false
			}
		}
	}
}

// Wrong: takes a quote only when the ticker ticks, so the feed waits.
func sampleReadsOnTick(ctx context.Context, feed <-chan int, every time.Duration, show func(int)) error {
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticker.C:
			show(<-feed)
		}
	}
}

// Wrong: shows the latest quote on every tick, new or not.
func sampleRepeats(ctx context.Context, feed <-chan int, every time.Duration, show func(int)) error {
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	latest := 0
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case latest = <-feed:
		case <-ticker.C:
			show(latest)
		}
	}
}

// Wrong: a fresh time.After each time round the loop, so every quote restarts the wait.
func sampleTimeAfter(ctx context.Context, feed <-chan int, every time.Duration, show func(int)) error {
	latest, fresh := 0, false
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case q := <-feed:
			latest, fresh = q, true
		case <-time.After(every):
			if fresh {
				show(latest)
				fresh = false
			}
		}
	}
}

// Wrong: forgets ctx.
func sampleIgnoresCtx(ctx context.Context, feed <-chan int, every time.Duration, show func(int)) error {
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	latest, fresh := 0, false
	for {
		select {
		case q := <-feed:
			latest, fresh = q, true
		case <-ticker.C:
			if fresh {
				show(latest)
				fresh = false
			}
		}
	}
}

// Wrong: `break` leaves the select, not the loop, which then spins on the closed Done.
func sampleBreaks(ctx context.Context, feed <-chan int, every time.Duration, show func(int)) error {
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	latest, fresh := 0, false
	for {
		select {
		case <-ctx.Done():
			break
		case q := <-feed:
			latest, fresh = q, true
		case <-ticker.C:
			if fresh {
				show(latest)
				fresh = false
			}
		}
	}
}

// Wrong: returns nil when cancelled.
func sampleReturnsNil(ctx context.Context, feed <-chan int, every time.Duration, show func(int)) error {
	if err := sampleOnTicks(ctx, feed, every, show); err != context.Canceled {
		return err
	}
	return nil
}

// Wrong: forwards the feed through a goroutine that nobody stops, so it outlives Sample.
func sampleLeaksForwarder(ctx context.Context, feed <-chan int, every time.Duration, show func(int)) error {
	quotes := make(chan int)
	go func() {
		for q := range feed {
			quotes <- q
		}
	}()
	return sampleOnTicks(ctx, quotes, every, show)
}

func TestSampleVerdicts(t *testing.T) {
	runVerdicts(t, checkSample, []verdictCase[sampleFunc]{
		{"stub (shows every quote at once)", sampleEveryQuote, "before the first tick", false},
		{"solution", sampleOnTicks, "", false},
		{"receives only on a tick", sampleReadsOnTick, "the feed waited", false},
		{"shows on every tick", sampleRepeats, "no quote came", false},
		{"time.After in the loop", sampleTimeAfter, "time.After inside the loop", false},
		{"ignores ctx", sampleIgnoresCtx, "did not return after ctx was cancelled", false},
		{"break in select", sampleBreaks, "`break` inside select", false},
		{"returns nil when cancelled", sampleReturnsNil, "want ctx.Err()", false},
		// The leaked goroutine stays blocked in its dead bubble until the process ends.
		{"forwarder left running", sampleLeaksForwarder, "goroutines started by Sample were still blocked", true},
		{"nil", nil, "nil", false},
	})
}
