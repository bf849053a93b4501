package sim_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/capstone/fx"
	"github.com/go-concurrency-lab/lab/labkit/capstone/fx/sim"
	"github.com/go-concurrency-lab/lab/labkit/measure/pybaseline"
)

// A Strategy is a plain function; this one handles one order at a time. Every strategy
// reaches the same decisions for the same Config; only the timings differ.
func ExampleRun() {
	oneAtATime := func(ctx context.Context, orders []fx.Order, desk *sim.Desk) error {
		for _, o := range orders {
			if err := desk.Arrive(ctx, o); err != nil {
				return err
			}
			desk.Price(o)
			d := fx.Decide(o)
			if d.Outcome == fx.Filled {
				if err := desk.Send(ctx, o); err != nil {
					return err
				}
			}
			desk.Record(d)
		}
		return nil
	}
	cfg := fx.Config{
		Seed:     1,
		Pairs:    4,
		Orders:   100,
		Latency:  fx.ExpLatency(10*time.Microsecond, 40*time.Microsecond),
		CPUIters: 1000,
		Workers:  8,
	}
	r, err := sim.Run(context.Background(), cfg, "one-at-a-time", oneAtATime)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s: in=%d filled=%d rejected=%d checksum=%x price-checksum=%x\n",
		r.Name, r.Orders, r.Filled, r.Rejected, r.Checksum, r.PriceChecksum)
	// Output:
	// one-at-a-time: in=100 filled=86 rejected=14 checksum=6c58fd9c452f8ea4 price-checksum=79b51a9236e804bf
}

// RunPython runs the same orders in Python; callers skip visibly without python3.
func ExampleRunPython() {
	cfg := fx.Config{Seed: 1, Pairs: 4, Orders: 100, Latency: fx.FixedLatency(time.Millisecond), Workers: 8}
	r, err := sim.RunPython(context.Background(), cfg, "asyncio")
	if errors.Is(err, pybaseline.ErrNoPython) {
		fmt.Println("skipped:", err)
		return
	}
	if err != nil {
		panic(err)
	}
	fmt.Println(r)
}

func ExampleReports_HistogramChart() {
	rs := sim.Reports{{Name: "pool", P99: 2400 * time.Microsecond, Latencies: []time.Duration{
		300 * time.Microsecond, 800 * time.Microsecond, 1200 * time.Microsecond, 9 * time.Millisecond,
	}}}
	// Buckets run up to a little above the largest p99: 2.4ms * 5/4 + 1ms, to the ms.
	bar := rs.HistogramChart("latency", 4)
	for i, label := range bar.Categories {
		fmt.Printf("%-8s %.0f\n", label, bar.Series[0].Values[i])
	}
	// Output:
	// 0s-1ms   2
	// 1ms-2ms  1
	// 2ms-3ms  0
	// ≥3ms     1
}
