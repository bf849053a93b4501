package check

import (
	"context"
	"sync"
	"testing"

	"github.com/go-concurrency-lab/lab/labkit/capstone/fx"
)

// The stub notebook 09 ships: a goroutine per order.
func byPairPerOrder(orders []fx.Order, handle func(fx.Order)) {
	var wg sync.WaitGroup
	for _, o := range orders { // a goroutine per order: a pair's orders race each other: change this
		wg.Go(func() { handle(o) })
	}
	wg.Wait()
}

// The reference solution (notebooks/solutions/09_fx_workload/by_pair.gocell).
func byPairGrouped(orders []fx.Order, handle func(fx.Order)) {
	byPair := map[int][]fx.Order{}
	for _, o := range orders {
		byPair[o.Quote.Pair] = append(byPair[o.Quote.Pair], o) // keeps each pair's order
	}
	var wg sync.WaitGroup
	for _, pairOrders := range byPair {
		wg.Go(func() { // one goroutine per pair: its orders run one after another
			for _, o := range pairOrders {
				handle(o)
			}
		})
	}
	wg.Wait()
}

// In order, but one order at a time overall: pairs never overlap.
func byPairSequential(orders []fx.Order, handle func(fx.Order)) {
	for _, o := range orders {
		handle(o)
	}
}

// A goroutine per pair, each running its orders backwards.
func byPairReversed(orders []fx.Order, handle func(fx.Order)) {
	byPair := map[int][]fx.Order{}
	for _, o := range orders {
		byPair[o.Quote.Pair] = append([]fx.Order{o}, byPair[o.Quote.Pair]...)
	}
	var wg sync.WaitGroup
	for _, pairOrders := range byPair {
		wg.Go(func() {
			for _, o := range pairOrders {
				handle(o)
			}
		})
	}
	wg.Wait()
}

// A goroutine per pair, but returns without waiting for them.
func byPairNoWait(orders []fx.Order, handle func(fx.Order)) {
	byPair := map[int][]fx.Order{}
	for _, o := range orders {
		byPair[o.Quote.Pair] = append(byPair[o.Quote.Pair], o)
	}
	for _, pairOrders := range byPair {
		go func() {
			for _, o := range pairOrders {
				handle(o)
			}
		}()
	}
}

// A goroutine per pair that skips the pair's first order.
func byPairDropsOne(orders []fx.Order, handle func(fx.Order)) {
	byPair := map[int][]fx.Order{}
	for _, o := range orders {
		byPair[o.Quote.Pair] = append(byPair[o.Quote.Pair], o)
	}
	var wg sync.WaitGroup
	for _, pairOrders := range byPair {
		wg.Go(func() {
			for _, o := range pairOrders[1:] {
				handle(o)
			}
		})
	}
	wg.Wait()
}

func TestByPairVerdicts(t *testing.T) {
	runVerdicts(t, checkByPair, []verdictCase[byPairFunc]{
		{"stub (goroutine per order)", byPairPerOrder, "was still running: run one pair's orders one at a time", false},
		{"solution", byPairGrouped, "", false},
		{"sequential", byPairSequential, "run different pairs at the same time", false},
		{"reversed", byPairReversed, "keep each pair's orders in the order given", false},
		{"no wait", byPairNoWait, "still running", false},
		{"drops one", byPairDropsOne, "handled 0 times", false},
		{"nil", nil, "nil", false},
	})
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
	runVerdicts(t, checkPriceStage, []verdictCase[priceStageFunc]{
		{"stub", priceStageStub, "at most 1 price calls ran at once", false},
		{"solution", priceStageSolution, "", false},
		{"one worker, closes", priceStageOneWorker, "at most 1 price calls ran at once with 3 workers: start", false},
		{"ignores ctx", priceStageNoCtx, "still being sent after ctx was cancelled", false},
		{"ctx only on send", priceStageNoCtxOnReceive, "never closed", false},
		{"nil", nil, "nil", false},
	})
}
