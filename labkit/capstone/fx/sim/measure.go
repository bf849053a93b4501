package sim

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/capstone/fx"
	"github.com/go-concurrency-lab/lab/labkit/chart"
	"github.com/go-concurrency-lab/lab/labkit/measure/pybaseline"
)

// A Contender is one thing [Measure] compares: a Go [Strategy] ([Go]) or a Python
// baseline ([Python]), under a name.
type Contender struct {
	Name string
	// Workers, if > 0, replaces Config.Workers for this contender only (e.g. a pool of
	// one worker).
	Workers int

	run func(ctx context.Context, cfg fx.Config) (Report, error)
}

// Go is the Go strategy s under name.
func Go(name string, s Strategy) Contender {
	return Contender{Name: name, run: func(ctx context.Context, cfg fx.Config) (Report, error) { return Run(ctx, cfg, name, s) }}
}

// Python is the Python baseline in mode "sequential", "asyncio" or "threads" (see
// [RunPython]), named "python-"+mode.
func Python(mode string) Contender {
	return Contender{Name: "python-" + mode, run: func(ctx context.Context, cfg fx.Config) (Report, error) { return RunPython(ctx, cfg, mode) }}
}

// Run runs the contender once on cfg; the Report carries the contender's Name.
func (c Contender) Run(ctx context.Context, cfg fx.Config) (Report, error) {
	if c.run == nil {
		return Report{}, fmt.Errorf("sim: contender %q has nothing to run: make it with sim.Go or sim.Python", c.Name)
	}
	if c.Workers > 0 {
		cfg.Workers = c.Workers
	}
	r, err := c.run(ctx, cfg)
	r.Name = c.Name
	return r, err
}

// Options says how [Measure] runs its contenders.
type Options struct {
	// Rounds is how many times each contender runs; each one's fastest run is kept.
	// Zero means 1.
	Rounds int
	// Progress, if set, is called after each run with how many of the rounds × contenders
	// runs are done: labkit/nb's ProgressBar fits.
	Progress func(done, total int)
}

// Measure runs every contender on cfg once per round and returns each one's fastest run
// (the least disturbed by other work on the machine), in the order given. Running them
// in alternating rounds lets a burst of load hit all of them alike instead of one.
//
// A Python contender that cannot run because python3 is missing is left out of the
// result, with a line saying so on stdout; any other error ends the measurement.
func Measure(ctx context.Context, cfg fx.Config, opts Options, cs ...Contender) (Reports, error) {
	if opts.Rounds < 0 {
		return nil, fmt.Errorf("sim: Measure: Rounds = %d, want >= 0", opts.Rounds)
	}
	rounds := max(opts.Rounds, 1)
	best := make([]Report, len(cs))
	skipped := make([]bool, len(cs))
	done, total := 0, rounds*len(cs)
	step := func() {
		if done++; opts.Progress != nil {
			opts.Progress(done, total)
		}
	}
	for range rounds {
		for i, c := range cs {
			if skipped[i] {
				step()
				continue
			}
			r, err := c.Run(ctx, cfg)
			step()
			if errors.Is(err, pybaseline.ErrNoPython) {
				fmt.Printf("%-20s skipped: %v\n", c.Name, err)
				skipped[i] = true
				continue
			}
			if err != nil {
				return nil, err
			}
			if best[i].Elapsed == 0 || r.Elapsed < best[i].Elapsed {
				best[i] = r
			}
		}
	}
	var out Reports
	for i, r := range best {
		if !skipped[i] {
			out = append(out, r)
		}
	}
	return out, nil
}

// Reports are the results of several contenders, as [Measure] returns them.
type Reports []Report

// Find returns the report named name, and whether there is one.
func (rs Reports) Find(name string) (Report, bool) {
	for _, r := range rs {
		if r.Name == name {
			return r, true
		}
	}
	return Report{}, false
}

// Speedup is the throughput of the report named of divided by that of the one named
// over; NaN if either is missing (a Python run skipped without python3).
func (rs Reports) Speedup(of, over string) float64 {
	a, okA := rs.Find(of)
	b, okB := rs.Find(over)
	if !okA || !okB || b.Throughput == 0 {
		return math.NaN()
	}
	return a.Throughput / b.Throughput
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// Chart is the orders per second of each report, under title.
func (rs Reports) Chart(title string) chart.Bar {
	bar := chart.Bar{Title: title, Unit: "orders/s", Series: []chart.Series{{Name: "throughput"}}}
	for _, r := range rs {
		bar.Categories = append(bar.Categories, r.Name)
		bar.Series[0].Values = append(bar.Series[0].Values, r.Throughput)
	}
	return bar
}

// LatencyChart is each report's p50, p95 and p99 latency in milliseconds.
func (rs Reports) LatencyChart(title string) chart.Bar {
	bar := chart.Bar{Title: title, Unit: "ms", Series: []chart.Series{{Name: "p50"}, {Name: "p95"}, {Name: "p99"}}}
	for _, r := range rs {
		bar.Categories = append(bar.Categories, r.Name)
		bar.Series[0].Values = append(bar.Series[0].Values, ms(r.P50))
		bar.Series[1].Values = append(bar.Series[1].Values, ms(r.P95))
		bar.Series[2].Values = append(bar.Series[2].Values, ms(r.P99))
	}
	return bar
}

// HistogramChart is how many orders of each report took how long, in buckets equal
// buckets that are the same for every report (up to a little above the largest p99), so
// the bars line up. It panics if buckets < 1, as make does for a negative length.
func (rs Reports) HistogramChart(title string, buckets int) chart.Bar {
	var hi time.Duration
	for _, r := range rs {
		hi = max(hi, r.P99)
	}
	hi = (hi*5/4 + time.Millisecond).Truncate(time.Millisecond)
	bar := chart.Bar{Title: title, Unit: "orders"}
	for _, r := range rs {
		labels, counts, err := histogram(r.Latencies, hi, buckets)
		if err != nil {
			panic(err)
		}
		bar.Categories = labels
		bar.Series = append(bar.Series, chart.Series{Name: r.Name, Values: counts})
	}
	return bar
}

// IterRateChart is each report's pricing work per second of wall time, in millions of
// loop iterations: with equal iterations per order (Config.CPUIters), how much
// arithmetic each contender gets done.
func (rs Reports) IterRateChart(title string) chart.Bar {
	bar := chart.Bar{Title: title, Unit: "M iterations/s", Series: []chart.Series{{Name: "pricing work"}}}
	for _, r := range rs {
		bar.Categories = append(bar.Categories, r.Name)
		rate := 0.0
		if ns := r.NsPerIter(); ns > 0 {
			rate = 1e3 / ns
		}
		bar.Series[0].Values = append(bar.Series[0].Values, rate)
	}
	return bar
}
