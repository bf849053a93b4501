package check

import (
	"fmt"
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

func checkMerge(t *testing.T, merge func(inputs ...<-chan int) <-chan int) error {
	if merge == nil {
		return fmt.Errorf("merge is nil")
	}
	return onFakeTime(t, "Merge", func() error {
		for _, sizes := range [][]int{{5, 0, 12, 3}, {1}, {}} {
			if err := mergeOnce(merge, sizes); err != nil {
				return err
			}
		}
		return nil
	})
}

// mergeOnce feeds len(sizes) producers, producer p sending sizes[p] distinct values, and
// collects merge's output.
func mergeOnce(merge func(inputs ...<-chan int) <-chan int, sizes []int) error {
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
