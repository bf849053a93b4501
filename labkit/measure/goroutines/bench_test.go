package goroutines_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/measure/goroutines"
	"github.com/go-concurrency-lab/lab/labkit/measure/pybaseline"
	"github.com/go-concurrency-lab/lab/labkit/workload"
)

const (
	waiters   = 10_000
	waitLimit = 100 * time.Millisecond
)

// asyncioWall runs the asyncio twin of BenchmarkConcurrentWaits10k once per process:
// the framework calls a benchmark several times while it picks b.N.
var asyncioWall = sync.OnceValues(func() (time.Duration, error) {
	var res struct {
		WallS float64 `json:"wall_s"`
	}
	err := pybaseline.Run(context.Background(), "asyncio_sleeps.py", &res,
		"--n", "10000", "--delay", "0.1", "--repeat", "3")
	return time.Duration(res.WallS * float64(time.Second)), err
})

// BenchmarkConcurrentWaits10k starts 10,000 goroutines that each wait 100 ms (an IO-like
// wait, no CPU) and reports the wall time against the 100 ms floor (x-limit, ideal 1),
// and, when python3 is present, against asyncio gathering 10,000 sleeps (go/py < 1 means
// Go finished sooner).
func BenchmarkConcurrentWaits10k(b *testing.B) {
	ctx := context.Background()
	var walls []time.Duration
	for b.Loop() {
		start := time.Now()
		var wg sync.WaitGroup
		for range waiters {
			wg.Go(func() { _ = workload.Wait(ctx, waitLimit) })
		}
		wg.Wait()
		walls = append(walls, time.Since(start))
	}
	slices.Sort(walls)
	goWall := walls[len(walls)/2]
	b.ReportMetric(float64(goWall)/float64(time.Millisecond), "wall-ms")
	b.ReportMetric(float64(goWall)/float64(waitLimit), "x-limit")
	pyWall, err := asyncioWall()
	switch {
	case errors.Is(err, pybaseline.ErrNoPython):
		b.Log("SKIP asyncio side: python3 not on PATH")
	case err != nil:
		b.Fatal(err)
	default:
		b.ReportMetric(float64(pyWall)/float64(time.Millisecond), "py-wall-ms")
		b.ReportMetric(float64(pyWall)/float64(waitLimit), "py-x-limit")
		b.ReportMetric(float64(goWall)/float64(pyWall), "go/py")
	}
}

// BenchmarkGoroutineMemory100k parks 100,000 goroutines and reports the memory each one
// costs (stack plus runtime descriptor), as bytes/goroutine.
func BenchmarkGoroutineMemory100k(b *testing.B) {
	var per, stack []float64
	for b.Loop() {
		c, err := goroutines.Measure(100_000)
		if err != nil {
			b.Fatal(err)
		}
		per = append(per, c.PerGoroutine())
		stack = append(stack, float64(c.StackBytes)/float64(c.Goroutines))
	}
	slices.Sort(per)
	slices.Sort(stack)
	b.ReportMetric(per[len(per)/2], "bytes/goroutine")
	b.ReportMetric(stack[len(stack)/2], "stack-bytes/goroutine")
}
