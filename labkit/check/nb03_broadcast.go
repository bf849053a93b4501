package check

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Broadcaster is what notebook 03's broadcast exercise builds: a list of subscribers that
// many goroutines publish to at once and that changes rarely.
type Broadcaster interface {
	Subscribe(deliver func(msg string)) (id int)
	Unsubscribe(id int)
	Publish(msg string)
}

// Broadcast checks notebook 03's read-mostly exercise: concurrent Publish calls must
// deliver at the same time (they only read the subscriber list, so they share a read
// lock), Unsubscribe must not return while a Publish is still delivering to that
// subscriber (so the caller may then close what deliver writes to), and every subscriber
// gets each message published while it is subscribed.
//
// It runs on real time, not in a synctest bubble: goroutines waiting for a sync.RWMutex
// stop a bubble's clock. Every wait is bounded by broadcastGrace; while a Publish is held
// inside deliver, Unsubscribe must park (its goroutine's stack says it waits), not return.
func Broadcast(t *testing.T, newBroadcaster func() Broadcaster) {
	t.Helper()
	if err := checkBroadcast(t, newBroadcaster); err != nil {
		t.Fatal(err)
	}
}

// broadcastGrace bounds every wait for something that takes microseconds (a goroutine to
// start delivering, a lock to be released): a verdict reached after it is about the code,
// not a slow machine.
const broadcastGrace = 2 * time.Second

// inbox records what one subscriber got.
type inbox struct {
	mu  sync.Mutex
	got []string
}

func (in *inbox) add(msg string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.got = append(in.got, msg)
}

func (in *inbox) messages() []string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return slices.Sorted(slices.Values(in.got))
}

type broadcastFunc = func() Broadcaster

func checkBroadcast(_ *testing.T, newBroadcaster broadcastFunc) error {
	if newBroadcaster == nil {
		return errors.New("newBroadcaster is nil")
	}
	b := newBroadcaster()
	if b == nil {
		return errors.New("newBroadcaster returned nil")
	}
	var a, c inbox
	var (
		delivering atomic.Int32 // delivers to a running now
		together   = make(chan struct{})
		togetherOK sync.Once
		holdMsg    = "m3"
		held       = make(chan struct{}) // closed when deliver(holdMsg) to a has begun
		release    = make(chan struct{})
	)
	idA := b.Subscribe(func(msg string) {
		a.add(msg)
		if msg == holdMsg {
			close(held)
			<-release
			return
		}
		// Two publishes of different messages: wait for the other to be delivering too.
		if delivering.Add(1) == 2 {
			togetherOK.Do(func() { close(together) })
		}
		defer delivering.Add(-1)
		select {
		case <-together:
		case <-time.After(broadcastGrace):
		}
	})
	b.Subscribe(c.add)

	// 1. Two publishes at once must deliver at once.
	var publishers sync.WaitGroup
	for _, msg := range []string{"m1", "m2"} {
		publishers.Go(func() { b.Publish(msg) })
	}
	if !doneWithin(inGoroutine(publishers.Wait), 3*broadcastGrace) {
		return errors.New("two Publish calls did not return: is a lock left locked (use defer), or does Publish wait for something nobody does?")
	}
	select {
	case <-together:
	default:
		return errors.New("two Publish calls ran one after the other: publishing only reads the subscriber list, so Publish should hold a read lock (sync.RWMutex.RLock) that any number of publishers share; Subscribe and Unsubscribe take the write lock (Lock)")
	}

	// 2. Unsubscribe waits for a Publish still delivering to the subscriber.
	publishing := inGoroutine(func() { b.Publish(holdMsg) })
	select {
	case <-held:
	case <-time.After(broadcastGrace):
		close(release)
		return fmt.Errorf("Publish(%q) did not deliver to the first subscriber within %v", holdMsg, broadcastGrace)
	}
	unsubscriber := make(chan string, 1)
	unsubscribed := inGoroutine(func() {
		unsubscriber <- goroutineID()
		b.Unsubscribe(idA)
	})
	// Unsubscribe must wait: either it returns (wrong) or it parks, waiting for the
	// delivery (right). No time limit decides between the two.
	id := <-unsubscriber
	for waitedUntil := time.Now().Add(broadcastGrace); ; time.Sleep(time.Millisecond) {
		select {
		case <-unsubscribed:
			close(release)
			<-publishing
			return errors.New("Unsubscribe returned while a Publish was still delivering to that subscriber: its owner would now close what deliver writes to, and the delivery still running would panic (send on closed channel). Publish must deliver under the read lock, and Unsubscribe must take the write lock, which waits for every reader")
		default:
		}
		if parked(id) {
			break
		}
		if time.Now().After(waitedUntil) {
			close(release)
			return fmt.Errorf("Unsubscribe neither returned nor waited for a lock within %v: is it spinning?", broadcastGrace)
		}
	}
	close(release)
	if !doneWithin(publishing, broadcastGrace) || !doneWithin(unsubscribed, broadcastGrace) {
		return errors.New("after the held delivery finished, Publish or Unsubscribe did not return: is a lock left locked?")
	}

	// 3. After Unsubscribe, the subscriber gets nothing; the others still do.
	if !doneWithin(inGoroutine(func() { b.Publish("m4") }), broadcastGrace) {
		return errors.New("Publish(\"m4\") did not return after an Unsubscribe: is a lock left locked?")
	}
	if got, want := a.messages(), []string{"m1", "m2", "m3"}; !slices.Equal(got, want) {
		return fmt.Errorf("the unsubscribed subscriber got %v; want %v (everything published while it was subscribed, nothing after)", got, want)
	}
	if got, want := c.messages(), []string{"m1", "m2", "m3", "m4"}; !slices.Equal(got, want) {
		return fmt.Errorf("the subscriber that stayed got %v; want %v", got, want)
	}
	return nil
}

// inGoroutine runs fn in a goroutine and returns a channel closed when it returns.
func inGoroutine(fn func()) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	return done
}

// doneWithin reports whether done is closed within d. A call that did not return keeps
// its goroutine: the check has its verdict, and the cell's process ends soon.
func doneWithin(done <-chan struct{}, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-done:
		return true
	case <-timer.C:
		return false
	}
}
