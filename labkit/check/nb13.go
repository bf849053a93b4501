package check

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Forward checks notebook 13's select exercise. forward must pass every value from a and
// b to out, in the order received, until both channels are closed (then return nil) or
// ctx is cancelled (then return ctx.Err() at once, passing nothing more, even if values
// are ready). The reader's code runs on fake time (see onFakeTime), so every scenario's
// verdict is the same on every run; the one random thing, which ready case a select
// picks, is given forwardRounds chances to go wrong.
func Forward(t *testing.T, forward func(ctx context.Context, a, b <-chan int, out func(v int)) error) {
	t.Helper()
	if err := checkForward(t, forward); err != nil {
		t.Fatal(err)
	}
}

type forwardFunc = func(ctx context.Context, a, b <-chan int, out func(v int)) error

// forwardRounds is how many times the cancellation scenario is played. A select that
// does not check ctx first takes a ready value instead of ctx.Done() with probability 2/3
// each time, so it survives all rounds with probability (1/3)^40, about 1e-19.
const forwardRounds = 40

func checkForward(t *testing.T, forward forwardFunc) error {
	if forward == nil {
		return errors.New("Forward is nil")
	}
	return onFakeTime(t, "Forward", func() error {
		for round := range forwardRounds {
			if err := forwardCancelWins(forward, round); err != nil {
				return err
			}
		}
		if err := forwardWhileIdle(forward); err != nil {
			return err
		}
		return forwardBoth(forward)
	})
}

// forwardRun is one call of the reader's Forward in its own goroutine, with an out that
// records values and a ctx that ends a goroutine spinning on it.
type forwardRun struct {
	ctx      *spinGuardCtx
	cancel   context.CancelFunc
	mu       sync.Mutex
	got      []int
	afterCxl []int       // values out received after ctx was cancelled
	done     chan error  // Forward's result, when it returns
	exiting  atomic.Bool // the verdict is in: end the goroutine that calls out next
}

func startForward(forward forwardFunc, a, b <-chan int, cancelAfter int) *forwardRun {
	ctx, cancel := context.WithCancel(context.Background())
	r := &forwardRun{ctx: &spinGuardCtx{Context: ctx}, cancel: cancel, done: make(chan error, 1)}
	out := func(v int) {
		if r.exiting.Load() {
			runtime.Goexit()
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		if ctx.Err() != nil {
			r.afterCxl = append(r.afterCxl, v)
			return
		}
		r.got = append(r.got, v)
		if len(r.got) == cancelAfter {
			cancel() // out cancels ctx itself: the next thing Forward does comes after it
		}
	}
	go func() { r.done <- forward(r.ctx, a, b, out) }()
	return r
}

func (r *forwardRun) values() (got, afterCancel []int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got), slices.Clone(r.afterCxl)
}

// stop ends the scenario: whatever Forward is doing, it gets no more values, and a
// goroutine of it that calls out again ends there.
func (r *forwardRun) stop() {
	r.exiting.Store(true)
	r.cancel()
}

// forwardCancelWins: a and b each hold 10 ready values; out cancels ctx when it gets the
// 3rd. Forward must return ctx.Err() having passed exactly 3.
func forwardCancelWins(forward forwardFunc, round int) error {
	a, b := make(chan int, 10), make(chan int, 10)
	for i := range 10 {
		a <- 100 + i
		b <- 200 + i
	}
	r := startForward(forward, a, b, 3)
	defer r.stop()
	err, returned := await(r.done, grace)
	got, after := r.values()
	switch {
	case r.ctx.spun.Load():
		return errors.New("after ctx was cancelled, Forward kept looping without ever blocking: a `break` inside a select leaves only the select, not the for loop; `return ctx.Err()` instead")
	case len(after) > 0 && !returned:
		return fmt.Errorf("out cancelled ctx when it got its 3rd value, and Forward went on passing %v and never returned: watch ctx — check ctx.Err() before each receive, and keep a case <-ctx.Done() in the select", after)
	case len(after) > 0:
		return fmt.Errorf("out cancelled ctx when it got its 3rd value, and Forward then passed %v to out anyway (round %d of %d): values on a and b were ready too, and a select picks one of its ready cases at random; check ctx.Err() before each select", after, round+1, forwardRounds)
	case len(got) < 3 && returned:
		return fmt.Errorf("with 10 values ready on each channel and ctx not cancelled, Forward returned %v after passing only %v", err, got)
	case len(got) < 3:
		return fmt.Errorf("with 10 values ready on each channel, Forward passed only %v to out and then got stuck", got)
	case !returned:
		return errors.New("out cancelled ctx and Forward did not return: watch ctx (check ctx.Err() before the select, and keep a case <-ctx.Done() in it)")
	case !errors.Is(err, context.Canceled):
		return fmt.Errorf("after ctx was cancelled Forward returned %v; want ctx.Err() (context.Canceled)", err)
	}
	return nil
}

