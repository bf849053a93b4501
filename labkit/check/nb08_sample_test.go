package check

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
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

func TestSampleVerdicts(t *testing.T) {
	cases := []struct {
		name    string
		fn      SampleFunc
		wantErr string
	}{
		{"stub (shows every quote at once)", sampleEveryQuote, "before the first tick"},
		{"solution", sampleOnTicks, ""},
		{"receives only on a tick", sampleReadsOnTick, "the feed waited"},
		{"shows on every tick", sampleRepeats, "no quote came"},
		{"time.After in the loop", sampleTimeAfter, "time.After inside the loop"},
		{"ignores ctx", sampleIgnoresCtx, "did not return after ctx was cancelled"},
		{"break in select", sampleBreaks, "`break` inside select"},
		{"returns nil when cancelled", sampleReturnsNil, "want ctx.Err()"},
		{"nil", nil, "nil"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { verdict(t, sampleVerdict(t, c.fn), c.wantErr) })
	}
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

// The leaked goroutine stays blocked in its dead bubble until the process ends, which
// goleak rightly reports; so this verdict is taken in a child process that exits at once.
const sampleLeakChildEnv = "LABKIT_CHECK_SAMPLE_LEAK_CHILD"

func TestSampleLeakVerdict(t *testing.T) {
	if os.Getenv(sampleLeakChildEnv) != "" {
		fmt.Printf("VERDICT %v\n", sampleVerdict(t, sampleLeaksForwarder))
		os.Exit(0)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestSampleLeakVerdict$", "-test.count=1")
	cmd.Env = append(os.Environ(), sampleLeakChildEnv+"=1")
	out, _ := cmd.Output()
	if !strings.Contains(string(out), "VERDICT Sample returned, but a goroutine it started is still blocked") {
		t.Fatalf("want the leak reported, child printed:\n%s", out)
	}
}
