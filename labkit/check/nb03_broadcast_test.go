package check

import (
	"sync"
	"testing"
)

// The stub notebook 03 ships (exercise "broadcast"): one sync.Mutex for everything, so
// publishers wait for each other.
type mutexBroadcaster struct {
	mu   sync.Mutex
	subs map[int]func(msg string)
	next int
}

func (b *mutexBroadcaster) Subscribe(deliver func(msg string)) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.next++
	b.subs[b.next] = deliver
	return b.next
}

func (b *mutexBroadcaster) Unsubscribe(id int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.subs, id)
}

func (b *mutexBroadcaster) Publish(msg string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, deliver := range b.subs {
		deliver(msg)
	}
}

// The reference solution (notebooks/solutions/03_locks_and_atomics/broadcast.gocell).
type rwBroadcaster struct {
	mu   sync.RWMutex
	subs map[int]func(msg string)
	next int
}

func (b *rwBroadcaster) Subscribe(deliver func(msg string)) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.next++
	b.subs[b.next] = deliver
	return b.next
}

func (b *rwBroadcaster) Unsubscribe(id int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.subs, id)
}

func (b *rwBroadcaster) Publish(msg string) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	for _, deliver := range b.subs {
		deliver(msg)
	}
}

// Wrong: copies the subscribers under the lock and delivers outside it, so Unsubscribe
// returns while a delivery to that subscriber is still running.
type snapshotBroadcaster struct{ rwBroadcaster }

func (b *snapshotBroadcaster) Publish(msg string) {
	b.mu.RLock()
	subs := make([]func(string), 0, len(b.subs))
	for _, deliver := range b.subs {
		subs = append(subs, deliver)
	}
	b.mu.RUnlock()
	for _, deliver := range subs {
		deliver(msg)
	}
}

// Wrong: Unsubscribe changes the map under the read lock, alongside the publishers.
type rlockUnsubscribeBroadcaster struct{ rwBroadcaster }

func (b *rlockUnsubscribeBroadcaster) Unsubscribe(id int) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	delete(b.subs, id)
}

// Wrong: Publish forgets to RUnlock, so the next Subscribe or Unsubscribe waits for ever.
type leakyReadBroadcaster struct{ rwBroadcaster }

func (b *leakyReadBroadcaster) Publish(msg string) {
	b.mu.RLock()
	for _, deliver := range b.subs {
		deliver(msg)
	}
}

func TestBroadcastVerdicts(t *testing.T) {
	runVerdicts(t, checkBroadcast, []verdictCase[broadcastFunc]{
		{"stub (one Mutex)", func() Broadcaster { return &mutexBroadcaster{subs: map[int]func(string){}} }, "one after the other", false},
		{"solution", func() Broadcaster { return &rwBroadcaster{subs: map[int]func(string){}} }, "", false},
		{"delivers outside the lock", func() Broadcaster { return &snapshotBroadcaster{rwBroadcaster{subs: map[int]func(string){}}} }, "Unsubscribe returned while", false},
		// A data race (map written under a read lock), which would trip -race in this process.
		{"Unsubscribe under the read lock", func() Broadcaster { return &rlockUnsubscribeBroadcaster{rwBroadcaster{subs: map[int]func(string){}}} }, "Unsubscribe returned while", true},
		// Leaves Unsubscribe blocked for ever, which goleak would report.
		{"Publish forgets RUnlock", func() Broadcaster { return &leakyReadBroadcaster{rwBroadcaster{subs: map[int]func(string){}}} }, "did not return", true},
		{"nil", nil, "nil", false},
		{"nil broadcaster", func() Broadcaster { return nil }, "nil", false},
	})
}
