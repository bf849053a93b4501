package cpubound

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/capstone/procpool"
	"github.com/go-concurrency-lab/lab/labkit/chart"
	"github.com/go-concurrency-lab/lab/labkit/measure/pybaseline"
)

// Comparison is notebook 06's CPU-bound experiment: one batch run sequentially and, for
// each worker count, with goroutines (at GOMAXPROCS and at GOMAXPROCS=1), in a pool of
// worker processes, and in Python with threads and with processes.
type Comparison struct {
	Batch   Batch
	Workers []int // worker counts k, e.g. [WorkerCounts](runtime.NumCPU())
	Rounds  int   // rounds of every Go variant, fastest kept; 0 means 5
	// Goroutines runs the batch with at most k goroutines at once; nil means labkit's own version.
	// Compare times it, so a notebook can put its own goroutines on screen.
	Goroutines func(ctx context.Context, k int) error
	// Progress, if set, is called after each measured run with how many of all the runs
	// are done: labkit/nb's ProgressBar fits.
	Progress func(done, total int)
}

// Speedups is what [Comparison.Run] measured: sequential time, and for each worker count
// the speedup (sequential time ÷ parallel time) of every way. The Python slices are empty
// when python3 is missing (PythonMissing).
type Speedups struct {
	Workers                            []int
	Sequential                         time.Duration
	Goroutines, GOMAXPROCS1, Processes []float64
	PythonThreads, PythonProcesses     []float64
	PythonMissing                      bool
}

// WorkerCounts returns 1, 2, 4, ... up to and including cpus.
func WorkerCounts(cpus int) []int {
	var ks []int
	for k := 1; k < cpus; k *= 2 {
		ks = append(ks, k)
	}
	return append(ks, max(cpus, 1))
}

func (c Comparison) rounds() int {
	if c.Rounds < 1 {
		return 5
	}
	return c.Rounds
}

// steps is how many runs Run reports to Progress: every Go run of every round, then one
// Python run per worker count.
func (c Comparison) steps() int { return c.rounds()*(1+3*len(c.Workers)) + len(c.Workers) }

// Run measures the comparison. Rounds interleave the variants, each keeping its fastest
// run, so a burst of load from elsewhere hurts one run of everything rather than every
// run of one. The process pools start before the clock, as Python's do. Programs that
// call Run must call [procpool.ServeIfWorker] at start.
func (c Comparison) Run(ctx context.Context) (Speedups, error) {
	if err := c.validate(); err != nil {
		return Speedups{}, err
	}
	done, total := 0, c.steps()
	step := func() {
		if done++; c.Progress != nil {
			c.Progress(done, total)
		}
	}
	pools := make([]*procpool.Pool, len(c.Workers))
	defer func() {
		for _, p := range pools {
			if p != nil {
				p.Close()
			}
		}
	}()
	for i, k := range c.Workers {
		p, err := procpool.New(ctx, k)
		if err != nil {
			return Speedups{}, err
		}
		pools[i] = p
	}
	s, err := c.runGo(ctx, pools, step)
	if err != nil {
		return Speedups{}, err
	}
	if err := c.addPython(ctx, &s, step); err != nil {
		return Speedups{}, err
	}
	return s, nil
}

func (c Comparison) validate() error {
	if err := c.Batch.validate("Comparison"); err != nil {
		return err
	}
	if len(c.Workers) == 0 {
		return errors.New("cpubound: Comparison: no worker counts")
	}
	for _, k := range c.Workers {
		if k < 1 {
			return fmt.Errorf("cpubound: Comparison: worker count %d, want >= 1", k)
		}
	}
	return nil
}

