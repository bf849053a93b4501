package check

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/measure/goroutines"
)

// nb11Pages is the paged source the Items check iterates: an empty page in the middle,
// and more == false on the last.
var nb11Pages = [][]string{{"a", "b"}, {"c"}, {}, {"d", "e"}}

// Items checks notebook 11's generator exercise (Python's yield as an [iter.Seq]): items
// must return a sequence that fetches nothing until it is ranged over, yields every item
// of every page in order, fetches page p only when the loop needs an item from it, stops
// when fetch reports no more pages or when the loop breaks, and leaves no goroutine behind.
func Items(t *testing.T, items func(fetch func(page int) ([]string, bool)) iter.Seq[string]) {
	t.Helper()
	if err := checkItems(t, items); err != nil {
		t.Fatal(err)
	}
}

// Real time: this check is about laziness, not time; only its leak count waits, and that
// returns at once when nothing leaked.
type itemsFunc = func(fetch func(page int) ([]string, bool)) iter.Seq[string]

func checkItems(_ *testing.T, items itemsFunc) error {
	if items == nil {
		return errors.New("Items is nil")
	}
	all := []string{"a", "b", "c", "d", "e"}
	for _, stopAfter := range []int{len(all), 3} {
		before := runtime.NumGoroutine()
		var mu sync.Mutex // a wrong answer may call fetch from a goroutine of its own
		var fetched []int
		fetch := func(page int) ([]string, bool) {
			mu.Lock()
			defer mu.Unlock()
			fetched = append(fetched, page)
			if page < 0 || page >= len(nb11Pages) {
				return nil, false
			}
			return nb11Pages[page], page < len(nb11Pages)-1
		}
		seq := items(fetch)
		if seq == nil {
			return errors.New("Items returned a nil sequence")
		}
		mu.Lock()
		early := slices.Clone(fetched)
		mu.Unlock()
		if len(early) > 0 {
			return fmt.Errorf("Items fetched pages %v before anyone ranged over it: like calling a Python generator function, building the sequence must do nothing; fetch inside the func(yield) it returns", early)
		}
		got, err := rangeAtMost(seq, stopAfter)
		if err != nil {
			return err
		}
		mu.Lock()
		pages := slices.Clone(fetched)
		mu.Unlock()
		if !slices.Equal(got, all[:stopAfter]) {
			return fmt.Errorf("ranging over Items (breaking after %d items) gave %v, want %v: every item of every page, in order, empty pages skipped", stopAfter, got, all[:stopAfter])
		}
		wantPages := []int{0, 1, 2, 3}
		if stopAfter == 3 {
			wantPages = []int{0, 1} // "c", the third item, is on page 1
		}
		if !slices.Equal(pages, wantPages) {
			if stopAfter == 3 {
				return fmt.Errorf("the loop broke after its third item (on page 1), but fetch was called for pages %v, want %v: fetch a page only when the loop asks for an item from it, and return as soon as yield returns false", pages, wantPages)
			}
			return fmt.Errorf("ranging to the end called fetch for pages %v, want %v: each page once, in order, stopping when fetch reports no more pages", pages, wantPages)
		}
		if left := goroutines.Leaked(before, grace); left > 0 {
			return fmt.Errorf("%d goroutine(s) still running after the loop ended: a goroutine feeding a channel blocks forever once the loop stops receiving; an iter.Seq needs no goroutine at all", left)
		}
	}
	return nil
}

// rangeAtMost ranges over seq, breaking after n items, and turns the runtime's panic for
// an iterator that ignores yield's false into an error that says what to fix.
func rangeAtMost(seq iter.Seq[string], n int) (got []string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("ranging over Items panicked (%v): when yield returns false the loop has ended, so return at once and never call yield again", r)
		}
	}()
	for v := range seq {
		got = append(got, v)
		if len(got) == n {
			break
		}
	}
	return got, nil
}

// memoPileUp is how long the Memo check lets concurrent callers pile up behind a load
// that has not finished before it lets the load finish: long enough for every caller
// that would start a load of its own to have started it.
const memoPileUp = 300 * time.Millisecond

