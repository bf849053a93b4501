package check

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sync/errgroup"
)

// The stub notebook 05 ships (exercise "fetch_all"): a goroutine per url, no limit, and
// every fetch runs to the end even after one has failed.
func fetchAllUnbounded(ctx context.Context, urls []string, limit int, fetch FetchFunc) ([]string, error) {
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
func fetchAllErrgroup(ctx context.Context, urls []string, limit int, fetch FetchFunc) ([]string, error) {
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
func fetchAllNoCancel(ctx context.Context, urls []string, limit int, fetch FetchFunc) ([]string, error) {
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
func fetchAllUnordered(ctx context.Context, urls []string, limit int, fetch FetchFunc) ([]string, error) {
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
func fetchAllSequential(ctx context.Context, urls []string, limit int, fetch FetchFunc) ([]string, error) {
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

func TestFetchAllFailsOnStub(t *testing.T) {
	t.Parallel()
	err := checkFetchAll(t, fetchAllUnbounded)
	t.Logf("verdict on the stub: %v", err)
	if err == nil || !strings.Contains(err.Error(), "ran at once with limit 3") {
		t.Fatalf("want the stub to fail for ignoring the limit, got %v", err)
	}
}

func TestFetchAllPassesOnSolution(t *testing.T) {
	t.Parallel()
	if err := checkFetchAll(t, fetchAllErrgroup); err != nil {
		t.Fatal(err)
	}
}

func TestFetchAllRejectsOtherMistakes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		fn   func(context.Context, []string, int, FetchFunc) ([]string, error)
		want string
	}{
		{"no cancel", fetchAllNoCancel, "still waiting"},
		{"unordered", fetchAllUnordered, "order of urls"},
		{"sequential", fetchAllSequential, "never more than 1"},
		{"nil", nil, "nil"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := checkFetchAll(t, c.fn)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("want an error containing %q, got %v", c.want, err)
			}
		})
	}
}
