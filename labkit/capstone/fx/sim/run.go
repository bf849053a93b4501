// Package sim runs the orders of an [fx] market through concurrency strategies and
// measures them: throughput, latency percentiles and in-flight depth.
//
// It exists to compare strategies on one realistic shape of work: a pricing and risk step
// that costs CPU and a gateway round trip that is simulated IO latency. A [Strategy] is a
// plain function — notebook 09 writes a sequential loop, a goroutine per order, a bounded
// pool and a channel pipeline in its cells — and [Run] sends the orders through it on a
// [Desk]. [RunPython] runs the same orders through the Python baseline, and [Measure]
// compares any mix of the two in interleaved rounds. Results draw as charts
// ([Reports.Chart] and its siblings) through labkit/chart; nothing here displays.
package sim

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/capstone/fx"

	"github.com/go-concurrency-lab/lab/labkit/timing"
	"github.com/go-concurrency-lab/lab/labkit/workload"
)

// A Strategy sends every order through the desk: for each order it waits for the quote
// ([Desk.Arrive]), prices it ([Desk.Price]), applies [fx.Decide], sends a filled order to the
// gateway ([Desk.Send]) and records the decision ([Desk.Record]). How it spreads that work
// over goroutines is the strategy; the notebook writes four of them. It returns when
// every order it took is decided, or with ctx's error once ctx is done.
type Strategy func(ctx context.Context, orders []fx.Order, desk *Desk) error

// A Desk is one run's trading desk. A [Strategy] calls its methods for each order, and
// the desk measures: when each quote arrived, how many orders were in flight, when each
// was decided. Its methods are safe for concurrent use. [Run] makes one per run.
type Desk struct {
	cfg       fx.Config
	orders    []fx.Order
	start     time.Time
	iters     int64 // pricing loop iterations per order
	decisions []fx.Decision
	latencies []time.Duration
	prices    []uint64      // each order's pricing result, for the pricing checksum
	priced    []atomic.Bool // Price was called: the order is in flight
	decided   []atomic.Bool // Record was called; a second time is a bug

	arrived               atomic.Int64
	inFlight, maxInFlight atomic.Int64

	mu    sync.Mutex
	fault error // the first misuse seen (an order recorded twice, or unknown)
}

// Workers is Config.Workers: the pool size, and the goroutines of a pipeline's gateway stage.
func (d *Desk) Workers() int { return d.cfg.Workers }

// Arrive waits until o's quote is due (at once for a burst, see Config.Interval), or until
// ctx is done. Latency is measured from the moment the quote is due, so an order that
// waits for a free goroutine after that has its waiting counted.
func (d *Desk) Arrive(ctx context.Context, o fx.Order) error {
	if err := d.check(o.ID); err != nil {
		return err
	}
	due := d.start.Add(o.Quote.Offset)
	if err := workload.Wait(ctx, max(time.Until(due), 0)); err != nil {
		return err
	}
	d.arrived.Add(1)
	return nil
}

// Price is the pricing model's CPU work for o: Config.CPUIters iterations of the lab's
// CPU loop ([workload.SpinIters]) seeded by o.ID+1, or as many as take about Config.CPU of
// CPU time. From here until [Desk.Record], o counts as in flight.
func (d *Desk) Price(o fx.Order) {
	if d.check(o.ID) != nil || d.priced[o.ID].Swap(true) {
		return
	}
	n := d.inFlight.Add(1)
	for m := d.maxInFlight.Load(); n > m && !d.maxInFlight.CompareAndSwap(m, n); m = d.maxInFlight.Load() {
	}
	d.prices[o.ID], _ = workload.SpinIters(context.Background(), d.iters, uint64(o.ID)+1)
}

// Send is o's gateway round trip: it waits o.Latency, or until ctx is done.
func (d *Desk) Send(ctx context.Context, o fx.Order) error {
	if err := d.check(o.ID); err != nil {
		return err
	}
	return workload.Wait(ctx, o.Latency)
}

// Record records the decision for order dec.OrderID, which is then no longer in flight.
// Recording an order twice makes [Run] fail.
func (d *Desk) Record(dec fx.Decision) {
	i := dec.OrderID
	if d.check(i) != nil {
		return
	}
	if d.decided[i].Swap(true) {
		d.setFault(fmt.Errorf("order %d decided twice", i))
		return
	}
	d.latencies[i] = time.Since(d.start) - d.orders[i].Quote.Offset
	d.decisions[i] = dec
	if d.priced[i].Load() {
		d.inFlight.Add(-1)
	}
}

func (d *Desk) check(id int) error {
	if id < 0 || id >= len(d.orders) {
		err := fmt.Errorf("sim: order %d is not one of this run's %d orders", id, len(d.orders))
		d.setFault(err)
		return err
	}
	return nil
}

func (d *Desk) setFault(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.fault == nil {
		d.fault = err
	}
}

