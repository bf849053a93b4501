package check

import (
	"context"
	"errors"
	"sync"
	"testing"

	"golang.org/x/sync/errgroup"
)

// The stub notebook 05 ships (exercise "fetch_all"): a goroutine per url, no limit, and
// every fetch runs to the end even after one has failed.
func fetchAllUnbounded(ctx context.Context, urls []string, limit int, fetch fetchFunc) ([]string, error) {
	bodies := make([]string, len(urls))
	errs := make([]error, len(urls))
	var wg sync.WaitGroup
	for i, url := range urls {
		wg.Go(func() { bodies[i], errs[i] = fetch(ctx, url) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return bodies, nil
}

// The reference solution (notebooks/solutions/05_worker_pools/fetch_all.gocell).
func fetchAllErrgroup(ctx context.Context, urls []string, limit int, fetch fetchFunc) ([]string, error) {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	bodies := make([]string, len(urls))
	for i, url := range urls {
		g.Go(func() error {
			body, err := fetch(ctx, url)
			if err != nil {
				return err
			}
			bodies[i] = body
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return bodies, nil
}

// Bounded and ordered, but the fetches get the caller's ctx, so nothing is cancelled.
func fetchAllNoCancel(ctx context.Context, urls []string, limit int, fetch fetchFunc) ([]string, error) {
	var g errgroup.Group
	g.SetLimit(limit)
	bodies := make([]string, len(urls))
	for i, url := range urls {
		g.Go(func() error {
			body, err := fetch(ctx, url)
			bodies[i] = body
			return err
		})
	}
	return bodies, g.Wait()
}

// Bounded and cancelling, but appends in completion order.
func fetchAllUnordered(ctx context.Context, urls []string, limit int, fetch fetchFunc) ([]string, error) {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	var mu sync.Mutex
	var bodies []string
	for _, url := range urls {
		g.Go(func() error {
			body, err := fetch(ctx, url)
			if err != nil {
				return err
			}
			mu.Lock()
			bodies = append(bodies, body)
			mu.Unlock()
			return nil
		})
	}
	return bodies, g.Wait()
}

// One at a time: bounded, ordered, stops on error, but no concurrency at all.
func fetchAllSequential(ctx context.Context, urls []string, limit int, fetch fetchFunc) ([]string, error) {
	bodies := make([]string, len(urls))
	for i, url := range urls {
		body, err := fetch(ctx, url)
		if err != nil {
			return nil, err
		}
		bodies[i] = body
	}
	return bodies, nil
}

func TestFetchAllVerdicts(t *testing.T) {
	runVerdicts(t, checkFetchAll, []verdictCase[fetchAllFunc]{
		{"stub (unbounded)", fetchAllUnbounded, "ran at once with limit 3", false},
		{"solution", fetchAllErrgroup, "", false},
		{"no cancel", fetchAllNoCancel, "still waiting", false},
		{"unordered", fetchAllUnordered, "order of urls", false},
		{"sequential", fetchAllSequential, "never more than 1", false},
		{"nil", nil, "nil", false},
	})
}