// Memo checks notebook 11's duplicate-suppression exercise (singleflight plus a cache):
// memo(load) returns a get function that many goroutines call at once. Each key must be
// loaded once however many callers ask for it at the same moment (they share the one
// load's result), later calls must be served from the cache, a failed load must not be
// cached, and a slow load of one key must not hold up another key.
func Memo(t *testing.T, memo func(load func(key string) (string, error)) func(key string) (string, error)) {
	t.Helper()
	if err := checkMemo(t, memo); err != nil {
		t.Fatal(err)
	}
}

type memoResult struct {
	value string
	err   error
}

// Real time, not fake: the classic wrong answer holds a sync.Mutex while load runs, and
// fake time cannot see a goroutine waiting for a lock.
type memoFunc = func(load func(key string) (string, error)) func(key string) (string, error)

func checkMemo(_ *testing.T, memo memoFunc) error {
	if memo == nil {
		return errors.New("Memo is nil")
	}
	for _, check := range []func(memo func(func(string) (string, error)) func(string) (string, error)) error{
		memoSharesOneLoad, memoKeysIndependent, memoErrorsNotCached,
	} {
		if err := check(memo); err != nil {
			return err
		}
	}
	return nil
}

// memoSharesOneLoad: 20 callers ask for one key while its load is held open.
func memoSharesOneLoad(memo memoFunc) error {
	const callers = 20
	var loads atomic.Int32
	release := make(chan struct{})
	get := memo(func(key string) (string, error) {
		loads.Add(1)
		<-release
		return "quote " + key, nil
	})
	if get == nil {
		return errors.New("Memo returned a nil get function")
	}
	results := make(chan memoResult, callers)
	for range callers {
		go func() {
			v, err := get("EURUSD")
			results <- memoResult{v, err}
		}()
	}
	for deadline := time.Now().Add(memoPileUp); loads.Load() < 2 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	close(release)
	for i := range callers {
		select {
		case r := <-results:
			if r.err != nil || r.value != "quote EURUSD" {
				return fmt.Errorf(`get("EURUSD") returned (%q, %v), want ("quote EURUSD", nil)`, r.value, r.err)
			}
		case <-time.After(grace):
			return fmt.Errorf("%d of %d concurrent get calls had not returned %v after their load finished", callers-i, callers, grace)
		}
	}
	if n := loads.Load(); n != 1 {
		return fmt.Errorf(`%d goroutines called get("EURUSD") at the same time and load ran %d times, want once: a caller that arrives while a load of its key is in flight must wait for that load and share its result (singleflight.Group.Do)`, callers, n)
	}
	if v, err := get("EURUSD"); err != nil || v != "quote EURUSD" || loads.Load() != 1 {
		return fmt.Errorf(`get("EURUSD") after the load had finished returned (%q, %v) with %d loads in all, want the cached "quote EURUSD" and no new load: singleflight shares only calls in flight, so keep finished results in a map`, v, err, loads.Load())
	}
	return nil
}

// memoKeysIndependent: while key A's load is held open, get("B") must finish.
func memoKeysIndependent(memo memoFunc) error {
	releaseA := make(chan struct{})
	loadingA := make(chan struct{})
	get := memo(func(key string) (string, error) {
		if key == "A" {
			close(loadingA)
			<-releaseA
		}
		return "quote " + key, nil
	})
	doneA := make(chan memoResult, 1)
	go func() {
		v, err := get("A")
		doneA <- memoResult{v, err}
	}()
	defer func() { <-doneA }() // whatever the verdict, A's caller finishes before we return
	defer close(releaseA)
	select {
	case <-loadingA:
	case <-time.After(grace):
		return fmt.Errorf(`get("A") did not call load within %v`, grace)
	}
	doneB := make(chan memoResult, 1)
	go func() {
		v, err := get("B")
		doneB <- memoResult{v, err}
	}()
	select {
	case r := <-doneB:
		if r.err != nil || r.value != "quote B" {
			return fmt.Errorf(`get("B") returned (%q, %v), want ("quote B", nil)`, r.value, r.err)
		}
		return nil
	case <-time.After(grace):
		releaseA <- struct{}{} // let A finish (the deferred close then ends the wait)
		<-doneB
		return fmt.Errorf(`get("B") was still waiting %v after it was called, while the load of "A" was in progress: a slow key must not hold up the others — do not hold a lock while load runs`, grace)
	}
}

// errUpstream is what the first load in memoErrorsNotCached fails with.
var errUpstream = errors.New("upstream answered 503")

