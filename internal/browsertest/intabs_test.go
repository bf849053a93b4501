package browsertest

import (
	"slices"
	"sync"
	"sync/atomic"
	"testing"
)

func TestInTabsYieldsInOrderWithAtMostTabsAtATime(t *testing.T) {
	const n, tabs = 12, 3
	var running, most atomic.Int32
	// Check i waits until check i+1 has started (the last waits for nothing), so results
	// finish out of order whenever two run at once.
	started := make([]chan struct{}, n+1)
	for i := range started {
		started[i] = make(chan struct{})
	}
	close(started[n])
	var once [n]sync.Once
	var got []int
	for i, v := range InTabs(tabs, n, func(i int) int {
		now := running.Add(1)
		for m := most.Load(); now > m && !most.CompareAndSwap(m, now); m = most.Load() {
		}
		once[i].Do(func() { close(started[i]) })
		if i%tabs != tabs-1 { // the last of each group of tabs is the one the others wait for
			<-started[i+1]
		}
		running.Add(-1)
		return i * i
	}) {
		if v != i*i {
			t.Errorf("result %d: %d, want %d", i, v, i*i)
		}
		got = append(got, i)
	}
	if want := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}; !slices.Equal(got, want) {
		t.Errorf("yielded %v, want %v", got, want)
	}
	if m := most.Load(); m > tabs {
		t.Errorf("%d checks ran at once, want at most %d", m, tabs)
	}
}

func TestInTabsStopsHandingOutChecksWhenTheLoopBreaks(t *testing.T) {
	var ran atomic.Int32
	gate := make(chan struct{}) // checks from the fourth on wait here until the loop breaks
	for i := range InTabs(1, 100, func(i int) int {
		ran.Add(1)
		if i >= 3 {
			<-gate
		}
		return i
	}) {
		if i == 2 {
			close(gate)
			break
		}
	}
	// One tab: checks 0-2 were yielded; the fourth may have been handed out before the loop
	// broke, and a fifth before InTabs saw the break (the worker waits in the fourth until then).
	if n := ran.Load(); n < 3 || n > 5 {
		t.Errorf("%d checks ran after breaking at the third, want 3 to 5 of 100", n)
	}
}
