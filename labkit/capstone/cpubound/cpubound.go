// Package cpubound runs one CPU-bound batch every way notebook 06 compares: sequentially,
// with goroutines, in a pool of worker processes, and in Python with threads and with
// processes.
//
// Every way does the same work, units of about 1 ms of [workload]'s CPU loop (the
// iteration count calibrated once, here, and sent to the workers, which run it with
// [workload.SpinIters]), so their wall times can be divided into speedups. The Python
// baseline (baselines/python/cpu_bound.py) runs the same spin arithmetic calibrated to 1 ms
// of Python time per unit, which keeps Python's speedups comparable with Go's although
// Python does far fewer iterations per unit. [Comparison] runs every way for a range of
// worker counts; its [Speedups] draw as a chart. Programs that use Comparison must call
// [procpool.ServeIfWorker] at start.
package cpubound

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/capstone/procpool"
	"github.com/go-concurrency-lab/lab/labkit/measure/pybaseline"
	"github.com/go-concurrency-lab/lab/labkit/measure/speedup"
	"github.com/go-concurrency-lab/lab/labkit/workload"
)

// Batch is Tasks independent tasks of Units CPU units (about 1 ms each) apiece.
type Batch struct {
	Tasks int
	Units int
}

func (b Batch) validate(where string) error {
	if b.Tasks < 1 {
		return fmt.Errorf("cpubound: %s: Batch.Tasks = %d, want >= 1", where, b.Tasks)
	}
	if b.Units < 0 {
		return fmt.Errorf("cpubound: %s: Batch.Units = %d, want >= 0", where, b.Units)
	}
	return nil
}

// work is one task as it travels to a worker: the iteration count is fixed by the caller,
// so every process does exactly the same work whatever its own calibration says.
type work struct {
	Units        int   `json:"units"`
	ItersPerUnit int64 `json:"iters_per_unit"`
}

var spinTask = procpool.Register("cpubound.spin", func(w work) (uint64, error) {
	return spin(context.Background(), w)
})

func newWork(units int) work { return work{Units: units, ItersPerUnit: workload.Calibrate()} }

// spin does w's work with [workload.SpinIters]: the same iterations and seed as
// [workload.Spin](w.Units), so the same checksum wherever it runs.
func spin(ctx context.Context, w work) (uint64, error) {
	if w.Units < 0 || w.ItersPerUnit < 1 {
		return 0, fmt.Errorf("cpubound: units = %d, iterations per unit = %d; want >= 0 and >= 1", w.Units, w.ItersPerUnit)
	}
	return workload.SpinIters(ctx, int64(w.Units)*w.ItersPerUnit, uint64(w.Units+1))
}

// sequential runs the batch on the calling goroutine and returns its wall time.
func sequential(ctx context.Context, b Batch) (time.Duration, error) {
	if err := b.validate("Sequential"); err != nil {
		return 0, err
	}
	w := newWork(b.Units) // calibrates (once per process) before the clock starts
	start := time.Now()
	for range b.Tasks {
		if _, err := spin(ctx, w); err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

// runGoroutines runs the batch with at most workers goroutines at once ([speedup.Pool])
// and returns its wall time. How many run in parallel is up to GOMAXPROCS.
func runGoroutines(ctx context.Context, b Batch, workers int) (time.Duration, error) {
	if err := b.validate("Goroutines"); err != nil {
		return 0, err
	}
	w := newWork(b.Units)
	return speedup.Pool(ctx, workers, speedup.Batch{Tasks: b.Tasks, Task: func(ctx context.Context, i int) error {
		_, err := spin(ctx, w)
		return err
	}})
}

// processes runs the batch on pool's workers, one task per worker at a time, and returns
// the wall time. Each worker does exactly the iterations this process calibrated. The
// pool is already running, so process start-up is not included.
func processes(ctx context.Context, pool *procpool.Pool, b Batch) (time.Duration, error) {
	if err := b.validate("Processes"); err != nil {
		return 0, err
	}
	if pool == nil {
		return 0, errors.New("cpubound: Processes: pool is nil")
	}
	tasks := make([]work, b.Tasks)
	for i := range tasks {
		tasks[i] = newWork(b.Units)
	}
	start := time.Now()
	_, err := spinTask.Map(ctx, pool, tasks)
	return time.Since(start), err
}

// pythonRun is what baselines/python/cpu_bound.py measured. Times are in seconds, measured
// inside the interpreter with the pools already started; a mode that was not run is 0.
type pythonRun struct {
	Version        string  `json:"python"`
	CPUCount       int     `json:"cpu_count"`
	Tasks          int     `json:"tasks"`
	Units          int     `json:"units"`
	Workers        int     `json:"workers"`
	Repeat         int     `json:"repeat"`
	ItersPerUnit   int64   `json:"iters_per_unit"`
	SequentialS    float64 `json:"sequential_s"`
	ThreadsS       float64 `json:"threads_s"`
	ProcessesS     float64 `json:"processes_s"`
	ProcessStartS  float64 `json:"process_pool_start_s"`
	ProcessWorkers int     `json:"process_workers_seen"`
}

// ThreadsSpeedup is sequential time over threads time (0 if either is missing).
func (p pythonRun) ThreadsSpeedup() float64 { return ratio(p.SequentialS, p.ThreadsS) }

// ProcessesSpeedup is sequential time over process-pool time (0 if either is missing).
func (p pythonRun) ProcessesSpeedup() float64 { return ratio(p.SequentialS, p.ProcessesS) }

func ratio(a, b float64) float64 {
	if a <= 0 || b <= 0 {
		return 0
	}
	return a / b
}

// runPython runs the Python baseline on the same batch sequentially, with workers threads
// and with workers processes, in three rounds that take turns, keeping each one's fastest
// run (as Go's side does).
// Without python3 it returns an error wrapping [pybaseline.ErrNoPython], so callers can
// print a visible skip.
func runPython(ctx context.Context, b Batch, workers int) (pythonRun, error) {
	if err := b.validate("RunPython"); err != nil {
		return pythonRun{}, err
	}
	if b.Units < 1 {
		return pythonRun{}, fmt.Errorf("cpubound: RunPython: Batch.Units = %d, want >= 1", b.Units)
	}
	if workers < 1 {
		return pythonRun{}, fmt.Errorf("cpubound: RunPython: workers = %d, want >= 1", workers)
	}
	var res pythonRun
	err := pybaseline.Run(ctx, "cpu_bound.py", &res,
		"--tasks", strconv.Itoa(b.Tasks), "--units", strconv.Itoa(b.Units), "--workers", strconv.Itoa(workers), "--repeat", "3")
	return res, err
}
