package check

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/measure/goroutines"
)

// errFetchFailed is what the failing fetch in FirstOf's test returns.
var errFetchFailed = errors.New("quote source B is down")

// FirstOf checks notebook 07's select exercise (asyncio.wait(FIRST_COMPLETED) in Go):
// firstOf must start every fetch at once, return the first successful result, skip
// failures, cancel the fetches still running once it has a winner, and leave no
// goroutine behind. If every fetch fails it must return an error.
func FirstOf(t *testing.T, firstOf func(ctx context.Context, fetches []func(context.Context) (string, error)) (string, error)) {
	t.Helper()
	if err := checkFirstOf(t, firstOf); err != nil {
		t.Fatal(err)
	}
}

type firstOfFunc = func(ctx context.Context, fetches []func(context.Context) (string, error)) (string, error)

func checkFirstOf(t *testing.T, firstOf firstOfFunc) error {
	if firstOf == nil {
		return errors.New("FirstOf is nil")
	}
	return onFakeTime(t, "FirstOf", inTurn(firstOf, firstOfWinner, firstOfAllFail))
}

// failureHeadStart is how long the winning fetch waits after the failing one finished.
const failureHeadStart = 100 * time.Millisecond

// firstOfWinner: two slow sources that only finish when cancelled, one that fails and
// one that answers once all four have started.
func firstOfWinner(firstOf firstOfFunc) error {
	const n = winnerSources
	w := &winnerRace{allStarted: make(chan struct{}), failed: make(chan struct{})}
	answer, returned := callWithin(2*n*grace, func() outcome[string] {
		v, err := firstOf(context.Background(), w.fetches())
		return outcome[string]{v, err}
	})
	got, err := answer.v, answer.err
	if !returned {
		return errors.New("FirstOf did not return: is it waiting on a channel nobody sends to, or for fetches nobody cancels?")
	}
	stillRunning := w.running.Load()
	waitIdle(&w.running, 0, &w.started, 2*grace) // fetches nobody cancelled finish after grace
	leaked, err2 := goroutines.LeakedBy(firstOf, grace)
	if err2 != nil {
		return err2
	}
	switch {
	case w.started.Load() < n:
		return fmt.Errorf("FirstOf returned after starting only %d of %d fetches: start each in its own goroutine", w.started.Load(), n)
	case w.notConcurrent.Load():
		return errors.New("the fetches did not run at the same time: start every one with `go` before waiting for any result")
	case errors.Is(err, errFetchFailed):
		return fmt.Errorf("FirstOf returned the first failure (%v): skip errors and keep waiting for a success", err)
	case err != nil:
		return fmt.Errorf("FirstOf returned error %v, want the answer from the fast source", err)
	case got != "fast source C":
		return fmt.Errorf("FirstOf returned %q, want %q (the first successful answer)", got, "fast source C")
	case w.uncancelled.Load() > 0:
		return fmt.Errorf("%d slow fetches ran to the end: cancel their context (context.WithCancel, then cancel()) once you have a winner", w.uncancelled.Load())
	case leaked > 0:
		return fmt.Errorf("%d goroutines were still running %v after FirstOf returned (%d of them fetches): give the result channel room for every fetch (make(chan T, len(fetches))) so losers can send and exit", leaked, grace, stillRunning)
	}
	return nil
}

// winnerSources is how many fetches firstOfWinner gives FirstOf.
const winnerSources = 4

// winnerRace is firstOfWinner's fetches: two slow sources that only finish when cancelled
// (or after grace), one that fails and one that answers failureHeadStart after the
// failure; the last two only once all four have started.
type winnerRace struct {
	started, running, uncancelled atomic.Int32
	allStarted                    chan struct{}
	releaseOnce                   sync.Once
	notConcurrent                 atomic.Bool
	failed                        chan struct{}
}

func (w *winnerRace) release() { w.releaseOnce.Do(func() { close(w.allStarted) }) }

func (w *winnerRace) begin() {
	w.running.Add(1)
	if w.started.Add(1) == winnerSources {
		w.release()
	}
}

func (w *winnerRace) waitAll() {
	if _, ok := await(w.allStarted, grace); !ok {
		w.notConcurrent.Store(true)
		w.release()
	}
}

func (w *winnerRace) slow(name string) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		w.begin()
		defer w.running.Add(-1)
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(grace):
			w.uncancelled.Add(1)
			return name, nil
		}
	}
}

func (w *winnerRace) fetches() []func(context.Context) (string, error) {
	return []func(context.Context) (string, error){
		w.slow("slow source A"),
		func(ctx context.Context) (string, error) {
			w.begin()
			defer w.running.Add(-1)
			w.waitAll()
			close(w.failed)
			return "", errFetchFailed
		},
		func(ctx context.Context) (string, error) {
			w.begin()
			defer w.running.Add(-1)
			w.waitAll()
			<-w.failed // answer after the failure, so skipping failures matters
			// The failing fetch has only closed `failed`; its result still has to reach
			// FirstOf. On fake time this head start is exact: "return whatever comes
			// first" always gets the failure.
			time.Sleep(failureHeadStart)
			return "fast source C", nil
		},
		w.slow("slow source D"),
	}
}

func firstOfAllFail(firstOf firstOfFunc) error {
	fail := func(ctx context.Context) (string, error) { return "", errFetchFailed }
	answer, returned := callWithin(4*grace, func() outcome[string] {
		v, err := firstOf(context.Background(), []func(context.Context) (string, error){fail, fail, fail})
		return outcome[string]{v, err}
	})
	got, err := answer.v, answer.err
	switch {
	case !returned:
		return errors.New("with every fetch failing, FirstOf never returned: count the failures and give up when all have failed")
	case err == nil:
		return fmt.Errorf("with every fetch failing, FirstOf returned %q and no error: return an error when nothing succeeded", got)
	}
	if leaked, _ := goroutines.LeakedBy(firstOf, grace); leaked > 0 {
		return fmt.Errorf("with every fetch failing, %d goroutines were left running after FirstOf returned", leaked)
	}
	return nil
}

