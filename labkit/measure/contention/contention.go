// Package contention measures what a synchronisation primitive costs per operation when
// 1, 2, … N goroutines hammer it at once.
//
// An uncontended mutex costs a few nanoseconds; the same mutex fought over by eight
// goroutines can cost ten times that, while an atomic add degrades differently and a
// sharded counter hardly at all. Run is the benchmark body that splits b.N operations
// across goroutines; Sweep drives it through testing.Benchmark for every primitive and
// goroutine count, so a notebook can draw the cost chart without a test binary.
package contention

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/chart"
)

// Run performs b.N calls of op in total, split as evenly as possible across goroutines
// that start together once the timer is reset, and returns when all have finished. The
// resulting ns/op is wall time per operation: with more goroutines it falls if the
// operations run in parallel and rises if they queue for the same lock or cache line.
// op must be safe for concurrent use. goroutines must be >= 1.
func Run(b *testing.B, goroutines int, op func()) {
	b.Helper()
	if goroutines < 1 {
		b.Fatalf("contention.Run: goroutines = %d, want >= 1", goroutines)
	}
	if op == nil {
		b.Fatal("contention.Run: op is nil")
	}
	run(goroutines, b.N, op, b.ResetTimer)
	b.StopTimer()
}

// Time performs ops calls of op split across goroutines, as Run does, and returns the wall
// time from the moment they all may start until the last one finishes. It is for
// measurements outside testing.Benchmark, e.g. several primitives timed within one
// benchmark so that their ratio comes from a single run.
func Time(goroutines, ops int, op func()) (time.Duration, error) {
	if goroutines < 1 {
		return 0, fmt.Errorf("contention.Time: goroutines = %d, want >= 1", goroutines)
	}
	if ops < 0 {
		return 0, fmt.Errorf("contention.Time: ops = %d, want >= 0", ops)
	}
	if op == nil {
		return 0, errors.New("contention.Time: op is nil")
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

// Options tune a Sweep. The zero value measures 1, 2, 4 and 8 goroutines for 50 ms each,
// once.
type Options struct {
	Levels    []int         // goroutine counts, each >= 1; default 1, 2, 4, 8
	BenchTime time.Duration // target time per measurement (testing's -benchtime); default 50ms
	// Rounds repeats the whole grid and keeps each cell's minimum, the least disturbed
	// measurement on a busy machine. Rounds are interleaved, so a burst of outside load
	// spoils one round of every cell rather than every round of one. Default 1.
	Rounds int
}

// DefaultLevels are the goroutine counts Sweep measures unless told otherwise.
var DefaultLevels = []int{1, 2, 4, 8}

// Result holds ns/op for every case (row) at every level (column).
type Result struct {
	Levels  []int
	Cases   []string
	NsPerOp [][]float64 // NsPerOp[case][level]
}

// Sweep measures every case at every level with testing.Benchmark and returns the ns/op
// grid. It checks ctx between measurements and returns ctx.Err() if cancelled. Each
// measurement takes about BenchTime (testing.Benchmark may run a little longer), so the
// total is roughly Rounds × len(cases) × len(levels) × BenchTime.
func Sweep(ctx context.Context, cases []Case, opts Options) (Result, error) {
	if len(cases) == 0 {
		return Result{}, errors.New("contention.Sweep: cases is empty: give at least one Case")
	}
	for i, c := range cases {
		if c.Name == "" || c.New == nil {
			return Result{}, fmt.Errorf("contention.Sweep: cases[%d] needs both Name and New", i)
		}
	}
	levels := opts.Levels
	if len(levels) == 0 {
		levels = DefaultLevels
	}
	for _, l := range levels {
		if l < 1 {
			return Result{}, fmt.Errorf("contention.Sweep: Levels contains %d, want every level >= 1", l)
		}
	}
	if opts.Rounds < 0 {
		return Result{}, fmt.Errorf("contention.Sweep: Rounds = %d, want >= 0 (0 means 1)", opts.Rounds)
	}
	rounds := max(opts.Rounds, 1)
	if opts.BenchTime < 0 {
		return Result{}, fmt.Errorf("contention.Sweep: BenchTime = %v, want >= 0", opts.BenchTime)
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
	for round := range rounds {
		for i, c := range cases {
			for j, g := range levels {
				if err := ctx.Err(); err != nil {
					return Result{}, err
				}
				op := c.New()
				if op == nil {
					return Result{}, fmt.Errorf("contention.Sweep: case %q: New returned a nil op", c.Name)
				}
				r := benchmark(benchTime, func(b *testing.B) { Run(b, g, op) })
				if r.N == 0 {
					return Result{}, fmt.Errorf("contention.Sweep: case %q at %d goroutines did not run", c.Name, g)
				}
				ns := float64(r.T.Nanoseconds()) / float64(r.N)
				if round == 0 || ns < res.NsPerOp[i][j] {
					res.NsPerOp[i][j] = ns
				}
			}
		}
	}
	return res, nil
}

// benchMu serialises changes to testing's global -benchtime setting.
var benchMu sync.Mutex

// benchmark is testing.Benchmark with a chosen benchtime. testing.Benchmark reads the
// -test.benchtime flag (default 1 s), so the flag is set for the call and then restored.
func benchmark(d time.Duration, f func(b *testing.B)) testing.BenchmarkResult {
	benchMu.Lock()
	defer benchMu.Unlock()
	testing.Init() // registers the test.* flags outside a test binary; a no-op inside one
	fl := flag.Lookup("test.benchtime")
	old := fl.Value.String()
	if err := fl.Value.Set(d.String()); err != nil {
		panic(err) // a time.Duration's String always parses
	}
	defer fl.Value.Set(old)
	return testing.Benchmark(f)
}

// Line returns the cost chart: ns/op against goroutines, one line per case.
func (r Result) Line(title string) chart.Line {
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
