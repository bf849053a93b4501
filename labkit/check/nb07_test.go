package check

import (
	"context"
	"errors"
	"sync"
	"testing"

	"golang.org/x/sync/errgroup"
)

// --- firstOf ---------------------------------------------------------------------------

// The stub notebook 07 ships: one fetch after another, like awaiting them in turn.
func firstOfSequential(ctx context.Context, fetches []func(context.Context) (string, error)) (string, error) {
	var errs []error
	for _, fetch := range fetches {
		v, err := fetch(ctx)
		if err == nil {
			return v, nil
		}
		errs = append(errs, err)
	}
	return "", errors.Join(errs...)
}

// The reference solution (notebooks/solutions/07_async_to_goroutines/first_of.gocell).
func firstOfSelect(ctx context.Context, fetches []func(context.Context) (string, error)) (string, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // the losers see ctx.Done() as soon as we return
	type result struct {
		value string
		err   error
	}
	results := make(chan result, len(fetches)) // room for every sender: nobody blocks, nobody leaks
	for _, fetch := range fetches {
		go func() {
			v, err := fetch(ctx)
			results <- result{v, err}
		}()
	}
	var errs []error
	for range fetches {
		select {
		case r := <-results:
			if r.err == nil {
				return r.value, nil
			}
			errs = append(errs, r.err)
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	return "", errors.Join(errs...)
}

// Cancels, but the result channel is unbuffered: losers block on send forever. Judged
// in a child, since the goroutines it leaks stay blocked.
func firstOfLeaky(ctx context.Context, fetches []func(context.Context) (string, error)) (string, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		v   string
		err error
	}
	results := make(chan result)
	for _, fetch := range fetches {
		go func() {
			v, err := fetch(ctx)
			results <- result{v, err}
		}()
	}
	for range fetches {
		if r := <-results; r.err == nil {
			return r.v, nil
		}
	}
	return "", errors.New("all failed")
}

// Waits for the first success but never cancels the rest.
func firstOfNoCancel(ctx context.Context, fetches []func(context.Context) (string, error)) (string, error) {
	results := make(chan struct {
		v   string
		err error
	}, len(fetches))
	for _, fetch := range fetches {
		go func() {
			v, err := fetch(ctx)
			results <- struct {
				v   string
				err error
			}{v, err}
		}()
	}
	for range fetches {
		if r := <-results; r.err == nil {
			return r.v, nil
		}
	}
	return "", errors.New("all failed")
}

// Returns whatever completes first, failures included (FIRST_COMPLETED taken literally).
func firstOfFirstCompleted(ctx context.Context, fetches []func(context.Context) (string, error)) (string, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make(chan struct {
		v   string
		err error
	}, len(fetches))
	for _, fetch := range fetches {
		go func() {
			v, err := fetch(ctx)
			results <- struct {
				v   string
				err error
			}{v, err}
		}()
	}
	r := <-results
	return r.v, r.err
}

func TestFirstOfVerdicts(t *testing.T) {
	runVerdicts(t, checkFirstOf, []verdictCase[firstOfFunc]{
		{"stub (sequential)", firstOfSequential, "starting only 1 of 4", false},
		{"solution", firstOfSelect, "", false},
		{"no cancel", firstOfNoCancel, "ran to the end", false},
		{"first completed, even failures", firstOfFirstCompleted, "first failure", false},
		{"results channel unbuffered", firstOfLeaky, "still running", true},
		{"nil", nil, "nil", false},
	})
}

// --- processAll ------------------------------------------------------------------------

// The stub notebook 07 ships: fire-and-forget, like asyncio.create_task without awaiting.
func processAllFireAndForget(ctx context.Context, items []int, work func(context.Context, int) error) error {
	for _, item := range items {
		go work(ctx, item)
	}
	return nil
}

// The reference solution (notebooks/solutions/07_async_to_goroutines/process_all.gocell).
func processAllErrgroup(ctx context.Context, items []int, work func(context.Context, int) error) error {
	g, ctx := errgroup.WithContext(ctx)
	for _, item := range items {
		g.Go(func() error { return work(ctx, item) })
	}
	return g.Wait()
}

// Waits for everything but never cancels the others on failure.
func processAllWaitGroup(ctx context.Context, items []int, work func(context.Context, int) error) error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for _, item := range items {
		wg.Go(func() {
			if err := work(ctx, item); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return first
}

func processAllSequential(ctx context.Context, items []int, work func(context.Context, int) error) error {
	for _, item := range items {
		if err := work(ctx, item); err != nil {
			return err
		}
	}
	return nil
}

// Cancels the others on the first error, but returns at once without waiting for them.
func processAllReturnsEarly(ctx context.Context, items []int, work func(context.Context, int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, len(items))
	for _, item := range items {
		go func() { errs <- work(ctx, item) }()
	}
	for range items {
		if err := <-errs; err != nil {
			return err
		}
	}
	return nil
}

func TestProcessAllVerdicts(t *testing.T) {
	runVerdicts(t, checkProcessAll, []verdictCase[processAllFunc]{
		{"stub (fire and forget)", processAllFireAndForget, "fire-and-forget", false},
		{"solution", processAllErrgroup, "", false},
		{"waitgroup without cancel", processAllWaitGroup, "ran to the end", false},
		{"sequential", processAllSequential, "same time", false},
		{"returns at the first error", processAllReturnsEarly, "returned while 4 work calls were still running", false},
		{"nil", nil, "nil", false},
	})
}