// Report is what one run measured. Decisions are data (equal for equal Configs);
// everything else is timing and varies from run to run.
type Report struct {
	Name     string // the strategy's name, as given to Run
	Orders   int    // orders that arrived (all of them unless the run was cancelled)
	Filled   int
	Rejected int // RejectedSize + RejectedSpread

	Elapsed    time.Duration // wall time of the whole run
	Throughput float64       // decided orders per second of Elapsed
	// Latency percentiles (nearest rank) of arrival → decision, over decided orders.
	// Arrival is the quote's Offset after the start, so time spent queueing counts.
	P50, P95, P99, Max time.Duration
	// MaxInFlight is the most orders priced but not yet decided at one moment.
	MaxInFlight int

	// Decisions holds one entry per decided order, sorted by OrderID, and Latencies the
	// matching arrival → decision times (same index).
	Decisions []fx.Decision
	Latencies []time.Duration
	Checksum  uint64 // order-independent digest of Decisions; equal for equal Configs

	// PriceIters is the pricing loop's iterations per order, and PriceChecksum the sum
	// (mod 2^64) of every decided order's pricing result: equal iterations on equal orders
	// give equal sums, in Go and in the Python baseline.
	PriceIters    int64
	PriceChecksum uint64
}

// Decided is Filled+Rejected. A run that returns no error has Decided() == Orders == Config.Orders.
func (r Report) Decided() int { return r.Filled + r.Rejected }

// NsPerIter is the run's wall time per pricing loop iteration, over every decided order
// (0 without pricing work). For a one-at-a-time run it is the loop's cost per operation.
func (r Report) NsPerIter() float64 {
	total := float64(r.PriceIters) * float64(r.Decided())
	if total == 0 {
		return 0
	}
	return float64(r.Elapsed.Nanoseconds()) / total
}

// String prints the report on one line.
func (r Report) String() string {
	return fmt.Sprintf("%-20s orders=%d filled=%d rejected=%d elapsed=%v throughput=%.0f/s p50=%v p95=%v p99=%v max-in-flight=%d",
		r.Name, r.Orders, r.Filled, r.Rejected, timing.Round(r.Elapsed), r.Throughput,
		timing.Round(r.P50), timing.Round(r.P95), timing.Round(r.P99), r.MaxInFlight)
}

// Run sends cfg's orders through strategy s, named name in the [Report], and reports
// what happened.
//
// Pricing is counted in loop iterations: Config.CPUIters, or, when Config.CPU is set, the
// iterations [workload.Calibrate] says take that long (Run calibrates before starting its
// clock; a caller that gives the first Run of a process a deadline should call
// workload.Calibrate first, or the calibration spends part of that deadline).
//
// When ctx is cancelled the strategy should stop promptly; Run returns ctx's error with a
// Report of the orders decided so far. Without an error, every order was decided exactly
// once: a strategy that loses an order, decides one twice or returns early makes Run fail.
func Run(ctx context.Context, cfg fx.Config, name string, s Strategy) (Report, error) {
	if s == nil {
		return Report{}, fmt.Errorf("sim: Run(%s): strategy is nil", name)
	}
	orders, err := fx.Generate(cfg)
	if err != nil {
		return Report{}, err
	}
	d := &Desk{
		cfg:       cfg,
		orders:    orders,
		iters:     pricingIters(cfg),
		decisions: make([]fx.Decision, len(orders)),
		latencies: make([]time.Duration, len(orders)),
		prices:    make([]uint64, len(orders)),
		priced:    make([]atomic.Bool, len(orders)),
		decided:   make([]atomic.Bool, len(orders)),
	}
	d.start = time.Now()
	runErr := s(ctx, slices.Clone(orders), d)
	return d.report(name, time.Since(d.start), runErr)
}

// pricingIters is the loop count per order that cfg asks for (calibrating if needed).
func pricingIters(c fx.Config) int64 {
	if c.CPUIters > 0 {
		return c.CPUIters
	}
	if c.CPU == 0 {
		return 0
	}
	return max(int64(float64(workload.Calibrate())*float64(c.CPU)/float64(workload.UnitTarget)), 1)
}

// report gathers what d recorded. A run that ended without error must have decided every
// order exactly once; anything else is reported as an error rather than hidden.
func (d *Desk) report(name string, elapsed time.Duration, runErr error) (Report, error) {
	r := Report{Name: name, Orders: int(d.arrived.Load()), Elapsed: elapsed, MaxInFlight: int(d.maxInFlight.Load()), PriceIters: d.iters}
	for i := range d.orders {
		if !d.decided[i].Load() {
			continue
		}
		r.Decisions = append(r.Decisions, d.decisions[i])
		r.Latencies = append(r.Latencies, d.latencies[i])
		r.PriceChecksum += d.prices[i]
	}
	r.summarize()
	d.mu.Lock()
	fault := d.fault
	d.mu.Unlock()
	switch {
	case fault != nil:
		return r, fmt.Errorf("sim: Run(%s): %w", name, fault)
	case runErr != nil:
		return r, runErr
	case r.Orders != len(d.orders) || r.Decided() != len(d.orders):
		return r, fmt.Errorf("sim: Run(%s): %d orders in, %d arrived, %d decided: orders lost", name, len(d.orders), r.Orders, r.Decided())
	}
	for i := range d.orders {
		if !d.priced[i].Load() {
			return r, fmt.Errorf("sim: Run(%s): order %d was decided without being priced", name, i)
		}
	}
	return r, nil
}

// summarize fills the counts, percentiles, throughput and checksum from Decisions and Latencies.
func (r *Report) summarize() {
	r.Filled, r.Rejected = 0, 0
	for _, d := range r.Decisions {
		if d.Outcome == fx.Filled {
			r.Filled++
		} else {
			r.Rejected++
		}
	}
	r.Checksum = fx.Checksum(r.Decisions)
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
