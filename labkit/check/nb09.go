package check

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/capstone/fx"
	"github.com/go-concurrency-lab/lab/labkit/measure/goroutines"
)

// fxHold is how long each call of the reader's code holds on once the check lets it run,
// so that wrong answers' overlapping calls have time to show. On fake time it costs nothing.
const fxHold = 20 * time.Millisecond

func fxOrders(n int) []fx.Order {
	orders, err := fx.Generate(fx.Config{Seed: 9, Pairs: 3, Orders: n, Workers: 1})
	if err != nil {
		panic(err) // a fixed, valid config
	}
	return orders
}

// ByPair checks notebook 09's per-pair ordering exercise: byPair must call handle once
// for every order, never run two orders of one pair at once, run each pair's orders in
// the order given, run different pairs at the same time, and return only after every
// call has returned, leaving no goroutine behind. It runs on real time with grace: the
// typical wrong answer (a mutex per pair) blocks where fake time cannot see.
func ByPair(t *testing.T, byPair func(orders []fx.Order, handle func(fx.Order))) {
	t.Helper()
	if err := checkByPair(t, byPair); err != nil {
		t.Fatal(err)
	}
}

type byPairFunc = func(orders []fx.Order, handle func(fx.Order))

// pairCalls records what the calls of one ByPair run did, per pair.
type pairCalls struct {
	mu      sync.Mutex
	running map[int]int // pair → calls running now
	last    map[int]int // pair → ID of the pair's last order started
	handled map[int]int // order ID → calls
	fault   error       // the first overlap or reordering seen
}

func (c *pairCalls) start(o fx.Order) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, name := o.Quote.Pair, fx.AllPairs()[o.Quote.Pair].Name
	c.running[p]++
	if c.running[p] > 1 && c.fault == nil {
		c.fault = fmt.Errorf("order %d of %s started while another %s order was still running: run one pair's orders one at a time", o.ID, name, name)
	}
	if last, seen := c.last[p]; seen && o.ID < last && c.fault == nil {
		c.fault = fmt.Errorf("order %d of %s ran after order %d of %s: keep each pair's orders in the order given", o.ID, name, last, name)
	}
	c.last[p] = max(c.last[p], o.ID)
	c.handled[o.ID]++
}

func (c *pairCalls) end(o fx.Order) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.running[o.Quote.Pair]--
}

func checkByPair(_ *testing.T, byPair byPairFunc) error {
	if byPair == nil {
		return errors.New("ByPair is nil")
	}
	const n = 24
	orders := fxOrders(n)
	pairs := map[int]bool{}
	for _, o := range orders {
		pairs[o.Quote.Pair] = true
	}
	calls := &pairCalls{running: map[int]int{}, last: map[int]int{}, handled: map[int]int{}}
	b := newBarrier(len(pairs)) // passes once a call of every pair runs at the same time
	handle := func(o fx.Order) {
		calls.start(o)
		b.enter()
		time.Sleep(fxHold) // long enough for a wrong answer's overlapping calls to show
		calls.end(o)
		b.leave()
	}
	base := runtime.NumGoroutine()
	_, returned := callWithin(10*grace, func() struct{} {
		byPair(orders, handle)
		return struct{}{}
	})
	if !returned {
		return errors.New("ByPair did not return: is it waiting for something that never happens?")
	}
	doneAtReturn := b.done.Load()
	leaked := goroutines.Leaked(base, 2*grace)
	calls.mu.Lock()
	defer calls.mu.Unlock()
	switch {
	case calls.fault != nil:
		return calls.fault
	case doneAtReturn < int32(len(calls.handled)) || (doneAtReturn < n && len(calls.handled) == n):
		return fmt.Errorf("ByPair returned when %d of %d calls had finished, others still running or not yet started: wait for all of them", doneAtReturn, n)
	case b.timedOut.Load():
		return fmt.Errorf("at most %d calls ran at once with %d pairs: run different pairs at the same time (a goroutine per pair)", b.most.Load(), len(pairs))
	case leaked > 0:
		return fmt.Errorf("%d goroutines still running after ByPair returned", leaked)
	}
	for _, o := range orders {
		if c := calls.handled[o.ID]; c != 1 {
			return fmt.Errorf("order %d was handled %d times, want exactly once", o.ID, c)
		}
	}
	return nil
}

// PriceStage checks notebook 09's pipeline-stage exercise: stage must run price on
// workers goroutines at once, send every result on the channel it returns, close that
// channel once in is closed and every worker is done, and, when ctx is cancelled, stop
// (even mid-send) and close it, leaving no goroutine behind.
func PriceStage(t *testing.T, stage func(ctx context.Context, in <-chan fx.Order, workers int, price func(fx.Order) fx.Decision) <-chan fx.Decision) {
	t.Helper()
	if err := checkPriceStage(t, stage); err != nil {
		t.Fatal(err)
	}
}

type priceStageFunc = func(ctx context.Context, in <-chan fx.Order, workers int, price func(fx.Order) fx.Decision) <-chan fx.Decision

func checkPriceStage(t *testing.T, stage priceStageFunc) error {
	if stage == nil {
		return errors.New("PriceStage is nil")
	}
	return onFakeTime(t, "PriceStage", inTurn(stage, priceStageAll, priceStageCancel))
}

