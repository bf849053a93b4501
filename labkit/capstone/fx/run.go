package fx

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/timing"
	"github.com/go-concurrency-lab/lab/labkit/workload"
	"golang.org/x/sync/errgroup"
)

// Strategy names a way of running the orders.
type Strategy string

const (
	// Sequential handles one order at a time, start to finish.
	Sequential Strategy = "sequential"
	// PerOrder starts a goroutine for every order as it arrives: no limit at all.
	PerOrder Strategy = "goroutine-per-order"
	// Pool runs at most Config.Workers orders at once ([errgroup.Group.SetLimit]); the quote
	// reader waits for a free slot.
	Pool Strategy = "pool"
	// Pipeline joins stages by channels: one quote reader, min(Workers, GOMAXPROCS)
	// pricing goroutines (CPU-bound, so more would not help), one risk goroutine (the rule
	// is per order and keeps no state; one goroutine is where a stateful book would live),
	// and Workers gateway goroutines (IO-bound, so many help).
	Pipeline Strategy = "pipeline"
	// PythonAsyncio and PythonThreads run the baseline script baselines/python/fx_workload.py
	// (see RunPython): asyncio tasks bounded by a Semaphore(Workers), and a
	// ThreadPoolExecutor(Workers).
	PythonAsyncio Strategy = "python-asyncio"
	PythonThreads Strategy = "python-threads"
)

// Strategies returns the Go strategies in the order the lab presents them.
func Strategies() []Strategy { return []Strategy{Sequential, PerOrder, Pool, Pipeline} }

// PythonStrategies returns the baselines [RunPython] knows.
func PythonStrategies() []Strategy { return []Strategy{PythonAsyncio, PythonThreads} }

// Report is what one run measured. Decisions are data (equal for equal Configs);
// everything else is timing and varies from run to run.
type Report struct {
	Strategy Strategy
	Orders   int // orders that arrived (all of them unless the run was cancelled)
	Filled   int
	Rejected int // RejectedSize + RejectedSpread

	Elapsed    time.Duration // wall time of the whole run
	Throughput float64       // decided orders per second of Elapsed
	// Latency percentiles (nearest rank) of arrival → decision, over decided orders.
	// Arrival is the quote's Offset after the start, so time spent queueing counts.
	P50, P95, P99, Max time.Duration
	// MaxInFlight is the most orders taken but not yet decided at one moment. An order is
	// taken when a goroutine starts on it (Sequential, PerOrder, Pool) or when the quote
	// reader hands it on (Pipeline, so orders waiting in channels count).
	MaxInFlight int

	// Decisions holds one entry per decided order, sorted by OrderID, and Latencies the
	// matching arrival → decision times (same index).
	Decisions []Decision
	Latencies []time.Duration
	Checksum  uint64 // order-independent digest of Decisions; equal for equal Configs
}

// Decided is Filled+Rejected. A run that returns no error has Decided() == Orders == Config.Orders.
func (r Report) Decided() int { return r.Filled + r.Rejected }

// String prints the report on one line.
func (r Report) String() string {
	return fmt.Sprintf("%-20s orders=%d filled=%d rejected=%d elapsed=%v throughput=%.0f/s p50=%v p95=%v p99=%v max-in-flight=%d",
		r.Strategy, r.Orders, r.Filled, r.Rejected, timing.Round(r.Elapsed), r.Throughput,
		timing.Round(r.P50), timing.Round(r.P95), timing.Round(r.P99), r.MaxInFlight)
}