// memoErrorsNotCached: a failed load is reported, and the next call loads again.
func memoErrorsNotCached(memo memoFunc) error {
	var loads atomic.Int32
	get := memo(func(key string) (string, error) {
		if loads.Add(1) == 1 {
			return "", errUpstream
		}
		return "quote " + key, nil
	})
	if _, err := get("X"); !errors.Is(err, errUpstream) {
		return fmt.Errorf(`get("X") returned error %v when load failed with %q, want that error`, err, errUpstream)
	}
	if v, err := get("X"); err != nil || v != "quote X" {
		return fmt.Errorf(`after a failed load, get("X") returned (%q, %v), want ("quote X", nil) from a new load: do not cache errors, or one failure sticks forever`, v, err)
	}
	return nil
}

// retryFunc is the signature of notebook 11's retry exercise.
type retryFunc = func(ctx context.Context, attempts int, base time.Duration, op func() error) error

// Retry checks notebook 11's retry exercise on fake time (see onFakeTime), which makes
// every wait exact and instant: retry must call op up to attempts times,
// waiting base, 2×base, 4×base, ... between attempts (never after the last), return nil
// on the first success or op's last error, and stop as soon as ctx is cancelled,
// returning [context.Cause].
func Retry(t *testing.T, retry func(ctx context.Context, attempts int, base time.Duration, op func() error) error) {
	t.Helper()
	if err := checkRetry(t, retry); err != nil {
		t.Fatal(err)
	}
}

var (
	errFlaky    = errors.New("quote service: timeout")
	errShutdown = errors.New("shutting down")
)

func checkRetry(t *testing.T, retry retryFunc) error {
	if retry == nil {
		return errors.New("Retry is nil")
	}
	return onFakeTime(t, "Retry", func() error { return retryCases(retry) })
}

// retryCases runs in a synctest bubble (see onFakeTime).
func retryCases(retry retryFunc) error {
	const base = 100 * time.Millisecond
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	cases := []struct {
		name               string
		attempts, failures int
		cancelAt           time.Duration // 0: never cancelled
		wantCalls          []time.Duration
		wantErr            error
		wantReturn         time.Duration
	}{
		{"succeeds on the 4th of 5 attempts", 5, 3, 0, []time.Duration{0, ms(100), ms(300), ms(700)}, nil, ms(700)},
		{"fails all 3 attempts", 3, 99, 0, []time.Duration{0, ms(100), ms(300)}, errFlaky, ms(300)},
		{"cancelled at 150ms while waiting", 5, 99, ms(150), []time.Duration{0, ms(100)}, errShutdown, ms(150)},
	}
	for _, c := range cases {
		ctx, cancel := context.WithCancelCause(context.Background())
		start := time.Now()
		var calls []time.Duration
		op := func() error {
			calls = append(calls, time.Since(start))
			if len(calls) <= c.failures {
				return errFlaky
			}
			return nil
		}
		returned := make(chan struct{})
		if c.cancelAt > 0 {
			go func() {
				select {
				case <-time.After(c.cancelAt):
					cancel(errShutdown)
				case <-returned:
				}
			}()
		}
		err := retry(ctx, c.attempts, base, op)
		took := time.Since(start)
		close(returned)
		synctest.Wait() // the canceller has exited: calls is ours alone
		cancel(nil)
		switch {
		case !slices.Equal(calls, c.wantCalls):
			return fmt.Errorf("%s (base %v): op was called at %v, want %v: wait base, then twice as long each time, and stop waiting when ctx is cancelled", c.name, base, calls, c.wantCalls)
		case c.wantErr == nil && err != nil:
			return fmt.Errorf("%s: Retry returned %v, want nil once op succeeded", c.name, err)
		case c.wantErr != nil && !errors.Is(err, c.wantErr):
			hint := "return op's last error"
			if c.cancelAt > 0 {
				hint = "return context.Cause(ctx): ctx.Err() only says \"context canceled\""
			}
			return fmt.Errorf("%s: Retry returned %v, want %q: %s", c.name, err, c.wantErr, hint)
		case took != c.wantReturn:
			return fmt.Errorf("%s: Retry returned after %v, want %v: return right after the last attempt (or the cancellation), without a final wait", c.name, took, c.wantReturn)
		}
	}
	return nil
}
