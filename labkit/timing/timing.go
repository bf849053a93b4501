// Package timing measures how long code takes and summarises repeated runs.
//
// The notebooks compare strategies by wall time, so every measurement here is
// wall-clock time from a monotonic clock, and summaries favour robust numbers
// (minimum, median, p95) over the mean, which one noisy run can drag around.
// The zero value of [Stopwatch] is ready to use.
package timing

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// once runs fn one time and returns its wall time.
func once(fn func()) time.Duration {
	start := time.Now()
	fn()
	return time.Since(start)
}

// Stats summarises repeated measurements of the same thing.
type Stats struct {
	Runs   []time.Duration // every measurement, in the order taken
	Min    time.Duration
	Median time.Duration
	P95    time.Duration
	Max    time.Duration
	Mean   time.Duration
}

// Repeat runs fn n times and summarises the wall times. It panics if n < 1 or fn is nil:
// like a negative length given to make, those are bugs in the caller, not conditions to
// handle.
func Repeat(n int, fn func()) Stats {
	if n < 1 {
		panic(fmt.Sprintf("timing: Repeat: runs = %d, want >= 1", n))
	}
	if fn == nil {
		panic("timing: Repeat: fn is nil")
	}
	runs := make([]time.Duration, n)
	for i := range runs {
		runs[i] = once(fn)
	}
	return Summarize(runs)
}

// Interleave times several functions against each other: each round runs every fn once,
// in turn, and after rounds rounds it summarises each one's wall times (stats[i] is fns[i]'s).
// Taking turns spreads a burst of outside load over all of them instead of spoiling every
// run of one, so their minimums compare fairly on a busy machine. It panics if rounds < 1,
// fns is empty or one is nil, as [Repeat] does.
func Interleave(rounds int, fns ...func()) []Stats {
	if rounds < 1 {
		panic(fmt.Sprintf("timing: Interleave: rounds = %d, want >= 1", rounds))
	}
	if len(fns) == 0 {
		panic("timing: Interleave: no functions to time")
	}
	for i, fn := range fns {
		if fn == nil {
			panic(fmt.Sprintf("timing: Interleave: fns[%d] is nil", i))
		}
	}
	runs := make([][]time.Duration, len(fns))
	for range rounds {
		for i, fn := range fns {
			runs[i] = append(runs[i], once(fn))
		}
	}
	stats := make([]Stats, len(fns))
	for i := range fns {
		stats[i] = Summarize(runs[i])
	}
	return stats
}

// Summarize computes Stats over measurements taken elsewhere.
// Percentiles use the nearest-rank method, so every reported value is one
// that was actually measured. It panics if runs is empty, as [Repeat] does.
func Summarize(runs []time.Duration) Stats {
	if len(runs) == 0 {
		panic("timing: Summarize: no runs")
	}
	sorted := slices.Clone(runs)
	slices.Sort(sorted)
	var total time.Duration
	for _, r := range sorted {
		total += r
	}
	return Stats{
		Runs:   slices.Clone(runs),
		Min:    sorted[0],
		Median: Percentile(sorted, 50),
		P95:    Percentile(sorted, 95),
		Max:    sorted[len(sorted)-1],
		Mean:   total / time.Duration(len(sorted)),
	}
}

// Percentile returns the nearest-rank p-th percentile (0 < p <= 100) of
// sorted, which must be in ascending order. It returns 0 for an empty slice.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p/100*float64(len(sorted)) + 0.999999)
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// String prints the summary on one line, e.g.
// "n=5 min=1.02ms median=1.1ms p95=1.4ms max=1.4ms".
func (s Stats) String() string {
	if len(s.Runs) == 0 {
		return "n=0"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "n=%d min=%v median=%v p95=%v max=%v",
		len(s.Runs), Round(s.Min), Round(s.Median), Round(s.P95), Round(s.Max))
	return b.String()
}

// Round trims a duration to three significant digits so that tables stay readable,
// e.g. 1.234567ms becomes 1.23ms.
func Round(d time.Duration) time.Duration {
	if d < 0 {
		return -Round(-d)
	}
	unit := time.Duration(1)
	for limit := time.Duration(1000); d >= limit && limit <= math.MaxInt64/10; limit *= 10 {
		unit *= 10
	}
	return d.Round(unit)
}

// Stopwatch accumulates laps. The zero value is stopped at zero; Start begins timing.
// It is not safe for concurrent use: keep one per goroutine.
type Stopwatch struct {
	started time.Time
	running bool
	laps    []time.Duration
}

// Start (re)starts the watch from now, discarding earlier laps.
func (s *Stopwatch) Start() {
	s.started = time.Now()
	s.running = true
	s.laps = s.laps[:0]
}

// Elapsed returns the time since Start, or 0 if the watch never started.
func (s *Stopwatch) Elapsed() time.Duration {
	if !s.running {
		return 0
	}
	return time.Since(s.started)
}

// Lap records the time since Start (cumulative) and returns it.
func (s *Stopwatch) Lap() time.Duration {
	e := s.Elapsed()
	s.laps = append(s.laps, e)
	return e
}

// Laps returns the cumulative lap times recorded since Start.
func (s *Stopwatch) Laps() []time.Duration { return slices.Clone(s.laps) }
