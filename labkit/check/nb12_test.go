package check

import (
	"context"
	"sync"
	"testing"

	"golang.org/x/sync/errgroup"
)

// The stub notebook 12 ships (exercise "split_work"): one item at a time.
func processOneAtATime(ctx context.Context, items []int, limit int, parse func(int) int, store func(context.Context, int) error) error {
	for _, it := range items {
		if err := store(ctx, parse(it)); err != nil {
			return err
		}
	}
	return nil
}

// The reference solution (notebooks/solutions/12_choosing/split_work.gocell).
func processSlotsAroundParse(ctx context.Context, items []int, limit int, parse func(int) int, store func(context.Context, int) error) error {
	g, ctx := errgroup.WithContext(ctx)
	slots := make(chan struct{}, limit) // a slot per parse that may run: CPU work is bounded
	for _, it := range items {
		g.Go(func() error {
			slots <- struct{}{}
			v := parse(it)
			<-slots
			return store(ctx, v) // waits are not bounded: they overlap freely
		})
	}
	return g.Wait()
}

// Wrong: a goroutine per item and no bound on the parses.
func processUnbounded(ctx context.Context, items []int, limit int, parse func(int) int, store func(context.Context, int) error) error {
	g, ctx := errgroup.WithContext(ctx)
	for _, it := range items {
		g.Go(func() error { return store(ctx, parse(it)) })
	}
	return g.Wait()
}

// Wrong: SetLimit bounds the stores too, so the waits no longer overlap freely.
func processSetLimit(ctx context.Context, items []int, limit int, parse func(int) int, store func(context.Context, int) error) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for _, it := range items {
		g.Go(func() error { return store(ctx, parse(it)) })
	}
	return g.Wait()
}

// Wrong: bounded correctly, but the stores get the caller's ctx, so nothing is cancelled.
func processNoCancel(ctx context.Context, items []int, limit int, parse func(int) int, store func(context.Context, int) error) error {
	var g errgroup.Group
	slots := make(chan struct{}, limit)
	for _, it := range items {
		g.Go(func() error {
			slots <- struct{}{}
			v := parse(it)
			<-slots
			return store(ctx, v)
		})
	}
	return g.Wait()
}

// Wrong: bounded and overlapping, but errors are dropped.
func processDropsErrors(ctx context.Context, items []int, limit int, parse func(int) int, store func(context.Context, int) error) error {
	var wg sync.WaitGroup
	slots := make(chan struct{}, limit)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for _, it := range items {
		wg.Go(func() {
			slots <- struct{}{}
			v := parse(it)
			<-slots
			if store(ctx, v) != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	return nil
}

func TestSplitWorkVerdicts(t *testing.T) {
	runVerdicts(t, checkSplitWork, []verdictCase[splitWorkFunc]{
		{"stub: one at a time", processOneAtATime, "at most 1 parse(s) ran at once", false},
		{"solution: slots around parse", processSlotsAroundParse, "", false},
		{"no bound on parses", processUnbounded, "parses ran at once; at most limit", false},
		{"SetLimit bounds the stores too", processSetLimit, "should overlap freely", false},
		{"stores not cancelled", processNoCancel, "cancel the context", false},
		{"errors dropped", processDropsErrors, "want that error", false},
		{"nil", nil, "nil", false},
	})
}
