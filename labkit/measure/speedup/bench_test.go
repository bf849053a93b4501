package speedup

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/workload"
)

// BenchmarkCPUBoundSpeedup runs 4×GOMAXPROCS CPU-bound tasks (2 ms each) with one worker,
// with GOMAXPROCS workers and with twice that, in the same run. It reports the speedups and
// speedup/GOMAXPROCS (1.0 = perfect use of every core). More workers than cores does not help.
func BenchmarkCPUBoundSpeedup(b *testing.B) {
	procs := runtime.GOMAXPROCS(0)
	workload.Calibrate()
	batch := Batch{Tasks: 4 * procs, Task: func(ctx context.Context, i int) error {
		_, err := workload.SpinContext(ctx, 2)
		return err
	}}
	var seq, atProcs, twice time.Duration
	for range b.N {
		seq += timed(b, context.Background(), 1, batch)
		atProcs += timed(b, context.Background(), procs, batch)
		twice += timed(b, context.Background(), 2*procs, batch)
	}
	b.ReportMetric(float64(procs), "GOMAXPROCS")
	b.ReportMetric(ratio(seq, atProcs), "speedup@GOMAXPROCS")
	b.ReportMetric(ratio(seq, atProcs)/float64(procs), "speedup/GOMAXPROCS")
	b.ReportMetric(ratio(seq, twice), "speedup@2xGOMAXPROCS")
}

// BenchmarkIOBoundSpeedup runs 32 waiting tasks (5 ms each) sequentially and with a pool
// of 8 in the same run; the ideal speedup is 8 whatever the number of cores.
func BenchmarkIOBoundSpeedup(b *testing.B) {
	const workers = 8
	batch := Batch{Tasks: 32, Task: func(ctx context.Context, i int) error {
		return workload.Wait(ctx, 5*time.Millisecond)
	}}
	var seq, pool time.Duration
	for range b.N {
		seq += timed(b, context.Background(), 1, batch)
		pool += timed(b, context.Background(), workers, batch)
	}
	b.ReportMetric(ratio(seq, pool), "speedup@8workers")
	b.ReportMetric(ratio(seq, pool)/workers, "speedup/ideal")
}

func timed(b *testing.B, ctx context.Context, workers int, batch Batch) time.Duration {
	b.Helper()
	d, err := Pool(ctx, workers, batch)
	if err != nil {
		b.Fatal(err)
	}
	return d
}
