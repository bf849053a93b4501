package check

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/capstone/fx"
	"github.com/go-concurrency-lab/lab/labkit/measure/goroutines"
)

// The harness every check shares: one grace policy, one way to run the reader's code on
// fake time, one way to call it with a time limit, and the small tools (barrier, feed,
// drain) several checks use. The shape of a check and of its verdict tests is in the
// package doc (Conventions); sandbox.go rebuilds a reader's type for the race detector.

// grace is how long a check waits for something that takes microseconds (a goroutine to
// start, a call to return, a channel to close, a line to come back) before concluding it
// will not happen. On fake time (see onFakeTime) waiting costs nothing and the verdict is
// exact; on real time, seconds of grace keep the verdict about the code, not about a busy
// machine. Longer waits are stated as multiples of grace where they are made.
const grace = 3 * time.Second

// settle is how much fake time a bubble gives the reader's goroutines to finish after
// the check proper has its verdict; whatever is still blocked after that never finishes.
const settle = 10 * grace

// hangLimit is how much real time a check on fake time may take. It only runs out when
// the reader's code blocks where fake time cannot see it (see onFakeTime).
const hangLimit = 20 * grace

// onFakeTime runs check inside a [testing/synctest] bubble and returns its verdict. The
// goroutines the reader's code starts live in the bubble too, and its clock is fake: it
// moves only when every goroutine in the bubble is blocked. So a wait of grace for
// something that cannot happen any more ends at once, and anything that can happen
// happens before it ends: the verdict is the same on every run, on any machine, and
// takes no real time.
//
// After check returns, the bubble waits settle (fake) for the reader's goroutines to
// finish. Any still blocked then are stuck for good; if check found nothing else wrong,
// that leak is the verdict, naming what (the function under test). Stuck goroutines
// stay parked until the process ends: a bubble cannot stop them.
//
// Fake time cannot see a goroutine blocked on a [sync.Mutex] nobody unlocks, spinning in
// a loop, or waiting for real IO: the clock stops while it waits. Checks whose wrong
// answers do that run on real time instead; for the rest, a watchdog ends the program
// with every goroutine's stack after hangLimit of real time rather than hang for ever.
func onFakeTime(t *testing.T, what string, check func() error) (err error) {
	t.Helper()
	watchdog := time.AfterFunc(hangLimit, func() {
		debug.SetTraceback("all")
		panic(fmt.Sprintf("check: %s has been blocked for %v of real time on something other than a channel, "+
			"a WaitGroup or a timer: a sync.Mutex nobody unlocks, or a loop that never ends? Every goroutine's stack follows.", what, hangLimit))
	})
	defer watchdog.Stop()
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		// synctest panics with "deadlock: ..." when goroutines are still blocked once the
		// bubble's main goroutine has returned; the verdict is already in err.
		if e, ok := r.(error); !ok || !strings.HasPrefix(e.Error(), "deadlock") {
			panic(r)
		}
		if err == nil {
			err = fmt.Errorf("goroutines started by %s were still blocked %v after it returned, on a channel or "+
				"WaitGroup nobody will ever release: every goroutine you start must be able to finish", what, settle)
		}
	}()
	synctest.Test(t, func(*testing.T) {
		err = check()
		time.Sleep(settle)
	})
	return err
}

// inTurn returns a check that runs each scenario on fn in order and stops at the first
// failure: a scenario after a failed one would only repeat its verdict.
func inTurn[F any](fn F, scenarios ...func(F) error) func() error {
	return func() error {
		for _, scenario := range scenarios {
			if err := scenario(fn); err != nil {
				return err
			}
		}
		return nil
	}
}

// construct calls newValue, the reader's constructor called name, and rejects a nil
// constructor or value.
func construct[T any](name string, newValue func() T) (T, error) {
	var zero T
	if newValue == nil {
		return zero, fmt.Errorf("%s is nil", name)
	}
	v := newValue()
	if any(v) == nil {
		return zero, fmt.Errorf("%s returned nil", name)
	}
	return v, nil
}

// peak tracks how many calls are running at once and the most there ever were.
type peak struct{ now, most atomic.Int64 }

// enter counts a call in and returns how many are running now.
func (p *peak) enter() int64 {
	n := p.now.Add(1)
	for m := p.most.Load(); n > m && !p.most.CompareAndSwap(m, n); m = p.most.Load() {
	}
	return n
}

func (p *peak) leave() { p.now.Add(-1) }

// bubbleGoroutines counts the goroutines of the caller's synctest bubble, the caller
// included. It reads a traceback of every goroutine, which names each one's bubble and,
// unlike [runtime.NumGoroutine], never counts one that has already exited: on fake time,
// where a wait ends the moment everything else is blocked or gone, that matters.
func bubbleGoroutines() int {
	stacks := goroutines.Stacks()
	var bubble string // ", synctest bubble N]" from the caller's own header, which comes first
	count := 0
	for line := range strings.Lines(stacks) {
		if !strings.HasPrefix(line, "goroutine ") {
			continue
		}
		if bubble == "" {
			i := strings.Index(line, ", synctest bubble ")
			if i < 0 {
				panic("check: bubbleGoroutines called outside a synctest bubble")
			}
			bubble = line[i : strings.IndexByte(line, ']')+1]
		}
		if strings.Contains(line, bubble) {
			count++
		}
	}
	return count
}