// runGo times the Go ways, every round, keeping each one's fastest run, and returns their
// speedups over the fastest sequential run.
func (c Comparison) runGo(ctx context.Context, pools []*procpool.Pool, step func()) (Speedups, error) {
	goroutines := c.Goroutines
	if goroutines == nil {
		goroutines = func(ctx context.Context, k int) error { _, err := runGoroutines(ctx, c.Batch, k); return err }
	}
	timed := func(k int) (time.Duration, error) {
		newWork(c.Batch.Units) // calibrate before the clock, once per process
		start := time.Now()
		err := goroutines(ctx, k)
		return time.Since(start), err
	}
	n := len(c.Workers)
	var seq time.Duration
	g, g1, p := make([]time.Duration, n), make([]time.Duration, n), make([]time.Duration, n)
	var firstErr error
	keep := func(best *time.Duration, d time.Duration, err error) {
		step()
		if err != nil && firstErr == nil {
			firstErr = err
		}
		if *best == 0 || d < *best {
			*best = d
		}
	}
	for range c.rounds() {
		d, err := sequential(ctx, c.Batch)
		keep(&seq, d, err)
		for i, k := range c.Workers {
			d, err = timed(k)
			keep(&g[i], d, err)
			old := runtime.GOMAXPROCS(1)
			d, err = timed(k)
			runtime.GOMAXPROCS(old)
			keep(&g1[i], d, err)
			d, err = processes(ctx, pools[i], c.Batch)
			keep(&p[i], d, err)
		}
		if firstErr != nil {
			return Speedups{}, firstErr
		}
	}
	s := Speedups{Workers: c.Workers, Sequential: seq}
	for i := range c.Workers {
		s.Goroutines = append(s.Goroutines, float64(seq)/float64(g[i]))
		s.GOMAXPROCS1 = append(s.GOMAXPROCS1, float64(seq)/float64(g1[i]))
		s.Processes = append(s.Processes, float64(seq)/float64(p[i]))
	}
	return s, nil
}

// addPython runs the Python baseline once per worker count and adds its speedups to s, or
// marks them missing when python3 is not there.
func (c Comparison) addPython(ctx context.Context, s *Speedups, step func()) error {
	for _, k := range c.Workers {
		if s.PythonMissing {
			step()
			continue
		}
		py, err := runPython(ctx, c.Batch, k)
		step()
		switch {
		case errors.Is(err, pybaseline.ErrNoPython):
			s.PythonMissing, s.PythonThreads, s.PythonProcesses = true, nil, nil
		case err != nil:
			return err
		default:
			s.PythonThreads = append(s.PythonThreads, py.ThreadsSpeedup())
			s.PythonProcesses = append(s.PythonProcesses, py.ProcessesSpeedup())
		}
	}
	return nil
}

// Chart is the speedup of every way against the worker count, with the ideal (speedup = k)
// dashed, under title (e.g. "CPU-bound speedup vs workers (higher is better)").
func (s Speedups) Chart(title string) chart.Line {
	x := make([]float64, len(s.Workers))
	for i, k := range s.Workers {
		x[i] = float64(k)
	}
	series := []chart.Series{
		{Name: "Go goroutines", Values: s.Goroutines},
		{Name: "Go goroutines, GOMAXPROCS=1", Values: s.GOMAXPROCS1},
		{Name: "Go processes", Values: s.Processes},
	}
	if !s.PythonMissing {
		series = append(series, chart.Series{Name: "Python threads", Values: s.PythonThreads},
			chart.Series{Name: "Python processes", Values: s.PythonProcesses})
	}
	return chart.Line{Title: title, XName: "workers (k)",
		YName: "speedup (x)", X: x, Series: series, Ideal: x, IdealName: "ideal (x = k)"}
}

// Summary says, in two or three lines, the sequential time and every way's speedup at the
// largest worker count.
func (s Speedups) Summary() string {
	if len(s.Workers) == 0 {
		return "cpubound: nothing measured"
	}
	last := len(s.Workers) - 1
	k := s.Workers[last]
	var b strings.Builder
	fmt.Fprintf(&b, "sequential: %v\n", s.Sequential.Round(time.Millisecond))
	at := fmt.Sprintf("at k = %d (ideal %dx):", k, k)
	fmt.Fprintf(&b, "%s goroutines %.2fx, processes %.2fx, goroutines with GOMAXPROCS=1 %.2fx",
		at, s.Goroutines[last], s.Processes[last], s.GOMAXPROCS1[last])
	if s.PythonMissing {
		b.WriteString("\nSKIPPED: python3 not found on PATH, so the Python lines are missing.")
	} else {
		fmt.Fprintf(&b, "\n%*s Python threads %.2fx, Python processes %.2fx", len(at), "", s.PythonThreads[last], s.PythonProcesses[last])
	}
	return b.String()
}
