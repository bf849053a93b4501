package check

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// sampleFunc is the signature of notebook 08's Sample.
type sampleFunc = func(ctx context.Context, feed <-chan int, every time.Duration, show func(int)) error

// Sample checks notebook 08's ticker exercise: a desk that redraws at a fixed pace. sample
// must take quotes from feed as they come (the feed never waits), call show on each tick
// of a ticker with period every with the latest quote received since the last show (and
// not at all if none came), and return ctx.Err() as soon as ctx is cancelled. The reader's
// code runs in a [synctest] bubble: the ticker ticks on fake time, so the verdict is exact
// and the same on every machine.
func Sample(t *testing.T, sample func(ctx context.Context, feed <-chan int, every time.Duration, show func(int)) error) {
	t.Helper()
	if err := checkSample(t, sample); err != nil {
		t.Fatal(err)
	}
}

func checkSample(t *testing.T, sample sampleFunc) error {
	if sample == nil {
		return errors.New("Sample is nil")
	}
	return onFakeTime(t, "Sample", func() error { return sampleScenario(sample) })
}

// sampleEvery is the tick period the check asks for.
const sampleEvery = 100 * time.Millisecond

// shown is one call of show: when (fake time since the start) and with what.
type shown struct {
	at time.Duration
	v  int
}

// sampleScenario: a burst of quotes 1..50 at 0 ms, nothing until 250 ms, then 51 and 52,
// and ctx cancelled at 340 ms. The right shows are 50 at the 100 ms tick and 52 at 300 ms.
func sampleScenario(sample sampleFunc) error {
	r := startSample(sample)
	defer r.stop()
	if err := r.burstShownOnTick(); err != nil {
		return err
	}
	if err := r.laterQuotesShownOnTick(); err != nil {
		return err
	}
	return r.returnsOnCancel()
}

// sampleRun is the reader's Sample running on a feed the scenario sends on, every call of
// show recorded with its (fake) time.
type sampleRun struct {
	start    time.Time
	cancel   context.CancelFunc
	guarded  *spinGuardCtx
	feed     chan int
	mu       sync.Mutex
	shows    []shown
	exiting  atomic.Bool // the verdict is in: end the goroutine that calls show next
	result   error       // Sample's, once returned is closed
	returned chan struct{}
}

func startSample(sample sampleFunc) *sampleRun {
	ctx, cancel := context.WithCancel(context.Background())
	r := &sampleRun{start: time.Now(), cancel: cancel, guarded: &spinGuardCtx{Context: ctx},
		feed: make(chan int), returned: make(chan struct{})}
	go func() {
		defer close(r.returned)
		r.result = sample(r.guarded, r.feed, sampleEvery, r.show)
	}()
	return r
}

func (r *sampleRun) since() time.Duration { return time.Since(r.start) }

func (r *sampleRun) sleepUntil(at time.Duration) { time.Sleep(at - r.since()) }

func (r *sampleRun) show(v int) {
	if r.exiting.Load() {
		runtime.Goexit()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.shows = append(r.shows, shown{r.since(), v})
}

func (r *sampleRun) showsSoFar() []shown {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]shown(nil), r.shows...)
}

func (r *sampleRun) hasReturned() bool {
	select {
	case <-r.returned:
		return true
	default:
		return false
	}
}

// stop ends the run whatever the verdict: the reader's goroutine must end before the
// bubble can; a loop that ignored ctx gets one more quote, and its next show ends it.
func (r *sampleRun) stop() {
	r.cancel()
	r.exiting.Store(true)
	select {
	case <-r.returned:
	case r.feed <- -1:
	case <-time.After(10 * sampleEvery):
	}
	select {
	case <-r.returned:
	case <-time.After(10 * sampleEvery):
	}
}

// send hands Sample quote v; Sample must take it at once.
func (r *sampleRun) send(v int) error {
	select {
	case r.feed <- v:
		return nil
	case <-r.returned:
		return fmt.Errorf("Sample returned (%v) at %v, before ctx was cancelled: it must run until ctx is done", r.result, r.since())
	case <-time.After(sampleEvery / 2):
		return fmt.Errorf("the feed waited %v to hand over quote %d: Sample must receive quotes as they come (a case <-feed in the same select as the ticker), not only on a tick", sampleEvery/2, v)
	}
}

