package check

import (
	"context"
	"sync"
	"testing"

	"github.com/go-concurrency-lab/lab/labkit/capstone/fx"
	"golang.org/x/sync/errgroup"
)

// The stub notebook 09 ships: right results, one order at a time.
func sendAllSequential(ctx context.Context, orders []fx.Order, limit int, send func(context.Context, fx.Order) error) error {
	for _, o := range orders {
		if err := send(ctx, o); err != nil {
			return err
		}
	}
	return nil
}

// The reference solution (notebooks/solutions/09_fx_workload/send_all.gocell).
func sendAllPool(ctx context.Context, orders []fx.Order, limit int, send func(context.Context, fx.Order) error) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for _, o := range orders {
		g.Go(func() error { return send(ctx, o) })
	}
	return g.Wait()
}

// A goroutine per order: concurrent but unbounded.
func sendAllUnbounded(ctx context.Context, orders []fx.Order, limit int, send func(context.Context, fx.Order) error) error {
	var g errgroup.Group
	for _, o := range orders {
		g.Go(func() error { return send(ctx, o) })
	}
	return g.Wait()
}

// Bounded but fire-and-forget: returns before the sends finish.
func sendAllNoWait(ctx context.Context, orders []fx.Order, limit int, send func(context.Context, fx.Order) error) error {
	sem := make(chan struct{}, limit)
	go func() {
		for _, o := range orders {
			sem <- struct{}{}
			go func() {
				defer func() { <-sem }()
				_ = send(ctx, o)
			}()
		}
	}()
	return nil
}

// Bounded, waits, but drops errors.
func sendAllIgnoresErrors(ctx context.Context, orders []fx.Order, limit int, send func(context.Context, fx.Order) error) error {
	var g errgroup.Group
	g.SetLimit(limit)
	for _, o := range orders {
		g.Go(func() error { _ = send(ctx, o); return nil })
	}
	return g.Wait()
}

// Bounded, but returns at the first error without waiting for the other sends.
func sendAllReturnsEarly(ctx context.Context, orders []fx.Order, limit int, send func(context.Context, fx.Order) error) error {
	sem := make(chan struct{}, limit)
	errs := make(chan error, len(orders))
	for _, o := range orders {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			errs <- send(ctx, o)
		}()
	}
	for range orders {
		if err := <-errs; err != nil {
			return err
		}
	}
	return nil
}

func TestSendAllVerdicts(t *testing.T) {
	cases := []struct {
		name    string
		fn      sendAllFunc
		wantErr string
	}{
		{"stub (sequential)", sendAllSequential, "at most 1 sends ran at once"},
		{"solution", sendAllPool, ""},
		{"unbounded", sendAllUnbounded, "with limit 4: bound them"},
		{"no wait", sendAllNoWait, "still running"},
		{"ignores errors", sendAllIgnoresErrors, "return the first error"},
		{"returns at the first error", sendAllReturnsEarly, "before the other sends had finished"},
		{"nil", nil, "nil"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := checkSendAll(t, c.fn)
			verdict(t, err, c.wantErr)
		})
	}
}

// The stub notebook 09 ships: one goroutine, output never closed, ctx ignored.
func priceStageStub(ctx context.Context, in <-chan fx.Order, workers int, price func(fx.Order) fx.Decision) <-chan fx.Decision {
	out := make(chan fx.Decision)
	go func() {
		for o := range in {
			out <- price(o)
		}
	}()
	return out
}

// The reference solution (notebooks/solutions/09_fx_workload/price_stage.gocell).
func priceStageSolution(ctx context.Context, in <-chan fx.Order, workers int, price func(fx.Order) fx.Decision) <-chan fx.Decision {
	out := make(chan fx.Decision)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				select {
				case <-ctx.Done():
					return
				case o, ok := <-in:
					if !ok {
						return
					}
					select {
					case out <- price(o):
					case <-ctx.Done():
						return
					}
				}
			}
		})
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out
}

// Concurrent and closes, but ignores ctx: stuck on a send after cancel.
func priceStageNoCtx(ctx context.Context, in <-chan fx.Order, workers int, price func(fx.Order) fx.Decision) <-chan fx.Decision {
	out := make(chan fx.Decision)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for o := range in {
				out <- price(o)
			}
		})
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out
}

// Watches ctx when sending but not when receiving: leaks on an open input.
func priceStageNoCtxOnReceive(ctx context.Context, in <-chan fx.Order, workers int, price func(fx.Order) fx.Decision) <-chan fx.Decision {
	out := make(chan fx.Decision)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for o := range in {
				select {
				case out <- price(o):
				case <-ctx.Done():
					return
				}
			}
		})
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out
}

// Closes its output properly but uses a single goroutine whatever workers says.
func priceStageOneWorker(ctx context.Context, in <-chan fx.Order, workers int, price func(fx.Order) fx.Decision) <-chan fx.Decision {
	out := make(chan fx.Decision)
	go func() {
		defer close(out)
		for o := range in {
			out <- price(o)
		}
	}()
	return out
}

func TestPriceStageVerdicts(t *testing.T) {
	cases := []struct {
		name    string
		fn      priceStageFunc
		wantErr string
	}{
		{"stub", priceStageStub, "at most 1 price calls ran at once"},
		{"solution", priceStageSolution, ""},
		{"one worker, closes", priceStageOneWorker, "at most 1 price calls ran at once with 3 workers: start"},
		{"ignores ctx", priceStageNoCtx, "still being sent after ctx was cancelled"},
		{"ctx only on send", priceStageNoCtxOnReceive, "never closed"},
		{"nil", nil, "nil"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := checkPriceStage(t, c.fn)
			verdict(t, err, c.wantErr)
		})
	}
}
