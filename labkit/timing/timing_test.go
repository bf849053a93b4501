package timing_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/timing"
)

func TestSummarizeNearestRank(t *testing.T) {
	var runs []time.Duration
	for i := 20; i >= 1; i-- { // descending, to prove Summarize sorts a copy
		runs = append(runs, time.Duration(i)*time.Millisecond)
	}
	st, err := timing.Summarize(runs)
	if err != nil {
		t.Fatal(err)
	}
	if st.Min != time.Millisecond || st.Max != 20*time.Millisecond {
		t.Errorf("min/max = %v/%v, want 1ms/20ms", st.Min, st.Max)
	}
	if st.Median != 10*time.Millisecond {
		t.Errorf("median = %v, want 10ms (nearest rank)", st.Median)
	}
	if st.P95 != 19*time.Millisecond {
		t.Errorf("p95 = %v, want 19ms", st.P95)
	}
	if st.Mean != 10500*time.Microsecond {
		t.Errorf("mean = %v, want 10.5ms", st.Mean)
	}
	if runs[0] != 20*time.Millisecond || st.Runs[0] != 20*time.Millisecond {
		t.Errorf("input or Runs reordered: %v, %v", runs[0], st.Runs[0])
	}
}

func TestBadInput(t *testing.T) {
	if _, err := timing.Repeat(0, func() {}); !errors.Is(err, timing.ErrNoRuns) {
		t.Errorf("Repeat(0) err = %v, want ErrNoRuns", err)
	}
	if _, err := timing.Repeat(3, nil); err == nil {
		t.Error("Repeat with nil fn: want error")
	}
	if _, err := timing.Summarize(nil); !errors.Is(err, timing.ErrNoRuns) {
		t.Errorf("Summarize(nil) err = %v", err)
	}
	if got := timing.Percentile(nil, 50); got != 0 {
		t.Errorf("Percentile(nil) = %v", got)
	}
}

func TestRepeatCallsFnNTimes(t *testing.T) {
	calls := 0
	st, err := timing.Repeat(7, func() { calls++ })
	if err != nil || calls != 7 || len(st.Runs) != 7 {
		t.Fatalf("calls=%d runs=%d err=%v", calls, len(st.Runs), err)
	}
}

func TestStopwatch(t *testing.T) {
	var sw timing.Stopwatch
	if sw.Elapsed() != 0 {
		t.Fatal("zero Stopwatch should read 0")
	}
	sw.Start()
	a := sw.Lap()
	b := sw.Lap()
	if b < a || len(sw.Laps()) != 2 {
		t.Fatalf("laps not cumulative: %v", sw.Laps())
	}
	sw.Start()
	if len(sw.Laps()) != 0 {
		t.Fatal("Start should discard laps")
	}
}

func TestRound(t *testing.T) {
	cases := map[time.Duration]time.Duration{
		1234567 * time.Nanosecond:            1230 * time.Microsecond,
		123456789 * time.Nanosecond:          123 * time.Millisecond,
		1234 * time.Nanosecond:               1230 * time.Nanosecond,
		2*time.Second + 345*time.Millisecond: 2350 * time.Millisecond,
	}
	for in, want := range cases {
		if got := timing.Round(in); got != want {
			t.Errorf("Round(%v) = %v, want %v", in, got, want)
		}
	}
}

func TestInterleaveTakesTurns(t *testing.T) {
	var order []string
	stats, err := timing.Interleave(3, func() { order = append(order, "a") }, func() { order = append(order, "b") })
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(order); got != "[a b a b a b]" {
		t.Errorf("call order %s, want the functions taking turns", got)
	}
	if len(stats) != 2 || len(stats[0].Runs) != 3 || len(stats[1].Runs) != 3 {
		t.Errorf("stats %v, want 3 runs for each of 2 functions", stats)
	}
	if _, err := timing.Interleave(0, func() {}); !errors.Is(err, timing.ErrNoRuns) {
		t.Errorf("Interleave(0) err = %v, want ErrNoRuns", err)
	}
	if _, err := timing.Interleave(2); err == nil {
		t.Error("Interleave with no functions: want error")
	}
	if _, err := timing.Interleave(2, func() {}, nil); err == nil || !strings.Contains(err.Error(), "fns[1]") {
		t.Errorf("Interleave with a nil function: err = %v, want one naming fns[1]", err)
	}
}

func ExampleInterleave() {
	sleep := func() { time.Sleep(time.Millisecond) }
	spin := func() {
		for start := time.Now(); time.Since(start) < time.Millisecond; {
		}
	}
	stats, err := timing.Interleave(3, sleep, spin) // sleep, spin, sleep, spin, sleep, spin
	if err != nil {
		panic(err)
	}
	fmt.Printf("sleep: %d runs, spin: %d runs\n", len(stats[0].Runs), len(stats[1].Runs))
	// Output: sleep: 3 runs, spin: 3 runs
}

func ExampleSummarize() {
	runs := []time.Duration{3 * time.Millisecond, 1 * time.Millisecond, 2 * time.Millisecond, 10 * time.Millisecond}
	st, _ := timing.Summarize(runs)
	fmt.Println(st)
	// Output: n=4 min=1ms median=2ms p95=10ms max=10ms
}

func ExampleRepeat() {
	st, err := timing.Repeat(5, func() { time.Sleep(time.Millisecond) })
	if err != nil {
		panic(err)
	}
	fmt.Println(len(st.Runs), st.Min >= time.Millisecond)
	// Output: 5 true
}
