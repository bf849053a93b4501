package check

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/capstone/fx"
)

// fxHold is how long each send holds its slot once the pool is full, so that an unbounded
// solution shows more than limit sends at once. On fake time it costs nothing.
const fxHold = 20 * time.Millisecond

var errOrderRejected = errors.New("gateway: order 5 rejected")

func fxOrders(n int) []fx.Order {
	orders, err := fx.Generate(fx.Config{Seed: 9, Pairs: 3, Orders: n, Workers: 1})
	if err != nil {
		panic(err) // a fixed, valid config
	}
	return orders
}

// SendAll checks notebook 09's bounded-pool exercise: sendAll must call send once for
// every order, with up to limit calls running at once and never more, return only after
// every call has returned, and return the first error a call returns.
func SendAll(t *testing.T, sendAll func(ctx context.Context, orders []fx.Order, limit int, send func(context.Context, fx.Order) error) error) {
	t.Helper()
	if err := checkSendAll(t, sendAll); err != nil {
		t.Fatal(err)
	}
}

type sendAllFunc = func(context.Context, []fx.Order, int, func(context.Context, fx.Order) error) error

func checkSendAll(t *testing.T, sendAll sendAllFunc) error {
	if sendAll == nil {
		return errors.New("SendAll is nil")
	}
	return onFakeTime(t, "SendAll", func() error {
		if err := sendAllBounded(sendAll); err != nil {
			return err
		}
		return sendAllError(sendAll)
	})
}

func sendAllBounded(sendAll sendAllFunc) error {
	const n, limit = 24, 4
	orders := fxOrders(n)
	b := newBarrier(limit)
	var mu sync.Mutex
	sent := map[int]int{}
	send := func(ctx context.Context, o fx.Order) error {
		b.enter()
		defer b.leave()
		time.Sleep(fxHold)
		mu.Lock()
		sent[o.ID]++
		mu.Unlock()
		return nil
	}
	base := bubbleGoroutines()
	err, returned := callWithin(n*grace, func() error { return sendAll(context.Background(), orders, limit, send) })
	if !returned {
		return errors.New("SendAll did not return: is it waiting for something that never happens?")
	}
	runningAtReturn, doneAtReturn := b.running.Load(), b.done.Load()
	leaked := stillRunning(base, 2*grace)
	mu.Lock()
	defer mu.Unlock()
	switch {
	case err != nil:
		return fmt.Errorf("SendAll returned %v, but every send succeeded: return nil", err)
	case runningAtReturn > 0 || int(doneAtReturn) < len(sent):
		return fmt.Errorf("SendAll returned while %d sends were still running: wait for all of them (g.Wait())", runningAtReturn)
	case b.most.Load() > limit:
		return fmt.Errorf("%d sends ran at once with limit %d: bound them (errgroup's g.SetLimit(limit), or a semaphore)", b.most.Load(), limit)
	case b.timedOut.Load():
		return fmt.Errorf("at most %d sends ran at once with limit %d: run up to limit of them concurrently (g.Go with g.SetLimit(limit))", b.most.Load(), limit)
	case leaked > 0:
		return fmt.Errorf("%d goroutines still running after SendAll returned", leaked)
	}
	for _, o := range orders {
		if c := sent[o.ID]; c != 1 {
			return fmt.Errorf("order %d was sent %d times, want exactly once", o.ID, c)
		}
	}
	if len(sent) != n {
		return fmt.Errorf("%d distinct orders sent, want %d", len(sent), n)
	}
	return nil
}

func sendAllError(sendAll sendAllFunc) error {
	orders := fxOrders(12)
	var started, finished atomic.Int32
	send := func(ctx context.Context, o fx.Order) error {
		started.Add(1)
		defer finished.Add(1)
		if o.ID == 5 {
			return errOrderRejected
		}
		time.Sleep(fxHold) // so that returning before the sends finish shows on every run
		return nil
	}
	base := bubbleGoroutines()
	call, returned := callWithin(4*grace, func() outcome[int32] {
		err := sendAll(context.Background(), orders, 3, send)
		return outcome[int32]{finished.Load(), err}
	})
	if !returned {
		return errors.New("with one send failing, SendAll never returned")
	}
	leaked := stillRunning(base, 2*grace)
	switch {
	case !errors.Is(call.err, errOrderRejected):
		return fmt.Errorf("with order 5's send failing, SendAll returned %v: return the first error (g.Wait() does)", call.err)
	case started.Load() > call.v: // begun before it returned or after (it set them off), unfinished at return
		return errors.New("SendAll returned its error before the other sends had finished: wait for them too")
	case leaked > 0:
		return fmt.Errorf("with one send failing, %d goroutines were still running after SendAll returned", leaked)
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

type priceStageFunc = func(context.Context, <-chan fx.Order, int, func(fx.Order) fx.Decision) <-chan fx.Decision

func checkPriceStage(t *testing.T, stage priceStageFunc) error {
	if stage == nil {
		return errors.New("PriceStage is nil")
	}
	return onFakeTime(t, "PriceStage", func() error {
		if err := priceStageAll(stage); err != nil {
			return err
		}
		return priceStageCancel(stage)
	})
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
	got := map[int]fx.Decision{}
	dup := -1
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
				return fmt.Errorf("at most %d price calls ran at once with %d workers, and the output channel was not closed: start workers goroutines that each read from in, and close out once all are done", b.most.Load(), workers)
			}
			if len(got) < n {
				return fmt.Errorf("only %d of %d decisions arrived: does every worker send its result?", len(got), n)
			}
			return fmt.Errorf("all %d decisions arrived but the output channel was never closed: close it once every worker is done (sync.WaitGroup, then close(out) in its own goroutine)", n)
		}
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
	verdict := func() error {
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
	}()
	cleanup()
	return verdict
}
