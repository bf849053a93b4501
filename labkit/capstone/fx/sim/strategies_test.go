package sim_test

import (
	"context"
	"runtime"
	"sync"

	"github.com/go-concurrency-lab/lab/labkit/capstone/fx/sim"

	"github.com/go-concurrency-lab/lab/labkit/capstone/fx"
	"golang.org/x/sync/errgroup"
)

// The four strategies of notebook 09, copied from its cells (TestStrategiesMatchTheNotebook
// keeps each copy equal to its cell, token for token), so that the tests here run exactly
// the Go the reader sees.

// handle prices one order, checks its risk, sends it if it passed, and records the decision.
func handle(ctx context.Context, desk *sim.Desk, o fx.Order) error {
	desk.Price(o)
	d := fx.Decide(o)
	if d.Outcome == fx.Filled {
		if err := desk.Send(ctx, o); err != nil {
			return err
		}
	}
	desk.Record(d)
	return nil
}

// sequential handles one order at a time, start to finish: a plain loop.
func sequential(ctx context.Context, orders []fx.Order, desk *sim.Desk) error {
	for _, o := range orders {
		if err := desk.Arrive(ctx, o); err != nil {
			return err
		}
		if err := handle(ctx, desk, o); err != nil {
			return err
		}
	}
	return nil
}

// goroutinePerOrder starts a goroutine for every order as soon as its quote arrives.
func goroutinePerOrder(ctx context.Context, orders []fx.Order, desk *sim.Desk) error {
	g, gctx := errgroup.WithContext(ctx) // the first error cancels gctx for every order
	for _, o := range orders {
		if desk.Arrive(gctx, o) != nil {
			break // cancelled: take no more quotes
		}
		g.Go(func() error { return handle(gctx, desk, o) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err() // cancelled while waiting for a quote, with nothing in flight
}

// pool is goroutinePerOrder with one more line: at most desk.Workers() orders at once.
func pool(ctx context.Context, orders []fx.Order, desk *sim.Desk) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(desk.Workers()) // g.Go now waits while every slot is busy
	for _, o := range orders {
		if desk.Arrive(gctx, o) != nil {
			break
		}
		g.Go(func() error { return handle(gctx, desk, o) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

// quotes sends each order on as its quote arrives and closes the channel after the last.
func quotes(ctx context.Context, g *errgroup.Group, orders []fx.Order, desk *sim.Desk) <-chan fx.Order {
	out := make(chan fx.Order)
	g.Go(func() error {
		defer close(out)
		for _, o := range orders {
			if err := desk.Arrive(ctx, o); err != nil {
				return err
			}
			select {
			case out <- o:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	})
	return out
}

// stage starts n goroutines that take orders from in, apply step, and pass an order on
// when step says so. Its output closes once in is closed and all n are done.
func stage(ctx context.Context, g *errgroup.Group, n int, in <-chan fx.Order, step func(fx.Order) bool) <-chan fx.Order {
	out := make(chan fx.Order)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		g.Go(func() error {
			defer wg.Done()
			for o := range in {
				if !step(o) {
					continue
				}
				select {
				case out <- o: // waits while the next stage is busy: backpressure
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			return nil
		})
	}
	g.Go(func() error { wg.Wait(); close(out); return nil })
	return out
}

// pipeline: quotes → pricing (a goroutine per core) → risk (one) → gateway (desk.Workers()).
func pipeline(ctx context.Context, orders []fx.Order, desk *sim.Desk) error {
	g, gctx := errgroup.WithContext(ctx)
	priced := stage(gctx, g, runtime.GOMAXPROCS(0), quotes(gctx, g, orders, desk), func(o fx.Order) bool {
		desk.Price(o)
		return true
	})
	approved := stage(gctx, g, 1, priced, func(o fx.Order) bool {
		d := fx.Decide(o)
		if d.Outcome != fx.Filled {
			desk.Record(d) // rejected: decided here, never sent
		}
		return d.Outcome == fx.Filled
	})
	stage(gctx, g, desk.Workers(), approved, func(o fx.Order) bool {
		if desk.Send(gctx, o) == nil { // fails only when cancelled
			desk.Record(fx.Decide(o))
		}
		return false // the last stage passes nothing on
	})
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}
