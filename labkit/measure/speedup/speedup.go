// Package speedup measures how much faster a batch of independent tasks finishes with k
// workers than with one.
//
// Notebook 05 asks the question every ThreadPoolExecutor user eventually asks: how many
// workers? The answer depends on the work. Waiting (IO-bound) tasks speed up almost in
// proportion to k until k reaches the number of tasks; computing (CPU-bound) tasks stop
// speeding up at the number of cores. [SweepBest] runs the same batch through a bounded pool
// ([errgroup.Group.SetLimit]) of each size and returns the wall times and speedups, ready to chart
// against the ideal line.
package speedup

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/chart"
	"golang.org/x/sync/errgroup"
)

// Batch is a set of independent tasks, numbered 0..Tasks-1.
type Batch struct {
	Tasks int
	// Task does task i. It must be safe to run concurrently with the other tasks and should
	// return promptly when ctx is done.
	Task func(ctx context.Context, i int) error
}

func (b Batch) validate(where string) error {
	if b.Tasks < 1 {
		return fmt.Errorf("speedup: %s: Batch.Tasks = %d, want >= 1", where, b.Tasks)
	}
	if b.Task == nil {
		return fmt.Errorf("speedup: %s: Batch.Task is nil", where)
	}
	return nil
}

// Pool runs every task of b with at most workers running at once and returns the wall time
// of the whole batch. The first task error cancels the rest and is returned.
func Pool(ctx context.Context, workers int, b Batch) (time.Duration, error) {
	if workers < 1 {
		return 0, fmt.Errorf("speedup: Pool: workers = %d, want >= 1", workers)
	}
	if err := b.validate("Pool"); err != nil {
		return 0, err
	}
	start := time.Now()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for i := range b.Tasks {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error { return b.Task(gctx, i) })
	}
	err := g.Wait()
	if err == nil {
		err = ctx.Err()
	}
	return time.Since(start), err
}

// Point is one pool size's measurement.
type Point struct {
	Workers int
	Wall    time.Duration
	Speedup float64 // wall time with 1 worker divided by Wall
}

// Result is a sweep's measurements in the order of the sizes asked for.
type Result struct {
	Sequential time.Duration // the 1-worker wall time every speedup is relative to
	Points     []Point
}

// sweep runs b once with a single worker and then once per size, and returns wall times
// and speedups. A size of 1 reuses the sequential run. Sizes must each be >= 1.
func sweep(ctx context.Context, b Batch, sizes []int) (Result, error) {
	if err := b.validate("SweepBest"); err != nil {
		return Result{}, err
	}
	if len(sizes) == 0 {
		return Result{}, errors.New("speedup: sweep: sizes is empty: give at least one pool size")
	}
	for _, k := range sizes {
		if k < 1 {
			return Result{}, fmt.Errorf("speedup: sweep: sizes contains %d, want every size >= 1", k)
		}
	}
	seq, err := Pool(ctx, 1, b)
	if err != nil {
		return Result{}, fmt.Errorf("speedup: sweep: 1 worker: %w", err)
	}
	res := Result{Sequential: seq}
	for _, k := range sizes {
		wall := seq
		if k != 1 {
			if wall, err = Pool(ctx, k, b); err != nil {
				return Result{}, fmt.Errorf("speedup: sweep: %d workers: %w", k, err)
			}
		}
		res.Points = append(res.Points, Point{Workers: k, Wall: wall, Speedup: ratio(seq, wall)})
	}
	return res, nil
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Chart returns speedup against pool size with the ideal (speedup = workers) dashed.
func (r Result) Chart(title string) chart.Line {
	l := chart.Line{Title: title, XName: "workers", YName: "speedup (x)", IdealName: "ideal (x = workers)"}
	s := chart.Series{Name: "measured"}
	for _, p := range r.Points {
		l.X = append(l.X, float64(p.Workers))
		l.Ideal = append(l.Ideal, float64(p.Workers))
		s.Values = append(s.Values, p.Speedup)
	}
	l.Series = []chart.Series{s}
	return l
}

// SweepBest runs sweep rounds times and keeps, for the sequential run and for every size,
// the fastest wall time, then recomputes the speedups from those. On a busy machine the
// fastest run is the least disturbed one. rounds must be >= 1.
func SweepBest(ctx context.Context, b Batch, sizes []int, rounds int) (Result, error) {
	if rounds < 1 {
		return Result{}, fmt.Errorf("speedup: SweepBest: rounds = %d, want >= 1", rounds)
	}
	var best Result
	for round := range rounds {
		r, err := sweep(ctx, b, sizes)
		if err != nil {
			return Result{}, err
		}
		if round == 0 {
			best = r
			continue
		}
		best.Sequential = min(best.Sequential, r.Sequential)
		for i := range best.Points {
			best.Points[i].Wall = min(best.Points[i].Wall, r.Points[i].Wall)
		}
	}
	for i, p := range best.Points {
		if p.Workers == 1 {
			best.Points[i].Wall = best.Sequential
		}
		best.Points[i].Speedup = ratio(best.Sequential, best.Points[i].Wall)
	}
	return best, nil
}
