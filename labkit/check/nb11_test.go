package check

import (
	"context"
	"iter"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/sync/singleflight"
	"golang.org/x/time/rate"
)

// Notebook 11's verdict tests: each check fails on the stub the notebook ships, passes on
// the reference solution in notebooks/solutions/11_idioms, and fails a few plausible wrong
// answers with a message that names the mistake. TestCopiesMatchTheNotebooks (in
// copies_test.go) keeps the stub and solution copies identical to the notebook's.

// The stub notebook 11 ships for Items: it builds the whole list first.
func itemsEager(fetch func(page int) (items []string, more bool)) iter.Seq[string] {
	var all []string
	for page, more := 0, true; more; page++ {
		var items []string
		items, more = fetch(page)
		all = append(all, items...)
	}
	return slices.Values(all)
}

// The reference solution (notebooks/solutions/11_idioms/items.gocell).
func itemsLazy(fetch func(page int) (items []string, more bool)) iter.Seq[string] {
	return func(yield func(string) bool) {
		for page, more := 0, true; more; page++ {
			var items []string
			items, more = fetch(page)
			for _, item := range items {
				if !yield(item) {
					return
				}
			}
		}
	}
}

// Lazy, but keeps going after the loop broke.
func itemsIgnoresYield(fetch func(page int) ([]string, bool)) iter.Seq[string] {
	return func(yield func(string) bool) {
		for page, more := 0, true; more; page++ {
			var items []string
			items, more = fetch(page)
			for _, item := range items {
				yield(item)
			}
		}
	}
}

// Fetches page p+1 before yielding page p's items.
func itemsPrefetch(fetch func(page int) ([]string, bool)) iter.Seq[string] {
	return func(yield func(string) bool) {
		items, more := fetch(0)
		for page := 1; ; page++ {
			var next []string
			nextMore := false
			if more {
				next, nextMore = fetch(page)
			}
			for _, item := range items {
				if !yield(item) {
					return
				}
			}
			if !more {
				return
			}
			items, more = next, nextMore
		}
	}
}

// Takes an empty page for the end.
func itemsStopsAtEmptyPage(fetch func(page int) ([]string, bool)) iter.Seq[string] {
	return func(yield func(string) bool) {
		for page := 0; ; page++ {
			items, _ := fetch(page)
			if len(items) == 0 {
				return
			}
			for _, item := range items {
				if !yield(item) {
					return
				}
			}
		}
	}
}

func TestItemsVerdicts(t *testing.T) {
	runVerdicts(t, checkItems, []verdictCase[itemsFunc]{
		{"stub (eager list)", itemsEager, "before anyone ranged", false},
		{"solution", itemsLazy, "", false},
		{"ignores yield's false", itemsIgnoresYield, "panicked", false},
		{"prefetches the next page", itemsPrefetch, "fetch was called for pages [0 1 2]", false},
		{"stops at an empty page", itemsStopsAtEmptyPage, "gave [a b c]", false},
		{"nil", nil, "nil", false},
	})
}

// The stub notebook 11 ships for Memo: a cache, but callers that miss together all load.
func memoNoDedup(load func(key string) (string, error)) func(key string) (string, error) {
	var mu sync.Mutex
	cache := map[string]string{}
	return func(key string) (string, error) {
		mu.Lock()
		v, ok := cache[key]
		mu.Unlock()
		if ok {
			return v, nil
		}
		v, err := load(key)
		if err != nil {
			return "", err
		}
		mu.Lock()
		cache[key] = v
		mu.Unlock()
		return v, nil
	}
}

// The reference solution (notebooks/solutions/11_idioms/memo.gocell).
func memoSingleflight(load func(key string) (string, error)) func(key string) (string, error) {
	var (
		flights singleflight.Group
		mu      sync.Mutex
		cache   = map[string]string{}
	)
	cached := func(key string) (string, bool) {
		mu.Lock()
		defer mu.Unlock()
		v, ok := cache[key]
		return v, ok
	}
	return func(key string) (string, error) {
		if v, ok := cached(key); ok {
			return v, nil
		}
		v, err, _ := flights.Do(key, func() (any, error) {
			if v, ok := cached(key); ok {
				return v, nil
			}
			v, err := load(key)
			if err == nil {
				mu.Lock()
				cache[key] = v
				mu.Unlock()
			}
			return v, err
		})
		if err != nil {
			return "", err
		}
		return v.(string), nil
	}
}

// Deduplicates in-flight loads but keeps nothing.
func memoNoCache(load func(key string) (string, error)) func(key string) (string, error) {
	var flights singleflight.Group
	return func(key string) (string, error) {
		v, err, _ := flights.Do(key, func() (any, error) { return load(key) })
		if err != nil {
			return "", err
		}
		return v.(string), nil
	}
}