// Run sends cfg's orders through strategy s and reports what happened. Python
// strategies are delegated to [RunPython].
//
// The pricing work is [workload.Burn], so Run calls [workload.Calibrate] before starting
// its clock; a caller that gives the first Run of a process a deadline should call it
// first, or the calibration spends part of that deadline.
//
// When ctx is cancelled Run stops promptly, waits for every goroutine it started, and
// returns ctx's error with a Report of the orders decided so far (RunPython returns an
// empty Report instead). Without an error, every order was decided exactly once.
func Run(ctx context.Context, cfg Config, s Strategy) (Report, error) {
	if slices.Contains(PythonStrategies(), s) {
		return RunPython(ctx, cfg, s)
	}
	var strategy func(*session, context.Context) error
	switch s {
	case Sequential:
		strategy = (*session).sequential
	case PerOrder:
		strategy = func(ss *session, ctx context.Context) error { return ss.group(ctx, -1) }
	case Pool:
		strategy = func(ss *session, ctx context.Context) error { return ss.group(ctx, ss.cfg.Workers) }
	case Pipeline:
		strategy = (*session).pipeline
	default:
		return Report{}, fmt.Errorf("fx.Run: strategy %q unknown, want one of %v or %v", s, Strategies(), PythonStrategies())
	}
	orders, err := Generate(cfg)
	if err != nil {
		return Report{}, err
	}
	workload.Calibrate() // before the clock starts
	ss := &session{
		cfg:       cfg,
		orders:    orders,
		decisions: make([]Decision, len(orders)),
		latencies: make([]time.Duration, len(orders)),
		decided:   make([]atomic.Bool, len(orders)),
	}
	ss.start = time.Now()
	runErr := strategy(ss, ctx)
	elapsed := time.Since(ss.start)
	return ss.report(s, elapsed, runErr)
}

type session struct {
	cfg       Config
	orders    []Order
	start     time.Time
	decisions []Decision
	latencies []time.Duration
	decided   []atomic.Bool // each order is decided at most once; a second time is a bug

	arrived               atomic.Int64
	inFlight, maxInFlight atomic.Int64
	duplicate             atomic.Int64 // order ID + 1 of a double decision, 0 if none
}

// arrive waits until order i's quote is due, then counts it as arrived.
func (s *session) arrive(ctx context.Context, i int) error {
	due := s.start.Add(s.orders[i].Quote.Offset)
	if err := workload.Wait(ctx, max(time.Until(due), 0)); err != nil {
		return err
	}
	s.arrived.Add(1)
	return nil
}

// take marks an order as being worked on.
func (s *session) take() {
	n := s.inFlight.Add(1)
	for {
		m := s.maxInFlight.Load()
		if n <= m || s.maxInFlight.CompareAndSwap(m, n) {
			return
		}
	}
}

// price is the pricing and risk model's CPU cost (Config.CPU was validated >= 0).
func (s *session) price() { _ = workload.Burn(s.cfg.CPU) }

func (s *session) gateway(ctx context.Context, i int) error {
	return workload.Wait(ctx, s.orders[i].Latency)
}

// finish records order i's decision and its latency.
func (s *session) finish(d Decision) {
	i := d.OrderID
	if s.decided[i].Swap(true) {
		s.duplicate.CompareAndSwap(0, int64(i)+1)
		return
	}
	s.latencies[i] = time.Since(s.start) - s.orders[i].Quote.Offset
	s.decisions[i] = d
	s.inFlight.Add(-1)
}

// handle does everything for one order: price, risk check, gateway if accepted.
func (s *session) handle(ctx context.Context, i int) error {
	s.price()
	d := Decide(s.orders[i])
	if d.Outcome == Filled {
		if err := s.gateway(ctx, i); err != nil {
			return err
		}
	}
	s.finish(d)
	return nil
}

func (s *session) sequential(ctx context.Context) error {
	for i := range s.orders {
		if err := s.arrive(ctx, i); err != nil {
			return err
		}
		s.take()
		if err := s.handle(ctx, i); err != nil {
			return err
		}
	}
	return nil
}

