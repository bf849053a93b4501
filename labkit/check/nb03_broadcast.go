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
	b, err := construct("newBroadcaster", newBroadcaster)
	if err != nil {
		return err
	}
	s := subscribeTwo(b)
	if err := s.publishTogether(); err != nil {
		return err
	}
	if err := s.unsubscribeWaits(); err != nil {
		return err
	}
	return s.unsubscribedGetsNothing()
}

// holdMsg is the message whose delivery to subscriber a holds until release.
const holdMsg = "m3"

// broadcastScenario is a Broadcaster with two subscribers: a, whose deliveries of two
// messages wait for each other and whose delivery of holdMsg waits for release, and c,
// which only records.
type broadcastScenario struct {
	b          Broadcaster
	a, c       inbox
	idA        int
	delivering atomic.Int32 // delivers to a running now
	together   chan struct{}
	togetherOK sync.Once
	held       chan struct{} // closed when deliver(holdMsg) to a has begun
	release    chan struct{}
}

func subscribeTwo(b Broadcaster) *broadcastScenario {
	s := &broadcastScenario{b: b, together: make(chan struct{}), held: make(chan struct{}), release: make(chan struct{})}
	s.idA = b.Subscribe(func(msg string) {
		s.a.add(msg)
		if msg == holdMsg {
			close(s.held)
			<-s.release
			return
		}
		// Two publishes of different messages: wait for the other to be delivering too.
		if s.delivering.Add(1) == 2 {
			s.togetherOK.Do(func() { close(s.together) })
		}
		defer s.delivering.Add(-1)
		select {
		case <-s.together:
		case <-time.After(broadcastGrace):
		}
	})
	b.Subscribe(s.c.add)
	return s
}

// publishTogether: two publishes at once must deliver at once.
func (s *broadcastScenario) publishTogether() error {
	var publishers sync.WaitGroup
	for _, msg := range []string{"m1", "m2"} {
		publishers.Go(func() { s.b.Publish(msg) })
	}
	if !doneWithin(inGoroutine(publishers.Wait), 3*broadcastGrace) {
		return errors.New("two Publish calls did not return: is a lock left locked (use defer), or does Publish wait for something nobody does?")
	}
	select {
	case <-s.together:
		return nil
	default:
		return errors.New("two Publish calls ran one after the other: publishing only reads the subscriber list, so Publish should hold a read lock (sync.RWMutex.RLock) that any number of publishers share; Subscribe and Unsubscribe take the write lock (Lock)")
	}
}

// unsubscribeWaits: Unsubscribe waits for a Publish still delivering to the subscriber.
func (s *broadcastScenario) unsubscribeWaits() error {
	publishing := inGoroutine(func() { s.b.Publish(holdMsg) })
	select {
	case <-s.held:
	case <-time.After(broadcastGrace):
		close(s.release)
		return fmt.Errorf("Publish(%q) did not deliver to the first subscriber within %v", holdMsg, broadcastGrace)
	}
	unsubscriber := make(chan string, 1)
	unsubscribed := inGoroutine(func() {
		unsubscriber <- goroutineID()
		s.b.Unsubscribe(s.idA)
	})
	// Unsubscribe must wait: either it returns (wrong) or it parks, waiting for the
	// delivery (right). No time limit decides between the two.
	id := <-unsubscriber
	for waitedUntil := time.Now().Add(broadcastGrace); ; time.Sleep(time.Millisecond) {
		select {
		case <-unsubscribed:
			close(s.release)
			<-publishing
			return errors.New("Unsubscribe returned while a Publish was still delivering to that subscriber: its owner would now close what deliver writes to, and the delivery still running would panic (send on closed channel). Publish must deliver under the read lock, and Unsubscribe must take the write lock, which waits for every reader")
		default:
		}
		if parked(id) {
			break
		}
		if time.Now().After(waitedUntil) {
			close(s.release)
			return fmt.Errorf("Unsubscribe neither returned nor waited for a lock within %v: is it spinning?", broadcastGrace)
		}
	}
	close(s.release)
	if !doneWithin(publishing, broadcastGrace) || !doneWithin(unsubscribed, broadcastGrace) {
		return errors.New("after the held delivery finished, Publish or Unsubscribe did not return: is a lock left locked?")
	}
	return nil
}

// unsubscribedGetsNothing: after Unsubscribe, the subscriber gets nothing; the others still do.
func (s *broadcastScenario) unsubscribedGetsNothing() error {
	if !doneWithin(inGoroutine(func() { s.b.Publish("m4") }), broadcastGrace) {
		return errors.New("Publish(\"m4\") did not return after an Unsubscribe: is a lock left locked?")
	}
	if got, want := s.a.messages(), []string{"m1", "m2", "m3"}; !slices.Equal(got, want) {
		return fmt.Errorf("the unsubscribed subscriber got %v; want %v (everything published while it was subscribed, nothing after)", got, want)
	}
	if got, want := s.c.messages(), []string{"m1", "m2", "m3", "m4"}; !slices.Equal(got, want) {
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