func priceStageAll(stage priceStageFunc) error {
	const n, workers = 30, 3
	orders := fxOrders(n)
	b := newBarrier(workers)
	price := func(o fx.Order) fx.Decision {
		b.enter()
		defer b.leave()
		return fx.Decide(o)
	}
	stop := make(chan struct{})
	defer close(stop)
	in, _ := feed(orders, stop, true)
	out := stage(context.Background(), in, workers, price)
	if out == nil {
		return errors.New("PriceStage returned a nil channel")
	}
	got, dup, err := collectDecisions(out, n, workers, b)
	if err != nil {
		return err
	}
	switch {
	case dup >= 0:
		return fmt.Errorf("order %d's decision arrived twice", dup)
	case len(got) < n:
		return fmt.Errorf("the output channel closed after %d of %d decisions: close it only after every worker is done", len(got), n)
	case b.most.Load() > workers:
		return fmt.Errorf("%d price calls ran at once with %d workers: start exactly workers goroutines", b.most.Load(), workers)
	case b.timedOut.Load():
		return fmt.Errorf("at most %d price calls ran at once with %d workers: start workers goroutines that each read from in", b.most.Load(), workers)
	}
	for _, o := range orders {
		if got[o.ID] != fx.Decide(o) {
			return fmt.Errorf("order %d: got decision %+v, want %+v (send exactly what price returned)", o.ID, got[o.ID], fx.Decide(o))
		}
	}
	return nil
}

// collectDecisions reads out until it is closed: the decisions by order, and an order whose
// decision came twice (-1 if none). It fails if out is not closed in time.
func collectDecisions(out <-chan fx.Decision, n, workers int, b *barrier) (got map[int]fx.Decision, dup int, err error) {
	got, dup = map[int]fx.Decision{}, -1
	closed := false
	timeout := time.After(3 * grace) // a sequential stage spends one grace at the barrier
	for !closed {
		select {
		case d, ok := <-out:
			if !ok {
				closed = true
				break
			}
			if _, seen := got[d.OrderID]; seen {
				dup = d.OrderID
			}
			got[d.OrderID] = d
			if len(got) == n {
				timeout = time.After(grace) // everything arrived: only the close is missing
			}
		case <-timeout:
			if b.timedOut.Load() {
				return nil, 0, fmt.Errorf("at most %d price calls ran at once with %d workers, and the output channel was not closed: start workers goroutines that each read from in, and close out once all are done", b.most.Load(), workers)
			}
			if len(got) < n {
				return nil, 0, fmt.Errorf("only %d of %d decisions arrived: does every worker send its result?", len(got), n)
			}
			return nil, 0, fmt.Errorf("all %d decisions arrived but the output channel was never closed: close it once every worker is done (sync.WaitGroup, then close(out) in its own goroutine)", n)
		}
	}
	return got, dup, nil
}

func priceStageCancel(stage priceStageFunc) error {
	base := bubbleGoroutines()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := make(chan struct{})
	// Two orders for two workers: one result is read, the other worker's stays unsent, and
	// the first worker waits on an input that stays open. Only cancel can end the stage.
	in, fed := feed(fxOrders(2), stop, false)
	var priced atomic.Int32
	out := stage(ctx, in, 2, func(o fx.Order) fx.Decision {
		priced.Add(1)
		return fx.Decide(o)
	})
	stopped := false
	stopFeeder := func() {
		if !stopped {
			stopped = true
			close(stop)
			<-fed
		}
	}
	cleanup := func() {
		stopFeeder()
		close(in) // releases workers that ignore ctx, now that the verdict is known
		if out != nil {
			drain(out)
		}
	}
	if out == nil {
		cleanup()
		return errors.New("PriceStage returned a nil channel")
	}
	select {
	case <-out: // one result arrived; now nobody reads, so workers block sending or receiving
	case <-time.After(grace):
		cleanup()
		return fmt.Errorf("no decision arrived within %v of sending orders", grace)
	}
	deadline := time.Now().Add(grace)
	for priced.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	cancel()
	stopFeeder() // in stays open but nothing more arrives: a worker waiting on in must watch ctx
	// Nobody reads out for a while: a worker blocked sending can only leave through ctx.
	time.Sleep(grace / 4)
	verdict := cancelledStageVerdict(out, base)
	cleanup()
	return verdict
}

// cancelledStageVerdict: after ctx was cancelled, with nobody reading out, out must close
// without another decision, and no goroutine beyond base may be left.
func cancelledStageVerdict(out <-chan fx.Decision, base int) error {
	select {
	case d, ok := <-out:
		if ok {
			return fmt.Errorf("order %d's decision was still being sent after ctx was cancelled: send with select { case out <- d: case <-ctx.Done(): return }", d.OrderID)
		}
	case <-time.After(grace):
		return errors.New("after ctx was cancelled the output channel never closed: make every worker return on ctx.Done() (when receiving from in, too), then close out")
	}
	if leaked := stillRunning(base, grace); leaked > 0 {
		return fmt.Errorf("%d goroutines still running after cancel: every worker must return when ctx is done", leaked)
	}
	return nil
}
