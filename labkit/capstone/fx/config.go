// Package fx is a small FX market: a seeded quote stream for several currency pairs, the
// orders it brings, and the risk check that decides each one ([Decide]). Its sibling
// [github.com/go-concurrency-lab/lab/labkit/capstone/fx/sim] runs these orders through
// concurrency strategies and measures them.
//
// Everything here depends only on [Config]: the same Seed gives the same orders, fills
// and rejections under every strategy, in either language ([Checksum] proves it), so the
// simulator's timings are the only thing that varies from run to run.
package fx

import (
	"errors"
	"fmt"
	"time"
)

// Dist names a latency distribution.
type Dist int

const (
	// Fixed makes every gateway round trip take exactly Latency.Min.
	Fixed Dist = iota
	// Uniform draws each round trip uniformly from [Latency.Min, Latency.Max].
	Uniform
	// Exponential adds an exponential tail with mean Latency.Mean to Latency.Min:
	// mostly fast, occasionally slow, like a real network.
	Exponential
)

// String returns the distribution's name as the Python baseline spells it.
func (d Dist) String() string {
	switch d {
	case Fixed:
		return "fixed"
	case Uniform:
		return "uniform"
	case Exponential:
		return "exponential"
	}
	return fmt.Sprintf("Dist(%d)", int(d))
}

// Latency describes the simulated IO latency of one gateway round trip.
// The zero value is a gateway that answers at once.
type Latency struct {
	Dist Dist
	Min  time.Duration // Fixed: the latency; Uniform and Exponential: the floor
	Max  time.Duration // Uniform only: the ceiling
	Mean time.Duration // Exponential only: mean of the tail added to Min
}

// FixedLatency is a gateway that always takes d.
func FixedLatency(d time.Duration) Latency { return Latency{Dist: Fixed, Min: d} }

// UniformLatency is a gateway that takes between lo and hi.
func UniformLatency(lo, hi time.Duration) Latency { return Latency{Dist: Uniform, Min: lo, Max: hi} }

// ExpLatency is a gateway that takes at least floor plus an exponential tail of the given mean.
func ExpLatency(floor, mean time.Duration) Latency {
	return Latency{Dist: Exponential, Min: floor, Mean: mean}
}

// Config describes one simulated trading session. Every field is checked by [Config.Validate],
// and every error names the offending field.
type Config struct {
	Seed   uint64 // drives every random draw: quotes, orders and latencies
	Pairs  int    // currency pairs quoted (the first Pairs of AllPairs()), 1..len(AllPairs())
	Orders int    // orders sent, one per quote, >= 1

	// Interval is the mean gap between quotes (exponentially distributed). Zero means a
	// burst: every quote is already waiting when the run starts.
	Interval time.Duration

	Latency Latency // gateway round trip for each accepted order

	// Pricing work per order, counted one of two ways (at most one may be set):
	// CPUIters iterations of the lab's CPU loop (the same work in Go and in Python, however
	// long each takes), or CPU, about that much CPU time (each language calibrates its own
	// loop). Neither means no pricing work.
	CPU      time.Duration
	CPUIters int64

	Workers int // pool size, and goroutines of a pipeline's gateway stage; >= 1
}

// Limits on Config that keep a run bounded.
const (
	MaxOrders  = 1_000_000
	MaxLatency = 10 * time.Second
	MaxCPU     = time.Second
	MaxIters   = 1_000_000_000
	MaxWorkers = 100_000
)

// ErrConfig is wrapped by every Validate error.
var ErrConfig = errors.New("fx: invalid config")

// Validate reports the first invalid field, naming it.
func (c Config) Validate() error {
	bad := func(field string, format string, args ...any) error {
		return fmt.Errorf("%w: %s %s", ErrConfig, field, fmt.Sprintf(format, args...))
	}
	switch {
	case c.Pairs < 1 || c.Pairs > len(pairs):
		return bad("Pairs", "= %d, want 1..%d", c.Pairs, len(pairs))
	case c.Orders < 1 || c.Orders > MaxOrders:
		return bad("Orders", "= %d, want 1..%d", c.Orders, MaxOrders)
	case c.Interval < 0 || c.Interval > MaxLatency:
		return bad("Interval", "= %v, want 0..%v", c.Interval, MaxLatency)
	case c.CPU < 0 || c.CPU > MaxCPU:
		return bad("CPU", "= %v, want 0..%v", c.CPU, MaxCPU)
	case c.CPUIters < 0 || c.CPUIters > MaxIters:
		return bad("CPUIters", "= %d, want 0..%d", c.CPUIters, MaxIters)
	case c.CPU > 0 && c.CPUIters > 0:
		return bad("CPUIters", "= %d with CPU = %v, want only one of them set", c.CPUIters, c.CPU)
	case c.Workers < 1 || c.Workers > MaxWorkers:
		return bad("Workers", "= %d, want 1..%d", c.Workers, MaxWorkers)
	}
	return c.Latency.validate()
}

func (l Latency) validate() error {
	bad := func(field string, d time.Duration, want string) error {
		return fmt.Errorf("%w: Latency.%s = %v, want %s", ErrConfig, field, d, want)
	}
	inRange := fmt.Sprintf("0..%v", MaxLatency)
	switch {
	case l.Min < 0 || l.Min > MaxLatency:
		return bad("Min", l.Min, inRange)
	case l.Max < 0 || l.Max > MaxLatency:
		return bad("Max", l.Max, inRange)
	case l.Mean < 0 || l.Mean > MaxLatency:
		return bad("Mean", l.Mean, inRange)
	}
	switch l.Dist {
	case Fixed, Exponential:
	case Uniform:
		if l.Max < l.Min {
			return bad("Max", l.Max, fmt.Sprintf(">= Latency.Min (%v) for Uniform", l.Min))
		}
	default:
		return fmt.Errorf("%w: Latency.Dist = %d, want Fixed, Uniform or Exponential", ErrConfig, int(l.Dist))
	}
	return nil
}

// IOHeavy is the lab's IO-bound mix: 200 orders whose gateway round trip (1 ms plus an
// exponential tail of mean 3 ms) dwarfs their 20 µs of pricing. Concurrency should win big.
func IOHeavy() Config {
	return Config{Seed: 1, Pairs: 4, Orders: 200, Latency: ExpLatency(time.Millisecond, 3*time.Millisecond), CPU: 20 * time.Microsecond, Workers: 32}
}

// CPUHeavy is the lab's CPU-bound mix: the first 100 of IOHeavy's orders (same seed), with
// 1 ms of pricing each and a co-located gateway that answers at once (sub-millisecond
// sleeps are not reliably shorter than 1 ms on every OS, so a "tiny" latency would quietly
// turn this into an IO mix). Concurrency can win at most the number of cores.
// Each language calibrates its own loop to 1 ms, so Go and Python do different amounts of
// arithmetic; SameWork is the mix that counts the work instead.
func CPUHeavy() Config {
	return Config{Seed: 1, Pairs: 4, Orders: 100, Latency: FixedLatency(0), CPU: time.Millisecond, Workers: 32}
}

// SameWork is CPUHeavy with the pricing counted in operations instead of time: 10,000
// iterations of the lab's CPU loop per order, the same arithmetic on the same orders in Go
// and in Python (equal Report.PriceChecksum), however long each language takes over it.
func SameWork() Config {
	cfg := CPUHeavy()
	cfg.CPU, cfg.CPUIters = 0, 10_000
	return cfg
}
