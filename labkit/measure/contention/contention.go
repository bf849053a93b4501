// Package contention measures what a synchronisation primitive costs per operation when
// 1, 2, … N goroutines hammer it at once.
//
// An uncontended mutex costs a few nanoseconds; the same mutex fought over by eight
// goroutines can cost ten times that, while an atomic add degrades differently and a
// sharded counter hardly at all. [Time] splits a number of operations across goroutines
// that start together and times them; [Sweep] grows that number until a measurement lasts
// long enough, as a Go benchmark does, for every primitive and goroutine count, so a
// notebook can draw the cost chart without a test binary (and without touching the
// testing package's flags).
//
// Where a running program's goroutines wait is the other half: [Sites] reads the runtime's
// mutex or block profile and sums it by call site, so a cell can print the most contended
// place in its own code.
package contention

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/chart"
)

// Time performs ops calls of op in total, split as evenly as possible across goroutines
// that start together, and returns the wall time from the moment they all may start
// until the last one finishes. Divided by ops it is wall time per operation: with more
// goroutines it falls if the operations run in parallel and rises if they queue for the
// same lock or cache line. op must be safe for concurrent use; goroutines must be >= 1.
// It also serves to time several primitives within one benchmark, so that their ratio
// comes from a single run.
func Time(goroutines, ops int, op func()) (time.Duration, error) {
	if goroutines < 1 {
		return 0, fmt.Errorf("contention: Time: goroutines = %d, want >= 1", goroutines)
	}
	if ops < 0 {
		return 0, fmt.Errorf("contention: Time: ops = %d, want >= 0", ops)
	}
	if op == nil {
		return 0, errors.New("contention: Time: op is nil")
	}
	var start time.Time
	run(goroutines, ops, op, func() { start = time.Now() })
	return time.Since(start), nil
}

// run starts goroutines that wait at a barrier, calls ready, releases them, and waits.
func run(goroutines, ops int, op func(), ready func()) {
	var start, done sync.WaitGroup
	start.Add(1)
	for g := range goroutines {
		share := ops / goroutines
		if g < ops%goroutines {
			share++
		}
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			for range share {
				op()
			}
		}()
	}
	ready()
	start.Done()
	done.Wait()
}

// Case is one primitive to measure. New returns the operation to repeat, with fresh state,
// so that every goroutine count starts from the same place (e.g. an unlocked mutex).
type Case struct {
	Name string
	New  func() (op func())
}

// Options tune a [Sweep]. The zero value measures 1, 2, 4 and 8 goroutines for 50 ms each,
// once.
type Options struct {
	Levels    []int         // goroutine counts, each >= 1; default 1, 2, 4, 8
	BenchTime time.Duration // least time per measurement (like go test's -benchtime); default 50ms
	// Rounds repeats the whole grid and keeps each cell's minimum, the least disturbed
	// measurement on a busy machine. Rounds are interleaved, so a burst of outside load
	// spoils one round of every cell rather than every round of one. Default 1.
	Rounds int
	// Progress, if set, is called after each measurement with how many of the
	// len(cases) × len(levels) × rounds measurements are done, from the goroutine that
	// called Sweep: labkit/nb's ProgressBar fits.
	Progress func(done, total int)
}

// Result holds ns/op for every case (row) at every level (column).
type Result struct {
	Levels  []int
	Cases   []string
	NsPerOp [][]float64 // NsPerOp[case][level]
}