// burstShownOnTick: quotes 1..50 at 0 ms; the tick at 100 ms shows 50, once.
func (r *sampleRun) burstShownOnTick() error {
	for v := 1; v <= 50; v++ {
		if err := r.send(v); err != nil {
			return err
		}
	}
	r.sleepUntil(150 * time.Millisecond)
	got := r.showsSoFar()
	if len(got) > 0 && got[0].at < sampleEvery {
		return fmt.Errorf("show(%d) came at %v, before the first tick (%v): keep the latest quote in a variable and show it when the ticker ticks", got[0].v, got[0].at, sampleEvery)
	}
	switch {
	case len(got) == 0:
		return fmt.Errorf("quotes 1..50 arrived at 0 ms and nothing was shown by 150 ms: on the tick at %v show the latest quote (time.NewTicker(every), case <-ticker.C)", sampleEvery)
	case len(got) > 1:
		return fmt.Errorf("on the tick at %v show was called %d times (%v): call it once, with the latest quote", sampleEvery, len(got), got)
	case got[0].v != 50:
		return fmt.Errorf("on the tick at %v show got %d; want the latest quote received, 50", sampleEvery, got[0].v)
	}
	return nil
}

// laterQuotesShownOnTick: no show without a new quote; 51 and 52 at 250 ms, then the tick
// at 300 ms shows 52.
func (r *sampleRun) laterQuotesShownOnTick() error {
	r.sleepUntil(250 * time.Millisecond)
	if got := r.showsSoFar(); len(got) > 1 {
		return fmt.Errorf("show(%d) at %v, although no quote came after the last show: show only when a new quote arrived since then", got[1].v, got[1].at)
	}
	for _, v := range []int{51, 52} {
		if err := r.send(v); err != nil {
			return err
		}
	}
	r.sleepUntil(340 * time.Millisecond)
	got := r.showsSoFar()
	switch {
	case len(got) < 2:
		return fmt.Errorf("quotes 51 and 52 arrived at 250 ms and nothing was shown on the tick at 300 ms: tick on a ticker made once, outside the loop (a time.After inside the loop starts its wait again on every quote, so a busy feed is never shown)")
	case len(got) > 2 || got[1].v != 52 || got[1].at != 3*sampleEvery:
		return fmt.Errorf("after quotes 51 and 52 at 250 ms, the shows were %v; want one show of 52 at 300 ms", got[1:])
	}
	return nil
}

// returnsOnCancel: once ctx is cancelled Sample returns ctx.Err() and shows nothing more.
func (r *sampleRun) returnsOnCancel() error {
	r.cancel()
	synctest.Wait() // the reader's goroutine has run as far as it can
	switch {
	case r.guarded.spun.Load():
		return errors.New("after ctx was cancelled, Sample kept looping without ever blocking: a `break` inside select leaves only the select, not the for loop; `return ctx.Err()` instead")
	case !r.hasReturned():
		return errors.New("Sample did not return after ctx was cancelled: add a `case <-ctx.Done(): return ctx.Err()` to its select")
	case !errors.Is(r.result, context.Canceled):
		return fmt.Errorf("after ctx was cancelled Sample returned %v; want ctx.Err() (context.Canceled)", r.result)
	}
	if got := r.showsSoFar(); len(got) != 2 {
		return fmt.Errorf("shows after ctx was cancelled: %v", got[2:])
	}
	return nil
}

// spinGuardCtx is a context that notices a loop spinning on it: a goroutine that keeps
// asking for Done or Err far more often than any right answer would is ended (it could
// not be stopped otherwise, and in a bubble it would stop the fake clock for ever).
type spinGuardCtx struct {
	context.Context
	calls atomic.Int64
	spun  atomic.Bool
}

// spinLimit is far above the few hundred calls a right answer makes in the scenario.
const spinLimit = 100_000

func (c *spinGuardCtx) Done() <-chan struct{} { c.count(); return c.Context.Done() }
func (c *spinGuardCtx) Err() error            { c.count(); return c.Context.Err() }

func (c *spinGuardCtx) count() {
	if c.calls.Add(1) > spinLimit {
		c.spun.Store(true)
		runtime.Goexit()
	}
}
