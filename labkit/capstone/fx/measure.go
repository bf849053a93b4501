package fx

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/chart"
	"github.com/go-concurrency-lab/lab/labkit/nb"
)

// A Contender is one thing [Measure] compares: a Go [Strategy] ([Go]) or a Python
// baseline ([Python]), under a name.
type Contender struct {
	Name string
	// Workers, if > 0, replaces Config.Workers for this contender only (e.g. a pool of
	// one worker).
	Workers int

	run func(ctx context.Context, cfg Config) (Report, error)
}

// Go is the Go strategy s under name.
func Go(name string, s Strategy) Contender {
	return Contender{Name: name, run: func(ctx context.Context, cfg Config) (Report, error) { return Run(ctx, cfg, name, s) }}
}

// Python is the Python baseline in mode "sequential", "asyncio" or "threads" (see
// [RunPython]), named "python-"+mode.
func Python(mode string) Contender {
	return Contender{Name: "python-" + mode, run: func(ctx context.Context, cfg Config) (Report, error) { return RunPython(ctx, cfg, mode) }}
}

// Run runs the contender once on cfg; the Report carries the contender's Name.
func (c Contender) Run(ctx context.Context, cfg Config) (Report, error) {
	if c.run == nil {
		return Report{}, fmt.Errorf("fx: contender %q has nothing to run: make it with fx.Go or fx.Python", c.Name)
	}
	if c.Workers > 0 {
		cfg.Workers = c.Workers
	}
	r, err := c.run(ctx, cfg)
	r.Name = c.Name
	return r, err
}

// Measure runs every contender on cfg once per round, rounds times, and returns each
// one's fastest run (the least disturbed by other work on the machine), in the order
// given. Running them in alternating rounds lets a burst of load hit all of them alike
// instead of one. From four runs on, a progress bar shows the runs done.
//
// A Python contender that cannot run because python3 is missing is left out of the
// result, with a line saying so on stdout; any other error ends the measurement.
func Measure(ctx context.Context, cfg Config, rounds int, cs ...Contender) ([]Report, error) {
	if rounds < 1 {
		return nil, fmt.Errorf("fx: Measure: rounds = %d, want >= 1", rounds)
	}
	best := make([]Report, len(cs))
	skipped := make([]bool, len(cs))
	step := func() {}
	if rounds*len(cs) >= progressFrom {
		progress := nb.NewProgress("runs", rounds*len(cs))
		defer progress.Done()
		step = func() { progress.Add(1) }
	}
	for range rounds {
		for i, c := range cs {
			if skipped[i] {
				step()
				continue
			}
			r, err := c.Run(ctx, cfg)
			step()
			if errors.Is(err, ErrNoPython) {
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
	var out []Report
	for i, r := range best {
		if !skipped[i] {
			out = append(out, r)
		}
	}
	return out, nil
}

// progressFrom is the fewest runs for which Measure shows a progress bar: a measurement
// of a run or two ends before a bar would tell anyone anything.
const progressFrom = 4

// Find returns the report named name, and whether there is one.
func Find(rs []Report, name string) (Report, bool) {
	for _, r := range rs {
		if r.Name == name {
			return r, true
		}
	}
	return Report{}, false
}

// Speedup is the throughput of the report named of divided by that of the one named
// over; NaN if either is missing (a Python run skipped without python3).
func Speedup(rs []Report, of, over string) float64 {
	a, okA := Find(rs, of)
	b, okB := Find(rs, over)
	if !okA || !okB || b.Throughput == 0 {
		return math.NaN()
	}
	return a.Throughput / b.Throughput
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// ShowThroughput prints and charts the orders per second of each report.
func ShowThroughput(title string, rs []Report) error {
	bar := chart.Bar{Title: title, Unit: "orders/s", Series: []chart.Series{{Name: "throughput"}}}
	for _, r := range rs {
		bar.Categories = append(bar.Categories, r.Name)
		bar.Series[0].Values = append(bar.Series[0].Values, r.Throughput)
	}
	return chart.Show(bar)
}

// ShowLatency prints and charts each report's p50, p95 and p99 latency in milliseconds.
func ShowLatency(title string, rs []Report) error {
	bar := chart.Bar{Title: title, Unit: "ms", Series: []chart.Series{{Name: "p50"}, {Name: "p95"}, {Name: "p99"}}}
	for _, r := range rs {
		bar.Categories = append(bar.Categories, r.Name)
		bar.Series[0].Values = append(bar.Series[0].Values, ms(r.P50))
		bar.Series[1].Values = append(bar.Series[1].Values, ms(r.P95))
		bar.Series[2].Values = append(bar.Series[2].Values, ms(r.P99))
	}
	return chart.Show(bar)
}

// ShowHistogram prints and charts how many orders of each report took how long, in n
// equal buckets that are the same for every report (up to a little above the largest
// p99), so the bars line up.
func ShowHistogram(title string, rs []Report, n int) error {
	var hi time.Duration
	for _, r := range rs {
		hi = max(hi, r.P99)
	}
	hi = (hi*5/4 + time.Millisecond).Truncate(time.Millisecond)
	bar := chart.Bar{Title: title, Unit: "orders"}
	for _, r := range rs {
		labels, counts, err := Histogram(r.Latencies, hi, n)
		if err != nil {
			return err
		}
		bar.Categories = labels
		bar.Series = append(bar.Series, chart.Series{Name: r.Name, Values: counts})
	}
	return chart.Show(bar)
}

// ShowIterRate prints and charts each report's pricing work per second of wall time, in
// millions of loop iterations: with equal iterations per order (Config.CPUIters), how
// much arithmetic each contender gets done.
func ShowIterRate(title string, rs []Report) error {
	bar := chart.Bar{Title: title, Unit: "M iterations/s", Series: []chart.Series{{Name: "pricing work"}}}
	for _, r := range rs {
		bar.Categories = append(bar.Categories, r.Name)
		rate := 0.0
		if ns := r.NsPerIter(); ns > 0 {
			rate = 1e3 / ns
		}
		bar.Series[0].Values = append(bar.Series[0].Values, rate)
	}
	return chart.Show(bar)
}
