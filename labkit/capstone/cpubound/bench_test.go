package cpubound

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/measure/pybaseline"
)

// BenchmarkCPUBoundSpeedup runs 4×NumCPU tasks of 10 ms each sequentially, with
// goroutines (GOMAXPROCS = NumCPU, then 1: Go's nearest thing to a GIL) and in a pool of
// NumCPU worker processes, then the same batch in Python with threads and processes.
// speedup/cpus is the fraction of the ideal (1.0 = every core fully used).
func BenchmarkCPUBoundSpeedup(b *testing.B) {
	ctx := context.Background()
	cpus := runtime.NumCPU()
	batch := Batch{Tasks: 4 * cpus, Units: 10}
	pool := newPool(b, cpus)
	var seq, gor, gil, procs time.Duration
	add := func(sum *time.Duration, d time.Duration, err error) {
		if err != nil {
			b.Fatal(err)
		}
		*sum += d
	}
	for b.Loop() {
		d, err := sequential(ctx, batch)
		add(&seq, d, err)
		d, err = runGoroutines(ctx, batch, cpus)
		add(&gor, d, err)
		old := runtime.GOMAXPROCS(1)
		d, err = runGoroutines(ctx, batch, cpus)
		runtime.GOMAXPROCS(old)
		add(&gil, d, err)
		d, err = processes(ctx, pool, batch)
		add(&procs, d, err)
	}
	n := float64(cpus)
	b.ReportMetric(n, "cpus")
	b.ReportMetric(float64(seq)/float64(gor), "goroutines-speedup")
	b.ReportMetric(float64(seq)/float64(gor)/n, "goroutines-speedup/cpus")
	b.ReportMetric(float64(seq)/float64(gil), "gomaxprocs1-speedup")
	b.ReportMetric(float64(seq)/float64(procs), "processes-speedup")
	b.ReportMetric(float64(seq)/float64(procs)/n, "processes-speedup/cpus")

	py, err := runPython(ctx, batch, cpus)
	switch {
	case errors.Is(err, pybaseline.ErrNoPython):
		b.Logf("SKIP Python baseline: %v", err)
	case err != nil:
		b.Fatal(err)
	default:
		b.ReportMetric(py.ThreadsSpeedup(), "py-threads-speedup")
		b.ReportMetric(py.ProcessesSpeedup(), "py-processes-speedup")
		b.ReportMetric(py.ProcessesSpeedup()/n, "py-processes-speedup/cpus")
	}
}

// BenchmarkPoolOverhead measures one empty task's round trip through the process pool
// (encode, pipe, decode, run, and back) per op, and, in the same run, the same round trip
// through a goroutine and a channel, and the per-task cost when a Map keeps every worker
// busy.
func BenchmarkPoolOverhead(b *testing.B) {
	ctx := context.Background()
	cpus := runtime.NumCPU()
	pool := newPool(b, cpus)
	for b.Loop() {
		if _, err := noop.Call(ctx, pool, 1); err != nil {
			b.Fatal(err)
		}
	}
	perCall := float64(b.Elapsed()) / float64(b.N)

	const goroutineRounds = 10_000
	start := time.Now()
	for i := range goroutineRounds {
		done := make(chan int)
		go func() { done <- i }()
		<-done
	}
	perGoroutine := float64(time.Since(start)) / goroutineRounds

	const mapped = 2000
	start = time.Now()
	if _, err := noop.Map(ctx, pool, make([]int, mapped)); err != nil {
		b.Fatal(err)
	}
	perMapped := float64(time.Since(start)) / mapped

	b.ReportMetric(perCall/1e3, "µs/call")
	b.ReportMetric(perGoroutine/1e3, "µs/goroutine-roundtrip")
	b.ReportMetric(perCall/perGoroutine, "call/goroutine")
	b.ReportMetric(perMapped/1e3, "µs/task-in-Map")
}