// group runs each order in its own goroutine, at most limit at once (-1: no limit).
func (s *session) group(ctx context.Context, limit int) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	var arriveErr error
	for i := range s.orders {
		if arriveErr = s.arrive(gctx, i); arriveErr != nil {
			break
		}
		g.Go(func() error {
			s.take()
			return s.handle(gctx, i)
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return arriveErr
}

func (s *session) pipeline(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	quotes, priced, approved := make(chan int), make(chan int), make(chan int)
	g.Go(func() error {
		defer close(quotes)
		for i := range s.orders {
			if err := s.arrive(ctx, i); err != nil {
				return err
			}
			s.take()
			if err := send(ctx, quotes, i); err != nil {
				return err
			}
		}
		return nil
	})
	stage(ctx, g, min(s.cfg.Workers, runtime.GOMAXPROCS(0)), quotes, priced, func(i int) (bool, error) {
		s.price()
		return true, nil
	})
	stage(ctx, g, 1, priced, approved, func(i int) (bool, error) {
		d := Decide(s.orders[i])
		if d.Outcome != Filled {
			s.finish(d)
			return false, nil
		}
		return true, nil
	})
	stage(ctx, g, s.cfg.Workers, approved, nil, func(i int) (bool, error) {
		if err := s.gateway(ctx, i); err != nil {
			return false, err
		}
		s.finish(Decide(s.orders[i]))
		return false, nil
	})
	return g.Wait()
}

// stage starts n goroutines that apply fn to every order index from in and forward it to
// out when fn says so; out is closed once all n are done (so the next stage ends too).
func stage(ctx context.Context, g *errgroup.Group, n int, in <-chan int, out chan<- int, fn func(int) (bool, error)) {
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		g.Go(func() error {
			defer wg.Done()
			for i := range in {
				forward, err := fn(i)
				if err != nil {
					return err
				}
				if forward && out != nil {
					if err := send(ctx, out, i); err != nil {
						return err
					}
				}
			}
			return nil
		})
	}
	if out != nil {
		g.Go(func() error {
			wg.Wait()
			close(out)
			return nil
		})
	}
}

// send delivers v unless ctx ends first.
func send(ctx context.Context, ch chan<- int, v int) error {
	select {
	case ch <- v:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// report gathers what s recorded. A run that ended without error must have decided every
// order exactly once; anything else is reported as an error rather than hidden.
func (s *session) report(strategy Strategy, elapsed time.Duration, runErr error) (Report, error) {
	r := Report{Strategy: strategy, Orders: int(s.arrived.Load()), Elapsed: elapsed, MaxInFlight: int(s.maxInFlight.Load())}
	for i := range s.orders {
		if !s.decided[i].Load() {
			continue
		}
		r.Decisions = append(r.Decisions, s.decisions[i])
		r.Latencies = append(r.Latencies, s.latencies[i])
	}
	r.summarize()
	if dup := s.duplicate.Load(); dup != 0 {
		return r, fmt.Errorf("fx.Run(%s): order %d decided twice", strategy, dup-1)
	}
	if runErr != nil {
		return r, runErr
	}
	if r.Orders != len(s.orders) || r.Decided() != len(s.orders) {
		return r, fmt.Errorf("fx.Run(%s): %d orders in, %d arrived, %d decided: orders lost", strategy, len(s.orders), r.Orders, r.Decided())
	}
	return r, nil
}

// summarize fills the counts, percentiles, throughput and checksum from Decisions and Latencies.
func (r *Report) summarize() {
	r.Filled, r.Rejected = 0, 0
	for _, d := range r.Decisions {
		if d.Outcome == Filled {
			r.Filled++
		} else {
			r.Rejected++
		}
	}
	r.Checksum = digest(r.Decisions)
	if r.Elapsed > 0 {
		r.Throughput = float64(r.Decided()) / r.Elapsed.Seconds()
	}
	sorted := slices.Clone(r.Latencies)
	slices.Sort(sorted)
	r.P50 = timing.Percentile(sorted, 50)
	r.P95 = timing.Percentile(sorted, 95)
	r.P99 = timing.Percentile(sorted, 99)
	if len(sorted) > 0 {
		r.Max = sorted[len(sorted)-1]
	}
}
