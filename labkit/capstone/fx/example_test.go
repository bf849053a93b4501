package fx_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/capstone/fx"
)

func ExampleGenerate() {
	cfg := fx.Config{Seed: 7, Pairs: 3, Orders: 4, Workers: 1}
	orders, err := fx.Generate(cfg)
	if err != nil {
		panic(err)
	}
	for _, o := range orders {
		fmt.Println(o, "→", fx.Decide(o).Outcome)
	}
	// Output:
	// #0 buy 6 EURUSD @ 1.08512 → rejected-spread
	// #1 buy 1 EURUSD @ 1.08507 → filled
	// #2 sell 1 EURUSD @ 1.08502 → filled
	// #3 sell 7 GBPUSD @ 1.26795 → filled
}

// A Strategy is a plain function; this one handles one order at a time. Every strategy
// reaches the same decisions for the same Config; only the timings differ.
func ExampleRun() {
	oneAtATime := func(ctx context.Context, orders []fx.Order, desk *fx.Desk) error {
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
	r, err := fx.Run(context.Background(), cfg, "one-at-a-time", oneAtATime)
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
	r, err := fx.RunPython(context.Background(), cfg, "asyncio")
	if errors.Is(err, fx.ErrNoPython) {
		fmt.Println("skipped:", err)
		return
	}
	if err != nil {
		panic(err)
	}
	fmt.Println(r)
}

func ExampleHistogram() {
	latencies := []time.Duration{
		300 * time.Microsecond, 800 * time.Microsecond, 1200 * time.Microsecond, 9 * time.Millisecond,
	}
	labels, counts, err := fx.Histogram(latencies, 4*time.Millisecond, 4)
	if err != nil {
		panic(err)
	}
	for i := range labels {
		fmt.Printf("%-8s %.0f\n", labels[i], counts[i])
	}
	// Output:
	// 0s-1ms   2
	// 1ms-2ms  1
	// 2ms-3ms  0
	// ≥3ms     1
}
