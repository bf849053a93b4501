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

// FetchAll checks notebook 05's exercise, a bounded pool that stops on the first error:
// fetchAll(ctx, urls, limit, fetch) must run at most limit fetches at once (and reach that
// many), return the bodies in the order of urls, and when one fetch fails, return its error
// and cancel the context the other fetches were given.
func FetchAll(t *testing.T, fetchAll func(ctx context.Context, urls []string, limit int, fetch func(ctx context.Context, url string) (string, error)) ([]string, error)) {
	t.Helper()
	if err := checkFetchAll(t, fetchAll); err != nil {
		t.Fatal(err)
	}
}

type (
	fetchFunc    = func(ctx context.Context, url string) (string, error)
	fetchAllFunc = func(ctx context.Context, urls []string, limit int, fetch fetchFunc) ([]string, error)
)

var errNB05Fetch = errors.New("fetch failed: 503 Service Unavailable")

func checkFetchAll(t *testing.T, fetchAll fetchAllFunc) error {
	if fetchAll == nil {
		return fmt.Errorf("fetchAll is nil")
	}
	return onFakeTime(t, "FetchAll", inTurn(fetchAll, fetchAllLimitAndOrder, fetchAllStopsOnError))
}

// fetchAllLimitAndOrder fetches 12 urls with limit 3. Fetches hold until 3 are in flight
// (or grace passes), then finish later urls first, so completion order differs from
// input order.
func fetchAllLimitAndOrder(fetchAll fetchAllFunc) error {
	const n, limit = 12, 3
	urls := make([]string, n)
	index := make(map[string]int, n)
	for i := range urls {
		urls[i] = fmt.Sprintf("https://example.test/page/%d", i)
		index[urls[i]] = i
	}
	var running peak
	full := make(chan struct{})
	var fullOnce sync.Once
	var neverFull atomic.Bool
	fetch := func(ctx context.Context, url string) (string, error) {
		now := running.enter()
		defer running.leave()
		if now >= limit {
			fullOnce.Do(func() { close(full) })
		}
		if _, ok := await(full, grace); !ok {
			neverFull.Store(true)
			fullOnce.Do(func() { close(full) }) // the verdict is known; let the rest run quickly
		}
		i, ok := index[url]
		if !ok {
			return "", fmt.Errorf("unknown url %q", url)
		}
		// Later urls finish sooner, so completion order is not input order.
		hold := time.Duration(n-i) * time.Millisecond
		select {
		case <-time.After(hold):
			return "body of " + url, nil
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	got, err := nb05Call(fetchAll, context.Background(), urls, limit, fetch, nil)
	if err != nil {
		return err
	}
	if p := running.most.Load(); p > limit {
		return fmt.Errorf("%d fetches ran at once with limit %d: bound the pool (a fixed set of %d workers, errgroup's SetLimit, or a semaphore)", p, limit, limit)
	}
	if neverFull.Load() {
		return fmt.Errorf("never more than %d fetch(es) at once with limit %d: run up to limit fetches concurrently", running.most.Load(), limit)
	}
	if got.err != nil {
		return fmt.Errorf("FetchAll returned an error although every fetch succeeded: %v", got.err)
	}
	if len(got.bodies) != n {
		return fmt.Errorf("FetchAll returned %d bodies for %d urls", len(got.bodies), n)
	}
	for i, b := range got.bodies {
		if want := "body of " + urls[i]; b != want {
			return fmt.Errorf("body %d is %q, want %q: return results in the order of urls (write result i into slot i), not in completion order", i, b, want)
		}
	}
	return nil
}

// fetchAllStopsOnError fetches 20 urls with limit 4; the third fails at once and every
// other fetch waits for its context to be cancelled (or for the check to release it after
// grace, which means FetchAll did not cancel).
func fetchAllStopsOnError(fetchAll fetchAllFunc) error {
	const n, limit = 20, 4
	urls := make([]string, n)
	for i := range urls {
		urls[i] = fmt.Sprintf("https://example.test/item/%d", i)
	}
	bad := urls[2]
	release := make(chan struct{})
	var released atomic.Int64
	fetch := func(ctx context.Context, url string) (string, error) {
		if url == bad {
			return "", errNB05Fetch
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-release:
			released.Add(1)
			return "body of " + url, nil
		}
	}
	got, err := nb05Call(fetchAll, context.Background(), urls, limit, fetch, release)
	if err != nil {
		return err
	}
	if got.waited {
		return fmt.Errorf("after the fetch of %s failed, FetchAll was still waiting %v later for fetches that only a cancelled "+
			"context would stop: create the group with errgroup.WithContext and give its ctx to every fetch", bad, grace)
	}
	if !errors.Is(got.err, errNB05Fetch) {
		return fmt.Errorf("FetchAll returned error %v, want the failing fetch's error (%v)", got.err, errNB05Fetch)
	}
	if r := released.Load(); r > 0 {
		return fmt.Errorf("%d fetch(es) were not cancelled after the failure", r)
	}
	return nil
}

type nb05Result struct {
	bodies []string
	err    error
	waited bool // FetchAll had not returned after grace and release was closed
}

// nb05Call calls fetchAll and waits for it. If release is non-nil and fetchAll has not
// returned after grace, release is closed (so fetches blocked on it return) and the
// result is marked waited. A call that still does not return is reported as stuck.
func nb05Call(fetchAll fetchAllFunc,
	ctx context.Context, urls []string, limit int, fetch fetchFunc, release chan struct{}) (nb05Result, error) {
	done := goCall(func() nb05Result {
		bodies, err := fetchAll(ctx, urls, limit, fetch)
		return nb05Result{bodies: bodies, err: err}
	})
	waited := false
	if release != nil {
		if r, ok := await(done, grace); ok {
			return r, nil
		}
		waited = true
		close(release)
	}
	r, ok := await(done, time.Duration(len(urls)+2)*grace)
	if !ok {
		return nb05Result{}, fmt.Errorf("FetchAll(%d urls, limit %d) did not return: is it waiting for results nobody sends, "+
			"or for a WaitGroup that never reaches zero?", len(urls), limit)
	}
	r.waited = waited
	return r, nil
}