// errItemFailed is what item 3's work returns in ProcessAll's test.
var errItemFailed = errors.New("item 3: order rejected")

// ProcessAll checks notebook 07's structured-concurrency exercise (asyncio.TaskGroup in
// Go): processAll must run work for every item concurrently, return only after every call
// has returned (no fire-and-forget), return the first error, and cancel the other calls'
// context when one fails.
func ProcessAll(t *testing.T, processAll func(ctx context.Context, items []int, work func(ctx context.Context, item int) error) error) {
	t.Helper()
	if err := checkProcessAll(t, processAll); err != nil {
		t.Fatal(err)
	}
}

type processAllFunc = func(ctx context.Context, items []int, work func(ctx context.Context, item int) error) error

func checkProcessAll(t *testing.T, processAll processAllFunc) error {
	if processAll == nil {
		return errors.New("ProcessAll is nil")
	}
	return onFakeTime(t, "ProcessAll", inTurn(processAll, processAllSucceeds, processAllFails))
}

// workHold is how long (fake) a work call takes once it may finish, so that returning
// before the calls have finished shows the same way on every run.
const workHold = time.Millisecond

// tracker counts work calls so a check can tell whether processAll waited for them, and
// waits for stragglers before the check returns so it leaves nothing running itself.
type tracker struct {
	started, running, finished atomic.Int32
	calls                      int32 // how many calls a correct processAll makes
}

func (tr *tracker) begin() {
	tr.started.Add(1)
	tr.running.Add(1)
}

func (tr *tracker) end() {
	tr.running.Add(-1)
	tr.finished.Add(1)
}

// drain waits (bounded) for calls processAll abandoned, including ones not started yet.
func (tr *tracker) drain() { waitIdle(&tr.running, tr.calls, &tr.started, 2*grace) }

func processAllSucceeds(processAll processAllFunc) error {
	const n = 6
	items := []int{10, 11, 12, 13, 14, 15}
	tr := tracker{calls: n}
	defer tr.drain()
	allStarted := make(chan struct{})
	var releaseOnce sync.Once
	var notConcurrent atomic.Bool
	var mu sync.Mutex
	seen := map[int]int{}
	work := func(ctx context.Context, item int) error {
		tr.begin()
		defer tr.end()
		if tr.started.Load() == n {
			releaseOnce.Do(func() { close(allStarted) })
		}
		if _, ok := await(allStarted, grace); !ok {
			notConcurrent.Store(true)
			releaseOnce.Do(func() { close(allStarted) })
		}
		time.Sleep(workHold)
		mu.Lock()
		seen[item]++
		mu.Unlock()
		return nil
	}
	call, returned := callWithin(2*n*grace, func() outcome[int32] {
		err := processAll(context.Background(), items, work)
		return outcome[int32]{tr.finished.Load(), err}
	})
	if !returned {
		return errors.New("ProcessAll did not return: is something waiting forever?")
	}
	err := call.err
	if finished := call.v; finished < n {
		return fmt.Errorf("ProcessAll returned when only %d of %d work calls had finished: that is fire-and-forget; wait for them all (errgroup.Group.Wait)", finished, n)
	}
	if notConcurrent.Load() {
		return errors.New("the work calls did not run at the same time: start each with g.Go before waiting")
	}
	if err != nil {
		return fmt.Errorf("every work call succeeded but ProcessAll returned %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, it := range items {
		if seen[it] != 1 {
			return fmt.Errorf("item %d was processed %d times, want exactly once", it, seen[it])
		}
	}
	return nil
}

func processAllFails(processAll processAllFunc) error {
	const n = 5
	items := []int{1, 2, 3, 4, 5}
	tr := tracker{calls: n}
	defer tr.drain()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel() // releases work a wrong solution left running, so drain finishes
	var uncancelled atomic.Int32
	work := func(ctx context.Context, item int) error {
		tr.begin()
		defer tr.end()
		if item == 3 {
			return errItemFailed
		}
		select {
		case <-ctx.Done():
			time.Sleep(workHold) // stopping takes a moment, so returning early shows
			return ctx.Err()
		case <-time.After(grace):
			uncancelled.Add(1)
			return nil
		}
	}
	call, returned := callWithin(2*n*grace, func() outcome[int32] {
		err := processAll(ctx, items, work)
		return outcome[int32]{tr.finished.Load(), err}
	})
	if !returned {
		return errors.New("when item 3 fails, ProcessAll does not return: is something waiting forever?")
	}
	// Calls begun before it returned or after (it set them off), less those finished when
	// it returned: one count read at the return, so the verdict does not depend on timing.
	tr.drain()
	running, err := tr.started.Load()-call.v, call.err
	switch {
	case running > 0:
		return fmt.Errorf("when item 3 failed, ProcessAll returned while %d work calls were still running: wait for all of them (errgroup.Group.Wait)", running)
	case !errors.Is(err, errItemFailed):
		return fmt.Errorf("when item 3 fails, ProcessAll returned %v, want that failure (%v)", err, errItemFailed)
	case uncancelled.Load() > 0:
		return fmt.Errorf("when item 3 failed, %d other calls ran to the end: pass them the context from errgroup.WithContext, which is cancelled on the first error", uncancelled.Load())
	}
	return nil
}
