package check

import (
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"
)

// Merge checks notebook 04's exercise, fan-in: merge must return at once a channel that
// delivers every value from every input and is closed once all inputs are closed and
// drained, so that `for v := range merge(...)` ends.
func Merge(t *testing.T, merge func(inputs ...<-chan int) <-chan int) {
	t.Helper()
	if err := checkMerge(t, merge); err != nil {
		t.Fatal(err)
	}
}

type mergeFunc = func(inputs ...<-chan int) <-chan int

func checkMerge(t *testing.T, merge mergeFunc) error {
	if merge == nil {
		return fmt.Errorf("merge is nil")
	}
	return onFakeTime(t, "Merge", func() error {
		for _, sizes := range [][]int{{5, 0, 12, 3}, {1}, {}} {
			if err := mergeOnce(merge, sizes); err != nil {
				return err
			}
		}
		return mergeWhileOpen(merge)
	})
}

// mergeWhileOpen gives merge two inputs: the first sends a value and stays open until
// the second's value has come out of merge. A merge that drains its inputs one after
// another never gets to the second, whatever the scheduler does.
func mergeWhileOpen(merge mergeFunc) error {
	first, second := make(chan int), make(chan int)
	secondOut := make(chan struct{})
	go func() {
		defer close(first)
		first <- 1
		select { // bounded, so that a wrong merge's verdict leaves nothing blocked here
		case <-secondOut:
		case <-time.After(settle):
		}
	}()
	go func() {
		defer close(second)
		second <- 2
	}()
	out, returned := callWithin(grace, func() <-chan int { return merge(first, second) })
	if !returned || out == nil {
		return fmt.Errorf("merge(first, second) did not return a channel")
	}
	got := map[int]bool{}
	for len(got) < 2 {
		v, ok := await(out, grace)
		if !ok {
			return fmt.Errorf("merge delivered %v and then nothing while the first input stayed open: the second input "+
				"had a value ready all along. A value on one input must not wait for another input to close: "+
				"forward every input in its own goroutine, at the same time", slices.Sorted(maps.Keys(got)))
		}
		got[v] = true
	}
	close(secondOut)
	select {
	case v, ok := <-out:
		if ok {
			return fmt.Errorf("merge delivered %d, which was sent once and already delivered", v)
		}
		return nil
	case <-time.After(grace):
		return fmt.Errorf("merge delivered both values but never closed its output once both inputs were closed")
	}
}

// mergeOnce feeds len(sizes) producers, producer p sending sizes[p] distinct values, and
// collects merge's output.
func mergeOnce(merge mergeFunc, sizes []int) error {
	inputs := make([]<-chan int, len(sizes))
	var want []int
	for p, n := range sizes {
		ch := make(chan int) // unbuffered: merge must keep receiving while the caller reads
		inputs[p] = ch
		values := make([]int, n)
		for i := range values {
			values[i] = p*1000 + i
		}
		want = append(want, values...)
		go func() {
			defer close(ch)
			for _, v := range values {
				ch <- v
			}
		}()
	}

	out, returned := callWithin(grace, func() <-chan int { return merge(inputs...) })
	if !returned {
		return fmt.Errorf("merge(%d inputs) did not return: it must hand back the output channel at once and "+
			"close it later, from a goroutine that waits for the forwarders (go func() { wg.Wait(); close(out) }())", len(sizes))
	}
	if out == nil {
		return fmt.Errorf("merge returned a nil channel")
	}

	var got []int
	timer := time.NewTimer(grace)
	defer timer.Stop()
	for {
		select {
		case v, ok := <-out:
			if !ok {
				slices.Sort(got)
				if !slices.Equal(got, want) {
					return fmt.Errorf("merge of inputs with %v values delivered %d values, want %d: every value from every input, once", sizes, len(got), len(want))
				}
				return nil
			}
			got = append(got, v)
			timer.Reset(grace) // since Go 1.23, Reset needs no drain of a fired timer
		case <-timer.C:
			if len(got) == len(want) {
				return fmt.Errorf("merge of %d inputs delivered all %d values but never closed its output, so a `for range` over it "+
					"waits forever: close it once every forwarder is done (wg.Wait(); close(out) in a goroutine)", len(sizes), len(got))
			}
			return fmt.Errorf("merge of %d inputs delivered %d of %d values and then nothing for %v: is a forwarder stuck, "+
				"or does merge read only some inputs?", len(sizes), len(got), len(want), grace)
		}
	}
}