// Sweep measures every case at every level and returns the ns/op grid. Each measurement
// runs [Time] with more and more operations until one run lasts at least BenchTime, the
// way [testing.Benchmark] picks b.N, and keeps that run's time per operation. Each
// measurement takes a little over BenchTime, so the whole sweep takes roughly Rounds ×
// len(cases) × len(levels) × BenchTime. It checks ctx between runs and returns ctx.Err()
// if cancelled.
func Sweep(ctx context.Context, cases []Case, opts Options) (Result, error) {
	if len(cases) == 0 {
		return Result{}, errors.New("contention: Sweep: cases is empty: give at least one Case")
	}
	for i, c := range cases {
		if c.Name == "" || c.New == nil {
			return Result{}, fmt.Errorf("contention: Sweep: cases[%d] needs both Name and New", i)
		}
	}
	levels := opts.Levels
	if len(levels) == 0 {
		levels = []int{1, 2, 4, 8}
	}
	for _, l := range levels {
		if l < 1 {
			return Result{}, fmt.Errorf("contention: Sweep: Levels contains %d, want every level >= 1", l)
		}
	}
	if opts.Rounds < 0 {
		return Result{}, fmt.Errorf("contention: Sweep: Rounds = %d, want >= 0 (0 means 1)", opts.Rounds)
	}
	rounds := max(opts.Rounds, 1)
	if opts.BenchTime < 0 {
		return Result{}, fmt.Errorf("contention: Sweep: BenchTime = %v, want >= 0", opts.BenchTime)
	}
	benchTime := opts.BenchTime
	if benchTime == 0 {
		benchTime = 50 * time.Millisecond
	}
	res := Result{Levels: append([]int(nil), levels...), NsPerOp: make([][]float64, len(cases))}
	for i, c := range cases {
		res.Cases = append(res.Cases, c.Name)
		res.NsPerOp[i] = make([]float64, len(levels))
	}
	done, total := 0, rounds*len(cases)*len(levels)
	for round := range rounds {
		for i, c := range cases {
			for j, g := range levels {
				if err := ctx.Err(); err != nil {
					return Result{}, err
				}
				op := c.New()
				if op == nil {
					return Result{}, fmt.Errorf("contention: Sweep: case %q: New returned a nil op", c.Name)
				}
				ns, err := measure(ctx, benchTime, g, op)
				if err != nil {
					return Result{}, err
				}
				if round == 0 || ns < res.NsPerOp[i][j] {
					res.NsPerOp[i][j] = ns
				}
				if done++; opts.Progress != nil {
					opts.Progress(done, total)
				}
			}
		}
	}
	return res, nil
}

// measure runs op on goroutines goroutines, growing the number of operations as
// testing.Benchmark grows b.N (aim for benchTime with 20% to spare, at most 100 times the
// last count, at least one more), until a run lasts benchTime. It returns that run's wall
// time per operation.
func measure(ctx context.Context, benchTime time.Duration, goroutines int, op func()) (float64, error) {
	const maxOps = 1_000_000_000
	ops := 1
	for {
		runtime.GC() // as testing does: garbage from the last run is not this run's cost
		d, err := Time(goroutines, ops, op)
		if err != nil {
			return 0, err
		}
		if d >= benchTime || ops >= maxOps {
			return float64(d.Nanoseconds()) / float64(ops), nil
		}
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		next := int(float64(benchTime) * float64(ops) / float64(max(d, 1)))
		next += next / 5
		ops = min(max(next, ops+1), 100*ops, maxOps)
	}
}

// Chart returns the cost chart: ns/op against goroutines, one line per case, as a
// [chart.Line].
func (r Result) Chart(title string) chart.Line {
	l := chart.Line{Title: title, XName: "goroutines", YName: "ns/op"}
	for _, g := range r.Levels {
		l.X = append(l.X, float64(g))
	}
	for i, name := range r.Cases {
		l.Series = append(l.Series, chart.Series{Name: name, Values: append([]float64(nil), r.NsPerOp[i]...)})
	}
	return l
}

// At returns the ns/op of the named case at the given level, and false if either is absent.
func (r Result) At(name string, goroutines int) (float64, bool) {
	for i, c := range r.Cases {
		if c != name {
			continue
		}
		for j, g := range r.Levels {
			if g == goroutines {
				return r.NsPerOp[i][j], true
			}
		}
	}
	return 0, false
}