// forwardWhileIdle: nothing arrives on a or b; ctx is cancelled while Forward waits.
func forwardWhileIdle(forward forwardFunc) error {
	a, b := make(chan int), make(chan int)
	r := startForward(forward, a, b, -1)
	defer r.stop()
	if err, returned := await(r.done, grace); returned {
		return fmt.Errorf("Forward returned %v while a and b were open and ctx was live: it must wait for values", err)
	}
	r.cancel()
	err, returned := await(r.done, grace)
	switch {
	case r.ctx.spun.Load():
		return errors.New("after ctx was cancelled, Forward kept looping without ever blocking: a `break` inside a select leaves only the select, not the for loop; `return ctx.Err()` instead")
	case !returned:
		return errors.New("ctx was cancelled while Forward waited for a value, and it did not return: a select that waits needs a case <-ctx.Done()")
	case !errors.Is(err, context.Canceled):
		return fmt.Errorf("ctx was cancelled while Forward waited; it returned %v, want ctx.Err() (context.Canceled)", err)
	}
	return nil
}

// forwardBoth: one feeder sends b 1, b 2, a 10, b 3, closes b, sends a 11, closes a, each
// send unbuffered. Forward must pass 1 2 10 3 11 in that order and return nil.
func forwardBoth(forward forwardFunc) error {
	a, b := make(chan int), make(chan int)
	r := startForward(forward, a, b, -1)
	defer r.stop()
	want := []int{1, 2, 10, 3, 11}
	steps := []struct {
		ch   chan int
		name string
		v    int // 0: close the channel
	}{{b, "b", 1}, {b, "b", 2}, {a, "a", 10}, {b, "b", 3}, {b, "b", 0}, {a, "a", 11}, {a, "a", 0}}
	closedB := false
	for _, s := range steps {
		if s.v == 0 {
			close(s.ch)
			closedB = closedB || s.name == "b"
			time.Sleep(grace / 10) // a closed channel and nothing else to receive, for a while
			continue
		}
		select {
		case s.ch <- s.v:
			continue
		case err := <-r.done:
			got, _ := r.values()
			if closedB {
				return fmt.Errorf("Forward returned %v once b was closed, but a was still open and had value %d to come (passed so far: %v): a closed channel is done, not the other one — set it to nil and keep going", err, s.v, got)
			}
			return fmt.Errorf("Forward returned %v before a and b were closed (passed so far: %v)", err, got)
		case <-time.After(grace):
		}
		got, _ := r.values()
		switch {
		case slices.Contains(got, 0):
			return fmt.Errorf("out got %v, with 0s nobody sent: a receive from a closed channel returns the zero value at once; use v, ok := <-ch and set ch to nil when !ok", got[:min(len(got), 8)])
		case r.ctx.spun.Load():
			return fmt.Errorf("after b was closed, Forward looped without ever blocking, and value %d on a waited: a closed channel is always ready; set it to nil so its case is never chosen", s.v)
		}
		return fmt.Errorf("value %d on %s waited %v and Forward did not take it (passed so far: %v): receive from a and b at the same time, in one select with a case for each", s.v, s.name, grace, got)
	}
	err, returned := await(r.done, grace)
	got, _ := r.values()
	switch {
	case slices.Contains(got, 0):
		return fmt.Errorf("out got %v, with 0s nobody sent: a receive from a closed channel returns the zero value at once; use v, ok := <-ch and set ch to nil when !ok", got[:min(len(got), 8)])
	case r.ctx.spun.Load():
		return errors.New("after a and b were closed, Forward kept looping without ever blocking: a closed channel is always ready; set it to nil, and return once both are nil")
	case !slices.Equal(got, want):
		return fmt.Errorf("out got %v; want %v, every value in the order it was sent", got, want)
	case !returned:
		return errors.New("a and b were both closed and Forward did not return: loop while a != nil || b != nil, then return nil")
	case err != nil:
		return fmt.Errorf("a and b were both closed and Forward returned %v; want nil", err)
	}
	return nil
}