// Holds one lock across every load: no duplicates, but one slow key stalls all.
func memoGlobalLock(load func(key string) (string, error)) func(key string) (string, error) {
	var mu sync.Mutex
	cache := map[string]string{}
	return func(key string) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		if v, ok := cache[key]; ok {
			return v, nil
		}
		v, err := load(key)
		if err == nil {
			cache[key] = v
		}
		return v, err
	}
}

// Caches failures too.
func memoCachesErrors(load func(key string) (string, error)) func(key string) (string, error) {
	type entry struct {
		v   string
		err error
	}
	var (
		flights singleflight.Group
		mu      sync.Mutex
		cache   = map[string]entry{}
	)
	return func(key string) (string, error) {
		mu.Lock()
		e, ok := cache[key]
		mu.Unlock()
		if ok {
			return e.v, e.err
		}
		v, err, _ := flights.Do(key, func() (any, error) {
			v, err := load(key)
			mu.Lock()
			cache[key] = entry{v, err}
			mu.Unlock()
			return v, err
		})
		s, _ := v.(string)
		return s, err
	}
}

func TestMemoVerdicts(t *testing.T) {
	runVerdicts(t, checkMemo, []verdictCase[memoFunc]{
		{"stub (no duplicate suppression)", memoNoDedup, "want once", false},
		{"solution", memoSingleflight, "", false},
		{"singleflight without a cache", memoNoCache, "singleflight", false},
		{"one lock held across loads", memoGlobalLock, "hold up", false},
		{"caches errors", memoCachesErrors, "do not cache errors", false},
		{"nil", nil, "nil", false},
	})
}

// The stub notebook 11 ships for Retry: a fixed wait, deaf to ctx.
func retryFixed(ctx context.Context, attempts int, base time.Duration, op func() error) error {
	var err error
	for range attempts {
		if err = op(); err == nil {
			return nil
		}
		time.Sleep(base)
	}
	return err
}

// The reference solution (notebooks/solutions/11_idioms/retry.gocell).
func retryBackoff(ctx context.Context, attempts int, base time.Duration, op func() error) error {
	wait := base
	for attempt := 1; ; attempt++ {
		err := op()
		if err == nil || attempt >= attempts {
			return err
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		wait *= 2
	}
}

// Backs off, but sleeps through a cancellation.
func retryDeaf(ctx context.Context, attempts int, base time.Duration, op func() error) error {
	wait := base
	for attempt := 1; ; attempt++ {
		err := op()
		if err == nil || attempt >= attempts {
			return err
		}
		time.Sleep(wait)
		wait *= 2
	}
}

// Returns ctx.Err(), which only says "context canceled".
func retryErrNotCause(ctx context.Context, attempts int, base time.Duration, op func() error) error {
	wait := base
	for attempt := 1; ; attempt++ {
		err := op()
		if err == nil || attempt >= attempts {
			return err
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
		wait *= 2
	}
}

// Waits once more after the last failure.
func retryTrailingWait(ctx context.Context, attempts int, base time.Duration, op func() error) error {
	var err error
	wait := base
	for range attempts {
		if err = op(); err == nil {
			return nil
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		wait *= 2
	}
	return err
}

func TestRetryVerdicts(t *testing.T) {
	runVerdicts(t, checkRetry, []verdictCase[retryFunc]{
		{"stub (fixed wait)", retryFixed, "want [0s 100ms 300ms 700ms]", false},
		{"solution", retryBackoff, "", false},
		{"sleeps through cancellation", retryDeaf, "cancelled at 150ms", false},
		{"returns ctx.Err()", retryErrNotCause, "context.Cause", false},
		{"waits after the last attempt", retryTrailingWait, "without a final wait", false},
		{"nil", nil, "nil", false},
	})
}

// TestNB11RateLimiterSchedule pins what notebook 11 says about golang.org/x/time/rate: a
// limiter of one event per 20 ms with a burst of 4 lets 4 events through at once, then one
// every 20 ms. In a synctest bubble the schedule is exact.
func TestNB11RateLimiterSchedule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lim := rate.NewLimiter(rate.Every(20*time.Millisecond), 4)
		start := time.Now()
		var at []time.Duration
		for range 8 {
			if err := lim.Wait(t.Context()); err != nil {
				t.Fatal(err)
			}
			at = append(at, time.Since(start))
		}
		ms := time.Millisecond
		if want := []time.Duration{0, 0, 0, 0, 20 * ms, 40 * ms, 60 * ms, 80 * ms}; !slices.Equal(at, want) {
			t.Fatalf("events at %v, want %v", at, want)
		}
		if lim.Allow() {
			t.Fatal("Allow right after the 8th event = true, want false: the bucket is empty")
		}
	})
}