// stillRunning lets the bubble's clock run for d, waits until every other goroutine in
// it is blocked or gone, and returns how many more goroutines it holds than base (a
// bubbleGoroutines count taken before the code under test ran).
func stillRunning(base int, d time.Duration) int {
	time.Sleep(d)
	synctest.Wait()
	return max(bubbleGoroutines()-base, 0)
}

// goCall runs fn in its own goroutine; the channel delivers fn's result when it returns.
func goCall[T any](fn func() T) <-chan T {
	done := make(chan T, 1)
	go func() { done <- fn() }()
	return done
}

// await waits up to d for done's value; ok is false if none came. A call that did not
// return keeps its goroutine: the check has its verdict, and the cell's process ends soon.
func await[T any](done <-chan T, d time.Duration) (v T, ok bool) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case v = <-done:
		return v, true
	case <-timer.C:
		return v, false
	}
}

// callWithin calls fn and waits up to d for it to return.
func callWithin[T any](d time.Duration, fn func() T) (v T, returned bool) {
	return await(goCall(fn), d)
}

// outcome is a call's result and error, so callWithin can carry both.
type outcome[T any] struct {
	v   T
	err error
}

// barrier lets calls proceed once want of them are running at once, or after grace,
// recording that they never were. It also tracks the most that ever ran at once.
type barrier struct {
	want                int32
	running, most, done atomic.Int32
	open                chan struct{}
	openOnce            sync.Once
	timedOut            atomic.Bool
}

func newBarrier(want int) *barrier { return &barrier{want: int32(want), open: make(chan struct{})} }

func (b *barrier) enter() {
	n := b.running.Add(1)
	for m := b.most.Load(); n > m && !b.most.CompareAndSwap(m, n); m = b.most.Load() {
	}
	if n >= b.want {
		b.openOnce.Do(func() { close(b.open) })
	}
	if _, ok := await(b.open, grace); !ok {
		b.timedOut.Store(true)
		b.openOnce.Do(func() { close(b.open) }) // the verdict is known: let the rest run
	}
}

func (b *barrier) leave() {
	b.running.Add(-1)
	b.done.Add(1)
}

// waitIdle polls until nothing is running and at least want calls have started, giving
// up after limit. Polling, unlike a WaitGroup, tolerates calls that begin while it waits.
func waitIdle(running *atomic.Int32, want int32, started *atomic.Int32, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for running.Load() > 0 || started.Load() < want {
		if time.Now().After(deadline) {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// feed sends orders on a new channel until stop is closed, closing the channel after the
// last order if closeWhenDone. fed is closed when the feeder has returned.
func feed(orders []fx.Order, stop <-chan struct{}, closeWhenDone bool) (in chan fx.Order, fed <-chan struct{}) {
	in = make(chan fx.Order)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, o := range orders {
			select {
			case in <- o:
			case <-stop:
				return
			}
		}
		if closeWhenDone {
			close(in)
		} else {
			<-stop
		}
	}()
	return in, done
}

// drain reads out in the background until it is closed or grace passes, so that a wrong
// answer's goroutines are not left blocked sending after its check has failed.
func drain[T any](out <-chan T) {
	go func() {
		timeout := time.After(grace)
		for {
			select {
			case _, ok := <-out:
				if !ok {
					return
				}
			case <-timeout:
				return
			}
		}
	}()
}

// drainBuffered receives everything buffered in ch without blocking.
func drainBuffered[T any](ch chan T) []T {
	var got []T
	for {
		select {
		case v := <-ch:
			got = append(got, v)
		default:
			return got
		}
	}
}

// goroutineID returns the calling goroutine's id, as stack traces print it.
func goroutineID() string {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	id, _, _ := strings.Cut(strings.TrimPrefix(string(buf), "goroutine "), " ")
	return id
}

// parked reports whether goroutine id is blocked waiting for another goroutine: on a
// lock, a channel, a select, a WaitGroup or a Cond. Unlike a time limit, this tells
// "waits" from "has not got round to returning yet" on any machine, however loaded.
func parked(id string) bool {
	state := goroutineState(id)
	for _, waiting := range []string{"sync.", "semacquire", "chan ", "select"} {
		if strings.HasPrefix(state, waiting) {
			return true
		}
	}
	return false
}

// goroutineState is what a stack trace says goroutine id is doing ("running", "IO wait",
// "chan receive", ...), "" if it has exited.
func goroutineState(id string) string {
	stacks := goroutines.Stacks()
	_, rest, found := strings.Cut(stacks, "goroutine "+id+" [")
	if !found {
		return ""
	}
	state, _, _ := strings.Cut(rest, "]")
	state, _, _ = strings.Cut(state, ",") // "IO wait, 2 minutes"
	return state
}
