package check

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// splitWorkFunc is the signature of notebook 12's Process: parse every item with at most
// limit parses at once, store each parsed value, stop at the first error.
type splitWorkFunc = func(ctx context.Context, items []int, limit int, parse func(int) int, store func(context.Context, int) error) error

// SplitWork checks notebook 12's exercise, mixed work split the way the decision guide
// says: CPU work (parse) bounded to limit at once and reaching it, waits (store)
// overlapping beyond limit, every item stored once, and the first store error returned
// with the other stores' context cancelled. The reader's code runs on fake time (see onFakeTime),
// so parses and stores take fake time and the verdict is the same on every machine.
func SplitWork(t *testing.T, process func(ctx context.Context, items []int, limit int, parse func(int) int, store func(context.Context, int) error) error) {
	t.Helper()
	if err := checkSplitWork(t, process); err != nil {
		t.Fatal(err)
	}
}

var errNB12Store = errors.New("store failed: disk full")

func checkSplitWork(t *testing.T, process splitWorkFunc) error {
	if process == nil {
		return fmt.Errorf("Process is nil")
	}
	return onFakeTime(t, "Process", inTurn(process, splitWorkBounds, splitWorkStopsOnError))
}

// splitWorkBounds processes 24 items with limit 3: a parse takes 5 ms, a store 20 ms.
func splitWorkBounds(process splitWorkFunc) error {
	const n, limit = 24, 3
	items := make([]int, n)
	for i := range items {
		items[i] = i
	}
	var parses, stores peak
	var mu sync.Mutex
	stored := map[int]int{}
	parse := func(i int) int {
		parses.enter()
		defer parses.leave()
		time.Sleep(5 * time.Millisecond) // CPU work, in fake time
		return 10 * i
	}
	store := func(ctx context.Context, v int) error {
		stores.enter()
		defer stores.leave()
		time.Sleep(20 * time.Millisecond) // a wait on the network, in fake time
		mu.Lock()
		stored[v]++
		mu.Unlock()
		return nil
	}
	if err := process(context.Background(), items, limit, parse, store); err != nil {
		return fmt.Errorf("Process returned %v, but no parse or store failed", err)
	}
	for _, i := range items {
		if c := stored[10*i]; c != 1 {
			return fmt.Errorf("item %d was stored %d times, want exactly once (store(ctx, parse(item)) for every item)", i, c)
		}
	}
	if len(stored) != n {
		return fmt.Errorf("%d different values were stored, want %d: store what parse returned", len(stored), n)
	}
	switch p := parses.most.Load(); {
	case p > limit:
		return fmt.Errorf("up to %d parses ran at once; at most limit (%d) may: parse is CPU work, bound it to the cores", p, limit)
	case p < limit:
		return fmt.Errorf("at most %d parse(s) ran at once, with %d items waiting: run up to limit (%d) parses together", p, n, limit)
	}
	if s := stores.most.Load(); s <= limit {
		return fmt.Errorf("at most %d stores ran at once: stores are waits and should overlap freely, beyond limit (%d) — hold the limit around parse only", s, limit)
	}
	return nil
}

// splitWorkStopsOnError processes 10 items with limit 2; storing item 3 fails at once, and
// every other store waits an hour unless its context is cancelled.
func splitWorkStopsOnError(process splitWorkFunc) error {
	const n, limit = 10, 2
	items := make([]int, n)
	for i := range items {
		items[i] = i
	}
	var cancelled atomic.Int64
	store := func(ctx context.Context, v int) error {
		if v == 3 {
			return errNB12Store
		}
		select {
		case <-ctx.Done():
			cancelled.Add(1)
			return ctx.Err()
		case <-time.After(time.Hour):
			return nil
		}
	}
	start := time.Now()
	err := process(context.Background(), items, limit, func(i int) int { return i }, store)
	took := time.Since(start)
	if !errors.Is(err, errNB12Store) {
		return fmt.Errorf("when storing item 3 failed with %q, Process returned %v; want that error", errNB12Store, err)
	}
	if took >= time.Hour {
		return fmt.Errorf("Process returned after the other stores ran to the end (%v of fake time): the first error must cancel the context the stores got (errgroup.WithContext)", took)
	}
	if cancelled.Load() == 0 {
		return fmt.Errorf("no store saw its context cancelled: pass the group's ctx to store")
	}
	return nil
}
